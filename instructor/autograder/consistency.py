"""Checks CI runs on every lesson: the release is current, points add up, checks bite.

Used by ``tests/instructor/test_consistency.py``; each function returns what is wrong
(empty when all is well) or the grades, so a test failure names the problem.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from autograder.api import Lesson
from autograder.notebook import grade_cell_points
from autograder.release import generate, normalised_cells
from autograder.results import NotebookResult
from autograder.runner import grade_notebook
from autograder.sandbox import default_isolation


def points_mismatches(lesson: Lesson) -> list[str]:
    """Exercises whose checks' points differ from the grade cell's points in the notebook.

    Args:
        lesson: a loaded lesson (with its source notebook).

    Returns:
        One line per mismatch, missing cell or exercise without checks.
    """
    notebook = grade_cell_points(lesson.reference)
    checks = lesson.exercises()
    problems = []
    for grade_id, points in checks.items():
        if grade_id not in notebook:
            problems.append(f"checks score {grade_id!r}, which is not a grade cell of the notebook")
        elif abs(notebook[grade_id] - points) > 1e-9:
            problems.append(
                f"{grade_id!r}: the checks are worth {points:g} points, "
                f"the cell {notebook[grade_id]:g}"
            )
    for grade_id in sorted(set(notebook) - set(checks)):
        problems.append(f"grade cell {grade_id!r} ({notebook[grade_id]:g} points) has no checks")
    return problems


def release_differences(lesson_id: str, *, solutions_dir: Path, notebooks_dir: Path) -> list[str]:
    """How ``notebooks/<id>/<id>.ipynb`` differs from what nbgrader generates now.

    Args:
        lesson_id: the lesson.
        solutions_dir: source folder.
        notebooks_dir: release folder.

    Returns:
        One line per differing cell (source, type or nbgrader metadata); empty when equal.
    """
    released = notebooks_dir / lesson_id / f"{lesson_id}.ipynb"
    if not released.is_file():
        return [f"{released} does not exist: run `bertcourse release --lesson {lesson_id}`"]
    with tempfile.TemporaryDirectory() as temporary:
        folder = generate(lessons=[lesson_id], solutions_dir=solutions_dir, out_dir=Path(temporary))
        fresh = normalised_cells(folder[lesson_id] / f"{lesson_id}.ipynb")
    current = normalised_cells(released)
    if len(fresh) != len(current):
        return [f"{released} has {len(current)} cells, nbgrader generates {len(fresh)}"]
    return [
        f"{released} cell {index + 1} differs from the generated one: run `bertcourse release`"
        for index, (a, b) in enumerate(zip(current, fresh, strict=True))
        if a != b
    ]


def grade_file(
    lesson: Lesson, path: Path, *, replace: dict[str, str] | None = None
) -> NotebookResult:
    """Grade one notebook file as the lesson's (for the checks below)."""
    # The course's own solutions and mutants: trusted, so no OS sandbox is no reason to stop.
    isolation = default_isolation(trusted=True)
    return grade_notebook(
        path=path, lesson=lesson, student="ci", replace=replace, isolation=isolation
    )


def mutant_survivors(lesson: Lesson) -> list[str]:
    """Mutants that do not lose points on their exercise(s).

    Args:
        lesson: a loaded lesson with its source notebook.

    Returns:
        One line per mutant whose notebook still scores full marks.
    """
    assert lesson.source_notebook is not None
    survivors = []
    for mutant in lesson.mutants:
        result = grade_file(lesson, lesson.source_notebook, replace={mutant.cell: mutant.source})
        if result.total >= result.max_points:
            survivors.append(
                f"mutant {mutant.description!r} of cell {mutant.cell!r} scores full marks"
            )
    return survivors
