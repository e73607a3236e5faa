"""Grade one notebook: run its cells in a sandbox worker, then the lesson's checks."""

from __future__ import annotations

import inspect
import math
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from autograder.api import Check, Lesson, Student
from autograder.counterexample import Score
from autograder.exceptions import (
    NotAnswered,
    SandboxProblem,
    StudentError,
    WorkerCrashed,
    WorkerTimeout,
)
from autograder.notebook import NotebookUnreadable, plan_cells, read_cells
from autograder.results import CheckResult, ExerciseResult, NotebookResult
from autograder.sandbox import Sandbox, SandboxLimits

MAX_RESTARTS = 8  # worker restarts for one notebook before the remaining checks give up


class _Session:
    """A worker plus the cells that ran cleanly, so it can be rebuilt after a crash."""

    def __init__(self, sandbox: Sandbox, cell_timeout: float) -> None:
        self.sandbox = sandbox
        self.cell_timeout = cell_timeout
        self.good: list[tuple[str, str]] = []
        self.restarts = 0

    def run_cells(self, cells: list[tuple[str, str]], problems: list[str]) -> None:
        for label, source in cells:
            try:
                self.sandbox.request(
                    {"op": "exec", "label": label, "source": source}, timeout=self.cell_timeout
                )
                self.good.append((label, source))
            except StudentError as error:
                # The cell's definitions up to the error exist; keep it for replays.
                self.good.append((label, source))
                where = "setup code" if label == "setup" else f"cell `{label}`"
                if error.kind == "exit":
                    problems.append(f"The {where} called sys.exit(); the rest of it did not run.")
                else:
                    problems.append(f"The {where} raised {error.reason[:500]}")
            except WorkerTimeout:
                problems.append(
                    f"The cell `{label}` did not finish within {self.cell_timeout:g} s (an "
                    "infinite loop, or training a model?); it was skipped."
                )
                self.revive()
            except WorkerCrashed as error:
                problems.append(
                    f"The cell `{label}` stopped Python: {error.reason}; it was skipped."
                )
                self.revive()

    def revive(self) -> None:
        """Start a fresh worker and replay the cells that ran cleanly."""
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise WorkerCrashed("the notebook crashed the grader's worker too many times")
        self.sandbox.start()
        for label, source in self.good:
            try:
                self.sandbox.request(
                    {"op": "exec", "label": label, "source": source}, timeout=self.cell_timeout
                )
            except StudentError:
                pass

    def caller(self, timeout: float) -> Any:
        # Only the worker's time counts against the check: rebuilding the worker and the
        # grader's own reference work (loading a tokenizer on a busy machine) must not turn
        # a right answer into a timeout, or the same notebook would grade differently.
        used = [0.0]

        def call(payload: dict[str, Any]) -> Any:
            if not self.sandbox.alive:
                self.revive()
            remaining = timeout - used[0]
            if remaining <= 0:
                raise WorkerTimeout(f"no answer within {timeout:g} s")
            began = time.monotonic()
            try:
                return self.sandbox.request(payload, timeout=remaining)
            finally:
                used[0] += time.monotonic() - began

        return call


def _fraction(value: Any) -> float:
    """A check's return value as the fraction of its points earned."""
    if isinstance(value, Score):
        value = value.fraction
    if value is None or value is True:
        return 1.0
    if value is False:
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return min(1.0, max(0.0, float(value)))
    raise TypeError(f"a check must return None, a bool or a number in [0, 1], not {value!r}")


def _run_check(check: Check, lesson: Lesson, session: _Session) -> CheckResult:
    if not session.sandbox.alive:  # rebuilt before the check's clock starts
        session.revive()
    return score_check(check, lesson, Student(session.caller(check.timeout)))


def score_check(check: Check, lesson: Lesson, student: Student) -> CheckResult:
    """Run one check against a student namespace and turn its outcome into points.

    The one place that decides what a check's outcome is worth: the course grader (a
    sandboxed worker behind ``student``) and the hidden test cells of the source
    notebooks (:mod:`autograder.in_notebook`, the notebook's own globals behind
    ``student``) both call it, so the two cannot score the same answer differently.

    Args:
        check: the registered check.
        lesson: its lesson (the ``lesson`` check parameter).
        student: the proxy the check calls the student's code through.

    Returns:
        The check's result: points, and the reason when it lost points.
    """
    available = {
        "student": student,
        "rng": np.random.default_rng(check.seed),
        "lesson": lesson,
    }
    wanted = inspect.signature(check.function).parameters
    description = "hidden check" if check.hidden else check.description
    result = CheckResult(
        name=check.name,
        description=description,
        points=0.0,
        max_points=check.points,
        hidden=check.hidden,
    )
    try:
        returned = check.function(**{k: available[k] for k in wanted})
        fraction = _fraction(returned)
    except AssertionError as error:
        message = str(error) or "the result is wrong"
        hide = check.hidden and not isinstance(error, NotAnswered)
        result.reason = "wrong result" if hide else message[:1000]
        result.detail = message[:4000]
        return result
    except StudentError as error:
        if error.type_name == "NotImplementedError":
            result.reason = "not answered yet (the cell still raises NotImplementedError)"
        elif check.hidden:
            kind = {"exit": "called sys.exit()", "unconvertible": "returned an unusable value"}
            result.reason = f"your code {kind.get(error.kind, 'raised ' + error.type_name)}"
        else:
            result.reason = f"your code raised {error.reason[:1000]}"
            if error.kind in ("exit", "unconvertible"):
                result.reason = f"your code {error.reason[:1000]}"
        result.detail = f"{error.reason}\n{error.traceback}"[:4000]
        return result
    except WorkerTimeout:
        result.reason = f"timed out after {check.timeout:g} s (an infinite loop, or much too slow?)"
        return result
    except WorkerCrashed as error:
        result.reason = f"crashed: {error.reason}"
        return result
    except Exception as error:  # noqa: BLE001 - garbage results break the check's own code
        kind = type(error).__name__
        result.reason = (
            f"the result could not be checked ({kind})"
            if check.hidden
            else f"the result could not be checked: {kind}: {str(error)[:500]}"
        )
        result.detail = traceback.format_exc()[-4000:]
        return result
    result.points = round(check.points * fraction, 4)
    if fraction < 1.0:
        result.reason = (
            f"partly right ({fraction:.0%} of the cases)"
            if check.hidden
            else f"partly right: {fraction:.0%} of the cases pass"
        )
        if not check.hidden and isinstance(returned, Score) and returned.counterexample:
            result.reason += f"; {returned.counterexample}"
    return result


def grader_paths(lesson: Lesson) -> list[Path]:
    """Folders a worker must never read: source notebooks, tests, git history, the checks."""
    from autograder.course_layout import CHECKS_DIR, REPO_ROOT

    paths = [REPO_ROOT / "solutions", REPO_ROOT / "tests", REPO_ROOT / ".git", CHECKS_DIR]
    if lesson.source_notebook is not None:
        paths.append(lesson.source_notebook.parent)
    if lesson.checks:
        module = inspect.getsourcefile(lesson.checks[0].function)
        if module:
            paths.append(Path(module).parent)
    return paths


def grade_notebook(
    *,
    path: Path,
    lesson: Lesson,
    student: str,
    notebook: str | None = None,
    forbidden: list[Path] | None = None,
    limits: SandboxLimits | None = None,
    replace: dict[str, str] | None = None,
    isolation: str | None = None,
) -> NotebookResult:
    """Grade one submitted notebook with the lesson's checks.

    Args:
        path: the submitted ``.ipynb``.
        lesson: the lesson's checks (from :func:`autograder.load_lesson`).
        student: the student's id.
        notebook: the notebook's name (default: the file stem).
        forbidden: extra paths the worker may not open (submissions, results).
        limits: worker resource limits (default: ``SandboxLimits(memory_mb=lesson.memory_mb)``).
        replace: solution grade_id -> replacement source (mutation testing).
        isolation: ``"os"`` or ``"process"`` (see :class:`autograder.sandbox.Sandbox`);
            ``None``: the OS sandbox, or :class:`SandboxUnavailable` where there is none.

    Returns:
        The notebook's result; never raises for problems of the submission.
    """
    started = time.monotonic()
    exercises_max = lesson.exercises()
    result = NotebookResult(
        student=student,
        notebook=notebook or path.stem,
        lesson=lesson.lesson_id,
        path=str(path),
        max_points=round(sum(exercises_max.values()), 4),
    )
    by_exercise: dict[str, list[CheckResult]] = {g: [] for g in exercises_max}
    try:
        cells = read_cells(path)
    except NotebookUnreadable as error:
        result.problems.append(f"The notebook could not be graded: {error}.")
        result.status = "ungradable"
        for check in lesson.checks:
            by_exercise[check.grade_id].append(
                CheckResult(
                    name=check.name,
                    description="hidden check" if check.hidden else check.description,
                    points=0.0,
                    max_points=check.points,
                    hidden=check.hidden,
                    reason="not run: the notebook could not be read",
                )
            )
        return _finish(result, by_exercise, exercises_max, started)

    plan = plan_cells(cells, lesson, reference=lesson.reference, replace=replace)
    result.problems.extend(plan.problems)
    sandbox = Sandbox(
        fixtures=lesson.fixtures,
        forbidden=[*grader_paths(lesson), *(forbidden or []), path.parent],
        limits=limits or SandboxLimits(memory_mb=lesson.memory_mb),
        isolation=isolation,
    )
    session = _Session(sandbox, lesson.cell_timeout)
    try:
        sandbox.start()
        try:
            session.run_cells(plan.cells, result.problems)
        except SandboxProblem as error:
            result.problems.append(f"Grading stopped early: {error.reason}.")
        for check in lesson.checks:
            if session.restarts > MAX_RESTARTS:
                outcome = CheckResult(
                    name=check.name,
                    description="hidden check" if check.hidden else check.description,
                    points=0.0,
                    max_points=check.points,
                    hidden=check.hidden,
                    reason="not run: the notebook crashed the grader's worker too many times",
                )
            else:
                try:
                    outcome = _run_check(check, lesson, session)
                except SandboxProblem as error:  # the worker could not be rebuilt
                    outcome = CheckResult(
                        name=check.name,
                        description="hidden check" if check.hidden else check.description,
                        points=0.0,
                        max_points=check.points,
                        hidden=check.hidden,
                        reason=f"not run: {error.reason}",
                    )
            by_exercise[check.grade_id].append(outcome)
    finally:
        sandbox.stop()
    return _finish(result, by_exercise, exercises_max, started)


def _finish(
    result: NotebookResult,
    by_exercise: dict[str, list[CheckResult]],
    exercises_max: dict[str, float],
    started: float,
) -> NotebookResult:
    for grade_id, checks in by_exercise.items():
        points = round(sum(c.points for c in checks), 4)
        result.exercises.append(
            ExerciseResult(
                grade_id=grade_id,
                points=points,
                max_points=round(exercises_max[grade_id], 4),
                checks=checks,
            )
        )
    result.total = round(sum(e.points for e in result.exercises), 4)
    result.duration_s = round(time.monotonic() - started, 3)
    return result
