"""Training throughput: the original recipe (pad everything to 512) against the course's.

Same model (the offline encoder), same training examples, same number of optimisation
steps, same optimiser settings; only the batching differs:

* ``pad-512`` (the original material): ``tokenizer(..., padding="max_length",
  max_length=512)``, batches drawn at random;
* ``pad-128`` (optional middle point): the same, padded to 128;
* ``dynamic`` (the course): truncation at 512 but no padding in the tokenizer,
  ``DataCollatorWithPadding`` pads each batch to its longest example, and
  ``train_sampling_strategy="group_by_length"`` puts examples of similar length together
  (``bc.make_trainer`` defaults).

For each it prints training examples/s, the share of padding tokens the model processed,
and the metric after training (every model is evaluated on the same dynamically padded
validation sample, since padding does not change predictions). The recipes run one after
the other in the same process, so the ratio compares like with like even on a busy
machine.

Usage::

    python benchmarks/padding_throughput.py                       # CoNLL-2003 and SST-5
    python benchmarks/padding_throughput.py --tasks yelp --steps 10
    python benchmarks/padding_throughput.py --quick               # smoke run, ~1 min
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _tasks

import bertcourse as bc
from courseops.bench import (
    Stopwatch,
    describe_machine,
    format_table,
    machine_info,
    write_json,
)


class CountingCollator:
    """Wraps a collator and counts the tokens the model sees, real and padding."""

    def __init__(self, collator: Any) -> None:
        self.collator = collator
        self.tokens = 0
        self.real_tokens = 0

    def __call__(self, features: list[dict[str, Any]]) -> Any:
        batch = self.collator(features)
        self.tokens += int(batch["input_ids"].numel())
        self.real_tokens += int(batch["attention_mask"].sum())
        return batch


def _evaluate(task: _tasks.TaskRecipe, trainer: Any, eval_set: Any, names: Any) -> dict[str, float]:
    output = trainer.predict(eval_set)
    if task.kind == "ner":
        return _tasks.ner_scores(output.predictions, output.label_ids, names)
    return _tasks.classification_scores(output.predictions, output.label_ids)


def run_task(name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Train one model per recipe on ``name`` and return one row per recipe."""
    from transformers import DataCollatorForTokenClassification, DataCollatorWithPadding

    task = _tasks.recipe(name)
    if task.kind == "qa":
        raise SystemExit("squad is not part of this benchmark: use a classification or NER task")
    n_train = args.steps * args.batch_size
    data = _tasks.load(task.name, n_train=n_train, n_eval=args.n_eval, seed=args.seed)
    train_raw, eval_raw = data["train"], data["validation"]
    names = (
        train_raw.features["ner_tags"].feature.names
        if task.kind == "ner"
        else train_raw.features["label"].names
    )
    tokenizer = bc.load_tokenizer(bc.OFFLINE_ENCODER)
    eval_set = _tasks.tokenize(task, eval_raw, tokenizer, max_length=512)
    collator_type = (
        DataCollatorForTokenClassification if task.kind == "ner" else DataCollatorWithPadding
    )

    # (label, truncation length, pad every example to it, group batches by length)
    recipes = [(f"pad-{length}", length, True, False) for length in args.pad_lengths]
    if args.control:
        # Dynamic padding in the same random order as pad-N: the same batches, so any
        # change in the metric comes from padding itself (there should be none).
        recipes.append(("dynamic, random order", 512, False, False))
    recipes.append(("dynamic+grouped", 512, False, True))
    rows = []
    for label, max_length, padded, grouped in recipes:
        train_set = _tasks.tokenize(
            task, train_raw, tokenizer, max_length=max_length, pad_to_max=padded
        )
        bc.seed_everything(args.seed)  # the same head initialisation for every recipe
        model = bc.load_model(bc.OFFLINE_ENCODER, task=task.model_task, num_labels=len(names))
        counter = CountingCollator(collator_type(tokenizer))
        overrides: dict[str, Any] = {
            "max_steps": args.steps,
            "per_device_train_batch_size": args.batch_size,
            "eval_strategy": "no",
            "seed": args.seed,
            "data_collator": counter,
        }
        if args.learning_rate is not None:
            overrides["learning_rate"] = args.learning_rate
        if not grouped:
            # The original material: no length grouping (with padding to N it would change
            # nothing anyway, every example has the same length).
            overrides["train_sampling_strategy"] = "random"
        trainer = bc.make_trainer(model, tokenizer, train_set, task=task.model_task, **overrides)
        with Stopwatch() as watch:
            trainer.train()
        seconds, cpu_seconds = watch.seconds, watch.cpu_seconds
        # Read before evaluating: predict() goes through the same collator.
        padding_share = 1 - counter.real_tokens / max(counter.tokens, 1)
        scores = _evaluate(task, trainer, eval_set, names)
        row = {
            "task": task.name,
            "recipe": label,
            "steps": args.steps,
            "examples": n_train,
            "train_s": round(seconds, 1),
            "examples_per_s": n_train / seconds,
            "cpu_s": round(cpu_seconds, 1),
            # Per CPU-second: steadier than wall time where other work shares the cores
            # (with --threads 1 it is what a quiet single core would give).
            "examples_per_cpu_s": n_train / cpu_seconds,
            "padding_share": padding_share,  # of the training batches
            **scores,
        }
        rows.append(row)
        print(format_table([row]), flush=True)
    baseline = next((row for row in rows if row["recipe"] == "pad-512"), rows[0])
    for row in rows:
        row["speedup_vs_first"] = row["examples_per_s"] / baseline["examples_per_s"]
        row["cpu_speedup_vs_first"] = row["examples_per_cpu_s"] / baseline["examples_per_cpu_s"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tasks",
        nargs="+",
        default=["conll2003", "sst5"],
        help="tasks (conll2003, sst5, yelp, mnli); default: conll2003 sst5",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=20,
        help="optimisation steps per recipe (default 20; pad-512 runs ~2 ex/s on 2 quiet cores)",
    )
    parser.add_argument("--batch-size", type=int, default=16, help="examples per step (16)")
    parser.add_argument(
        "--pad-lengths",
        type=int,
        nargs="*",
        default=[512, 128],
        help="fixed padding lengths to compare (default: 512 128; the first is the baseline)",
    )
    parser.add_argument("--n-eval", type=int, default=500, help="validation examples (500)")
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=None,
        help="learning rate (default: the course's for MiniLM, 2e-4)",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="add dynamic padding in random order: the pad-N batches without the padding",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 steps of 8, SST-5 only")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    if args.quick:
        args.tasks, args.steps, args.batch_size, args.n_eval = ["sst5"], 3, 8, 50
        args.pad_lengths = args.pad_lengths[:1] or [512]

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    folder = _tasks.use_real_data()
    info = machine_info()
    print(describe_machine(info))
    print(f"data: {folder}; model: {bc.OFFLINE_ENCODER}\n", flush=True)

    rows = []
    for name in args.tasks:
        rows.extend(run_task(name, args))
    columns = [
        "task",
        "recipe",
        "steps",
        "examples",
        "train_s",
        "examples_per_s",
        "padding_share",
        "speedup_vs_first",
        "cpu_s",
        "examples_per_cpu_s",
        "cpu_speedup_vs_first",
        "accuracy",
        "macro_f1",
        "token_macro_f1",
        "entity_f1",
    ]
    print("\n" + describe_machine())
    print(format_table(rows, [c for c in columns if any(c in row for row in rows)]))
    if args.json:
        write_json(args.json, {"machine": info, "options": vars(args), "rows": rows})


if __name__ == "__main__":
    main()
