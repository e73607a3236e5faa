"""The student bundle: what students get holds no answer, and the check would see one."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from autograder.course_layout import RELEASE_DIR, SOLUTIONS_DIR
from autograder.exceptions import ReleaseError
from courseops.student_bundle import build_student_bundle, find_answers

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory):
    return build_student_bundle(folder=tmp_path_factory.mktemp("bundle") / "students")


def test_the_bundle_holds_what_a_student_needs(bundle) -> None:
    files = set(bundle.files)
    lessons = {p.parent.name for p in RELEASE_DIR.glob("*/*.ipynb")}
    assert {f"notebooks/{lesson}/{lesson}.ipynb" for lesson in lessons} <= files
    assert {"README.md", "requirements.txt", "environment.yml", "constraints.txt"} <= files
    assert {"start-lab.sh", "jupyter/jupyter_server_config.py", "LICENSE"} <= files
    assert f"wheels/{bundle.wheel.name}" in files
    requirements = (bundle.folder / "requirements.txt").read_text()
    assert f"./wheels/{bundle.wheel.name}[lab]" in requirements


def test_the_bundle_and_its_wheel_hold_no_answer_and_no_grader(bundle) -> None:
    assert find_answers(bundle.folder) == []
    for path in bundle.folder.rglob("*"):
        assert not {"solutions", "autograder", "courseops", "tests"} & set(path.parts[-3:])
    with zipfile.ZipFile(bundle.wheel) as wheel:
        names = wheel.namelist()
    assert names and all(n.startswith(("bertcourse/", "bertcourse-")) for n in names)
    config = (bundle.folder / "jupyter" / "jupyter_server_config.py").read_text()
    assert '"nbgrader.server_extensions.formgrader": False' in config


def _solution_regions() -> list[str]:
    regions = []
    for source in sorted(SOLUTIONS_DIR.glob("*/*.ipynb")):
        for cell in json.loads(source.read_text())["cells"]:
            text = "".join(cell["source"])
            if "### BEGIN SOLUTION" in text:
                regions.append(text.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0])
    return regions


def test_the_check_finds_a_planted_solution_answer_key_or_check(tmp_path: Path) -> None:
    # The check must be able to fail: plant each kind of answer and see it found.
    regions = _solution_regions()
    longest = max(regions, key=lambda text: len(text.splitlines()))
    (tmp_path / "copied.py").write_text("def helper(x):\n" + longest)
    key = next(r for r in regions if "ANSWER_Q1" in r).strip().splitlines()[0]
    (tmp_path / "notes.txt").write_text(f"hint: {key}\n")
    (tmp_path / "checks.py").write_text("from autograder import Lesson\n")
    findings = find_answers(tmp_path)
    assert any(f.startswith("copied.py: text of") for f in findings), findings
    assert any(f.startswith("notes.txt: text of") for f in findings), findings
    assert any(f.startswith("checks.py: contains") for f in findings), findings


def test_a_bundle_never_overwrites_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("an instructor's file")
    with pytest.raises(ReleaseError, match="not empty"):
        build_student_bundle(folder=tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "an instructor's file"
