"""Checks of lesson 05_ner: both label aligners, the token macro-F1, the seqeval evaluation.

References are computed here, in the grader: the two aligners are re-implemented
below, macro-F1 comes from scikit-learn and entity scores from
``bertcourse.metrics.seqeval_scores``. No model is loaded or trained.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from autograder import Lesson, assert_close
from bertcourse.metrics import seqeval_scores

LESSON = Lesson(
    "05_ner",
    setup="import numpy as np\nimport bertcourse as bc",
    run="solutions",
)

IGNORE = -100
#: The CoNLL-2003 tag order (the `ner_tags` ClassLabel of the Hub's conll2003).
CONLL_TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
OVERALL = ("overall_precision", "overall_recall", "overall_f1", "overall_accuracy")


# --------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------


def reference_all_subtokens(
    word_ids: list[int | None], word_labels: list[int], label_names: list[str]
) -> list[int]:
    """Every piece gets its word's tag; continuation pieces turn B-X into I-X."""
    ids = {name: i for i, name in enumerate(label_names)}
    out: list[int] = []
    previous = None
    for word_id in word_ids:
        if word_id is None:
            out.append(IGNORE)
        else:
            label = word_labels[word_id]
            name = label_names[label]
            if word_id == previous and name.startswith("B-"):
                label = ids["I-" + name[2:]]
            out.append(label)
        previous = word_id
    return out


def reference_first_subtoken(word_ids: list[int | None], word_labels: list[int]) -> list[int]:
    """The first piece of each word gets its tag; other pieces and specials get -100."""
    out: list[int] = []
    previous = None
    for word_id in word_ids:
        out.append(IGNORE if word_id is None or word_id == previous else word_labels[word_id])
        previous = word_id
    return out


def _random_words(rng: np.random.Generator, n_labels: int) -> tuple[list[int | None], list[int]]:
    """word_ids of a tokenised sentence (1-4 pieces per word) and random word tags."""
    n_words = int(rng.integers(1, 12))
    word_ids: list[int | None] = [None]
    for word in range(n_words):
        word_ids.extend([word] * int(rng.integers(1, 5)))
    word_ids.append(None)
    labels = rng.integers(0, n_labels, size=n_words).tolist()
    return word_ids, labels


def _random_tag_batch(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Logits (n, t, 9) and -100-padded labels (n, t) with a CoNLL-like tag mix."""
    n, t = int(rng.integers(2, 7)), int(rng.integers(6, 20))
    # Mostly O, some entities: seqeval sees real spans, not only noise.
    p = np.array([0.5] + [0.0625] * 8)
    labels = rng.choice(len(CONLL_TAGS), size=(n, t), p=p)
    labels[:, 0] = IGNORE
    labels[rng.random(labels.shape) < 0.25] = IGNORE
    for row in range(n):  # padding at the end of shorter sentences
        labels[row, t - int(rng.integers(1, 4)) :] = IGNORE
    logits = rng.normal(size=(n, t, len(CONLL_TAGS)))
    # Make the prediction right ~70 % of the time where a label exists.
    right = (rng.random(labels.shape) < 0.7) & (labels != IGNORE)
    rows, cols = np.nonzero(right)
    logits[rows, cols, labels[rows, cols]] += 10.0
    return logits, labels


def _reference_seqeval(logits: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    preds = logits.argmax(-1)
    keep = labels != IGNORE
    pred_tags = [[CONLL_TAGS[i] for i in p[k]] for p, k in zip(preds, keep, strict=True)]
    gold_tags = [[CONLL_TAGS[i] for i in g[k]] for g, k in zip(labels, keep, strict=True)]
    return seqeval_scores(pred_tags, gold_tags)


# --------------------------------------------------------------------------------------
# Exercise 1: align_labels_all_subtokens
# --------------------------------------------------------------------------------------


@LESSON.check("align_all_subtokens_tests", points=0.5)
def all_subtokens_on_the_notebook_example(student):
    """[CLS] B-PER, then a two-piece B-LOC word, [SEP]."""
    got = student.align_labels_all_subtokens([None, 0, 1, 1, None], [1, 5], CONLL_TAGS)
    assert_close(got, [-100, 1, 5, 6, -100], what="align_labels_all_subtokens(...)")


@LESSON.check("align_all_subtokens_tests", points=0.75, hidden=True)
def all_subtokens_on_random_sentences(student, rng):
    """Partial credit: random sentences with the CoNLL tag order."""
    right = 0
    for _ in range(15):
        word_ids, labels = _random_words(rng, len(CONLL_TAGS))
        got = student.align_labels_all_subtokens(word_ids, labels, CONLL_TAGS)
        right += list(got) == reference_all_subtokens(word_ids, labels, CONLL_TAGS)
    return right / 15


@LESSON.check("align_all_subtokens_tests", points=0.75, hidden=True)
def all_subtokens_finds_i_tags_by_name(student, rng):
    """Partial credit: a shuffled tag order (the I- tag is not always B-id + 1)."""
    right = 0
    for _ in range(10):
        names = [str(name) for name in rng.permutation(CONLL_TAGS)]
        word_ids, labels = _random_words(rng, len(names))
        labels[0] = names.index("B-LOC")  # at least one B- word...
        word_ids = [None, 0, 0, *[w + 1 if w is not None else None for w in word_ids[1:]]]
        labels = [labels[0], *labels]  # ...split into two pieces
        got = student.align_labels_all_subtokens(word_ids, labels, names)
        right += list(got) == reference_all_subtokens(word_ids, labels, names)
    return right / 10


# --------------------------------------------------------------------------------------
# Exercise 2: align_labels_first_subtoken
# --------------------------------------------------------------------------------------


@LESSON.check("align_first_subtoken_tests", points=0.5)
def first_subtoken_on_the_notebook_example(student):
    """[CLS] B-PER, then a two-piece B-LOC word, [SEP]."""
    got = student.align_labels_first_subtoken([None, 0, 1, 1, None], [1, 5])
    assert_close(got, [-100, 1, 5, -100, -100], what="align_labels_first_subtoken(...)")


@LESSON.check("align_first_subtoken_tests", points=1.5, hidden=True)
def first_subtoken_on_random_sentences(student, rng):
    """Partial credit: random sentences of one- to four-piece words."""
    right = 0
    for _ in range(20):
        word_ids, labels = _random_words(rng, len(CONLL_TAGS))
        got = student.align_labels_first_subtoken(word_ids, labels)
        right += list(got) == reference_first_subtoken(word_ids, labels)
    return right / 20


# --------------------------------------------------------------------------------------
# Exercise 3: token_macro_f1
# --------------------------------------------------------------------------------------


@LESSON.check("token_macro_f1_tests", points=0.5)
def macro_f1_on_the_notebook_examples(student):
    """The two examples of the notebook's visible test."""
    assert_close(
        student.token_macro_f1([0, 1, 1, 2], [0, 1, 2, 2]),
        (1 + 2 / 3 + 2 / 3) / 3,
        what="token_macro_f1([0, 1, 1, 2], [0, 1, 2, 2])",
    )
    assert_close(
        student.token_macro_f1([[0, 5, 3]], [[0, 5, -100]]),
        1.0,
        what="token_macro_f1([[0, 5, 3]], [[0, 5, -100]]) (the -100 position is skipped)",
    )


@LESSON.check("token_macro_f1_tests", points=1.0, hidden=True, timeout=20)
def macro_f1_on_random_padded_batches(student, rng):
    """Partial credit: random 2-D batches with -100 labels, against scikit-learn."""
    right = 0
    for _ in range(12):
        shape = (int(rng.integers(1, 5)), int(rng.integers(3, 40)))
        labels = rng.integers(0, len(CONLL_TAGS), size=shape)
        preds = rng.integers(0, len(CONLL_TAGS), size=shape)
        labels[rng.random(shape) < 0.3] = IGNORE
        labels.flat[0] = int(rng.integers(0, len(CONLL_TAGS)))  # never all ignored
        keep = labels != IGNORE
        want = f1_score(labels[keep], preds[keep], average="macro", zero_division=0)
        right += abs(float(student.token_macro_f1(preds, labels)) - want) < 1e-6
    return right / 12


@LESSON.check("token_macro_f1_tests", points=0.5, hidden=True)
def macro_f1_counts_classes_seen_only_in_predictions(student):
    """A class that is predicted but never gold still counts (with F1 0)."""
    assert_close(student.token_macro_f1([0, 0, 3], [0, 0, 0]), 0.4, what="token_macro_f1")
    # Padded predictions at ignored positions do not count.
    assert_close(student.token_macro_f1([[1, 1, -100]], [[1, 1, -100]]), 1.0, what="token_macro_f1")


# --------------------------------------------------------------------------------------
# Exercise 4: seqeval_evaluate
# --------------------------------------------------------------------------------------


# The first seqeval call imports seqeval (and scikit-learn) in the worker.
@LESSON.check("seqeval_evaluate_tests", points=0.5, timeout=30)
def seqeval_on_the_notebook_example(student):
    """Tag ids that differ only at -100 positions score F1 = 1."""
    labels = np.array([[-100, 1, 2, 0, 5, -100], [-100, 3, -100, 0, -100, -100]])
    preds = np.array([[0, 1, 2, 0, 5, 0], [0, 3, 0, 0, 0, 0]])
    scores = student.seqeval_evaluate(preds, labels, CONLL_TAGS)
    assert isinstance(scores, dict) and "overall_f1" in scores, (
        "return the dict of bc.metrics.seqeval_scores (with 'overall_f1')"
    )
    assert_close(scores["overall_f1"], 1.0, what="seqeval_evaluate(...)['overall_f1']")


@LESSON.check("seqeval_evaluate_tests", points=1.0, hidden=True, timeout=20)
def seqeval_overall_scores_from_logits(student, rng):
    """Partial credit: overall scores from random logits and -100-padded labels."""
    right = 0
    for _ in range(6):
        logits, labels = _random_tag_batch(rng)
        want = _reference_seqeval(logits, labels)
        got = student.seqeval_evaluate(logits, labels, CONLL_TAGS)
        right += all(abs(float(got[key]) - want[key]) < 1e-6 for key in OVERALL)
    return right / 6


@LESSON.check("seqeval_evaluate_tests", points=1.0, hidden=True, timeout=20)
def seqeval_per_entity_scores(student, rng):
    """Partial credit: the per-entity report (precision, recall, F1, number)."""
    right = 0
    for _ in range(4):
        logits, labels = _random_tag_batch(rng)
        want = _reference_seqeval(logits, labels)
        got = student.seqeval_evaluate(logits, labels, CONLL_TAGS)
        entities = [key for key, value in want.items() if isinstance(value, dict)]
        right += all(
            isinstance(got.get(entity), dict)
            and all(abs(float(got[entity][k]) - want[entity][k]) < 1e-6 for k in want[entity])
            for entity in entities
        )
    return right / 4


@LESSON.check("seqeval_evaluate_tests", points=0.5, hidden=True)
def seqeval_accepts_tag_ids(student):
    """Tag ids (2-D arrays or nested lists) and a truncated span: PER wrong, LOC and ORG
    right."""
    labels = np.array([[-100, 1, 2, 0, 5, -100], [-100, 3, -100, 0, -100, -100]])
    preds = np.array([[0, 1, 0, 0, 5, 0], [0, 3, 0, 0, 0, 0]])
    # Nested lists of tag ids too (mutation testing: np.asarray dropped survived).
    for given_preds, given_labels in ((preds, labels), (preds.tolist(), labels.tolist())):
        got = student.seqeval_evaluate(given_preds, given_labels, CONLL_TAGS)
        assert_close(got["overall_precision"], 2 / 3, what="overall_precision")
        assert_close(got["overall_recall"], 2 / 3, what="overall_recall")


# --------------------------------------------------------------------------------------
# Concept checks
# --------------------------------------------------------------------------------------

LESSON.answer_key(
    {
        "concept_q1": {"ANSWER_Q1": "b"},
        "concept_q2": {"ANSWER_Q2": "b"},
        "concept_q3": {"ANSWER_Q3": "c"},
    }
)

# --------------------------------------------------------------------------------------
# Mutants: edits of the current solution cells
# --------------------------------------------------------------------------------------

for _description, _edit in (
    (
        "continuation pieces keep B- tags",
        {'if word_id == previous and name.startswith("B-"):': "if False:"},
    ),
    ("I- tag assumed to be B- id + 1", {'label = ids["I-" + name[2:]]': "label += 1"}),
    ("special tokens labelled O instead of -100", {"labels.append(-100)": "labels.append(0)"}),
):
    LESSON.mutant("align_all_subtokens", _description, replace=_edit)

# A different program, not one edit away: it looks ahead instead of back.
LESSON.mutant(
    "align_first_subtoken",
    "labels the last piece of each word instead of the first",
    """
def align_labels_first_subtoken(word_ids, word_labels):
    out = []
    for i, w in enumerate(word_ids):
        nxt = word_ids[i + 1] if i + 1 < len(word_ids) else None
        out.append(-100 if w is None or w == nxt else word_labels[w])
    return out
""",
)
LESSON.mutant(
    "align_first_subtoken",
    "every piece labelled (no -100 on continuations)",
    replace={"if word_id is None or word_id == previous:": "if word_id is None:"},
)

for _description, _edit in (
    ("-100 positions not filtered", {"predictions, labels = predictions[keep], labels[keep]": ""}),
    (
        "micro instead of macro (token accuracy)",
        {"return float(np.mean(scores))": "return float(np.mean(predictions == labels))"},
    ),
    (
        "averaged over the gold classes only",
        {"classes = np.union1d(predictions, labels)": "classes = np.unique(labels)"},
    ),
):
    LESSON.mutant("token_macro_f1", _description, replace=_edit)

for _description, _edit in (
    (
        "-100 positions dropped from the labels only (predictions shifted)",
        {"for i in sentence_pred[keep]]": "for i in sentence_pred[1 : int(keep.sum()) + 1]]"},
    ),
    ("argmax over the wrong axis", {"argmax(axis=-1)": "argmax(axis=1)"}),
):
    LESSON.mutant("seqeval_evaluate", _description, replace=_edit)
# A different program: one sequence for the whole batch instead of one per sentence.
LESSON.mutant(
    "seqeval_evaluate",
    "sentences flattened into one sequence",
    """
def seqeval_evaluate(predictions, labels, label_names):
    predictions = np.asarray(predictions)
    if predictions.ndim == 3:
        predictions = predictions.argmax(-1)
    labels = np.asarray(labels)
    keep = labels != -100
    return bc.metrics.seqeval_scores(
        [[label_names[i] for i in predictions[keep]]], [[label_names[i] for i in labels[keep]]]
    )
""",
)

LESSON.mutant(
    "concept_answers",
    "every answer wrong",
    replace={'Q1 = "b"': 'Q1 = "a"', 'Q2 = "b"': 'Q2 = "a"', 'Q3 = "c"': 'Q3 = "a"'},
)
