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
        help="also grade into this nbgrader course's gradebook (e.g. sqlite:///gradebook.db): "
        "each exercise's score, the submission's rows as nbgrader autograde records them, and "
        "the autograded notebook formgrader opens and `nbgrader generate_feedback` reads "
        "(COURSE/autograded/<student>/<assignment>/<notebook>.ipynb: the submitted notebook "
        "with the grader's result as each grade cell's output, no hidden tests)",
    )
    parser.add_argument(
        "--course-dir",
        type=Path,
        metavar="COURSE",
        help="with --gradebook-db: the nbgrader course root that autograded/ goes into "
        "(default: the folder of a SQLite gradebook, where nbgrader keeps gradebook.db)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="with --gradebook-db: replace autograded notebooks that bertcourse grade did not "
        "write (nbgrader autograde's), and their scores; without it they stop the run",
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

    course_dir = None
    if args.gradebook_db:
        from autograder.nbgrader_gradebook import default_course_dir

        course_dir = (
            args.course_dir.resolve() if args.course_dir else default_course_dir(args.gradebook_db)
        )
        if course_dir is None:
            print(
                "error: --gradebook-db is not a SQLite file: give the nbgrader course root "
                "with --course-dir",
                file=sys.stderr,
            )
            return 2
    elif args.course_dir is not None or args.force:
        print("error: --course-dir and --force go with --gradebook-db", file=sys.stderr)
        return 2
    written = None
    try:
        if course_dir is not None:  # refuse before grading what would be refused after
            _check_course(args, course_dir)
        batch = grade_submissions(
            submissions=args.submissions,
            out_dir=args.out,
            workers=args.workers,
            lesson=args.lesson,
            progress=not args.no_progress,
            unsandboxed=args.unsandboxed,
            regrade=args.regrade,
        )
        if course_dir is not None:
            from autograder.nbgrader_gradebook import write_course

            written = write_course(
                batch.results, db_url=args.gradebook_db, course_dir=course_dir, force=args.force
            )
            for warning in written.warnings:
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
    if written is not None:
        print(
            f"nbgrader: {len(written.autograded)} autograded notebook(s) in "
            f"{course_dir / 'autograded'}, scores in {args.gradebook_db} "
            "(formgrader: Manage Assignments > the assignment's submissions; then "
            "`nbgrader generate_feedback`)"
        )
    for line in exports:
        print(line)
    if batch.regrade is not None:
        print(batch.regrade.summary())
    return 1 if any(r.status != "graded" for r in batch.results) else 0


def _check_course(args: argparse.Namespace, course_dir: Path) -> None:
    """Stop before grading on a missing gradebook or assignment, or an autograded notebook
    that ``bertcourse grade`` did not write (nbgrader layout: the assignment is known)."""
    from autograder.batch import discover
    from autograder.nbgrader_gradebook import check_course

    found = discover(args.submissions, lesson=args.lesson)
    check_course(
        db_url=args.gradebook_db,
        course_dir=course_dir,
        submissions=[(s.student, s.lesson_id, s.notebook, s.path) for s in found if s.lesson_id],
        force=args.force,
    )


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
