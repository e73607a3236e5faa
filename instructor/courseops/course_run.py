"""The course's main job: build the release, run every lesson, grade the solutions, report.

This is what the README's first command runs. Each stage is skipped with a note when
the part of the course it needs is absent, so the job always reports what exists.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from bertcourse.config import AUTOMATED_MODE
from courseops.notebook_exec import (
    RELEASE_DIR,
    SOLUTIONS_DIR,
    NotebookRun,
    execute_notebook,
    lesson_notebooks,
)


@dataclass
class CourseReport:
    """What the main job did.

    Attributes:
        release: one line on the student release (``notebooks/``) against ``solutions/``.
        runs: each solution notebook executed in fast mode.
        grades: per lesson, ``(points, max_points)`` of the solution notebook.
        notes: stages skipped, and why.
        seconds: wall time of the whole job.
    """

    release: str = ""
    runs: list[NotebookRun] = field(default_factory=list)
    grades: dict[str, tuple[float, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        full_marks = all(points == maximum for points, maximum in self.grades.values())
        return bool(self.runs) and all(run.ok for run in self.runs) and full_marks

    def render(self) -> str:
        lines = ["", "== bertcourse run =="]
        if self.release:
            lines.append(f"release: {self.release}")
        lines.append(f"{'lesson':<28} {'ran':<5} {'seconds':>8} {'peak MiB':>9} {'grade':>10}")
        for run in self.runs:
            points = self.grades.get(run.lesson)
            grade = f"{points[0]:g}/{points[1]:g}" if points else "-"
            status = "ok" if run.ok else "FAIL"
            lines.append(
                f"{run.lesson:<28} {status:<5} {run.seconds:>8.1f} {run.peak_rss_mb:>9.0f} "
                f"{grade:>10}"
            )
            if run.error:
                lines.append(f"    error: {run.error[:300]}")
        lines.extend(f"note: {note}" for note in self.notes)
        total = sum(run.seconds for run in self.runs)
        lines.append(f"lessons: {total:.0f} s in all; whole job {self.seconds:.0f} s")
        lines.append("result: " + ("OK" if self.ok else "FAILED"))
        return "\n".join(lines)


def _check_release(report: CourseReport, notebooks: list[Path]) -> None:
    from autograder.consistency import release_differences

    differences: list[str] = []
    for notebook in notebooks:
        differences += release_differences(
            notebook.stem, solutions_dir=SOLUTIONS_DIR, notebooks_dir=RELEASE_DIR
        )
    report.release = (
        f"notebooks/ is what nbgrader generates from solutions/ ({len(notebooks)} lessons)"
        if not differences
        else "notebooks/ differs from a fresh nbgrader release: "
        + "; ".join(differences[:3])
        + " (run `bertcourse release`)"
    )


def _grade_solutions(report: CourseReport, notebooks: list[Path]) -> None:
    from autograder.lessons_loader import available_lessons, load_lesson
    from autograder.runner import grade_notebook
    from autograder.sandbox import default_isolation

    graded = set(available_lessons())
    for notebook in notebooks:
        if notebook.stem not in graded:
            report.notes.append(f"{notebook.stem}: no autograder checks yet, not graded")
            continue
        # The course's own solutions: trusted, graded without the OS sandbox where none exists.
        result = grade_notebook(
            path=notebook,
            lesson=load_lesson(notebook.stem),
            student="solution",
            isolation=default_isolation(trusted=True),
        )
        report.grades[notebook.stem] = (result.total, result.max_points)


def run_course(
    *,
    lessons: list[str] | None = None,
    output_dir: str | Path = "course_outputs",
    grade: bool = True,
) -> CourseReport:
    """Build the release, execute the solution notebooks in fast mode, grade them.

    Args:
        lessons: lesson ids to run; ``None`` runs all of them in order.
        output_dir: folder for the executed notebooks (created).
        grade: grade each solution notebook with the autograder.

    Returns:
        A :class:`CourseReport`; ``report.render()`` is the printed summary.
    """
    from tqdm.auto import tqdm

    start = time.perf_counter()
    report = CourseReport()
    output = Path(output_dir)
    notebooks = lesson_notebooks(SOLUTIONS_DIR, lessons)
    _check_release(report, notebooks)
    if not notebooks:
        report.notes.append(f"no lesson notebooks under {SOLUTIONS_DIR}")
    # The automated mode unless the caller chose otherwise: this job must fit a laptop CPU.
    env = {"BERTCOURSE_MODE": os.environ.get("BERTCOURSE_MODE", AUTOMATED_MODE)}
    for notebook in tqdm(notebooks, desc="lessons", unit="lesson"):
        run = execute_notebook(notebook, output_dir=output / "executed", env=env)
        report.runs.append(run)
        tqdm.write(f"{run.lesson}: {'ok' if run.ok else 'FAILED'} in {run.seconds:.0f} s")
    if grade:
        _grade_solutions(report, notebooks)
    report.seconds = time.perf_counter() - start
    return report
