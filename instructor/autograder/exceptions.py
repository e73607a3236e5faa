"""Errors of the autograder."""

from __future__ import annotations

from bertcourse.exceptions import BertCourseError


class AutograderError(BertCourseError):
    """Base class of the autograder's own errors (not the student's)."""


class LessonChecksError(AutograderError, ValueError):
    """A lesson's check module is missing or malformed."""


class MutantEditError(LessonChecksError):
    """A mutant's ``replace={old: new}`` edit does not apply to the current solution cell."""


class HiddenTestsError(AutograderError, ValueError):
    """A test cell's hidden-test region cannot be written as the standard checks call."""


class SubmissionLayoutError(AutograderError, ValueError):
    """A submissions folder has neither the nbgrader layout nor plain notebooks."""


class ReleaseError(AutograderError, RuntimeError):
    """Generating the release notebooks failed or would overwrite manual edits."""


class SandboxUnavailable(AutograderError, RuntimeError):
    """Student code would run without the OS sandbox, and nobody said that is fine."""


class NotebookUnreadable(Exception):
    """The file is not a notebook the grader can read; ``str()`` is shown to the student.

    Not an :class:`AutograderError`: it is the submission's problem, not the grader's.
    """


class BenchmarkInputError(AutograderError, ValueError):
    """Rows or options handed to a benchmark helper (``courseops.bench``) cannot be used."""


class NotAnswered(AssertionError):
    """A check found no answer at all (a concept question left unset).

    Its message is shown to the student even when the check is hidden: it gives
    nothing of the answer away, and "wrong result" would misread an empty answer.
    """


class SandboxProblem(Exception):
    """Something went wrong running the student's code; ``reason`` is shown to the student."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkerTimeout(SandboxProblem):
    """The worker did not answer in time (it has been killed)."""


class WorkerCrashed(SandboxProblem):
    """The worker died or broke the protocol (it has been killed)."""


class StudentError(SandboxProblem):
    """The student's code raised an exception (re-raised in the grader as data).

    Attributes:
        type_name: the exception's class name, e.g. ``"ZeroDivisionError"``.
        message: its message (truncated).
        traceback: the frames in the student's cells (for instructors).
        kind: ``"error"``, ``"exit"`` (``sys.exit``) or ``"unconvertible"`` (a result
            that is not plain data).
    """

    def __init__(self, *, type_name: str, message: str, traceback: str = "", kind: str = "error"):
        reason = f"{type_name}: {message}" if message else type_name
        if kind == "exit":
            reason = f"called sys.exit() ({reason})"
        elif kind == "unconvertible":
            reason = message
        super().__init__(reason)
        self.type_name = type_name
        self.message = message
        self.traceback = traceback
        self.kind = kind


class ExportError(AutograderError, ValueError):
    """A gradebook export cannot be written (an unreadable roster, a malformed option)."""
