"""Checks of lesson 00_quickstart: ``predicted_labels`` and the padding concept check.

References are computed here with NumPy; no model is loaded.
"""

from __future__ import annotations

import numpy as np

from autograder import Lesson, assert_close
from autograder.counterexample import score_cases

LESSON = Lesson("00_quickstart", setup="import numpy as np", run="solutions")


@LESSON.check("predicted_labels_tests", points=0.5)
def argmax_of_each_row(student):
    """One label per row: the index of the largest logit."""
    logits = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 1.0]])
    got = np.asarray(student.predicted_labels(logits))
    assert got.shape == (2,), f"expected one label per row (shape (2,)), got shape {got.shape}"
    assert_close(got.tolist(), [1, 0], what="predicted_labels(logits)")


@LESSON.check("predicted_labels_tests", points=0.5)
def random_logits_of_any_shape(student, rng):
    """Random logit matrices of any shape (partial credit: the share labelled right)."""
    cases = []
    for _ in range(10):
        rows, classes = int(rng.integers(1, 40)), int(rng.integers(2, 9))
        cases.append(rng.normal(size=(rows, classes)))

    def is_right(logits, got):
        return np.asarray(got).tolist() == logits.argmax(axis=1).tolist()

    # A wrong answer is shown as the smallest logit matrix it still gets wrong.
    return score_cases(student.predicted_labels, cases, is_right)


LESSON.answer_key({"answer_padding_tests": {"ANSWER_PADDING": "b"}})


LESSON.mutant("predicted_labels", "argmax over the wrong axis", replace={"axis=-1": "axis=0"})
LESSON.mutant(
    "predicted_labels", "argmin instead of argmax", replace={".argmax(axis": ".argmin(axis"}
)
LESSON.mutant("answer_padding", "wrong concept answer", replace={'"b"': '"a"'})
