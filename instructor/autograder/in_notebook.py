"""Hidden test cells that score themselves with the grader's checks.

Every hidden-test region of ``solutions/<lesson>/<lesson>.ipynb`` is one standard call
(written by ``bertcourse hidden-tests``, :mod:`courseops.hidden_tests`)::

    ### BEGIN HIDDEN TESTS
    from autograder.in_notebook import score_cell

    score_cell("05_ner", "token_macro_f1_tests", globals())
    ### END HIDDEN TESTS

:func:`score_cell` runs the checks that ``autograder/lessons/<lesson>.py`` registers for
that grade cell, in the notebook's own process, against the notebook's globals, and
returns the points earned as the cell's last expression. nbgrader (``determine_grade``)
reads a number shown as a test cell's result as partial credit, so ``nbgrader autograde``
and ``bertcourse grade`` score a cell with the same code (:func:`autograder.runner.
score_check`): the checks are the one source of the grading knowledge.

What differs from the course grader: the code runs in the notebook's kernel, not in the
sandbox (nbgrader runs submissions unsandboxed anyway), and a visible assert above the
hidden region that fails stops the cell, which nbgrader scores 0 (the course grader
scores the checks one by one).

The failure summary goes to stdout only: any stderr output makes nbgrader score 0.
"""

from __future__ import annotations

import contextlib
import io
import logging
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from autograder import _worker
from autograder.api import Lesson, Student
from autograder.exceptions import LessonChecksError, StudentError, WorkerTimeout
from autograder.report import grade_cell_summary
from autograder.results import CheckResult
from autograder.sandbox import BUILTIN_FIXTURES, encode_fixtures

# One in-process "worker" per lesson: fixtures (a tokenizer) are built once per kernel.
_WORKERS: dict[str, _worker.Worker] = {}


@dataclass
class CellScore:
    """The checks of one grade cell run in-process.

    Attributes:
        lesson: the lesson id.
        grade_id: the grade cell.
        points: points earned (the sum over its checks).
        max_points: the cell's points.
        checks: one result per check.
    """

    lesson: str
    grade_id: str
    points: float
    max_points: float
    checks: list[CheckResult] = field(default_factory=list)

    def summary(self) -> str:
        """A short report: the points, then each check that lost points and why."""
        return grade_cell_summary(self.grade_id, self.points, self.max_points, self.checks)


class _Overtime(BaseException):
    """Raised by the alarm inside the student's code; a BaseException so that a bare
    ``except Exception`` in the student's code cannot swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (main thread only, where signals arrive)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _worker_for(lesson: Lesson, namespace: dict[str, Any]) -> _worker.Worker:
    worker = _WORKERS.get(lesson.lesson_id)
    if worker is None:
        # The worker's own request handling (fixture expansion, plain-data conversion),
        # so a check sees exactly what it sees through the sandbox; out_fd is never used.
        worker = _worker.Worker({"fixtures": {**BUILTIN_FIXTURES, **lesson.fixtures}}, -1)
        _WORKERS[lesson.lesson_id] = worker
    worker.namespace = namespace
    return worker


def in_process_caller(worker: _worker.Worker, timeout: float) -> Callable[[dict[str, Any]], Any]:
    """A :class:`autograder.api.Student` caller that answers from ``worker.namespace``.

    Arguments are copied through pickle as on the way to the sandbox (the student's code
    cannot change the check's inputs), results are converted to plain data as the worker
    converts them, and the student's exceptions come back as :class:`StudentError`.

    Args:
        worker: the in-process worker (its namespace is the notebook's globals).
        timeout: seconds the student's code may take over all the calls of one check.

    Returns:
        The caller.
    """
    used = [0.0]

    def call(payload: dict[str, Any]) -> Any:
        remaining = timeout - used[0]
        if remaining <= 0:
            raise WorkerTimeout(f"no answer within {timeout:g} s")
        request = pickle.loads(pickle.dumps(encode_fixtures(payload), protocol=4))
        began = time.monotonic()
        try:
            with _time_limit(remaining):
                value = worker.handle(request)["value"]
            return _worker._to_plain(value, [_worker.MAX_ITEMS])
        except _Overtime:
            raise WorkerTimeout(f"no answer within {timeout:g} s") from None
        except _worker.Unconvertible as error:
            raise StudentError(
                type_name="TypeError", message=str(error), kind="unconvertible"
            ) from None
        except (Exception, SystemExit) as error:  # noqa: BLE001 - the student's code raised
            described = _worker._describe(error)
            raise StudentError(
                type_name=described["type"],
                message=described["message"],
                traceback=described["traceback"],
                kind=described["kind"],
            ) from None
        finally:
            used[0] += time.monotonic() - began

    return call


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep what the checks and the student's code print (stdout, stderr, warnings,
    logging) out of the cell's output: stderr there would make nbgrader score 0."""
    sink = io.StringIO()
    original = sys.stderr
    handlers = [
        handler
        for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        if isinstance(logger, logging.Logger)
        for handler in logger.handlers
        if isinstance(handler, logging.StreamHandler) and handler.stream in (original, sys.stdout)
    ]
    moved: list[tuple[logging.StreamHandler, Any]] = []
    for handler in handlers:
        try:
            moved.append((handler, handler.setStream(sink)))
        except AttributeError:  # logging's last-resort handler reads sys.stderr itself
            pass
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        for handler, stream in moved:
            handler.setStream(stream)


def run_cell_checks(lesson: Lesson, grade_id: str, namespace: dict[str, Any]) -> CellScore:
    """Run the checks of ``grade_id`` against ``namespace`` in this process.

    Args:
        lesson: the lesson's checks.
        grade_id: the grade cell.
        namespace: the student's globals.

    Returns:
        The cell's score.

    Raises:
        LessonChecksError: the lesson registers no check for ``grade_id``.
    """
    from autograder.runner import score_check

    checks = [check for check in lesson.checks if check.grade_id == grade_id]
    if not checks:
        raise LessonChecksError(
            f"lesson {lesson.lesson_id!r} has no check for the grade cell {grade_id!r}; "
            f"register one in autograder/lessons/{lesson.lesson_id}.py"
        )
    worker = _worker_for(lesson, namespace)
    results: list[CheckResult] = []
    with _quiet():
        for check in checks:
            student = Student(in_process_caller(worker, check.timeout))
            results.append(score_check(check, lesson, student))
    return CellScore(
        lesson=lesson.lesson_id,
        grade_id=grade_id,
        points=round(sum(r.points for r in results), 4),
        max_points=round(sum(c.points for c in checks), 4),
        checks=results,
    )


def score_cell(lesson_id: str, grade_id: str, namespace: dict[str, Any]) -> float:
    """The hidden-test call: score one grade cell with the lesson's checks.

    Args:
        lesson_id: the lesson (``"05_ner"``).
        grade_id: the grade cell holding this call.
        namespace: the notebook's globals (pass ``globals()``).

    Returns:
        The points earned, for the cell's last expression (nbgrader's partial credit).
    """
    from autograder.lessons_loader import load_lesson

    score = run_cell_checks(load_lesson(lesson_id), grade_id, namespace)
    print(score.summary())
    return score.points
