"""The ``grade`` and ``release`` verbs of the ``bertcourse`` command.

``courseops/cli.py`` adds the arguments with :func:`add_grade_arguments` /
:func:`add_release_arguments` and calls :func:`grade_main` / :func:`release_main`.
``python -m autograder grade ...`` works too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder.cli_report import add_report_arguments, write_exports
from autograder.exceptions import AutograderError


def add_grade_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bertcourse grade``."""
    parser.add_argument(
        "submissions",
        type=Path,
        help="nbgrader submitted/<student>/<assignment>/*.ipynb tree, or a folder of notebooks "
        "(one per student, student = file stem)",
    )
    parser.add_argument("--out", type=Path, required=True, help="results folder")
    parser.add_argument("--workers", type=int, default=1, help="notebooks graded in parallel")
    parser.add_argument("--lesson", help="grade only this lesson id (and use it for plain folders)")
    parser.add_argument(
        "--gradebook-db",
        metavar="URL",
        help="also write the scores into this nbgrader gradebook (e.g. sqlite:///gradebook.db)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--unsandboxed",
        action="store_true",
        help="where no OS sandbox (bubblewrap) is available, grade anyway with resource limits "
        "only: for code you trust, never for students' submissions",
    )
    add_report_arguments(parser)


def add_release_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bertcourse release``."""
    parser.add_argument("--lesson", help="release only this lesson id (default: all)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite files in notebooks/ that have uncommitted manual changes",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="also record the assignments in this nbgrader gradebook (default: a throw-away one)",
    )


def grade_main(args: argparse.Namespace) -> int:
    """Run ``bertcourse grade``; returns the exit status (1 if any notebook is ungradable)."""
    from autograder.batch import grade_submissions

    try:
        batch = grade_submissions(
            submissions=args.submissions,
            out_dir=args.out,
            workers=args.workers,
            lesson=args.lesson,
            progress=not args.no_progress,
            unsandboxed=args.unsandboxed,
            regrade=args.regrade,
        )
        if args.gradebook_db:
            from autograder.nbgrader_gradebook import write_scores

            for warning in write_scores(batch.results, db_url=args.gradebook_db):
                print(f"warning: {warning}", file=sys.stderr)
        exports = write_exports(args)
    except AutograderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for result in batch.results:
        print(
            f"{result.student:<24} {result.notebook:<28} {result.total:g} / {result.max_points:g}"
            + ("" if result.status == "graded" else f"  [{result.status}]")
        )
    print(f"gradebook: {batch.gradebook}  feedback: {args.out / 'feedback'}")
    print(f"report: {batch.report}")
    for line in exports:
        print(line)
    if batch.regrade is not None:
        print(batch.regrade.summary())
    return 1 if any(r.status != "graded" for r in batch.results) else 0


def release_main(args: argparse.Namespace) -> int:
    """Run ``bertcourse release``; returns the exit status."""
    from autograder.release import release

    try:
        result = release(lesson=args.lesson, force=args.force, db_url=args.db)
    except AutograderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"released {len(result.lessons)} lesson(s): {', '.join(result.lessons) or 'none'}")
    for name in result.changed:
        print(f"  wrote   {name}")
    for name in result.removed:
        print(f"  removed {name}")
    if not result.changed and not result.removed:
        print("  notebooks/ was already up to date")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m autograder grade|release ...``."""
    parser = argparse.ArgumentParser(prog="python -m autograder")
    verbs = parser.add_subparsers(dest="verb", required=True)
    add_grade_arguments(verbs.add_parser("grade", help="grade a folder of submissions"))
    add_release_arguments(verbs.add_parser("release", help="generate notebooks/ with nbgrader"))
    args = parser.parse_args(argv)
    return grade_main(args) if args.verb == "grade" else release_main(args)
