"""Reproducible grades: provenance in every result, identical regrades, --regrade."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _autograder_testing import CHECKS, HOSTILE, SOLUTIONS, TOY, TOY_SOLUTION, copy_as

from autograder.batch import grade_submissions
from autograder.lessons_loader import load_lesson
from autograder.provenance import (
    Provenance,
    checks_version,
    grader_version,
    library_versions,
    provenance_of,
)
from autograder.sample_batch import with_cells_replaced

pytestmark = pytest.mark.slow

VOLATILE = ("duration_s",)  # timing, and provenance.graded_at: the only fields that may differ


def grade(submissions: Path, out: Path, checks: Path = CHECKS, **kwargs):
    return grade_submissions(
        submissions=submissions,
        out_dir=out,
        checks_dir=checks,
        solutions_dir=SOLUTIONS,
        progress=False,
        **kwargs,
    )


def stable(path: Path) -> dict:
    data = json.loads(path.read_text())
    for key in VOLATILE:
        data.pop(key)
    data["provenance"].pop("graded_at")
    return data


def wrong_macro_f1(target: Path) -> Path:
    """The toy solution with its macro_f1 replaced by the "micro average" mutant."""
    lesson = load_lesson(TOY, checks_dir=CHECKS, solutions_dir=SOLUTIONS)
    micro = next(m for m in lesson.mutants if m.description == "micro instead of macro average")
    return with_cells_replaced(TOY_SOLUTION, target, {"macro_f1": micro.source})


@pytest.fixture
def submitted(tmp_path: Path) -> Path:
    folder = tmp_path / "submitted"
    copy_as(TOY_SOLUTION, folder / "ann" / TOY, TOY)
    wrong_macro_f1(folder / "bob" / TOY / f"{TOY}.ipynb")
    copy_as(HOSTILE / "corrupted_json.ipynb", folder / "cyd" / TOY, TOY)
    return folder


def test_provenance_names_what_produced_the_grade(tmp_path: Path) -> None:
    lesson = load_lesson(TOY, checks_dir=CHECKS, solutions_dir=SOLUTIONS)
    now = provenance_of(TOY_SOLUTION, lesson)
    assert len(now.submission_sha256) == 64 and len(now.checks_sha256) == 64
    assert now.grader_sha256 == grader_version()
    assert now.libraries == library_versions() and "numpy" in now.libraries
    assert now.seeds == {c.name: c.seed for c in lesson.checks}
    # The checks' version follows the check module's bytes.
    copy = tmp_path / "checks"
    shutil.copytree(CHECKS, copy)
    edited = copy / f"{TOY}.py"
    edited.write_text(edited.read_text() + "\n# a comment changes the version\n")
    other = load_lesson(TOY, checks_dir=copy, solutions_dir=SOLUTIONS)
    assert checks_version(other) != checks_version(lesson)
    assert Provenance(**now.to_dict()).key() == now.key()


def test_grading_twice_writes_identical_result_files(submitted: Path, tmp_path: Path) -> None:
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    grade(submitted, out_a)
    grade(submitted, out_b)
    files = sorted(p.relative_to(out_a) for p in out_a.glob("*/*.json"))
    assert len(files) == 3
    for name in files:
        assert stable(out_a / name) == stable(out_b / name), name
    for name in ("gradebook.csv", "batch_report.csv"):
        assert (out_a / name).read_text() == (out_b / name).read_text()
    for name in sorted((out_a / "feedback").iterdir()):
        assert name.read_text() == (out_b / "feedback" / name.name).read_text()
    bob = json.loads((out_a / "bob" / f"{TOY}.json").read_text())
    assert 0 < bob["total"] < bob["max_points"]
    assert bob["provenance"]["checks_sha256"] and bob["provenance"]["seeds"]


def test_regrade_runs_only_what_changed_and_says_what_moved(
    submitted: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    grade(submitted, out)
    ann_file = out / "ann" / f"{TOY}.json"
    kept_text = ann_file.read_text()

    # Nothing changed: nothing is graded again (the result file is not even rewritten)...
    again = grade(submitted, out, regrade=True)
    assert ann_file.read_text() == kept_text
    assert sorted(again.regrade.unchanged) == [("ann", TOY), ("bob", TOY)]
    # ...except the ungradable notebook, which is always looked at again.
    assert list(again.regrade.regraded) == [("cyd", TOY)]
    assert again.regrade.moved == []
    assert [r.student for r in again.results] == ["ann", "bob", "cyd"]

    # bob fixes his notebook, dan hands one in: only those two are graded.
    copy_as(TOY_SOLUTION, submitted / "bob" / TOY, TOY)
    copy_as(TOY_SOLUTION, submitted / "dan" / TOY, TOY)
    third = grade(submitted, out, regrade=True)
    assert third.regrade.regraded[("bob", TOY)] == "submission"
    assert third.regrade.regraded[("dan", TOY)] == "new submission"
    assert ("ann", TOY) in third.regrade.unchanged
    moved = {(m.student, m.notebook): m for m in third.regrade.moved}
    assert moved[("bob", TOY)].after == 6 and moved[("bob", TOY)].before < 6
    assert "macro_f1_tests" in moved[("bob", TOY)].exercises
    assert moved[("dan", TOY)].before is None
    assert "bob/toy_lesson:" in third.regrade.summary()
    assert ann_file.read_text() == kept_text

    # Edited checks: every submission of the lesson is graded again; no points move.
    checks = tmp_path / "checks"
    shutil.copytree(CHECKS, checks)
    module = checks / f"{TOY}.py"
    module.write_text(module.read_text() + "\n# reworded nothing, but the file changed\n")
    fourth = grade(submitted, out, checks=checks, regrade=True)
    assert fourth.regrade.regraded[("ann", TOY)] == "checks"
    assert fourth.regrade.unchanged == []
    assert fourth.regrade.moved == []
    before, after = json.loads(kept_text), stable(ann_file)
    before.pop("duration_s"), before["provenance"].pop("graded_at")
    assert after["provenance"].pop("checks_sha256") != before["provenance"].pop("checks_sha256")
    assert after == before  # the same points and reasons, from the edited checks
