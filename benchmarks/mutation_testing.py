"""Mutation testing of the lessons' checks: kill rate per exercise, surviving mutants listed.

Each graded solution cell is mutated one small bug at a time (courseops/mutation.py says
which operators) and graded with the lesson's checks; nothing here is asserted.

    python benchmarks/mutation_testing.py                       # every lesson (about an hour)
    python benchmarks/mutation_testing.py 05_ner --sample 10    # 10 mutants per cell
    python benchmarks/mutation_testing.py --out mutation-report.md
    python benchmarks/mutation_testing.py --in-process          # no sandbox, ~10x faster
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from autograder.course_layout import SOLUTIONS_DIR
from autograder.lessons_loader import available_lessons, load_lesson
from autograder.release import source_lessons
from courseops.bench import describe_machine
from courseops.mutation import mutation_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson ids (default: every lesson)")
    parser.add_argument("--sample", type=int, help="at most this many mutants per cell")
    parser.add_argument("--seed", type=int, default=0, help="seeds the sample")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the solution cells and checks in this process (no sandbox; the course's "
        "own code only): the same scoring, much faster",
    )
    args = parser.parse_args()
    print(describe_machine())
    lessons = args.lessons or sorted(set(available_lessons()) & set(source_lessons(SOLUTIONS_DIR)))
    sections = []
    for lesson_id in lessons:
        started = time.perf_counter()
        report = mutation_report(
            load_lesson(lesson_id),
            sample=args.sample,
            seed=args.seed,
            progress=True,
            in_process=args.in_process,
        )
        text = report.render()
        print(text + f"({time.perf_counter() - started:.0f} s)\n", flush=True)
        sections.append(text)
    if args.out:
        args.out.write_text("# Mutation testing of the checks\n\n" + "\n".join(sections))


if __name__ == "__main__":
    main()
