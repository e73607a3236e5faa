"""How well do the course's offline fill-mask models fill the cloze probe?

Prints top-1 / top-5 hit rates on :data:`bertcourse.cloze.CLOZE_PROBE` for

* a random head on the packaged MiniLM encoder (what an untrained head gives);
* the nearest word embedding to the [MASK] state (no head at all: final-layer state
  dotted with the input embedding matrix);
* the course's trained head (``variant="head"``);
* the trained head plus the top three encoder layers retrained (``variant="top-layers"``,
  the default of :func:`bertcourse.fillmask.load_offline_mlm`);
* optionally a Hub model (``--hub bert-base-uncased``) where the Hub is reachable.

Then a per-category breakdown, a few example predictions, and the target scoring the
zero-shot lesson uses. Timings are not measured here.

Usage::

    python benchmarks/fill_mask_probe.py [--hub bert-base-uncased] [--verbose]
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace
from typing import Any

from torch import nn

from bertcourse.cloze import CLOZE_PROBE, ClozeResult, evaluate_cloze
from bertcourse.fillmask import load_offline_mlm, random_head_mlm


class NearestEmbedding(nn.Module):
    """Baseline: score each word by the dot product of its input embedding and the state."""

    def __init__(self, mlm: Any) -> None:
        super().__init__()
        self.bert = mlm.bert

    def forward(self, **inputs: Any) -> SimpleNamespace:
        states = self.bert(**inputs).last_hidden_state
        return SimpleNamespace(logits=states @ self.bert.embeddings.word_embeddings.weight.T)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hub", default=None, help="also score this Hub model if reachable")
    parser.add_argument("--verbose", action="store_true", help="print every prompt")
    args = parser.parse_args()

    from bertcourse.models import load_tokenizer, offline_encoder_path

    tokenizer = load_tokenizer(str(offline_encoder_path()))
    trained = load_offline_mlm("top-layers")
    models: dict[str, tuple[Any, Any]] = {
        "random head (baseline)": (random_head_mlm(), tokenizer),
        "nearest word embedding (baseline)": (
            NearestEmbedding(load_offline_mlm("head")),
            tokenizer,
        ),
        "trained head, frozen encoder": (load_offline_mlm("head"), tokenizer),
        "trained head + top 3 layers (default)": (trained, tokenizer),
    }
    if args.hub:
        from bertcourse.hub import hub_reachable
        from bertcourse.models import load_model

        if hub_reachable():
            models[args.hub] = (load_model(args.hub, task="masked-lm"), load_tokenizer(args.hub))
        else:
            print(f"(the Hub is out of reach: {args.hub} not scored)")

    results: dict[str, ClozeResult] = {}
    print(f"cloze probe: {len(CLOZE_PROBE)} prompts written for the course\n")
    print(f"{'model':<40} {'top-1':>6} {'top-5':>6}")
    for name, (model, tok) in models.items():
        results[name] = evaluate_cloze(model, tok)
        print(f"{name:<40} {results[name].top1:>6.3f} {results[name].top5:>6.3f}")

    print("\nby category (n, top-1, top-5):")
    for name, result in results.items():
        cells = ", ".join(
            f"{cat} {n} {t1:.2f}/{t5:.2f}" for cat, (n, t1, t5) in result.by_category().items()
        )
        print(f"  {name}: {cells}")

    best = results["trained head + top 3 layers (default)"]
    shown = best.per_prompt if args.verbose else best.per_prompt[::5]
    print("\nexamples (default model; * = accepted answer in the top 5):")
    for row in shown:
        mark = "*" if row.rank else " "
        print(f" {mark} {row.prompt.text:<62} {' '.join(row.top5)}")

    from transformers import pipeline

    pipe = pipeline("fill-mask", model=trained, tokenizer=tokenizer, device="cpu")
    text = f"The food was {tokenizer.mask_token} and the staff were friendly."
    scores = {r["token_str"]: r["score"] for r in pipe(text, targets=["great", "terrible"])}
    print(f"\ntargets on {text!r}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    text = f"The food was cold and the waiter was rude. It was {tokenizer.mask_token}."
    scores = {r["token_str"]: r["score"] for r in pipe(text, targets=["great", "terrible"])}
    print(f"targets on {text!r}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))


if __name__ == "__main__":
    main()
