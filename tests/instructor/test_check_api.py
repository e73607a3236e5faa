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


SOLUTION = '''def accuracy(preds, labels):
    """Fraction right."""
    ### BEGIN SOLUTION
    return sum(p == y for p, y in zip(preds, labels)) / len(labels)
    ### END SOLUTION
'''


def test_a_mutant_edit_is_computed_from_the_current_solution() -> None:
    lesson = Lesson("demo")
    edit = lesson.mutant("acc", "error rate", replace={"p == y": "p != y"})
    assert lesson.mutants == []  # applied when the loader knows the solution cells
    lesson.apply_mutant_edits({"acc": SOLUTION})
    assert lesson.mutants[0].source == SOLUTION.replace("p == y", "p != y")
    assert lesson.mutants[0].description == edit.description == "error rate"
    lesson.apply_mutant_edits({"acc": SOLUTION})  # idempotent
    assert len(lesson.mutants) == 1


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({"p >= y": "p != y"}, r"'p >= y' is not in the solution cell 'acc'"),
        ({"y": "x"}, r"'y' occurs \d+ times in the solution cell 'acc'"),
        ({"p == y": "p == y"}, "leaves the solution cell 'acc' unchanged"),
    ],
    ids=["missing", "ambiguous", "no-change"],
)
def test_a_mutant_edit_that_does_not_apply_fails_loudly(replace, message) -> None:
    from autograder.exceptions import MutantEditError

    lesson = Lesson("demo")
    lesson.mutant("acc", "broken edit", replace=replace)
    with pytest.raises(MutantEditError, match=rf"lesson 'demo', mutant 'broken edit': .*{message}"):
        lesson.apply_mutant_edits({"acc": SOLUTION})


def test_a_mutant_edit_of_a_missing_cell_and_a_mutant_without_a_body_are_refused() -> None:
    from autograder.exceptions import MutantEditError

    lesson = Lesson("demo")
    lesson.mutant("nope", "x", replace={"a": "b"})
    with pytest.raises(MutantEditError, match="no solution cell 'nope'"):
        lesson.apply_mutant_edits({"acc": SOLUTION})
    with pytest.raises(LessonChecksError, match="either source= .* or replace="):
        lesson.mutant("acc", "both", "x = 1", replace={"a": "b"})
    with pytest.raises(LessonChecksError, match="either source="):
        lesson.mutant("acc", "neither")


def test_answer_key_registers_one_hidden_check_per_question() -> None:
    lesson = Lesson("demo")
    lesson.answer_key({"concept_tests": {"ANSWER_Q1": "b", "ANSWER_Q2": "c"}, "q3": {"A3": "a"}})
    assert lesson.exercises() == {"concept_tests": 2.0, "q3": 1.0}
    assert [c.name for c in lesson.checks] == [
        "answer_q1_is_right",
        "answer_q2_is_right",
        "a3_is_right",
    ]
    assert all(c.hidden for c in lesson.checks)


def test_every_lesson_loads_its_mutant_edits_against_the_current_solutions() -> None:
    """A solution edited so that an edit no longer applies fails here, naming the mutant."""
    from autograder.lessons_loader import available_lessons, load_lesson

    for lesson_id in available_lessons():
        lesson = load_lesson(lesson_id)
        assert lesson.mutant_edits == []
        assert lesson.mutants, lesson_id
