"""The check-authoring API (no sandbox involved)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import Lesson, LessonChecksError, StudentError, assert_close, expect_student_error
from autograder.api import Check, up_to


def test_checks_register_with_points_and_sum_per_exercise() -> None:
    lesson = Lesson("demo")

    @lesson.check("ex_tests", points=1)
    def first(student):
        """First line is the description.

        More text.
        """

    @lesson.check("ex_tests", points=0.5, hidden=True)
    def second(student, rng):
        pass

    @lesson.check("other_tests", points=2)
    def third(lesson):
        pass

    assert lesson.exercises() == {"ex_tests": 1.5, "other_tests": 2.0}
    assert [c.name for c in lesson.checks] == ["first", "second", "third"]
    assert lesson.checks[0].description == "First line is the description."
    assert lesson.checks[1].hidden and not lesson.checks[0].hidden


def test_unknown_check_parameters_and_duplicate_names_are_refused() -> None:
    lesson = Lesson("demo")
    with pytest.raises(LessonChecksError, match="only student, rng, lesson"):

        @lesson.check("x", points=1)
        def wants_tmp_path(student, tmp_path):
            pass

    @lesson.check("x", points=1)
    def same(student):
        pass

    with pytest.raises(LessonChecksError, match="named 'same'"):
        lesson.check("x", points=1)(same)
    with pytest.raises(LessonChecksError, match=">= 0"):
        lesson.check("x", points=-1)


def test_run_selection_is_validated() -> None:
    assert Lesson("demo", run=up_to("cell")).run.grade_id == "cell"
    with pytest.raises(LessonChecksError, match="run selection"):
        Lesson("demo", run="everything")


def test_mutants_register() -> None:
    lesson = Lesson("demo")
    mutant = lesson.mutant("cell", "off by one", "x = 1")
    assert lesson.mutants == [mutant] and mutant.cell == "cell"


def test_check_seed_is_stable_and_differs_between_checks() -> None:
    def make(name: str) -> Check:
        return Check("g", 1.0, lambda: None, name, name)

    assert make("a").seed == make("a").seed != make("b").seed


@pytest.mark.parametrize(
    ("got", "expected"),
    [(0.5, 0.5), (1, 1.0), ([1, 2.0], np.array([1.0, 2.0])), ({"f1": 0.25}, {"f1": 0.25})],
)
def test_assert_close_accepts_equal_values(got: object, expected: object) -> None:
    assert_close(got, expected, what="value")


@pytest.mark.parametrize(
    ("got", "expected"),
    [
        (0.5, 0.6),
        ("0.5", 0.5),
        (True, 1.0),
        (None, 0.0),
        ([1, 2], [1, 2, 3]),
        ({"f1": 0.25}, {"f1": 0.25, "acc": 1}),
        (float("nan"), 0.5),
    ],
)
def test_assert_close_rejects_wrong_values(got: object, expected: object) -> None:
    with pytest.raises(AssertionError, match="value returned"):
        assert_close(got, expected, what="value")


def test_expect_student_error() -> None:
    with expect_student_error("ValueError"):
        raise StudentError(type_name="ValueError", message="bad")
    with pytest.raises(AssertionError, match="expected ValueError, but got TypeError"):
        with expect_student_error("ValueError"):
            raise StudentError(type_name="TypeError", message="bad")
    with pytest.raises(AssertionError, match="nothing was"):
        with expect_student_error("ValueError"):
            pass
