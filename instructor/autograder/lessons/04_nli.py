"""Checks of lesson 04_nli: the unlabelled-row filter, the pair encoder, compute_metrics.

References are computed here, in the grader: the pair encoding with the packaged
tokenizer, accuracy and macro-F1 with scikit-learn. No model is loaded or trained.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from autograder import Fixture, Lesson, StudentError, assert_close

LESSON = Lesson(
    "04_nli",
    setup="import numpy as np\nimport bertcourse as bc",
    run="solutions",
    # The packaged encoder's tokenizer whatever the mode, so the worker and the grader's
    # reference (``_tokenizer``) tokenise identically.
    fixtures={
        "pair_tokenizer": "import bertcourse as bc\nvalue = bc.load_tokenizer(bc.OFFLINE_ENCODER)"
    },
)

TOKENIZER = Fixture("pair_tokenizer")
N_CLASSES = 3  # entailment, neutral, contradiction
WORDS = (
    "a man woman child dog plays reads sells opens closes the red old new car house "
    "book river city market quickly never not in on at near"
).split()


@functools.lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import bertcourse as bc

    return bc.load_tokenizer(bc.OFFLINE_ENCODER)


def _sentence(rng: np.random.Generator, low: int, high: int) -> str:
    n = int(rng.integers(low, high))
    return " ".join(str(w) for w in rng.choice(WORDS, size=n)).capitalize() + "."


def _eval_prediction(logits: np.ndarray, labels: np.ndarray) -> Any:
    from transformers import EvalPrediction

    return EvalPrediction(predictions=logits, label_ids=labels)


# --------------------------------------------------------------------------------------
# Exercise 1: is_labelled
# --------------------------------------------------------------------------------------


@LESSON.check("is_labelled_tests", points=0.5)
def is_labelled_on_the_notebook_examples(student):
    """Label 1 is kept and label -1 is dropped."""
    assert student.is_labelled({"premise": "p", "hypothesis": "h", "label": 1}), (
        "is_labelled returned a false value for label 1, a gold label"
    )
    assert not student.is_labelled({"premise": "p", "hypothesis": "h", "label": -1}), (
        "is_labelled returned a true value for label -1, the unlabelled marker"
    )


@LESSON.check("is_labelled_tests", points=0.5, hidden=True)
def is_labelled_keeps_every_gold_label(student):
    """Every gold label (0, 1, 2) is kept, -1 is dropped (all or nothing: a filter that
    loses one class ruins the data set)."""
    for label, keep in [(0, True), (1, True), (2, True), (-1, False)]:
        got = bool(student.is_labelled({"premise": "x", "hypothesis": "y", "label": label}))
        assert got == keep, "a row is kept or dropped wrongly"


LESSON.mutant(
    "is_labelled",
    "keeps every row",
    """
def is_labelled(example):
    return example["label"] is not None
""",
)


# --------------------------------------------------------------------------------------
# Exercise 2: encode_pairs
# --------------------------------------------------------------------------------------


# The first check that names the tokenizer fixture builds it in the worker (imports
# transformers, reads the tokenizer files): a generous timeout for that one-off cost.
@LESSON.check("encode_pairs_tests", points=0.5, timeout=60)
def encode_pairs_marks_the_two_segments(student):
    """The hypothesis gets token_type_id 1 and the pair has two [SEP] tokens."""
    batch = {"premise": ["A man plays a guitar."], "hypothesis": ["Someone makes music."]}
    out = student.encode_pairs(batch, TOKENIZER, 128)
    assert "input_ids" in out and "token_type_ids" in out, (
        "encode_pairs must return the tokenizer's output (input_ids, token_type_ids...)"
    )
    types = list(out["token_type_ids"][0])
    assert set(types) == {0, 1}, f"token_type_ids are {types}: the hypothesis needs 1"
    sep = _tokenizer().sep_token_id
    assert list(out["input_ids"][0]).count(sep) == 2, "expected two [SEP] tokens"


@LESSON.check("encode_pairs_tests", points=1.0, hidden=True, timeout=20)
def encode_pairs_equals_the_pair_encoding(student, rng):
    """Partial credit: random batches encoded exactly as tokenizer(premise, hypothesis)."""
    reference = _tokenizer()
    right = 0
    n_batches = 6
    for _ in range(n_batches):
        size = int(rng.integers(1, 5))
        premises = [_sentence(rng, 3, 40) for _ in range(size)]
        hypotheses = [_sentence(rng, 2, 30) for _ in range(size)]
        max_length = int(rng.integers(16, 64))
        want = reference(premises, hypotheses, truncation=True, max_length=max_length)
        got = student.encode_pairs(
            {"premise": premises, "hypothesis": hypotheses, "label": [0] * size},
            TOKENIZER,
            max_length,
        )
        same = all(
            key in got and [list(row) for row in got[key]] == want[key]
            for key in ("input_ids", "token_type_ids", "attention_mask")
        )
        right += same
    return right / n_batches


@LESSON.check("encode_pairs_tests", points=0.5, hidden=True)
def encode_pairs_truncates_without_padding(student):
    """Long pairs are cut to max_length; short ones are not padded."""
    batch = {
        "premise": ["word " * 300, "Short.", "A cat sat."],
        "hypothesis": ["Nothing.", "verb " * 300, "A cat is sitting."],
    }
    out = student.encode_pairs(batch, TOKENIZER, 24)
    lengths = [len(row) for row in out["input_ids"]]
    assert max(lengths) <= 24, f"pairs of {max(lengths)} tokens with max_length=24"
    pad = _tokenizer().pad_token_id
    assert pad not in list(out["input_ids"][2]), (
        "short pairs are padded: leave that to the collator"
    )
    assert list(out["token_type_ids"][0]).count(1) >= 2, "truncation removed the hypothesis"


LESSON.mutant(
    "encode_pairs",
    "glued around a literal [SEP] (all token_type_ids 0)",
    """
def encode_pairs(batch, tokenizer, max_length):
    texts = [p + " [SEP] " + h for p, h in zip(batch["premise"], batch["hypothesis"])]
    return tokenizer(texts, truncation=True, max_length=max_length)
""",
)
LESSON.mutant(
    "encode_pairs",
    "padded every pair to max_length",
    """
def encode_pairs(batch, tokenizer, max_length):
    return tokenizer(batch["premise"], batch["hypothesis"], truncation=True,
                     max_length=max_length, padding="max_length")
""",
)
LESSON.mutant(
    "encode_pairs",
    "max_length ignored",
    """
def encode_pairs(batch, tokenizer, max_length):
    return tokenizer(batch["premise"], batch["hypothesis"], truncation=True)
""",
)
LESSON.mutant(
    "encode_pairs",
    "premise and hypothesis swapped",
    """
def encode_pairs(batch, tokenizer, max_length):
    return tokenizer(batch["hypothesis"], batch["premise"], truncation=True, max_length=max_length)
""",
)

# --------------------------------------------------------------------------------------
# Exercise 3: compute_metrics
# --------------------------------------------------------------------------------------


# Unpickling the EvalPrediction imports transformers in the worker if nothing did yet.
@LESSON.check("compute_metrics_tests", points=0.5, timeout=60)
def compute_metrics_on_the_notebook_example(student):
    """Returns 'accuracy' and 'macro_f1'; accuracy is right on a small example."""
    logits = np.array([[2.0, 0.1, 0.0], [0.0, 3.0, 1.0], [0.2, 0.1, 0.9], [1.0, 0.0, 0.5]])
    labels = np.array([0, 1, 1, 2])
    scores = student.compute_metrics(_eval_prediction(logits, labels))
    assert isinstance(scores, dict), "compute_metrics must return a dict"
    missing = {"accuracy", "macro_f1"} - set(scores)
    assert not missing, f"the dict lacks {sorted(missing)}"
    assert_close(scores["accuracy"], 0.5, what="compute_metrics(...)['accuracy']")


def _random_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = int(rng.integers(5, 80))
    logits = rng.normal(size=(n, N_CLASSES))
    # Skewed labels, sometimes missing a class, so micro/weighted/macro all differ.
    labels = rng.choice(N_CLASSES, size=n, p=rng.dirichlet(np.ones(N_CLASSES) * 0.7))
    return logits, labels


def _call_both_forms(student, logits, labels, case: int) -> dict | None:
    """compute_metrics on an EvalPrediction (odd cases) or a (logits, labels) tuple.

    The notebook names both forms; a case that raises scores 0, the others still count.
    """
    argument = _eval_prediction(logits, labels) if case % 2 else (logits, labels)
    try:
        return student.compute_metrics(argument)
    except StudentError:
        return None


@LESSON.check("compute_metrics_tests", points=0.75, hidden=True, timeout=20)
def compute_metrics_accuracy_on_random_logits(student, rng):
    """Partial credit: accuracy of the argmax on random logits."""
    right = 0
    for case in range(8):
        logits, labels = _random_case(rng)
        scores = _call_both_forms(student, logits, labels, case)
        want = accuracy_score(labels, logits.argmax(-1))
        right += scores is not None and abs(float(scores["accuracy"]) - want) < 1e-6
    return right / 8


@LESSON.check("compute_metrics_tests", points=0.75, hidden=True, timeout=20)
def compute_metrics_macro_f1_on_random_logits(student, rng):
    """Partial credit: macro-F1 (scikit-learn's) on random, skewed cases."""
    right = 0
    for case in range(8):
        logits, labels = _random_case(rng)
        scores = _call_both_forms(student, logits, labels, case)
        want = f1_score(labels, logits.argmax(-1), average="macro", zero_division=0)
        right += scores is not None and abs(float(scores["macro_f1"]) - want) < 1e-6
    return right / 8


LESSON.mutant(
    "compute_metrics",
    "micro instead of macro F1",
    """
from sklearn.metrics import f1_score
def compute_metrics(eval_pred):
    preds = np.argmax(eval_pred.predictions, axis=-1)
    labels = eval_pred.label_ids
    return {"accuracy": float((preds == labels).mean()),
            "macro_f1": f1_score(labels, preds, average="micro")}
""",
)
LESSON.mutant(
    "compute_metrics",
    "weighted instead of macro F1",
    """
from sklearn.metrics import f1_score
def compute_metrics(eval_pred):
    preds = np.argmax(eval_pred.predictions, axis=-1)
    labels = eval_pred.label_ids
    return {"accuracy": float((preds == labels).mean()),
            "macro_f1": f1_score(labels, preds, average="weighted")}
""",
)
LESSON.mutant(
    "compute_metrics",
    "argmax over the wrong axis",
    """
from sklearn.metrics import f1_score
def compute_metrics(eval_pred):
    preds = np.argmax(eval_pred.predictions, axis=0)
    labels = eval_pred.label_ids
    n = min(len(preds), len(labels))
    return {"accuracy": float((preds[:n] == labels[:n]).mean()),
            "macro_f1": f1_score(labels[:n], preds[:n], average="macro")}
""",
)

LESSON.mutant(
    "compute_metrics",
    "right on an EvalPrediction, fails on a (logits, labels) tuple",
    """
from sklearn.metrics import f1_score
def compute_metrics(eval_pred):
    preds = np.argmax(eval_pred.predictions, axis=-1)
    labels = eval_pred.label_ids
    return {"accuracy": float((preds == labels).mean()),
            "macro_f1": f1_score(labels, preds, average="macro")}
""",
)

# --------------------------------------------------------------------------------------
# Concept checks
# --------------------------------------------------------------------------------------

ANSWERS = {"ANSWER_Q1": "b", "ANSWER_Q2": "c", "ANSWER_Q3": "b"}

for _q in ("1", "2", "3"):
    _variable = f"ANSWER_Q{_q}"
    LESSON.concept_check(f"concept_q{_q}", variable=_variable, answer=ANSWERS[_variable])

LESSON.mutant(
    "concept_answers",
    "every answer wrong",
    """
ANSWER_Q1 = "a"
ANSWER_Q2 = "a"
ANSWER_Q3 = "a"
""",
)
LESSON.mutant(
    "is_labelled",
    "drops label 0 along with -1",
    """
def is_labelled(example):
    return example["label"] > 0
""",
)
