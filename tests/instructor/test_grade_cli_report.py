"""The grade verb's report, --canvas, --moodle and --regrade options, end to end."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _autograder_testing import CHECKS, SOLUTIONS, TOY, TOY_SOLUTION, copy_as

pytestmark = pytest.mark.slow


def test_grade_writes_report_and_exports_and_regrades(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import autograder.batch as batch
    from autograder.lessons_loader import load_lesson
    from courseops.cli import main

    monkeypatch.setattr(
        batch,
        "load_lesson",
        lambda lesson_id, **kw: load_lesson(lesson_id, checks_dir=CHECKS, solutions_dir=SOLUTIONS),
    )
    folder = tmp_path / "plain"
    copy_as(TOY_SOLUTION, folder, "erin")
    out = tmp_path / "out"
    args = ["grade", str(folder), "--out", str(out), "--lesson", TOY, "--no-progress"]
    assert main([*args, "--canvas", "--moodle", "--canvas-assignment", f"{TOY}=99"]) == 0
    printed = capsys.readouterr().out
    assert f"report: {out / 'batch_report.html'}" in printed
    assert "canvas.csv: 1 student(s)" in printed and "moodle.csv: 1 student(s)" in printed
    assert (out / "batch_report.html").is_file() and (out / "batch_report.csv").is_file()
    canvas = list(csv.reader((out / "canvas.csv").open()))
    assert canvas[0][5:] == [f"{TOY} (99)"] and canvas[1][5:] == ["6"]
    assert canvas[2] == ["erin", "", "", "erin", "", "6"]
    moodle = list(csv.reader((out / "moodle.csv").open()))
    assert moodle == [["First name", "Last name", "ID number", "Email address", f"{TOY} (Real)"],
                      ["", "", "erin", "", "6"]]  # fmt: skip
    assert main([*args, "--regrade"]) == 0
    assert "regrade: 0 graded again, 1 unchanged (kept), 0 moved" in capsys.readouterr().out
    assert main([*args, "--canvas", "--canvas-assignment", "oops"]) == 2
    assert "LESSON=ID" in capsys.readouterr().err
