"""The ``bertcourse`` command: one verb per stage of the course's workflow.

``info``     what is in force and which model and data sources are reachable
``run``      the course's main job: release, run every lesson, grade the solutions, report
``release``  generate ``notebooks/`` from ``solutions/`` with nbgrader
``grade``    grade a folder of submissions
``hidden-tests`` write every hidden-test region as the call to the grader's checks
``prefetch`` fetch the models and data sets a mode needs into a folder, for offline use
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder.grade_cli import (
    add_grade_arguments,
    add_release_arguments,
    grade_main,
    release_main,
)
from bertcourse import __version__
from bertcourse.config import FULL_MODE_MODEL
from bertcourse.prefetch import VARIANT_MODELS

#: The checkpoints the lessons name: full mode's model and lesson 07's variants (one list,
#: shared with ``bertcourse prefetch``).
COURSE_MODELS = (FULL_MODE_MODEL, *VARIANT_MODELS)
COURSE_TASKS = ("yelp_review_full", "sst5", "multi_nli", "snli", "conll2003", "squad")


def _env_note(name: str) -> str:
    value = os.environ.get(name)
    return f"{name}={value}" if value else f"{name} unset"


def info_lines() -> list[str]:
    """What ``bertcourse info`` prints, one line each."""
    from bertcourse.config import settings
    from bertcourse.hub import hub_reachable
    from bertcourse.models import offline_encoder_path, resolve_model

    current = settings()
    budget = current.budget
    hub = hub_reachable()
    lines = [
        f"bertcourse {__version__}",
        f"mode      {current.mode} ({_env_note('BERTCOURSE_MODE')})",
        f"device    {current.device} ({_env_note('BERTCOURSE_DEVICE')})",
        f"offline   {'yes' if current.offline else 'no'} ({_env_note('BERTCOURSE_OFFLINE')})",
        f"seed      {current.seed}",
        f"budget    {budget.n_train} train / {budget.n_eval} eval examples, {budget.epochs} "
        f"epochs, max_length {budget.max_length}, batch {budget.batch_size}",
        f"model     {current.model_name} (lr {current.learning_rate():g})",
        f"Hub       {'reachable' if hub else 'out of reach: offline defaults serve'}",
        f"encoder   packaged offline encoder at {offline_encoder_path()}",
        "models:",
    ]
    for name in COURSE_MODELS:
        source = resolve_model(name)
        where = "packaged offline encoder stands in" if source.substituted else source.describe()
        lines.append(f"  {name:<34} {where}")
    lines.append("data:")
    from bertcourse.data import describe_source

    for task in COURSE_TASKS:
        lines.append(f"  {task:<34} {describe_source(task)}")
    data_dir = current.data_dir
    lines.append(
        f"data dir  {data_dir if data_dir else 'unset'} ({_env_note('BERTCOURSE_DATA_DIR')})"
    )
    from bertcourse.prefetch import cache_lines

    lines += cache_lines()
    return lines


def _cmd_info(args: argparse.Namespace) -> int:
    print("\n".join(info_lines()))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from courseops.course_run import run_course

    report = run_course(lessons=args.lessons or None, output_dir=args.out, grade=not args.no_grade)
    print(report.render())
    return 0 if report.ok else 1


def _cmd_release(args: argparse.Namespace) -> int:
    status = release_main(args)
    if status != 0 or args.student_bundle is None:
        return status
    from autograder.exceptions import ReleaseError
    from courseops.student_bundle import build_student_bundle

    try:
        bundle = build_student_bundle(folder=args.student_bundle, archive=args.zip)
    except ReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"student bundle: {bundle.folder} ({len(bundle.files)} files, wheel {bundle.wheel.name})")
    print("  checked: no solution, hidden test, answer key or grader file in it or its wheel")
    if bundle.archive is not None:
        print(f"  archive: {bundle.archive}")
    return 0


def _cmd_grade(args: argparse.Namespace) -> int:
    return grade_main(args)


def _cmd_hidden_tests(args: argparse.Namespace) -> int:
    from autograder.exceptions import HiddenTestsError
    from courseops.hidden_tests import convert_lessons

    try:
        results = convert_lessons(args.lesson or None, check=args.check)
    except HiddenTestsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for result in results:
        if result.changed:
            verb = "would rewrite" if args.check else "rewrote"
            print(f"{result.notebook}: {verb} {', '.join(result.changed)}")
    stale = [r for r in results if r.changed]
    if not stale:
        print(f"{len(results)} notebooks: every hidden-test region is the standard call")
    elif not args.check:
        print("now regenerate the release: bertcourse release")
    return 1 if args.check and stale else 0


def _cmd_prefetch(args: argparse.Namespace) -> int:
    from bertcourse.prefetch import prefetch

    report = prefetch(args.mode, args.folder)
    print(report.render())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bertcourse", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"bertcourse {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    info = verbs.add_parser("info", help="print the settings and which sources are reachable")
    info.set_defaults(func=_cmd_info)

    run = verbs.add_parser("run", help="release, run every lesson in fast mode, grade, report")
    run.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    run.add_argument("--out", default="course_outputs", help="folder for executed notebooks")
    run.add_argument("--no-grade", action="store_true", help="skip grading the solutions")
    run.set_defaults(func=_cmd_run)

    release = verbs.add_parser("release", help="generate notebooks/ from solutions/ (nbgrader)")
    add_release_arguments(release)
    release.add_argument(
        "--student-bundle",
        metavar="DIR",
        type=Path,
        help="then write what students get into DIR (new or empty): the release notebooks, "
        "the helper wheel, environment files, JupyterLab settings, a student README; it is "
        "checked to hold no answer",
    )
    release.add_argument("--zip", action="store_true", help="also write DIR.zip")
    release.set_defaults(func=_cmd_release)
    grade = verbs.add_parser("grade", help="grade a folder of submissions")
    add_grade_arguments(grade)
    grade.set_defaults(func=_cmd_grade)

    hidden = verbs.add_parser(
        "hidden-tests",
        help="write each hidden-test region of solutions/ as the call to the grader's checks",
    )
    hidden.add_argument("--lesson", action="append", help="lesson id (repeatable; default all)")
    hidden.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a notebook would change"
    )
    hidden.set_defaults(func=_cmd_hidden_tests)

    fetch = verbs.add_parser("prefetch", help="fetch a mode's models and data for offline use")
    fetch.add_argument("folder", help="where to write hub/ (models) and data/ (data sets)")
    fetch.add_argument("--mode", choices=("fast", "full"), default="fast")
    fetch.set_defaults(func=_cmd_prefetch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bertcourse`` command."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
