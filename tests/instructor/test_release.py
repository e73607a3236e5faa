"""Release generation with nbgrader, and the protection of hand-edited release files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _autograder_testing import SOLUTIONS, TOY

from autograder import ReleaseError
from autograder.release import generate, normalised_cells, release

pytestmark = pytest.mark.slow  # nbgrader starts in a subprocess (a few seconds)


def test_generated_notebook_has_no_solutions_or_hidden_tests(toy_release: Path) -> None:
    text = toy_release.read_text()
    assert "BEGIN SOLUTION" not in text and "tp = sum" not in text
    assert "SECRET-HIDDEN-MARKER" not in text and "raise NotImplementedError()" in text
    cells = normalised_cells(toy_release)
    assert [c["nbgrader"].get("grade_id") for c in cells if c["nbgrader"]].count("macro_f1") == 1


def test_release_writes_then_refuses_to_overwrite_manual_edits(tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    first = release(lesson=TOY, solutions_dir=SOLUTIONS, notebooks_dir=notebooks)
    target = notebooks / TOY / f"{TOY}.ipynb"
    assert first.changed and target.is_file()
    again = release(lesson=TOY, solutions_dir=SOLUTIONS, notebooks_dir=notebooks)
    assert again.changed == [] and again.removed == []  # idempotent

    edited = json.loads(target.read_text())
    edited["cells"][0]["source"] = "# my own notes"
    target.write_text(json.dumps(edited))
    with pytest.raises(ReleaseError, match="uncommitted changes"):
        release(lesson=TOY, solutions_dir=SOLUTIONS, notebooks_dir=notebooks)
    assert "my own notes" in target.read_text()  # untouched
    forced = release(lesson=TOY, solutions_dir=SOLUTIONS, notebooks_dir=notebooks, force=True)
    assert forced.changed and "my own notes" not in target.read_text()


def test_unknown_lesson_and_broken_source_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="no lesson 'nope'"):
        release(lesson="nope", solutions_dir=SOLUTIONS, notebooks_dir=tmp_path)
    broken = tmp_path / "solutions"
    shutil.copytree(SOLUTIONS / TOY, broken / TOY)
    notebook = json.loads((broken / TOY / f"{TOY}.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "macro_f1":
            cell["source"] = "def macro_f1():\n    ### BEGIN SOLUTION\n    pass\n"  # no END
    (broken / TOY / f"{TOY}.ipynb").write_text(json.dumps(notebook))
    with pytest.raises(ReleaseError, match="generate_assignment toy_lesson failed"):
        generate(lessons=[TOY], solutions_dir=broken, out_dir=tmp_path / "out")
