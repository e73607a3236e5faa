"""Checks of lesson 03_sequence_classification: tokenize_function and compute_metrics.

References: the packaged offline tokenizer (what the worker's ``Fixture("tokenizer")``
loads) and scikit-learn. No cell that loads or trains a model runs while grading.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from autograder import Fixture, Lesson, assert_close
from autograder.references import reference_tokenizer

LESSON = Lesson(
    "03_sequence_classification",
    setup="import bertcourse as bc\ntokenizer = bc.load_tokenizer()",
    run="solutions",
    cell_timeout=30,
)

WORDS = [
    "the", "tacos", "were", "cold", "and", "waiter", "unbelievably", "scrumptious",
    "tiramisu", "we'll", "be", "back", "service", "okay", "$5", "happy", "hour", "!",
]  # fmt: skip


def random_texts(rng, n: int, max_words: int) -> list[str]:
    return [
        " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), int(rng.integers(1, max_words))))
        for _ in range(n)
    ]


def _ids(output) -> list[list[int]]:
    assert isinstance(output, dict) and "input_ids" in output, (
        "return the tokenizer's output (a dict-like object with 'input_ids')"
    )
    return [list(map(int, ids)) for ids in output["input_ids"]]


# --------------------------------------------------------------------------------------
# tokenize_function (2 points)
# --------------------------------------------------------------------------------------


@LESSON.check("tokenize_function_tests", points=0.5)
def tokenize_function_matches_the_tokenizer(student):
    """tokenize_function gives the tokenizer's ids, truncated to max_length, unpadded."""
    texts = ["Great tacos.", "word " * 1000, "Too salty, but friendly staff."]
    out = student.tokenize_function({"text": texts, "label": [4, 0, 2]}, Fixture("tokenizer"), 32)
    expected = reference_tokenizer()(texts, truncation=True, max_length=32)["input_ids"]
    got = _ids(out)
    assert [len(ids) for ids in got] == [len(ids) for ids in expected], (
        f"lengths {[len(ids) for ids in got]}, expected {[len(ids) for ids in expected]}: "
        "truncate to max_length and do not pad"
    )
    assert got == expected, "the input_ids differ from tokenizer(batch['text'], ...)"


@LESSON.check("tokenize_function_tests", points=1, hidden=True, timeout=30)
def tokenize_function_random_batches(student, rng):
    """20 random batches and max_length values (partial credit)."""
    tokenizer = reference_tokenizer()
    right = 0
    for _ in range(20):
        texts = random_texts(rng, int(rng.integers(1, 9)), 80)
        max_length = int(rng.integers(8, 70))
        out = student.tokenize_function(
            {"text": texts, "label": [0] * len(texts)}, Fixture("tokenizer"), max_length
        )
        expected = tokenizer(texts, truncation=True, max_length=max_length)
        try:
            ok = (
                _ids(out) == expected["input_ids"]
                and [list(map(int, mask)) for mask in out["attention_mask"]]
                == expected["attention_mask"]
            )
        except (AssertionError, KeyError, TypeError):
            ok = False
        right += ok
    return right / 20


@LESSON.check("tokenize_function_tests", points=0.5, hidden=True)
def tokenize_function_does_not_pad(student):
    """A short and a long text keep different lengths; the long one is max_length long."""
    out = student.tokenize_function(
        {"text": ["short", "x " * 300], "label": [0, 1]}, Fixture("tokenizer"), 200
    )
    short = len(reference_tokenizer()("short")["input_ids"])
    assert [len(ids) for ids in _ids(out)] == [short, 200]


# --------------------------------------------------------------------------------------
# compute_metrics (3 points)
# --------------------------------------------------------------------------------------


def _eval_prediction(logits, labels):
    from transformers import EvalPrediction

    return EvalPrediction(predictions=logits, label_ids=labels)


def _reference(logits, labels) -> dict[str, float]:
    preds = np.asarray(logits).argmax(axis=-1)
    return {
        "accuracy": float(accuracy_score(labels, preds)),
        "macro_f1": float(f1_score(labels, preds, average="macro")),
    }


@LESSON.check("compute_metrics_tests", points=0.5)
def compute_metrics_fixed_example(student):
    """compute_metrics on 4 examples returns the keys accuracy and macro_f1, rightly."""
    logits = np.array(
        [[2.0, 0.1, 0, 0, 0], [0, 0, 3.0, 0, 0], [0, 1.0, 0, 0, 0.5], [0, 0, 0, 0, 9]]
    )
    labels = np.array([0, 2, 4, 4])
    got = student.compute_metrics(_eval_prediction(logits, labels))
    assert isinstance(got, dict) and set(got) == {"accuracy", "macro_f1"}, (
        f"return a dict with exactly the keys 'accuracy' and 'macro_f1', got {got!r}"
    )
    assert_close(got, _reference(logits, labels), what="compute_metrics(eval_pred)")


@LESSON.check("compute_metrics_tests", points=1.5, hidden=True, timeout=30)
def compute_metrics_random_logits(student, rng):
    """25 random logits/labels, as EvalPrediction or tuple (partial credit)."""
    right = 0
    for case in range(25):
        n, k = int(rng.integers(2, 80)), int(rng.integers(2, 7))
        logits = rng.normal(size=(n, k)).astype(np.float32)
        labels = rng.integers(0, k, n)
        arg = _eval_prediction(logits, labels) if case % 2 else (logits, labels)
        got = student.compute_metrics(arg)
        expected = _reference(logits, labels)
        right += (
            isinstance(got, dict)
            and set(got) == set(expected)
            and all(abs(float(got[key]) - expected[key]) < 1e-6 for key in expected)
        )
    return right / 25


@LESSON.check("compute_metrics_tests", points=1, hidden=True)
def compute_metrics_unbalanced_classes(student):
    """Macro-F1 on unbalanced labels with a rating never predicted, square logits."""
    labels = np.array([4] * 8 + [0, 1, 2, 3, 3])
    logits = np.zeros((len(labels), 5), dtype=np.float32)
    # predicts 4 everywhere except one right 0 and one wrong 2 (true 3)
    logits[:, 4] = 1.0
    logits[8, 0] = 5.0
    logits[12, 2] = 5.0
    assert_close(
        student.compute_metrics((logits, labels)), _reference(logits, labels), what="metrics"
    )
    square = np.eye(5, dtype=np.float32)[[1, 2, 3, 4, 0]] + 0.01
    labels = np.array([1, 2, 3, 0, 0])
    assert_close(
        student.compute_metrics((square, labels)), _reference(square, labels), what="metrics"
    )


# --------------------------------------------------------------------------------------
# concept checks (3 points, one per question)
# --------------------------------------------------------------------------------------

LESSON.answer_key({"concept_tests": {"ANSWER_Q1": "b", "ANSWER_Q2": "c", "ANSWER_Q3": "b"}})


# --------------------------------------------------------------------------------------
# Mutants: edits of the current solution cells
# --------------------------------------------------------------------------------------

_TRUNCATE = "truncation=True, max_length=max_length)"
LESSON.mutant(
    "tokenize_function",
    "padded to max_length",
    replace={_TRUNCATE: 'truncation=True, max_length=max_length, padding="max_length")'},
)
LESSON.mutant(
    "tokenize_function",
    "padded to the longest of the batch",
    replace={_TRUNCATE: "truncation=True, max_length=max_length, padding=True)"},
)
LESSON.mutant("tokenize_function", "no truncation", replace={f", {_TRUNCATE}": ")"})
LESSON.mutant(
    "tokenize_function",
    "truncation at the model's 512, max_length ignored",
    replace={_TRUNCATE: "truncation=True)"},
)
LESSON.mutant(
    "tokenize_function",
    "off by one",
    replace={_TRUNCATE: "truncation=True, max_length=max_length - 1)"},
)
LESSON.mutant(
    "compute_metrics", "micro instead of macro F1", replace={'average="macro"': 'average="micro"'}
)
LESSON.mutant(
    "compute_metrics",
    "weighted instead of macro F1",
    replace={'average="macro"': 'average="weighted"'},
)
LESSON.mutant("compute_metrics", "argmax over the examples axis", replace={"axis=-1": "axis=0"})
LESSON.mutant(
    "compute_metrics",
    "F1 over the classes present in the labels only",
    replace={'average="macro"': 'average="macro", labels=np.unique(labels)'},
)
LESSON.mutant("compute_metrics", "wrong key name", replace={'"macro_f1":': '"f1":'})
LESSON.mutant(
    "concept_answers",
    "wrong answers",
    replace={'Q1 = "b"': 'Q1 = "a"', 'Q2 = "c"': 'Q2 = "a"', 'Q3 = "b"': 'Q3 = "a"'},
)
