"""A synthetic class: submissions made from a lesson's solution, its release and its mutants.

Used to preview the batch report and to test it: each student's notebook is the solution
notebook with zero, one or two solution cells replaced by a registered :class:`Mutant`
(a known wrong variant), or the blank student release, or a notebook that cannot be read.

    python -m autograder.sample_batch 00_quickstart 02_zero_shot -n 20 --out /tmp/class
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.lessons_loader import load_lesson

#: What an unreadable submission contains.
BROKEN = '{"cells": [ this is not json'


@dataclass(frozen=True)
class SampleSubmission:
    """One synthetic submission.

    Attributes:
        student: the student id.
        lesson: the lesson id.
        path: the notebook written.
        kind: ``"solution"``, ``"release"``, ``"broken"`` or the mutants' descriptions.
    """

    student: str
    lesson: str
    path: Path
    kind: str


def with_cells_replaced(source: Path, target: Path, replace: dict[str, str]) -> Path:
    """Copy a notebook, replacing the source of the cells with these grade_ids.

    Args:
        source: the notebook.
        target: where to write the copy.
        replace: grade_id -> new source.

    Returns:
        ``target``.
    """
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in replace:
            cell["source"] = replace[grade_id].strip("\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    return target


def synthesise(
    lessons: Sequence[str],
    folder: Path,
    *,
    n: int,
    checks_dir: Path | None = None,
    solutions_dir: Path | None = None,
    release: bool = True,
) -> list[SampleSubmission]:
    """Write ``n`` submissions per lesson in nbgrader's ``submitted/`` layout under ``folder``.

    Student ``i`` gets, in turn: the solution; the release (blank, if ``release``); each
    mutant alone, one cell after the other; pairs of mutants of different cells; then the
    cycle again. The last student's notebook (when ``n > 2``) cannot be read.

    Args:
        lessons: lesson ids.
        folder: where ``submitted/`` goes.
        n: submissions per lesson.
        checks_dir: folder of check modules (default ``autograder/lessons``).
        solutions_dir: folder of source notebooks (default ``solutions``).
        release: include blank release notebooks (generating them runs nbgrader).

    Returns:
        The submissions written.
    """
    written = []
    for lesson_id in lessons:
        lesson = load_lesson(lesson_id, checks_dir=checks_dir, solutions_dir=solutions_dir)
        if lesson.source_notebook is None:
            raise FileNotFoundError(f"lesson {lesson_id!r} has no source notebook")
        variants: list[tuple[str, dict[str, str] | None]] = [("solution", {})]
        blank: Path | None = None
        if release:
            from autograder.release import generate

            out = generate(
                lessons=[lesson_id],
                solutions_dir=lesson.source_notebook.parent.parent,
                out_dir=folder / "_release",
            )
            blank = out[lesson_id] / f"{lesson_id}.ipynb"
            variants.append(("release", None))
        # One mutant of each cell in turn, so that a small class already spans the exercises.
        by_cell: dict[str, list] = {}
        for mutant in lesson.mutants:
            by_cell.setdefault(mutant.cell, []).append(mutant)
        queues = list(by_cell.values())
        while any(queues):
            for queue in queues:
                if queue:
                    mutant = queue.pop(0)
                    variants.append((mutant.description, {mutant.cell: mutant.source}))
        for a in lesson.mutants:
            for b in lesson.mutants:
                if a.cell < b.cell:
                    variants.append(
                        (f"{a.description} + {b.description}", {a.cell: a.source, b.cell: b.source})
                    )
        for index in range(n):
            student = f"student{index:02d}"
            target = folder / "submitted" / student / lesson_id / f"{lesson_id}.ipynb"
            if index == n - 1 and n > 2:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(BROKEN, encoding="utf-8")
                kind = "broken"
            else:
                kind, replace = variants[index % len(variants)]
                if replace is None:
                    assert blank is not None
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(blank, target)
                else:
                    with_cells_replaced(lesson.source_notebook, target, replace)
            written.append(SampleSubmission(student, lesson_id, target, kind))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m autograder.sample_batch LESSON... -n N --out FOLDER [--grade RESULTS]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="+")
    parser.add_argument("-n", type=int, default=20, help="submissions per lesson")
    parser.add_argument("--out", type=Path, required=True, help="folder for submitted/")
    parser.add_argument("--grade", type=Path, help="also grade them into this results folder")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    for item in synthesise(args.lessons, args.out, n=args.n):
        print(f"{item.student} {item.lesson}: {item.kind}")
    if args.grade:
        from autograder.batch import grade_submissions

        batch = grade_submissions(
            submissions=args.out / "submitted", out_dir=args.grade, workers=args.workers
        )
        print(f"report: {batch.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
