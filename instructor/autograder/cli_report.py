"""The ``--regrade``, ``--canvas`` and ``--moodle`` options of ``bertcourse grade``.

Kept apart from ``autograder/grade_cli.py`` so that the grade verb itself changes by a few lines.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the regrade and LMS export options to the ``grade`` parser."""
    parser.add_argument(
        "--regrade",
        action="store_true",
        help="grade again only what changed since the last run into --out (new or edited "
        "submissions, edited checks, other grader or library versions) and say what moved",
    )
    parser.add_argument(
        "--canvas", action="store_true", help="also write canvas.csv (Canvas gradebook import)"
    )
    parser.add_argument(
        "--moodle", action="store_true", help="also write moodle.csv (Moodle CSV grade import)"
    )
    parser.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        help="student ids -> LMS identities for --canvas/--moodle: a CSV with a 'student' "
        "column and e.g. 'SIS User ID', 'Email address', 'ID number'",
    )
    parser.add_argument(
        "--canvas-assignment",
        action="append",
        default=[],
        metavar="LESSON=ID",
        help="the Canvas assignment id of a lesson (repeatable); without it the import "
        "creates a new assignment",
    )


def write_exports(args: argparse.Namespace) -> list[str]:
    """Write the exports asked for; returns one line per file for the terminal.

    Raises:
        ExportError: an unreadable roster or a malformed ``--canvas-assignment``.
    """
    from autograder.exports import parse_assignment_ids, write_canvas, write_moodle

    written = []
    if args.canvas:
        ids = parse_assignment_ids(args.canvas_assignment)
        written.append(write_canvas(args.out, roster=args.roster, assignment_ids=ids))
    if args.moodle:
        written.append(write_moodle(args.out, roster=args.roster))
    lines = []
    for export in written:
        line = f"{export.path.name}: {export.students} student(s) -> {export.path}"
        if export.blank:
            line += "; left blank (not gradable): " + ", ".join(f"{s}/{g}" for s, g in export.blank)
        lines.append(line)
    return lines
