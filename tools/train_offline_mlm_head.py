"""Train the masked-LM head that lets the packaged MiniLM encoder fill in blanks.

The offline encoder (``sentence-transformers/all-MiniLM-L6-v2``) ships without the
MLM head BERT is pre-trained with. This script trains one on top of the frozen
encoder, BERT style (dense 384->384, GELU, LayerNorm, decoder tied to the word
embeddings, output bias), and a second variant that also retrains the top encoder
layers (three by default). It writes both as fp16 safetensors into
``bertcourse/resources``. The shipped weights come from the defaults (seed 13): 4 epochs
of each stage, about 11 minutes on 2 quiet CPU cores.

Training text (only text whose licence allows sharing weights derived from it):

* SQuAD v1.1 contexts (CC BY-SA 4.0), split into sentences;
* SNLI premises and hypotheses (CC BY-SA 4.0);
* review-style sentences generated here from the course's own templates.

Any sentence that reproduces the context of a cloze probe prompt
(:data:`bertcourse.cloze.CLOZE_PROBE`) is dropped, so the probe measures
generalisation, not recall. The text itself is never written anywhere.

To stay within a few minutes on a laptop CPU, the encoder runs once over the masked
text (15% of tokens chosen; 80% -> [MASK], 10% -> random token, 10% unchanged) and its
states are cached: the final-layer states at the chosen positions train the head; the
inputs to the lowest retrained layer train the top-layers variant (layers 3-5).

Usage::

    python tools/train_offline_mlm_head.py --data-dir ../shared/data
    python tools/train_offline_mlm_head.py --data-dir ../shared/data --ablate-generated
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import math
import os
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from bertcourse.cloze import CLOZE_PROBE, PLACEHOLDER, evaluate_cloze
from bertcourse.fillmask import WEIGHT_FILES, load_offline_mlm, resources_dir
from bertcourse.models import offline_encoder_path
from bertcourse.quiet import quiet_libraries

MASK_RATE = 0.15
FIRST_REAL_TOKEN = 999  # ids below are [PAD], [unusedN], [UNK], [CLS], [SEP], [MASK]
LAST_LAYER = 5  # 0-based index of MiniLM's last layer


# --------------------------------------------------------------------------- text


def squad_sentences(data_dir: Path) -> list[str]:
    """SQuAD contexts split into sentences (naively: at ., ! or ? before a capital)."""
    raw = json.loads((data_dir / "squad" / "squad-v1.1-part.json").read_text(encoding="utf-8"))
    out: list[str] = []
    for article in raw["data"]:
        for paragraph in article["paragraphs"]:
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z\"(])", paragraph["context"]):
                if len(sentence.split()) >= 5:
                    out.append(sentence.strip())
    return out


def snli_sentences(data_dir: Path) -> list[str]:
    """Unique SNLI premises and hypotheses."""
    seen: dict[str, None] = {}
    with open(data_dir / "snli" / "dev.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            for key in ("premise", "hypothesis"):
                text = row[key].strip()
                if len(text.split()) >= 3:
                    seen.setdefault(text, None)
    return list(seen)


_WORDS = {
    "dish": "pasta soup steak salad burger pizza curry fish chicken bread noodles rice tacos "
    "dumplings pancakes lasagna risotto omelette fries sandwich ramen pie cake dessert "
    "coffee tea wine beer lamb pork shrimp salmon waffles bagel muffin brownie".split(),
    "place": "restaurant cafe bar bistro diner bakery pub place kitchen grill".split(),
    "good": "delicious excellent great fresh amazing wonderful perfect superb lovely good "
    "fantastic awesome outstanding nice tasty flavorful incredible decent solid".split(),
    "bad": "bland cold greasy stale awful terrible horrible disappointing bad dry salty burnt "
    "mediocre overcooked undercooked soggy tasteless inedible gross".split(),
    "kind": "friendly helpful attentive polite kind welcoming professional warm quick "
    "cheerful lovely patient".split(),
    "rude": "rude slow careless grumpy dismissive lazy inattentive unprofessional cold "
    "arrogant unpleasant".split(),
    "staff": "waiter waitress server staff host bartender manager chef owner".split(),
    "room": "room suite apartment cabin bedroom".split(),
    "room_good": "spotless spacious quiet bright modern cozy comfortable tidy".split(),
    "room_bad": "dirty tiny noisy dark smelly cramped damp shabby".split(),
    "work": "movie film book novel show album series play game concert".split(),
    "work_good": "brilliant moving gripping beautiful funny clever charming powerful "
    "hilarious touching wonderful great".split(),
    "work_bad": "boring dull predictable silly tedious pointless weak awful bad confusing "
    "forgettable terrible".split(),
    "thing": "phone laptop blender vacuum chair jacket lamp kettle backpack watch "
    "headphones camera printer".split(),
    "feel_good": "happy glad thrilled delighted pleased excited grateful proud relieved".split(),
    "feel_bad": "sad upset angry disappointed annoyed frustrated worried lonely tired".split(),
    "person": [
        "my friend",
        "my wife",
        "my husband",
        "my mother",
        "my father",
        "my son",
        "my daughter",
        "our guide",
        "my boss",
        "my neighbour",
    ],
    "time": "ten twenty thirty forty fifty".split(),
    "unit": "minutes".split(),
    "meal": "lunch dinner breakfast brunch".split(),
    "day": "monday tuesday wednesday thursday friday saturday sunday".split(),
}

_FRAMES = (
    "{dish} at this {place} is {good}, and the portions are generous.",
    "our {staff} was {kind}, and the {dish} came out {good}.",
    "i ordered the {dish}, but it was {bad} and {bad}.",
    "we waited {time} minutes for a {bad} {dish}.",
    "would not come back: the {dish} tasted {bad}.",
    "highly recommended! the {dish} was {good} and the {staff} was {kind}.",
    "one star. the {staff} was {rude} and the {dish} was {bad}.",
    "five stars for the {dish}, which was {good}.",
    "the {dish} here is {good}; we will be back for {meal} on {day}.",
    "a {good} little {place} with a {kind} {staff}.",
    "the {staff} seemed {rude} and never refilled our water.",
    "{person} loved the {dish}, but i found it {bad}.",
    "this {place} serves the most {good} {dish} in the neighbourhood.",
    "we came for {meal} and left {feel_good}.",
    "we came for {meal} and left {feel_bad}.",
    "the {room} was {room_good}, and the staff were {kind}.",
    "our {room} was {room_bad} and the shower did not work.",
    "the hotel {room} was {room_bad}, so we asked to move.",
    "a {room_good} {room} with a balcony and a great breakfast.",
    "the {work} was {work_good}; i recommend it to everyone.",
    "what a {work_bad} {work}. i want my money back.",
    "i found the {work} {work_bad} and left halfway through.",
    "the {work} is {work_good} from start to finish.",
    "critics called the {work} {work_good}, and i agree.",
    "this {thing} is {good} and worth every penny.",
    "the {thing} broke after a week. {bad} quality.",
    "i returned the {thing} because it was {bad}.",
    "i am {feel_good} with this {thing}; it works well.",
    "{person} was {feel_good} when the {dish} arrived.",
    "{person} was {feel_bad} because the {thing} stopped working.",
    "the {dish} was {good}, but the {staff} was {rude}.",
    "the {dish} was {bad}, but the {staff} was {kind}.",
    "service was {kind} and fast, and the bill was fair.",
    "the prices are fair and the {dish} is always {good}.",
    "it was way too expensive for {bad} {dish}.",
    "i felt {feel_bad} after such a {bad} {meal}.",
    "honestly the best {dish} i have eaten in years: {good}.",
    "avoid this {place}: {bad} {dish} and a {rude} {staff}.",
    "the {meal} menu is short but everything on it is {good}.",
    "we booked a table for {meal} and the {staff} was {kind}.",
)


def generated_sentences(n: int, seed: int) -> list[str]:
    """``n`` review-style sentences from the course's own templates (deterministic)."""
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        frame = rng.choice(_FRAMES)
        text = re.sub(r"\{(\w+)\}", lambda m: rng.choice(_WORDS[m.group(1)]), frame)
        out.append(text[0].upper() + text[1:])
    return out


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def probe_leak_patterns() -> list[re.Pattern[str]]:
    """One pattern per probe prompt: its context (6 words around the blank) with any word in it.

    A training sentence matching one would let the head memorise that prompt's answer.
    """
    patterns = []
    for prompt in CLOZE_PROBE:
        left, right = prompt.text.split(PLACEHOLDER)
        lw, rw = _norm(left).split(), _norm(right).split()
        n_right = min(len(rw), 3)
        n_left = min(len(lw), 6 - n_right)
        n_right = min(len(rw), 6 - n_left)
        parts = [*lw[len(lw) - n_left :], r"[a-z0-9']+", *rw[:n_right]]
        patterns.append(re.compile(r"\b" + " ".join(parts) + r"\b"))
    return patterns


def drop_probe_leaks(sentences: list[str]) -> tuple[list[str], int]:
    """The sentences without any that match a probe prompt's context, and how many went."""
    patterns = probe_leak_patterns()
    kept = [s for s in sentences if not any(p.search(_norm(s)) for p in patterns)]
    return kept, len(sentences) - len(kept)


# --------------------------------------------------------------------------- encoding


@dataclass
class Batch:
    """A length-bucketed batch of masked sequences and the frozen encoder's states."""

    source: torch.Tensor  # [n_sequences] int: 0 squad, 1 snli, 2 generated
    top_input: torch.Tensor  # [B, T, 384] fp16: input to the lowest retrained layer
    attention: torch.Tensor  # [B, T] long
    rows: torch.Tensor  # [M] masked positions: sequence index ...
    cols: torch.Tensor  # [M] ... and token index
    targets: torch.Tensor  # [M] original token ids
    final: torch.Tensor  # [M, 384] fp32: final-layer state at the masked positions


def mask_tokens(
    input_ids: torch.Tensor, special: torch.Tensor, vocab_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT masking: choose 15% of real tokens (at least one); 80/10/10 mask/random/keep."""
    chosen = (torch.rand(input_ids.shape, generator=generator) < MASK_RATE) & ~special
    for row in range(input_ids.shape[0]):
        if not chosen[row].any():  # every sequence teaches something
            candidates = (~special[row]).nonzero().flatten()
            pick = candidates[torch.randint(len(candidates), (1,), generator=generator)]
            chosen[row, pick] = True
    roll = torch.rand(input_ids.shape, generator=generator)
    masked = input_ids.clone()
    masked[chosen & (roll < 0.8)] = -1  # placeholder for [MASK], set by the caller
    random_ids = torch.randint(FIRST_REAL_TOKEN, vocab_size, input_ids.shape, generator=generator)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    masked[swap] = random_ids[swap]
    return masked, chosen


def encode_corpus(
    sentences: list[tuple[str, int]],
    tokenizer,
    encoder,
    *,
    max_length: int,
    tokens_per_batch: int,
    seed: int,
    top_layers: int,
) -> list[Batch]:
    """Mask every sentence once and cache the frozen encoder's states, batch by batch.

    ``top_layers`` says which states to keep as ``top_input``: the input of the lowest
    layer that stage 2 retrains.
    """
    generator = torch.Generator().manual_seed(seed)
    encoded = tokenizer([s for s, _ in sentences], truncation=True, max_length=max_length)
    order = sorted(range(len(sentences)), key=lambda i: len(encoded["input_ids"][i]))
    batches: list[Batch] = []
    start = 0
    t0 = time.time()
    while start < len(order):
        width = len(encoded["input_ids"][order[min(start + 1, len(order) - 1)]])
        size = max(1, tokens_per_batch // max(width, 1))
        index = order[start : start + size]
        start += size
        width = max(len(encoded["input_ids"][i]) for i in index)
        ids = torch.zeros(len(index), width, dtype=torch.long)
        attention = torch.zeros(len(index), width, dtype=torch.long)
        for row, i in enumerate(index):
            seq = encoded["input_ids"][i]
            ids[row, : len(seq)] = torch.tensor(seq)
            attention[row, : len(seq)] = 1
        special = (ids < FIRST_REAL_TOKEN) | (attention == 0)
        masked, chosen = mask_tokens(ids, special, tokenizer.vocab_size, generator)
        masked[masked == -1] = tokenizer.mask_token_id
        with torch.no_grad():
            out = encoder(input_ids=masked, attention_mask=attention, output_hidden_states=True)
        rows, cols = chosen.nonzero(as_tuple=True)
        batches.append(
            Batch(
                source=torch.tensor([sentences[i][1] for i in index]),
                top_input=out.hidden_states[LAST_LAYER + 1 - top_layers].to(torch.float16),
                attention=attention,
                rows=rows,
                cols=cols,
                targets=ids[rows, cols],
                final=out.last_hidden_state[rows, cols].float(),
            )
        )
    print(
        f"encoded {len(sentences)} sentences in {len(batches)} batches, "
        f"{sum(len(b.targets) for b in batches)} masked tokens, {time.time() - t0:.0f} s",
        flush=True,
    )
    return batches


# --------------------------------------------------------------------------- training


class MLMHead(nn.Module):
    """BERT's prediction head with the decoder tied to (frozen) word embeddings."""

    def __init__(self, embeddings: torch.Tensor, eps: float) -> None:
        super().__init__()
        hidden = embeddings.shape[1]
        self.dense = nn.Linear(hidden, hidden)
        self.norm = nn.LayerNorm(hidden, eps=eps)
        self.register_buffer("embeddings", embeddings, persistent=False)
        self.bias = nn.Parameter(torch.zeros(embeddings.shape[0]))
        nn.init.normal_(self.dense.weight, std=0.02)
        nn.init.zeros_(self.dense.bias)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        x = self.norm(F.gelu(self.dense(states)))
        return x @ self.embeddings.T + self.bias

    def state_for_bert(self) -> dict[str, torch.Tensor]:
        return {
            "cls.predictions.transform.dense.weight": self.dense.weight,
            "cls.predictions.transform.dense.bias": self.dense.bias,
            "cls.predictions.transform.LayerNorm.weight": self.norm.weight,
            "cls.predictions.transform.LayerNorm.bias": self.norm.bias,
            "cls.predictions.bias": self.bias,
        }


def _schedule(optimizer: torch.optim.Optimizer, total: int) -> torch.optim.lr_scheduler.LambdaLR:
    warm = max(1, total // 20)

    def factor(step: int) -> float:  # linear warm-up, then cosine decay to 10%
        if step < warm:
            return (step + 1) / warm
        progress = (step - warm) / max(1, total - warm)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _head_accuracy(
    head: MLMHead, states: torch.Tensor, targets: torch.Tensor
) -> tuple[float, float]:
    with torch.no_grad():
        logits = torch.cat([head(s) for s in states.split(2048)])
    loss = F.cross_entropy(logits, targets).item()
    return loss, (logits.argmax(-1) == targets).float().mean().item()


def train_head(
    train: list[Batch],
    valid: list[Batch],
    embeddings: torch.Tensor,
    eps: float,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
    sources: set[int] | None = None,
) -> MLMHead:
    """Stage 1: the head alone, on cached final-layer states at the masked positions."""
    torch.manual_seed(seed)

    def gather(batches: list[Batch]) -> tuple[torch.Tensor, torch.Tensor]:
        states, targets = [], []
        for b in batches:
            keep = torch.ones(len(b.targets), dtype=torch.bool)
            if sources is not None:
                keep = torch.tensor([int(b.source[r]) in sources for r in b.rows.tolist()])
            states.append(b.final[keep])
            targets.append(b.targets[keep])
        return torch.cat(states), torch.cat(targets)

    x, y = gather(train)
    vx, vy = gather(valid)
    head = MLMHead(embeddings, eps)
    with torch.no_grad():  # start the bias at the log unigram frequency of the targets
        counts = torch.bincount(y, minlength=embeddings.shape[0]).float() + 0.1
        head.bias.copy_(counts.log() - counts.sum().log())
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(y) / batch_size)
    scheduler = _schedule(optimizer, steps)
    t0 = time.time()
    for epoch in range(epochs):
        perm = torch.randperm(len(y))
        for i in range(0, len(y), batch_size):
            idx = perm[i : i + batch_size]
            loss = F.cross_entropy(head(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        vloss, vacc = _head_accuracy(head, vx, vy)
        print(
            f"  head epoch {epoch + 1}/{epochs}: {len(y)} tokens, valid loss {vloss:.3f}, "
            f"masked-token accuracy {vacc:.3f} ({time.time() - t0:.0f} s)",
            flush=True,
        )
    return head


def _run_top_layer(layer: nn.Module, config, batch: Batch) -> torch.Tensor:
    """The top BertLayer's output at the masked positions only.

    Only those outputs reach the loss, so queries, the feed-forward block and the
    residual paths run for them alone; keys and values still cover every token. That
    makes training the top layer ~4x cheaper than running it over whole sequences, and
    gives the same numbers (``check_top_layer`` compares it with ``BertLayer``).
    """
    attention = layer.attention.self
    heads, size = attention.num_attention_heads, attention.attention_head_size
    states = batch.top_input.float()  # [B, T, H]
    rows, cols = batch.rows, batch.cols
    here = states[rows, cols]  # [M, H]
    query = attention.query(here).view(-1, heads, size)  # [M, h, d]
    key = attention.key(states)[rows].view(len(rows), -1, heads, size)  # [M, T, h, d]
    value = attention.value(states)[rows].view(len(rows), -1, heads, size)
    scores = torch.einsum("mhd,mthd->mht", query, key) * attention.scaling
    padding = batch.attention[rows] == 0  # [M, T]
    scores = scores.masked_fill(padding[:, None, :], torch.finfo(scores.dtype).min)
    probs = attention.dropout(scores.softmax(-1))
    context = torch.einsum("mht,mthd->mhd", probs, value).reshape(len(rows), heads * size)
    attended = layer.attention.output(context, here)
    return layer.output(layer.intermediate(attended), attended)


def _run_top_layers(layers: nn.ModuleList, config, batch: Batch) -> torch.Tensor:
    """The retrained layers: all but the last over whole sequences, the last at the
    masked positions only (:func:`_run_top_layer`)."""
    if len(layers) == 1:
        return _run_top_layer(layers[0], config, batch)
    from transformers.masking_utils import create_bidirectional_mask

    states = batch.top_input.float()
    mask = create_bidirectional_mask(
        config=config, inputs_embeds=states, attention_mask=batch.attention
    )
    for layer in layers[:-1]:
        out = layer(states, mask)
        states = out[0] if isinstance(out, tuple) else out
    return _run_top_layer(layers[-1], config, dataclasses.replace(batch, top_input=states))


def check_top_layer(layer: nn.Module, config, batch: Batch) -> float:
    """Largest gap between :func:`_run_top_layer` and the real ``BertLayer`` (eval mode)."""
    from transformers.masking_utils import create_bidirectional_mask

    layer.eval()
    with torch.no_grad():
        states = batch.top_input.float()
        mask = create_bidirectional_mask(
            config=config, inputs_embeds=states, attention_mask=batch.attention
        )
        full = layer(states, mask)
        full = full[0] if isinstance(full, tuple) else full
        ours = _run_top_layer(layer, config, batch)
    return (full[batch.rows, batch.cols] - ours).abs().max().item()


def train_top_layer(
    train: list[Batch],
    valid: list[Batch],
    head: MLMHead,
    layers: nn.ModuleList,
    config,
    *,
    epochs: int,
    lr_layer: float,
    lr_head: float,
    seed: int,
) -> tuple[MLMHead, nn.ModuleList]:
    """Stage 2: the top encoder layers and the head together, from the stage-1 head."""
    torch.manual_seed(seed)
    head, layers = copy.deepcopy(head), copy.deepcopy(layers)
    for p in layers.parameters():
        p.requires_grad_(True)
    optimizer = torch.optim.AdamW(
        [
            {"params": layers.parameters(), "lr": lr_layer},
            {"params": head.parameters(), "lr": lr_head},
        ],
        weight_decay=0.01,
    )
    scheduler = _schedule(optimizer, epochs * len(train))
    t0 = time.time()
    for epoch in range(epochs):
        layers.train()
        for i in torch.randperm(len(train)).tolist():
            batch = train[i]
            loss = F.cross_entropy(head(_run_top_layers(layers, config, batch)), batch.targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        layers.eval()
        with torch.no_grad():
            states = torch.cat([_run_top_layers(layers, config, b) for b in valid])
        vloss, vacc = _head_accuracy(head, states, torch.cat([b.targets for b in valid]))
        print(
            f"  top layers + head, epoch {epoch + 1}/{epochs}: valid loss {vloss:.3f}, "
            f"masked-token accuracy {vacc:.3f} ({time.time() - t0:.0f} s)",
            flush=True,
        )
    return head, layers


# --------------------------------------------------------------------------- saving


def save_weights(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
    from safetensors.torch import save_file

    half = {k: v.detach().to(torch.float16).contiguous() for k, v in tensors.items()}
    save_file(half, str(path), metadata=metadata)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)", flush=True)


def main(argv: list[str] | None = None) -> int:
    default_data = os.environ.get("BERTCOURSE_DATA_DIR") or str(
        Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path(default_data))
    parser.add_argument("--out", type=Path, default=resources_dir())
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--generated", type=int, default=8000, help="template sentences")
    parser.add_argument("--max-length", type=int, default=96)
    parser.add_argument("--head-epochs", type=int, default=4)
    parser.add_argument("--top-epochs", type=int, default=4)
    parser.add_argument(
        "--top-layers", type=int, default=3, help="encoder layers stage 2 retrains (from the top)"
    )
    parser.add_argument("--head-batch", type=int, default=128, help="masked tokens per step")
    parser.add_argument("--head-lr", type=float, default=3e-3)
    parser.add_argument("--layer-lr", type=float, default=3e-4, help="stage 2's encoder layers")
    parser.add_argument("--limit", type=int, default=0, help="use only N sentences (smoke test)")
    parser.add_argument(
        "--ablate-generated",
        action="store_true",
        help="also train a head without the generated text and report it",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--cache", type=Path, default=None, help="file to keep the encoder states in (~0.5 GB)"
    )
    parser.add_argument("--skip-training", action="store_true", help="only --ablate-generated")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    quiet_libraries()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    t_start = time.time()

    if not (args.data_dir / "squad").is_dir() or not (args.data_dir / "snli").is_dir():
        print(f"no squad/ and snli/ under {args.data_dir}: pass --data-dir", file=sys.stderr)
        return 2
    corpora = {
        0: squad_sentences(args.data_dir),
        1: snli_sentences(args.data_dir),
        2: generated_sentences(args.generated, args.seed),
    }
    sentences: list[tuple[str, int]] = []
    for source, texts in corpora.items():
        kept, dropped = drop_probe_leaks(texts)
        print(f"source {source}: {len(kept)} sentences ({dropped} dropped as probe leaks)")
        sentences += [(t, source) for t in kept]
    rng = random.Random(args.seed)
    rng.shuffle(sentences)
    if args.limit:
        sentences = sentences[: args.limit]
    n_valid = max(50, len(sentences) // 50)
    valid_sentences, train_sentences = sentences[:n_valid], sentences[n_valid:]

    from transformers import AutoTokenizer, BertModel

    encoder_dir = offline_encoder_path()
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir))
    encoder = BertModel.from_pretrained(str(encoder_dir), add_pooling_layer=False).eval()
    embeddings = encoder.embeddings.word_embeddings.weight.detach().clone()
    config = encoder.config

    if args.cache and args.cache.is_file():
        train, valid, cached_top_layers = torch.load(args.cache, weights_only=False)
        if cached_top_layers != args.top_layers:
            print(
                f"{args.cache} caches states for --top-layers {cached_top_layers}", file=sys.stderr
            )
            return 2
        print(f"loaded cached encoder states from {args.cache}")
    else:
        train = encode_corpus(
            train_sentences,
            tokenizer,
            encoder,
            max_length=args.max_length,
            tokens_per_batch=2048,
            seed=args.seed,
            top_layers=args.top_layers,
        )
        valid = encode_corpus(
            valid_sentences,
            tokenizer,
            encoder,
            max_length=args.max_length,
            tokens_per_batch=2048,
            seed=args.seed + 1,
            top_layers=args.top_layers,
        )
        if args.cache:  # lets a rerun (other epochs, the ablation) skip the encoder pass
            torch.save((train, valid, args.top_layers), args.cache)
    t_encoded = time.time()

    report: dict[str, object] = {
        "sentences": {str(k): sum(1 for _, s in train_sentences if s == k) for k in corpora},
        "masked_tokens_train": sum(len(b.targets) for b in train),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    metadata = {
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "training_text": "SQuAD v1.1 dev contexts (CC BY-SA 4.0), SNLI dev (CC BY-SA 4.0), "
        "course-written templates",
        "license": "CC BY-SA 4.0",
        "script": "tools/train_offline_mlm_head.py",
        "seed": str(args.seed),
    }

    if not args.skip_training:
        print("stage 1: head on the frozen encoder", flush=True)
        t0 = time.time()
        head = train_head(
            train,
            valid,
            embeddings,
            config.layer_norm_eps,
            epochs=args.head_epochs,
            lr=args.head_lr,
            batch_size=args.head_batch,
            seed=args.seed,
        )
        report["head_train_s"] = round(time.time() - t0)
        save_weights(args.out / WEIGHT_FILES["head"], head.state_for_bert(), metadata)

        t0 = time.time()
        if args.top_epochs:
            first = LAST_LAYER + 1 - args.top_layers
            print(f"stage 2: encoder layers {first}-{LAST_LAYER} + head", flush=True)
            layers = nn.ModuleList(encoder.encoder.layer[first:])
            if args.top_layers == 1:  # the shortcut is checked where its input is cached
                gap = max(check_top_layer(layers[0], config, b) for b in valid[:3])
                print(f"  masked-positions-only top layer vs BertLayer: max gap {gap:.2e}")
                if gap > 1e-3:
                    raise RuntimeError(f"the masked-positions-only top layer is off by {gap}")
            head2, layers2 = train_top_layer(
                train,
                valid,
                head,
                layers,
                config,
                epochs=args.top_epochs,
                lr_layer=args.layer_lr,
                lr_head=5e-4,
                seed=args.seed,
            )
            tensors = dict(head2.state_for_bert())
            for offset, layer in enumerate(layers2):
                for key, value in layer.state_dict().items():
                    tensors[f"bert.encoder.layer.{first + offset}.{key}"] = value
            save_weights(args.out / WEIGHT_FILES["top-layers"], tensors, metadata)
        report["top_layer_train_s"] = round(time.time() - t0)
        report["encode_s"] = round(t_encoded - t_start)
        report["total_s"] = round(time.time() - t_start)

        for variant in ("head", "top-layers") if args.top_epochs else ("head",):
            model = load_offline_mlm(variant, weights_file=args.out / WEIGHT_FILES[variant])
            result = evaluate_cloze(model, tokenizer)
            report[f"probe_{variant}"] = {
                "top1": round(result.top1, 3),
                "top5": round(result.top5, 3),
            }

    if args.ablate_generated:
        print("ablation: head without the generated text", flush=True)
        ablated = train_head(
            train,
            valid,
            embeddings,
            config.layer_norm_eps,
            epochs=args.head_epochs,
            lr=args.head_lr,
            batch_size=args.head_batch,
            seed=args.seed,
            sources={0, 1},
        )
        tmp = args.out / "_ablation.safetensors"
        save_weights(tmp, ablated.state_for_bert(), metadata)
        result = evaluate_cloze(load_offline_mlm("head", weights_file=tmp), tokenizer)
        tmp.unlink()
        report["probe_head_no_generated"] = {
            "top1": round(result.top1, 3),
            "top5": round(result.top5, 3),
        }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
