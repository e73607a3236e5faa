"""A check's time limit counts the student's code only, not the grader's own work."""

from __future__ import annotations

from typing import Any

import pytest

import autograder.runner as runner
from autograder import Lesson


class Clock:
    """A fake ``time.monotonic`` that moves only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeSandbox:
    """Answers every request after ``cost`` seconds of the fake clock; records the timeouts."""

    alive = True

    def __init__(self, clock: Clock, cost: float) -> None:
        self.clock, self.cost, self.timeouts = clock, cost, []

    def request(self, payload: dict[str, Any], timeout: float) -> Any:
        self.timeouts.append(round(timeout, 6))
        if self.cost > timeout:
            self.clock.now += timeout
            raise runner.WorkerTimeout("no answer")
        self.clock.now += self.cost
        return 1


def run(monkeypatch: pytest.MonkeyPatch, *, cost: float, grader_seconds: float):
    clock = Clock()
    monkeypatch.setattr(runner.time, "monotonic", clock)
    lesson = Lesson("demo")

    @lesson.check("ex_tests", points=1, timeout=1)
    def three_calls(student):
        for _ in range(3):
            clock.now += grader_seconds  # the grader's own reference work
            assert student.f() == 1

    sandbox = FakeSandbox(clock, cost)
    session = runner._Session(sandbox, cell_timeout=10)  # type: ignore[arg-type]
    return runner._run_check(lesson.checks[0], lesson, session), sandbox


def test_slow_grader_side_work_does_not_time_the_student_out(monkeypatch) -> None:
    result, sandbox = run(monkeypatch, cost=0.1, grader_seconds=5)
    assert result.passed, result.reason
    assert sandbox.timeouts == [1.0, 0.9, 0.8]  # what the student's calls used, no more


def test_the_students_own_time_still_runs_out(monkeypatch) -> None:
    result, sandbox = run(monkeypatch, cost=0.45, grader_seconds=0)
    assert result.points == 0 and result.reason.startswith("timed out after 1 s")
    assert sandbox.timeouts == [1.0, 0.55, 0.1]
