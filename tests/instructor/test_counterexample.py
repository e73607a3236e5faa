"""Shrinking failing generated inputs: minimal counterexamples, nothing hidden revealed.

The three exercises with known wrong variants (the lessons' ``Mutant``s) are
00_quickstart ``predicted_labels``, 02_zero_shot ``make_prompt`` and 02_zero_shot
``accuracy``. The fast tests run each check in this process against the mutant's code;
the slow one grades mutant notebooks through the sandbox and reads the feedback.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograder.api import Check, Lesson, Student
from autograder.counterexample import (
    Aligned,
    Raised,
    Score,
    aligned,
    call_text,
    reductions,
    score_cases,
    shrink,
)
from autograder.exceptions import StudentError
from autograder.lessons_loader import load_lesson

# (lesson, check, cell) whose mutants must each get a minimal counterexample.
SHRINKING_CHECKS = [
    ("00_quickstart", "random_logits_of_any_shape", "predicted_labels"),
    ("02_zero_shot", "make_prompt_random_reviews", "make_prompt"),
    ("02_zero_shot", "accuracy_random_inputs", "accuracy"),
]


def local_student(source: str) -> tuple[Student, dict[str, Any]]:
    """A ``student`` proxy over ``source`` run in this process (no sandbox: trusted code)."""
    namespace: dict[str, Any] = {}
    exec(source, namespace)

    def caller(payload: dict[str, Any]) -> Any:
        assert payload["op"] == "call"
        try:
            return namespace[payload["name"]](*payload["args"], **payload["kwargs"])
        except Exception as error:  # noqa: BLE001 - becomes the student's error, as in grading
            raise StudentError(type_name=type(error).__name__, message=str(error)) from None

    return Student(caller), namespace


def check_named(lesson: Lesson, name: str) -> Check:
    return next(c for c in lesson.checks if c.name == name)


# ---------------------------------------------------------------------------- shrink itself


def test_shrink_finds_the_single_culprit_in_a_list() -> None:
    start = [5, 9, 2, 7, 3, 8, 3, 1]
    shrunk = shrink(start, lambda xs: 7 in xs)
    assert shrunk.value == [7] and shrunk.minimal


def test_shrink_keeps_the_pair_that_fails_together_and_moves_numbers_towards_zero() -> None:
    # Fails while the list has two equal elements. Elements are simplified one at a time,
    # so the equal pair stays as it is (1-minimal), while a lone number moves towards 0.
    shrunk = shrink([4, 8, 15, 16, 23, 42, 15], lambda xs: len(set(xs)) < len(xs))
    assert shrunk.value == [15, 15] and shrunk.minimal
    assert shrink([40, 7], lambda xs: len(xs) == 2 and xs[1] > 2).value == [0, 3]


def test_shrink_of_a_string_is_one_minimal() -> None:
    def fails(text: str) -> bool:
        return "ab" in text and text.count("x") >= 2

    shrunk = shrink("qqxqqabqqqxqq", fails)
    assert sorted(shrunk.value) == sorted("abxx") and fails(shrunk.value)
    for index in range(len(shrunk.value)):
        assert not fails(shrunk.value[:index] + shrunk.value[index + 1 :])


def test_aligned_sequences_lose_the_same_positions() -> None:
    preds, labels = [1, 2, 3, 4, 5, 6], [1, 2, 0, 4, 5, 6]  # wrong only at index 2
    shrunk = shrink(aligned(preds, labels), lambda c: any(p != y for p, y in zip(*c, strict=True)))
    assert isinstance(shrunk.value, Aligned)
    assert list(shrunk.value) == [[1], [0]] or list(shrunk.value) == [[0], [1]]
    assert len(shrunk.value[0]) == len(shrunk.value[1]) == 1


def test_aligned_refuses_sequences_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="one length"):
        aligned([1, 2], [1])


def test_shrink_treats_an_input_the_reference_cannot_judge_as_passing() -> None:
    def fails(xs: list[int]) -> bool:
        return 1 / len(xs) < 1  # ZeroDivisionError for [] must not count as failing

    shrunk = shrink([3, 4, 5], fails)
    assert len(shrunk.value) == 2 and shrunk.minimal


def test_shrink_stops_at_the_budget_and_says_it_is_not_minimal() -> None:
    shrunk = shrink(list(range(200)), lambda xs: len(xs) > 0, max_tests=3)
    assert not shrunk.minimal and shrunk.tests == 3 and len(shrunk.value) < 200


def test_reductions_of_a_matrix_remove_rows_and_columns() -> None:
    matrix = np.arange(6, dtype=float).reshape(2, 3)
    shapes = {r.shape for r in reductions(matrix)}
    assert {(1, 3), (2, 2)} <= shapes


def test_score_cases_scores_and_reports_the_raised_exception() -> None:
    def function(xs: list[int]) -> int:
        if 3 in xs:
            raise StudentError(type_name="KeyError", message="3")
        return sum(xs)

    cases = [[1, 2], [4, 3, 9], [5]]
    score = score_cases(function, cases, lambda xs, got: got == sum(xs), name="total")
    assert score.fraction == pytest.approx(2 / 3)
    assert score.counterexample is not None
    assert score.counterexample.call == "total([3])"
    assert score.counterexample.got.startswith("raised KeyError")
    assert isinstance(Raised("KeyError", "3"), Raised)


def test_an_unanswered_exercise_is_not_shrunk() -> None:
    def function(xs: list[int]) -> int:
        raise StudentError(type_name="NotImplementedError", message="")

    with pytest.raises(StudentError):
        score_cases(function, [[1, 2]], lambda xs, got: got == sum(xs))


def test_call_text_cuts_long_arguments() -> None:
    text = call_text("f", (list(range(1000)), "x"))
    assert text.startswith("f([0, 1, 2") and "..." in text and text.endswith(", 'x')")


# ------------------------------------------------- the three exercises and their mutants


def _single_deletions(case: Any) -> list[Any]:
    """Every input with exactly one element (row, column, character) removed."""
    if isinstance(case, np.ndarray):
        out = []
        for axis in (0, 1):
            if case.shape[axis] > 1:
                out += [np.delete(case, i, axis=axis) for i in range(case.shape[axis])]
        return out
    if isinstance(case, Aligned):
        n = len(case[0])
        return [Aligned(s[:i] + s[i + 1 :] for s in case) for i in range(n)]
    review, mask, template = case  # make_prompt: shrink the review and the template
    out = [(review[:i] + review[i + 1 :], mask, template) for i in range(len(review))]
    out += [(review, mask, template[:i] + template[i + 1 :]) for i in range(len(template))]
    return out


@pytest.mark.parametrize(("lesson_id", "check_name", "cell"), SHRINKING_CHECKS)
def test_every_mutant_gets_a_minimal_counterexample(lesson_id, check_name, cell) -> None:
    lesson = load_lesson(lesson_id)
    check = check_named(lesson, check_name)
    assert not check.hidden, "the counterexample is shown for visible checks"
    mutants = [m for m in lesson.mutants if m.cell == cell]
    caught = 0
    for mutant in mutants:
        student, namespace = local_student(mutant.source)
        score = check.function(student=student, rng=np.random.default_rng(check.seed))
        assert isinstance(score, Score)
        if score.fraction == 1.0:  # this mutant is another check's job (e.g. lengths)
            assert score.counterexample is None
            continue
        caught += 1
        example = score.counterexample
        assert example is not None and example.minimal, mutant.description
        # Independently of shrink(): the case fails, and removing any one element of it
        # gives an input the mutant gets right (or one that is no valid input at all).
        function = namespace[cell]
        fails = _fails_for(lesson_id, function)
        assert fails(example.case), mutant.description
        for smaller in _single_deletions(example.case):
            assert not fails(smaller), (mutant.description, example.call, smaller)
    assert caught >= 2, f"{lesson_id}: fewer than two mutants of {cell} caught by {check_name}"


def _fails_for(lesson_id: str, function: Any):
    """Whether ``function`` is wrong on an input, judged by the lesson's reference."""
    if lesson_id == "00_quickstart":

        def fails(logits: np.ndarray) -> bool:
            got = np.asarray(function(logits)).tolist()
            return got != logits.argmax(axis=1).tolist()

        return fails
    # The check module's globals: its reference and input rules, not copies of them.
    module = check_named(load_lesson("02_zero_shot"), "accuracy_fixed_example").function.__globals__
    if lesson_id == "02_zero_shot" and function.__name__ == "make_prompt":

        def fails(case: tuple[str, str, str]) -> bool:
            if not module["_sensible_prompt_case"](case):
                return False
            return function(*case) != module["reference_make_prompt"](*case)

        return fails

    def fails(case: Aligned) -> bool:
        preds, labels = case
        if len(preds) == 0:
            return False
        from sklearn.metrics import accuracy_score

        return abs(function(preds, labels) - accuracy_score(list(labels), list(preds))) > 1e-9

    return fails


def test_the_counterexamples_are_small_and_readable() -> None:
    """The shrunk inputs a student sees for three known mistakes (exact, so a change shows)."""
    seen = {}
    for lesson_id, check_name, cell in SHRINKING_CHECKS:
        lesson = load_lesson(lesson_id)
        check = check_named(lesson, check_name)
        for mutant in lesson.mutants:
            if mutant.cell == cell:
                student, _ = local_student(mutant.source)
                score = check.function(student=student, rng=np.random.default_rng(check.seed))
                if score.counterexample is not None:
                    seen[mutant.description] = str(score.counterexample)
    assert seen["argmin instead of argmax"] == (
        "smallest failing input found: predicted_labels([[0.0, 1.0]]) returned [0]"
    )
    assert seen["number right instead of the fraction"] == (
        "smallest failing input found: accuracy([0, 0], [0, 0]) returned 2"
    )
    assert seen["no full stop added"].startswith("smallest failing input found: make_prompt('")
    assert "'{mask}')" in seen["no full stop added"]


# ------------------------------------------------- through the sandbox, into the feedback

MUTANT_NOTEBOOKS = [
    ("00_quickstart", {"predicted_labels": "argmin instead of argmax"}),
    (
        "02_zero_shot",
        {"make_prompt": "no full stop added", "accuracy": "number right instead of the fraction"},
    ),
]


def _hidden_source_lines(lesson: Lesson) -> set[str]:
    """Distinctive lines of every hidden check's source (short or generic lines left out)."""
    lines = set()
    for check in lesson.checks:
        if check.hidden:
            for line in inspect.getsource(check.function).splitlines():
                text = line.strip()
                if len(text) >= 16 and not text.startswith(("@", '"""', "def ", "#")):
                    lines.add(text)
    return lines


@pytest.mark.slow
@pytest.mark.parametrize(("lesson_id", "chosen"), MUTANT_NOTEBOOKS)
def test_feedback_shows_the_counterexample_and_no_hidden_check(
    lesson_id: str, chosen: dict[str, str], tmp_path: Path
) -> None:
    from autograder.report import feedback_markdown
    from autograder.runner import grade_notebook

    lesson = load_lesson(lesson_id)
    replace = {
        cell: next(m.source for m in lesson.mutants if m.cell == cell and m.description == d)
        for cell, d in chosen.items()
    }
    result = grade_notebook(
        path=lesson.source_notebook, lesson=lesson, student="ci", replace=replace
    )
    text = feedback_markdown("ci", [result])
    for cell in chosen:
        assert f"smallest failing input found: {cell}(" in text, text
    hidden = _hidden_source_lines(lesson)
    assert hidden, "the lesson has hidden checks to look for"
    leaked = [line for line in hidden if line in text]
    assert not leaked, leaked
    # Nor the hidden tests of the source notebook's test cells.
    hidden_tests = _hidden_test_lines(lesson)
    assert not [line for line in hidden_tests if line in text]


def _hidden_test_lines(lesson: Lesson) -> set[str]:
    """The lines between BEGIN and END HIDDEN TESTS in the source notebook."""
    lines, inside = set(), False
    for cell in lesson.reference:
        for line in cell.source.splitlines():
            text = line.strip()
            if "BEGIN HIDDEN TESTS" in text:
                inside = True
            elif "END HIDDEN TESTS" in text:
                inside = False
            elif inside and len(text) >= 16:
                lines.add(text)
    return lines
