"""Course run time: every solution notebook in fast mode, offline; wall time and peak memory.

Each notebook runs headless in its own process (``courseops.notebook_exec.execute_notebook``,
the same runner ``./course run`` uses), in lesson order, so lessons that reuse an earlier
lesson's model find it. By default the run starts from an empty artifacts folder and
without ``BERTCOURSE_DATA_DIR`` (generated data sets), like a fresh clone; ``--data-dir``
uses the real data instead.

Targets: <= 2 min and <= 3 GB per notebook, <= 8 min for the whole course on 2 cores.

Usage::

    python benchmarks/course_runtime.py                      # all lessons
    python benchmarks/course_runtime.py 03_sequence_classification 05_ner
    python benchmarks/course_runtime.py --quick              # 00_quickstart only
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from bertcourse.timing import CELL_TIMEOUT_S
from courseops.bench import describe_machine, format_table, machine_info, write_json
from courseops.notebook_exec import RELEASE_DIR, SOLUTIONS_DIR, execute_notebook, lesson_notebooks

#: Targets on 2 CPU cores.
MAX_SECONDS_EACH = 120
MAX_MB_EACH = 3 * 1024
MAX_SECONDS_TOTAL = 8 * 60


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("lessons", nargs="*", help="lesson ids (default: all, in order)")
    parser.add_argument(
        "--release",
        action="store_true",
        help="run the student release (notebooks/) instead of the solutions",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="a folder of <id>/<id>.ipynb notebooks (default: solutions/, or notebooks/)",
    )
    parser.add_argument(
        "--data-dir", default=None, help="BERTCOURSE_DATA_DIR for the lessons (default: unset)"
    )
    parser.add_argument(
        "--keep-artifacts",
        action="store_true",
        help="use the usual artifacts folder (default: a fresh, empty one, like a new clone)",
    )
    parser.add_argument(
        "--timeout", type=int, default=CELL_TIMEOUT_S, help="seconds allowed per cell"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 00_quickstart only")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    lessons = ["00_quickstart"] if args.quick else args.lessons

    root = args.root or (RELEASE_DIR if args.release else SOLUTIONS_DIR)
    notebooks = lesson_notebooks(root, lessons or None)
    if not notebooks:
        raise SystemExit(f"no lesson notebooks under {root}")
    workdir = Path(tempfile.mkdtemp(prefix="course-runtime-"))
    env = {"BERTCOURSE_MODE": "fast", "BERTCOURSE_OFFLINE": "1", "BERTCOURSE_PROGRESS": "0"}
    if not args.keep_artifacts:
        env["BERTCOURSE_ARTIFACTS"] = str(workdir / "artifacts")
    if args.data_dir:
        env["BERTCOURSE_DATA_DIR"] = str(Path(args.data_dir).resolve())
    elif "BERTCOURSE_DATA_DIR" in os.environ:
        env["BERTCOURSE_DATA_DIR"] = ""  # generated sets, as on a fresh clone

    info = machine_info()
    print(describe_machine(info))
    print(f"notebooks: {root}; executed copies: {workdir / 'executed'}\n", flush=True)
    rows = []
    for notebook in notebooks:
        run = execute_notebook(
            notebook, output_dir=workdir / "executed", timeout=args.timeout, env=env
        )
        row = {
            **asdict(run),
            "within_target": run.ok
            and run.seconds <= MAX_SECONDS_EACH
            and run.peak_rss_mb <= MAX_MB_EACH,
        }
        rows.append(row)
        print(f"{run.lesson}: {'ok' if run.ok else 'FAILED ' + run.error}", flush=True)
    total = sum(row["seconds"] for row in rows)
    table_rows = [
        *rows,
        {
            "lesson": "total",
            "ok": all(row["ok"] for row in rows),
            "seconds": round(total, 1),
            "peak_rss_mb": max(row["peak_rss_mb"] for row in rows),
            "within_target": total <= MAX_SECONDS_TOTAL and all(r["within_target"] for r in rows),
        },
    ]
    print("\n" + describe_machine())
    print(
        f"targets: <= {MAX_SECONDS_EACH} s and <= {MAX_MB_EACH} MiB per notebook, "
        f"<= {MAX_SECONDS_TOTAL} s in all"
    )
    print(
        format_table(
            table_rows, ["lesson", "ok", "seconds", "peak_rss_mb", "within_target"], digits=1
        )
    )
    failures = [row for row in rows if not row["ok"]]
    for row in failures:
        print(f"{row['lesson']} failed: {row['error']} (see {row['executed_path']})")
    if args.json:
        write_json(args.json, {"machine": info, "rows": rows, "total_seconds": total})
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
