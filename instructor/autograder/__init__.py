"""The bertcourse autograder: behaviour-based grading of nbgrader submissions.

Check authors use :class:`Lesson`, :class:`Fixture`, :func:`up_to`, :func:`assert_close`
and :func:`expect_student_error` (see ``autograder/README.md``). Instructors use
``bertcourse grade`` / ``bertcourse release`` or :func:`grade_submissions`.
"""

from __future__ import annotations

from autograder.api import (
    Check,
    Fixture,
    Lesson,
    Mutant,
    Student,
    UpTo,
    assert_close,
    expect_student_error,
    up_to,
)
from autograder.exceptions import (
    AutograderError,
    LessonChecksError,
    NotAnswered,
    ReleaseError,
    SandboxUnavailable,
    StudentError,
    SubmissionLayoutError,
)

__all__ = [
    "Check",
    "Fixture",
    "Lesson",
    "Mutant",
    "Student",
    "UpTo",
    "assert_close",
    "expect_student_error",
    "up_to",
    "AutograderError",
    "LessonChecksError",
    "NotAnswered",
    "ReleaseError",
    "SandboxUnavailable",
    "StudentError",
    "SubmissionLayoutError",
    "grade_notebook",
    "grade_submissions",
    "load_lesson",
    "CheckResult",
    "ExerciseResult",
    "NotebookResult",
    "BatchResult",
]

_LAZY = {
    "grade_notebook": "autograder.runner",
    "grade_submissions": "autograder.batch",
    "load_lesson": "autograder.lessons_loader",
    "CheckResult": "autograder.results",
    "ExerciseResult": "autograder.results",
    "NotebookResult": "autograder.results",
    "BatchResult": "autograder.results",
}


def __getattr__(name: str) -> object:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'autograder' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
