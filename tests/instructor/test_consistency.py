"""Consistency of every lesson: release current, points add up, solution full, release 0,
mutants lose points. Parametrised over the lessons in solutions/ (skipped while there are
none); the same checks run on the toy lesson so the machinery itself is always tested.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _autograder_testing import CHECKS, SOLUTIONS, TOY

from autograder.consistency import (
    grade_file,
    mutant_survivors,
    points_mismatches,
    release_differences,
)
from autograder.lessons_loader import CHECKS_DIR, REPO_ROOT, load_lesson
from autograder.release import source_lessons

LESSONS = source_lessons(REPO_ROOT / "solutions")
CASES = [pytest.param(("course", lesson_id), id=lesson_id) for lesson_id in LESSONS] + [
    pytest.param(("toy", TOY), id=f"resource-{TOY}")
]
if not LESSONS:
    CASES.append(
        pytest.param(("course", None), id="no-lessons", marks=pytest.mark.skip("no lessons yet"))
    )


@pytest.fixture(params=CASES)
def case(request: pytest.FixtureRequest):
    kind, lesson_id = request.param
    if kind == "toy":
        return load_lesson(TOY, checks_dir=CHECKS, solutions_dir=SOLUTIONS), None
    if not (CHECKS_DIR / f"{lesson_id}.py").is_file():
        pytest.skip(f"lesson {lesson_id} has no checks yet (autograder/lessons/{lesson_id}.py)")
    return load_lesson(lesson_id), REPO_ROOT / "notebooks"


@pytest.mark.parametrize("lesson_id", LESSONS or [pytest.param(None, marks=pytest.mark.skip)])
def test_release_notebooks_are_what_nbgrader_generates(lesson_id: str) -> None:
    differences = release_differences(
        lesson_id, solutions_dir=REPO_ROOT / "solutions", notebooks_dir=REPO_ROOT / "notebooks"
    )
    assert differences == []


def test_points_of_checks_match_the_notebook(case) -> None:
    lesson, _ = case
    assert points_mismatches(lesson) == []


@pytest.mark.slow
def test_solution_scores_full_marks(case) -> None:
    lesson, _ = case
    result = grade_file(lesson, lesson.source_notebook)
    failed = [c for e in result.exercises for c in e.checks if not c.passed]
    assert result.total == result.max_points > 0, [(c.name, c.reason, c.detail) for c in failed]


@pytest.mark.slow
def test_release_notebook_scores_zero(case, tmp_path: Path) -> None:
    from autograder.release import generate

    lesson, notebooks = case
    if notebooks is not None and (notebooks / lesson.lesson_id).is_dir():
        released = notebooks / lesson.lesson_id / f"{lesson.lesson_id}.ipynb"
    else:
        solutions = SOLUTIONS if notebooks is None else REPO_ROOT / "solutions"
        folder = generate(lessons=[lesson.lesson_id], solutions_dir=solutions, out_dir=tmp_path)
        released = folder[lesson.lesson_id] / f"{lesson.lesson_id}.ipynb"
    result = grade_file(lesson, released)
    assert result.status == "graded"
    assert {e.grade_id: e.points for e in result.exercises} == dict.fromkeys(
        lesson.exercises(), 0.0
    )


@pytest.mark.slow
def test_every_mutant_loses_points(case) -> None:
    lesson, _ = case
    if not lesson.mutants:
        pytest.fail(f"lesson {lesson.lesson_id} registers no mutants (LESSON.mutant(...))")
    assert mutant_survivors(lesson) == []


def test_points_mismatch_is_detected(tmp_path: Path) -> None:
    lesson = load_lesson(TOY, checks_dir=CHECKS, solutions_dir=SOLUTIONS)
    bad = type(lesson)(TOY)
    bad.reference = lesson.reference
    bad.check("macro_f1_tests", points=1)(lambda student: None)
    problems = points_mismatches(bad)
    assert any("worth 1 points, the cell 3" in p for p in problems)
    assert any("'n_tokens_tests' (1 points) has no checks" in p for p in problems)
