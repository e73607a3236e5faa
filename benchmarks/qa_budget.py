"""Lesson 06 at the original training budget: SQuAD EM/F1 of the offline encoder.

The original material fine-tuned bert-base-cased on 1,000 SQuAD training examples for
3 epochs and reported exact match 49.0 / F1 53.1. This script runs lesson 06's own
solution code (the solution cells of solutions/06_question_answering, executed here)
in full mode — 1,000 examples, 3 epochs, max_length 256 — on the real SQuAD data in
../shared/data, with the packaged MiniLM encoder standing in for bert-base-cased
(offline), and prints the figures next to the original ones.

Usage:
    python benchmarks/qa_budget.py [--n-eval 500] [--n-train 1000] [--data-dir PATH]

Figures only, no asserts. Timings on a shared machine are inflated by other load.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("BERTCOURSE_MODE", "full")
os.environ.setdefault("BERTCOURSE_OFFLINE", "1")
os.environ.setdefault("BERTCOURSE_PROGRESS", "0")

ORIGINAL = {"exact_match": 49.0, "f1": 53.1}
SOLUTION_CELLS = (
    "prepare_train_features",
    "decode_answer",
    "postprocess_predictions",
    "squad_metrics",
)


def lesson_functions() -> dict:
    """The lesson's solution cells, executed into a namespace."""
    import nbformat

    path = REPO / "solutions" / "06_question_answering" / "06_question_answering.ipynb"
    notebook = nbformat.read(path, as_version=4)
    namespace: dict = {}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in SOLUTION_CELLS:
            exec(compile(cell.source, f"{path.name}:{grade_id}", "exec"), namespace)
    missing = [
        name
        for name in ("prepare_train_features", "postprocess_predictions")
        if name not in namespace
    ]
    if missing:
        raise SystemExit(f"{path} lacks the solution functions {missing}")
    return namespace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=None, help="default: the full budget")
    parser.add_argument("--n-eval", type=int, default=None, help="default: the full budget")
    parser.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data"))
    args = parser.parse_args()
    os.environ.setdefault("BERTCOURSE_DATA_DIR", args.data_dir)

    import bertcourse as bc
    from autograder.references import squad_scores
    from bertcourse.data import last_source
    from bertcourse.qa import prepare_validation_features

    settings = bc.setup_lesson()
    lesson = lesson_functions()
    squad = bc.subsample(bc.load_task("squad"), n_train=args.n_train, n_eval=args.n_eval)
    print(f"data: {last_source('squad')}")
    tokenizer = bc.load_tokenizer(settings.model_name)
    window = {"max_length": settings.budget.max_length, "stride": settings.budget.max_length // 4}
    train = squad["train"].map(
        lesson["prepare_train_features"],
        batched=True,
        fn_kwargs={"tokenizer": tokenizer, **window},
        remove_columns=squad["train"].column_names,
    )
    evaluation = squad["validation"].map(
        prepare_validation_features,
        batched=True,
        fn_kwargs={"tokenizer": tokenizer, **window},
        remove_columns=squad["validation"].column_names,
    )
    print(
        f"{squad['train'].num_rows} training examples -> {train.num_rows} features, "
        f"{squad['validation'].num_rows} evaluation examples -> {evaluation.num_rows} features "
        f"(max_length {window['max_length']}, stride {window['stride']})"
    )

    model = bc.load_model(settings.model_name, task="question-answering")
    # Batches of 8, as lesson 06 trains (the budget's epochs, learning rate and data).
    trainer = bc.make_trainer(
        model, tokenizer, train, task="question-answering", per_device_train_batch_size=8
    )
    started = time.perf_counter()
    trainer.train()
    trained = time.perf_counter() - started
    raw = trainer.predict(evaluation.remove_columns(["example_id", "offset_mapping"]))
    evaluated = time.perf_counter() - started - trained
    start_logits, end_logits = raw.predictions
    predictions = lesson["postprocess_predictions"](
        squad["validation"], evaluation, start_logits, end_logits
    )
    scores = squad_scores(
        [{"id": key, "prediction_text": text} for key, text in predictions.items()],
        [{"id": row["id"], "answers": row["answers"]} for row in squad["validation"]],
    )
    args_used = trainer.args
    print(
        f"model {type(model).__name__} from {model.bertcourse_source.describe()}\n"
        f"epochs {args_used.num_train_epochs}, batch {args_used.per_device_train_batch_size}, "
        f"learning rate {args_used.learning_rate}\n"
        f"training {trained:.0f} s, evaluation {evaluated:.0f} s (shared CPU: inflated)\n"
        f"exact match {scores['exact_match']:.1f}  F1 {scores['f1']:.1f}   "
        f"(original, bert-base-cased: exact match {ORIGINAL['exact_match']}  F1 {ORIGINAL['f1']})"
    )


if __name__ == "__main__":
    main()
