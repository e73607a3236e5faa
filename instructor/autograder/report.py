"""The gradebook CSV and the students' feedback reports, rebuilt from the result files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from autograder.results import (
    CheckResult,
    ExerciseResult,
    NotebookResult,
    load_results,
    safe_name,
    write_atomic,
)


def _number(value: float) -> str:
    return f"{value:g}"


def grade_cell_summary(
    grade_id: str, points: float, max_points: float, checks: list[CheckResult]
) -> str:
    """What a grade cell shows as its output: the points, then each check that lost points.

    Under ``nbgrader autograde`` the hidden-test call prints it
    (:func:`autograder.in_notebook.score_cell`); ``bertcourse grade --gradebook-db`` writes
    it into the autograded notebooks formgrader opens (:mod:`autograder.nbgrader_gradebook`).
    Only ``reason`` (student-safe) texts are used, as in the feedback.

    Args:
        grade_id: the grade cell.
        points: points earned.
        max_points: points possible.
        checks: the cell's check results.

    Returns:
        Plain text, one line per lost check after the first.
    """
    lines = [f"{grade_id}: {_number(points)} of {_number(max_points)} points"]
    for check in checks:
        if check.points < check.max_points:
            lines.append(f"  - {check.description}: {check.reason or 'lost points'}")
    return "\n".join(lines)


def exercise_summary(exercise: ExerciseResult) -> str:
    """:func:`grade_cell_summary` of one exercise's result."""
    return grade_cell_summary(
        exercise.grade_id, exercise.points, exercise.max_points, exercise.checks
    )


def write_gradebook(out_dir: Path) -> Path:
    """Rebuild ``gradebook.csv`` from every result file in ``out_dir``.

    Columns: ``student``, ``notebook``, one per exercise ``grade_id`` (in lesson order,
    blank where a notebook has no such exercise), ``total``, ``max``.

    Args:
        out_dir: the results folder.

    Returns:
        The CSV's path.
    """
    results = load_results(out_dir)
    exercise_ids: list[str] = []
    for result in results:
        for exercise in result.exercises:
            if exercise.grade_id not in exercise_ids:
                exercise_ids.append(exercise.grade_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "notebook", *exercise_ids, "total", "max"])
    for result in results:
        points = result.exercise_points()
        writer.writerow(
            [
                result.student,
                result.notebook,
                *(_number(points[g]) if g in points else "" for g in exercise_ids),
                _number(result.total),
                _number(result.max_points),
            ]
        )
    path = out_dir / "gradebook.csv"
    write_atomic(path, buffer.getvalue())
    return path


def feedback_markdown(student: str, results: list[NotebookResult]) -> str:
    """One student's feedback: per notebook and exercise, the points and what failed.

    Only ``reason`` (student-safe) texts are used: never a hidden check's inputs, expected
    values or source, and never the instructors' ``detail``.

    Args:
        student: the student id.
        results: the student's notebook results.

    Returns:
        Markdown text.
    """
    lines = [f"# Feedback for {student}", ""]
    for result in results:
        lines += [
            f"## {result.notebook} — {_number(result.total)} / {_number(result.max_points)} points",
            "",
        ]
        if result.problems:
            lines += ["**Notes about your notebook**", ""]
            lines += [f"- {problem}" for problem in result.problems]
            lines.append("")
        for exercise in result.exercises:
            lines.append(
                f"### `{exercise.grade_id}`: {_number(exercise.points)} / "
                f"{_number(exercise.max_points)}"
            )
            lines.append("")
            for check in exercise.checks:
                mark = "✅" if check.passed else ("🟡" if check.points > 0 else "❌")
                text = (
                    f"- {mark} {check.description} ({_number(check.points)} / "
                    f"{_number(check.max_points)})"
                )
                if check.reason:
                    text += f": {check.reason}"
                lines.append(text)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_feedback(out_dir: Path) -> dict[str, Path]:
    """Rebuild ``feedback/<student>.md`` for every student with results in ``out_dir``.

    Args:
        out_dir: the results folder.

    Returns:
        student -> report path.
    """
    by_student: dict[str, list[NotebookResult]] = {}
    for result in load_results(out_dir):
        by_student.setdefault(result.student, []).append(result)
    paths = {}
    for student, results in by_student.items():
        path = out_dir / "feedback" / f"{safe_name(student)}.md"
        write_atomic(path, feedback_markdown(student, results))
        paths[student] = path
    return paths
