"""Batch grading: both folder layouts, idempotent re-runs, gradebook, the CLI verb."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from _autograder_testing import CHECKS, HOSTILE, SOLUTIONS, TOY, TOY_SOLUTION, copy_as

from autograder import SubmissionLayoutError
from autograder.batch import discover, grade_submissions
from autograder.report import write_gradebook

pytestmark = pytest.mark.slow


def grade(submissions: Path, out: Path, **kwargs):
    return grade_submissions(
        submissions=submissions,
        out_dir=out,
        checks_dir=CHECKS,
        solutions_dir=SOLUTIONS,
        progress=False,
        **kwargs,
    )


def test_discover_both_layouts_and_refuse_others(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    copy_as(TOY_SOLUTION, plain, "ann")
    assert [(s.student, s.lesson_id) for s in discover(plain)] == [("ann", None)]
    course = tmp_path / "course"
    copy_as(TOY_SOLUTION, course / "submitted" / "bob" / TOY, TOY)
    copy_as(TOY_SOLUTION, course / "submitted" / "bob" / "other", "other")
    found = discover(course, lesson=TOY)
    assert [(s.student, s.notebook, s.lesson_id) for s in found] == [("bob", TOY, TOY)]
    (tmp_path / "empty").mkdir()
    with pytest.raises(SubmissionLayoutError, match="neither notebooks"):
        discover(tmp_path / "empty")


def test_nbgrader_layout_gradebook_and_idempotent_rerun(tmp_path: Path) -> None:
    submitted = tmp_path / "submitted"
    copy_as(TOY_SOLUTION, submitted / "ann" / TOY, TOY)
    copy_as(HOSTILE / "corrupted_json.ipynb", submitted / "bob" / TOY, TOY)
    out = tmp_path / "results"
    first = grade(submitted, out, workers=2)
    rows = list(csv.DictReader(first.gradebook.open()))
    assert list(rows[0]) == [
        "student",
        "notebook",
        "macro_f1_tests",
        "tokenize_function_tests",
        "n_tokens_tests",
        "total",
        "max",
    ]
    assert [(r["student"], r["total"], r["max"]) for r in rows] == [
        ("ann", "6", "6"),
        ("bob", "0", "6"),
    ]
    before = first.gradebook.read_text()
    ann = json.loads((out / "ann" / f"{TOY}.json").read_text())
    second = grade(submitted, out, workers=1)
    assert second.gradebook.read_text() == before
    again = json.loads((out / "ann" / f"{TOY}.json").read_text())
    ann.pop("duration_s"), again.pop("duration_s")  # timings and the grading time differ
    ann["provenance"].pop("graded_at"), again["provenance"].pop("graded_at")
    assert again == ann
    # The gradebook is rebuilt from the result files alone.
    first.gradebook.unlink()
    assert write_gradebook(out).read_text() == before


def test_a_grade_written_earlier_survives_a_later_failing_batch(tmp_path: Path) -> None:
    out = tmp_path / "results"
    grade(copy_as(TOY_SOLUTION, tmp_path / "a", "ann").parent, out, lesson=TOY)
    grade(copy_as(HOSTILE / "not_a_notebook.ipynb", tmp_path / "b", "bob").parent, out, lesson=TOY)
    rows = {r["student"]: r["total"] for r in csv.DictReader((out / "gradebook.csv").open())}
    assert rows == {"ann": "6", "bob": "0"}
    assert set(p.stem for p in (out / "feedback").glob("*.md")) == {"ann", "bob"}


def test_plain_folder_lesson_is_recognised_and_cli_runs(tmp_path: Path, monkeypatch) -> None:
    import autograder.batch as batch
    from courseops.cli import main

    folder = tmp_path / "plain"
    copy_as(TOY_SOLUTION, folder, "carol")
    monkeypatch.setattr(batch, "available_lessons", lambda checks_dir=None: [TOY])
    monkeypatch.setattr(
        batch,
        "load_lesson",
        lambda lesson_id, **kw: __import__("autograder.lessons_loader").lessons_loader.load_lesson(
            lesson_id, checks_dir=CHECKS, solutions_dir=SOLUTIONS
        ),
    )
    code = main(["grade", str(folder), "--out", str(tmp_path / "out"), "--no-progress"])
    assert code == 0
    result = json.loads((tmp_path / "out" / "carol" / "carol.json").read_text())
    assert result["lesson"] == TOY and result["total"] == 6
    assert main(["grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o2")]) == 2
