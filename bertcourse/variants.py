"""BERT variants side by side: published base configurations, size, speed, memory, tokenizers.

Where the Hugging Face Hub (or the local cache) can serve a checkpoint, lesson 07
loads it for real. Where it cannot, :func:`build_variant` builds the same
architecture from its published configuration with RANDOM weights: right for
counting parameters and timing a forward pass, meaningless for predictions.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import torch

from bertcourse.exceptions import UnknownTaskError, VariantError

#: Published base sizes of each checkpoint (their config.json), as AutoConfig.for_model
#: arguments. transformers' defaults are not always the base size: ALBERT's is xxlarge.
BASE_CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "bert-base-uncased": ("bert", {}),
    "roberta-base": (
        "roberta",
        {
            "vocab_size": 50265,
            "max_position_embeddings": 514,
            "type_vocab_size": 1,
            "pad_token_id": 1,
            "bos_token_id": 0,
            "eos_token_id": 2,
            "layer_norm_eps": 1e-5,
        },
    ),
    "distilbert-base-uncased": ("distilbert", {}),
    "albert-base-v2": (
        "albert",
        {
            "hidden_size": 768,
            "num_attention_heads": 12,
            "intermediate_size": 3072,
            "embedding_size": 128,
            "num_hidden_layers": 12,
            "num_hidden_groups": 1,
            "hidden_act": "gelu_new",
            "hidden_dropout_prob": 0.0,
            "attention_probs_dropout_prob": 0.0,
        },
    ),
    # Domain BERTs keep BERT-base's architecture; only the vocabulary (size) differs.
    "dmis-lab/biobert-base-cased-v1.2": ("bert", {"vocab_size": 28996}),
    "ProsusAI/finbert": ("bert", {"vocab_size": 30522}),
    "allenai/scibert_scivocab_uncased": ("bert", {"vocab_size": 31090}),
}


def base_config(name: str, **overrides: Any) -> Any:
    """The published configuration of a base checkpoint, built without the Hub.

    Args:
        name: a key of :data:`BASE_CONFIGS` (``"roberta-base"``...).
        **overrides: config fields to change (``num_labels=5``...).

    Returns:
        A transformers ``PretrainedConfig``.
    """
    from transformers import AutoConfig

    if name not in BASE_CONFIGS:
        raise UnknownTaskError(
            f"no base configuration for {name!r}: use one of {', '.join(BASE_CONFIGS)}"
        )
    model_type, fields = BASE_CONFIGS[name]
    return AutoConfig.for_model(model_type, **{**fields, **overrides})


@dataclass
class Variant:
    """A model ready to measure.

    Attributes:
        name: the checkpoint name asked for.
        model: the torch model (evaluation mode).
        pretrained: ``True`` when real checkpoint weights were loaded; ``False`` for
            random weights built from the configuration (size and speed only).
        source: where it came from, in words.
    """

    name: str
    model: Any
    pretrained: bool
    source: str


def build_variant(name: str, *, task: str = "sequence-classification", **config: Any) -> Variant:
    """The checkpoint where the Hub or cache has it, else its architecture with random weights.

    In fast mode a checkpoint that would have to be downloaded is built from its
    published configuration instead (random weights: same size and speed).

    Args:
        name: a Hub name; those in :data:`BASE_CONFIGS` can be built offline.
        task: ``encoder`` or ``sequence-classification``.
        **config: passed to ``from_pretrained`` / the config (``num_labels=5``...).

    Returns:
        A :class:`Variant`.
    """
    import transformers

    from bertcourse.models import load_model, resolve_model

    classes = {
        "encoder": transformers.AutoModel,
        "sequence-classification": transformers.AutoModelForSequenceClassification,
    }
    if task not in classes:
        raise VariantError(f"task={task!r}: use 'encoder' or 'sequence-classification'")

    from bertcourse.config import settings

    source = resolve_model(name)
    # Fast mode downloads no checkpoint just to count and time it: the published
    # configuration has the same size and speed. Weights already here load as before.
    download_only_to_measure = settings().mode == "fast" and source.origin == "hub"
    if not source.substituted and not (download_only_to_measure and name in BASE_CONFIGS):
        if task == "sequence-classification":
            # A checkpoint with its own classifier (FinBERT: 3 classes) gets a new head.
            config.setdefault("ignore_mismatched_sizes", True)
        model = load_model(name, task=task, **config)  # type: ignore[arg-type]
        return Variant(name, model.eval(), True, source.describe())
    if name not in BASE_CONFIGS:
        raise VariantError(
            f"{name!r} is out of reach and has no offline configuration: use one of "
            f"{', '.join(BASE_CONFIGS)}, or connect to the Hub"
        )
    model = classes[task].from_config(base_config(name, **config))
    why = "fast mode: no download" if download_only_to_measure else "offline"
    return Variant(name, model.eval(), False, f"published config, RANDOM weights ({why})")


def config_parameter_count(name: str, *, task: str = "encoder", **config: Any) -> int:
    """Parameters of a published architecture, counted without allocating its weights.

    The model is built on PyTorch's ``meta`` device (shapes only), so this is instant
    and takes no memory, even for checkpoints that are out of reach.

    Args:
        name: a key of :data:`BASE_CONFIGS`.
        task: ``encoder`` or ``sequence-classification``.
        **config: config fields to change (``num_labels=3``...).

    Returns:
        The parameter count (shared tensors once).
    """
    import transformers

    from bertcourse.models import count_parameters

    auto = (
        transformers.AutoModelForSequenceClassification
        if task == "sequence-classification"
        else transformers.AutoModel
    )
    with torch.device("meta"):
        model = auto.from_config(base_config(name, **config))
    return count_parameters(model)


def parameter_bytes(model: Any) -> int:
    """Bytes the parameters take (each shared tensor once), e.g. 4 per float32 weight."""
    seen: set[int] = set()
    total = 0
    for parameter in model.parameters():
        if id(parameter) not in seen:
            seen.add(id(parameter))
            total += parameter.numel() * parameter.element_size()
    return total


def _rss() -> int:
    import psutil

    return psutil.Process(os.getpid()).memory_info().rss


def _release_freed_memory() -> None:
    """Hand memory freed earlier back to the OS, so reused blocks do not hide new ones."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows): the estimate is rougher
        pass


def peak_memory_delta(function: Callable[[], Any], *, device: str = "cpu") -> int:
    """Extra memory at the peak of ``function()`` over what was in use before it ran.

    On CUDA this is ``torch.cuda.max_memory_allocated`` (exact). On CPU the process's
    resident memory is sampled every millisecond in a thread, after handing freed
    memory back to the OS (glibc): an estimate that can miss short spikes.

    Args:
        function: what to measure (one forward pass).
        device: ``"cuda"`` or another device.

    Returns:
        Bytes.
    """
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        function()
        torch.cuda.synchronize()
        return int(torch.cuda.max_memory_allocated() - before)
    gc.collect()
    _release_freed_memory()
    before = _rss()
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        function()
    finally:
        done.set()
        sampler.join()
    return max(0, max(peak, _rss()) - before)


def dummy_batch(model: Any, batch_size: int, seq_len: int, seed: int = 0) -> dict[str, Any]:
    """Random token ids (no special or padding ids) of a fixed shape, for timing."""
    if batch_size < 1 or seq_len < 2:
        raise VariantError(f"batch_size={batch_size}, seq_len={seq_len}: need >= 1 and >= 2")
    generator = torch.Generator().manual_seed(seed)
    vocab = model.config.vocab_size
    ids = torch.randint(5, vocab, (batch_size, seq_len), generator=generator)
    device = next(model.parameters()).device
    return {"input_ids": ids.to(device), "attention_mask": torch.ones_like(ids).to(device)}


@dataclass
class Measurement:
    """One row of the variants table."""

    name: str
    pretrained: bool
    parameters: int
    parameter_mb: float
    peak_forward_mb: float
    latency_ms: float
    batch_size: int
    seq_len: int

    def as_row(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "weights": "pre-trained" if self.pretrained else "random (config only)",
            "params (M)": round(self.parameters / 1e6, 1),
            "param memory (MB)": round(self.parameter_mb, 1),
            "peak forward extra (MB)": round(self.peak_forward_mb, 1),
            f"latency ms (batch {self.batch_size} x {self.seq_len})": round(self.latency_ms, 1),
        }


def measure(
    variant: Variant, *, batch_size: int = 4, seq_len: int = 32, repeats: int = 3, warmup: int = 1
) -> Measurement:
    """Parameters, parameter memory, peak extra memory and median latency of one variant.

    Args:
        variant: from :func:`build_variant`.
        batch_size: examples per forward pass.
        seq_len: tokens per example (fixed, no padding).
        repeats: timed passes (the median is reported).
        warmup: untimed passes first (the first pass pays one-off costs).

    Returns:
        A :class:`Measurement`.
    """
    from bertcourse.models import count_parameters
    from bertcourse.timing import time_forward

    model = variant.model
    batch = dummy_batch(model, batch_size, seq_len)
    device = next(model.parameters()).device.type

    def forward() -> None:
        with torch.inference_mode():
            model(**batch)

    latency = time_forward(model, batch, repeats=repeats, warmup=warmup)
    peak = peak_memory_delta(forward, device=device)
    return Measurement(
        name=variant.name,
        pretrained=variant.pretrained,
        parameters=count_parameters(model),
        parameter_mb=parameter_bytes(model) / 2**20,
        peak_forward_mb=peak / 2**20,
        latency_ms=latency * 1000,
        batch_size=batch_size,
        seq_len=seq_len,
    )


TOKENIZER_KINDS = ("wordpiece", "bpe", "unigram")


def train_tokenizer(
    kind: str, texts: Iterable[str], *, vocab_size: int = 2000, lowercase: bool = True
) -> Any:
    """Train a small subword tokenizer of one family on local text.

    Args:
        kind: ``wordpiece`` (BERT, DistilBERT), ``bpe`` (byte-level, RoBERTa) or
            ``unigram`` (SentencePiece's default, ALBERT).
        texts: training sentences.
        vocab_size: target vocabulary size.
        lowercase: lowercase first (as uncased checkpoints do); byte-level BPE keeps case.

    Returns:
        A ``PreTrainedTokenizerFast`` with ``[UNK]``/``[CLS]``/``[SEP]``/``[PAD]``/``[MASK]``.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    if kind == "wordpiece":
        tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tokenizer.decoder = decoders.WordPiece()
        trainer: Any = trainers.WordPieceTrainer(
            vocab_size=vocab_size, special_tokens=specials, show_progress=False
        )
    elif kind == "bpe":
        # Byte-level: every string is representable, so [UNK] never appears.
        tokenizer = Tokenizer(models.BPE())
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
        tokenizer.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            special_tokens=specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        lowercase = False
    elif kind == "unigram":
        tokenizer = Tokenizer(models.Unigram())
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
        tokenizer.decoder = decoders.Metaspace()
        trainer = trainers.UnigramTrainer(
            vocab_size=vocab_size, special_tokens=specials, unk_token="[UNK]", show_progress=False
        )
    else:
        raise VariantError(f"unknown tokenizer kind {kind!r}: use one of {TOKENIZER_KINDS}")
    if lowercase:
        tokenizer.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase()])
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


def plot_variants(rows: list[dict[str, Any]]) -> Any:
    """Two bar charts: parameters per component (stacked) and forward-pass latency.

    Args:
        rows: one dict per model with ``model``, ``embeddings``, ``encoder``, ``head``
            (parameter counts) and ``latency_ms``.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    if not rows:
        raise VariantError("plot_variants needs at least one row")
    names = [row["model"] for row in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 0.6 * len(rows) + 1.8))
    offset = [0.0] * len(rows)
    for part, colour in (("embeddings", "#8da0cb"), ("encoder", "#fc8d62"), ("head", "#66c2a5")):
        values = [row[part] / 1e6 for row in rows]
        left.barh(names, values, left=offset, color=colour, label=part)
        offset = [a + b for a, b in zip(offset, values, strict=True)]
    left.set_xlabel("parameters (millions)")
    left.legend(loc="lower right")
    left.invert_yaxis()
    right.barh(names, [row["latency_ms"] for row in rows], color="#999999")
    right.set_xlabel("median forward latency (ms)")
    right.invert_yaxis()
    right.set_yticklabels([])
    fig.tight_layout()
    return fig
