"""Write the autograder's scores into nbgrader's gradebook, so formgrader shows them."""

from __future__ import annotations

from collections.abc import Iterable

from autograder.exceptions import AutograderError
from autograder.results import NotebookResult


def write_scores(results: Iterable[NotebookResult], *, db_url: str) -> list[str]:
    """Set nbgrader's ``auto_score`` of each exercise's grade cell from our results.

    The assignment must be in the gradebook already (``bertcourse release --db URL`` or
    ``nbgrader generate_assignment`` records it); students and submissions are created.

    Args:
        results: notebook results (their ``lesson`` is the nbgrader assignment).
        db_url: the gradebook, e.g. ``sqlite:///gradebook.db``.

    Returns:
        Warnings (results or exercises that the gradebook does not know).

    Raises:
        AutograderError: an assignment is not in the gradebook.
    """
    from nbgrader.api import Gradebook, MissingEntry

    warnings = []
    with Gradebook(db_url) as gradebook:
        for result in results:
            if result.lesson is None:
                warnings.append(f"{result.student}/{result.notebook}: no lesson, not written")
                continue
            try:
                gradebook.find_assignment(result.lesson)
            except MissingEntry:
                raise AutograderError(
                    f"assignment {result.lesson!r} is not in the gradebook {db_url}: record it "
                    f"first with `bertcourse release --lesson {result.lesson} --db {db_url}`"
                ) from None
            gradebook.update_or_create_student(result.student)
            try:
                gradebook.find_submission(result.lesson, result.student)
            except MissingEntry:
                gradebook.add_submission(result.lesson, result.student)
            for exercise in result.exercises:
                try:
                    grade = gradebook.find_grade(
                        exercise.grade_id, result.notebook, result.lesson, result.student
                    )
                except MissingEntry:
                    warnings.append(
                        f"{result.student}/{result.notebook}: grade cell {exercise.grade_id!r} "
                        "is not in the gradebook"
                    )
                    continue
                grade.auto_score = exercise.points
            gradebook.db.commit()
    return warnings
