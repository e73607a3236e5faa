"""Checks of the toy lesson the autograder's tests use (not a course lesson)."""

from __future__ import annotations

import functools

from sklearn.metrics import f1_score

from autograder import Fixture, Lesson, assert_close

LESSON = Lesson(
    "toy_lesson",
    # The notebook's "training" cell must never run while grading: only the setup and
    # the solution cells do.
    setup="import bertcourse as bc\ntokenizer = bc.load_tokenizer()",
    run="solutions",
    cell_timeout=20,
    memory_mb=3072,
)


@functools.lru_cache(maxsize=1)
def reference_tokenizer():
    import bertcourse as bc

    return bc.load_tokenizer()


def reference_f1(preds, labels):
    return f1_score(labels, preds, average="macro", zero_division=0)


@LESSON.check("macro_f1_tests", points=1)
def macro_f1_fixed_example(student):
    """macro_f1 agrees with scikit-learn on a small example."""
    preds, labels = [0, 1, 2, 2, 1, 0], [0, 1, 1, 2, 2, 2]
    got = student.macro_f1(preds, labels)
    assert_close(got, reference_f1(preds, labels), what=f"macro_f1({preds}, {labels})")


@LESSON.check("macro_f1_tests", points=1.5, hidden=True, timeout=20)
def macro_f1_random_inputs(student, rng):
    """macro_f1 on 15 random cases (partial credit)."""
    right = 0
    for _ in range(15):
        n, k = int(rng.integers(1, 40)), int(rng.integers(2, 6))
        preds = rng.integers(0, k, n).tolist()
        labels = rng.integers(0, k, n).tolist()
        got = student.macro_f1(preds, labels)
        right += isinstance(got, (int, float)) and abs(got - reference_f1(preds, labels)) < 1e-6
    return right / 15


@LESSON.check("macro_f1_tests", points=0.5, hidden=True)
def macro_f1_class_only_predicted(student):
    """A class that is predicted but never true counts with F1 = 0."""
    preds, labels = [0, 0, 3], [0, 0, 1]
    assert_close(student.macro_f1(preds, labels), reference_f1(preds, labels), what="macro_f1")


@LESSON.check("tokenize_function_tests", points=1)
def tokenize_function_matches_tokenizer(student):
    """tokenize_function returns the tokenizer's ids for a batch of texts."""
    texts = ["Hello world!", "BERT reads both directions."]
    out = student.tokenize_function({"text": texts, "label": [0, 1]})
    assert isinstance(out, dict) and "input_ids" in out, "return the tokenizer's output"
    expected = reference_tokenizer()(texts, truncation=True, max_length=32)["input_ids"]
    assert out["input_ids"] == expected, "the input_ids differ from tokenizer(batch['text'])"


@LESSON.check("tokenize_function_tests", points=1, hidden=True)
def tokenize_function_truncates(student):
    """Long texts are cut to 32 tokens."""
    out = student.tokenize_function({"text": ["word " * 200, "short"], "label": [0, 1]})
    assert [len(ids) for ids in out["input_ids"]] == [32, 3]


@LESSON.check("n_tokens_tests", points=1)
def n_tokens_counts_with_a_given_tokenizer(student):
    """n_tokens(tokenizer, text) counts the ids, [CLS] and [SEP] included."""
    for text in ["Hello world", "unbelievably tokenised text"]:
        expected = len(reference_tokenizer()(text)["input_ids"])
        assert_close(student.n_tokens(Fixture("tokenizer"), text), expected, what="n_tokens")


LESSON.mutant(
    "macro_f1",
    "micro instead of macro average",
    """
from sklearn.metrics import f1_score
def macro_f1(preds, labels):
    return f1_score(labels, preds, average="micro")
""",
)
LESSON.mutant(
    "macro_f1",
    "accuracy instead of F1",
    """
def macro_f1(preds, labels):
    return sum(p == t for p, t in zip(preds, labels)) / len(labels)
""",
)
LESSON.mutant(
    "tokenize_function",
    "no truncation",
    """
def tokenize_function(batch):
    return tokenizer(batch["text"])
""",
)
LESSON.mutant(
    "n_tokens",
    "special tokens not counted (off by two)",
    """
def n_tokens(tok, text):
    return len(tok(text, add_special_tokens=False)["input_ids"])
""",
)
