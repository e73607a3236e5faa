"""Checks of lesson 04_nli: the unlabelled-row filter, the pair encoder, compute_metrics.

References are computed here, in the grader: the pair encoding with the packaged
tokenizer, accuracy and macro-F1 with scikit-learn. No model is loaded or trained.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from autograder import Fixture, Lesson, StudentError, assert_close
from autograder.references import reference_tokenizer

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
    sep = reference_tokenizer().sep_token_id
    assert list(out["input_ids"][0]).count(sep) == 2, "expected two [SEP] tokens"


@LESSON.check("encode_pairs_tests", points=1.0, hidden=True, timeout=20)
def encode_pairs_equals_the_pair_encoding(student, rng):
    """Partial credit: random batches encoded exactly as tokenizer(premise, hypothesis)."""
    reference = reference_tokenizer()
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
    pad = reference_tokenizer().pad_token_id
    assert pad not in list(out["input_ids"][2]), (
        "short pairs are padded: leave that to the collator"
    )
    assert list(out["token_type_ids"][0]).count(1) >= 2, "truncation removed the hypothesis"


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


# --------------------------------------------------------------------------------------
# Concept checks
# --------------------------------------------------------------------------------------

LESSON.answer_key(
    {
        "concept_q1": {"ANSWER_Q1": "b"},
        "concept_q2": {"ANSWER_Q2": "c"},
        "concept_q3": {"ANSWER_Q3": "b"},
    }
)

# --------------------------------------------------------------------------------------
# Mutants: edits of the current solution cells
# --------------------------------------------------------------------------------------

LESSON.mutant("is_labelled", "keeps every row", replace={"!= -1": "is not None"})
LESSON.mutant("is_labelled", "drops label 0 along with -1", replace={"!= -1": "> 0"})

_PAIR = 'batch["premise"], batch["hypothesis"], truncation=True, max_length=max_length'
for _description, _edit in (
    (
        "glued around a literal [SEP] (all token_type_ids 0)",
        {
            _PAIR: (
                '[p + " [SEP] " + h for p, h in zip(batch["premise"], batch["hypothesis"])], '
                "truncation=True, max_length=max_length"
            )
        },
    ),
    ("padded every pair to max_length", {_PAIR: _PAIR + ', padding="max_length"'}),
    ("max_length ignored", {", max_length=max_length": ""}),
    (
        "premise and hypothesis swapped",
        {'batch["premise"], batch["hypothesis"]': 'batch["hypothesis"], batch["premise"]'},
    ),
):
    LESSON.mutant("encode_pairs", _description, replace=_edit)

_MACRO = '"macro_f1": bc.metrics.macro_f1(predictions, labels)'
_IMPORT_F1 = {
    "def compute_metrics(": "from sklearn.metrics import f1_score\n\n\ndef compute_metrics("
}
for _description, _edit in (
    (
        "micro instead of macro F1",
        {**_IMPORT_F1, _MACRO: '"macro_f1": float(f1_score(labels, predictions, average="micro"))'},
    ),
    (
        "weighted instead of macro F1",
        {
            **_IMPORT_F1,
            _MACRO: '"macro_f1": float(f1_score(labels, predictions, average="weighted"))',
        },
    ),
    ("argmax over the wrong axis", {"argmax(axis=-1)": "argmax(axis=0)"}),
    (
        "right on an EvalPrediction, fails on a (logits, labels) tuple",
        {
            "logits, labels = eval_pred  #": (
                "logits, labels = eval_pred.predictions, eval_pred.label_ids  #"
            )
        },
    ),
):
    LESSON.mutant("compute_metrics", _description, replace=_edit)

LESSON.mutant(
    "concept_answers",
    "every answer wrong",
    replace={'Q1 = "b"': 'Q1 = "a"', 'Q2 = "c"': 'Q2 = "a"', 'Q3 = "b"': 'Q3 = "a"'},
)
