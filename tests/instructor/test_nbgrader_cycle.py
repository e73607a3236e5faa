"""nbgrader's own cycle on real lessons of the course (issue 17).

generate_assignment -> release_assignment -> students fetch and submit (an exchange in
a temp folder) -> collect -> autograde -> generate_feedback -> export, on lesson 02
(no training) and lesson 05 (fine-tunes a tagger and saves it), with the course's
``nbgrader_config.py``. alice submits the reference solutions, bob the blank release.

Checks: nbgrader's commands succeed with the course's config (course_id set), autograde
runs pinned (fast mode, offline) with per-student artifacts, the autograded notebooks
formgrader opens exist, feedback holds no hidden test, and export has the scores.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.lessons_loader import REPO_ROOT

pytestmark = pytest.mark.slow

LESSONS = ("02_zero_shot", "05_ner")
COURSE_ID = "bertcourse"


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    process = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return process.stdout + process.stderr


def instructor(course: Path, exchange: Path, *args: str) -> str:
    # cwd=REPO_ROOT so the course's nbgrader_config.py (under test) is the one loaded.
    return _run(
        [*args, f"--CourseDirectory.root={course}", f"--Exchange.root={exchange}"], cwd=REPO_ROOT
    )


def student(name: str, home: Path, exchange: Path, *args: str) -> str:
    # nbgrader names the submitting student after the login; on JupyterHub each student
    # has their own. Here one login plays both, so the id is given explicitly.
    home.mkdir(parents=True, exist_ok=True)
    options = [f"--course={COURSE_ID}", f"--Exchange.root={exchange}"]
    options += [f"--CourseDirectory.root={home}", f"--student={name}"]
    return _run([*args, *options], cwd=home)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cycle")
    course, exchange = root / "course", root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    for lesson in LESSONS:
        shutil.copytree(REPO_ROOT / "solutions" / lesson, course / "solutions" / lesson)
        instructor(course, exchange, "generate_assignment", lesson, "--force")
        instructor(course, exchange, "release_assignment", lesson, "--force")
    for name in ("alice", "bob"):
        home = root / name
        for lesson in LESSONS if name == "alice" else LESSONS[:1]:
            student(name, home, exchange, "fetch_assignment", lesson)
            fetched = home / lesson / f"{lesson}.ipynb"
            assert fetched.is_file()
            if name == "alice":  # the reference answers, in the student's notebook
                shutil.copy(course / "solutions" / lesson / f"{lesson}.ipynb", fetched)
            student(name, home, exchange, "submit", lesson)
    for lesson in LESSONS:
        instructor(course, exchange, "collect", lesson)
        # An instructor's shell in full mode, online: autograde must not follow it.
        _run(
            ["autograde", lesson, "--force", f"--CourseDirectory.root={course}"],
            cwd=REPO_ROOT,
            env={"BERTCOURSE_MODE": "full", "BERTCOURSE_OFFLINE": "0"},
        )
        instructor(course, exchange, "generate_feedback", lesson, "--force")
    instructor(course, exchange, "export", "--to", str(root / "grades.csv"))
    return root


def _outputs(notebook: Path) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    texts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            texts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def test_collect_and_autograde_write_the_notebooks_formgrader_opens(cycle: Path) -> None:
    for name, lessons in (("alice", LESSONS), ("bob", LESSONS[:1])):
        for lesson in lessons:
            assert (cycle / "course/submitted" / name / lesson / f"{lesson}.ipynb").is_file()
            assert (cycle / "course/autograded" / name / lesson / f"{lesson}.ipynb").is_file()


def test_autograde_runs_pinned_to_fast_mode_offline(cycle: Path) -> None:
    notebook = cycle / "course/autograded/alice/05_ner/05_ner.ipynb"
    printed = _outputs(notebook)
    assert "mode=fast" in printed and "Hub out of reach" in printed, printed[:2000]


def test_each_student_gets_their_own_artifacts(cycle: Path) -> None:
    saved = cycle / "course/artifacts/alice"
    assert any(saved.rglob("config.json")), sorted(saved.rglob("*"))
    assert not (cycle / "course/artifacts/bob").exists() or not any(
        (cycle / "course/artifacts/bob").rglob("config.json")
    )


def test_feedback_has_no_hidden_tests(cycle: Path) -> None:
    hidden = []
    for lesson in LESSONS:
        source = json.loads((REPO_ROOT / "solutions" / lesson / f"{lesson}.ipynb").read_text())
        for cell in source["cells"]:
            text = "".join(cell["source"])
            if "### BEGIN HIDDEN TESTS" in text:
                block = text.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
                hidden += [line.strip() for line in block.splitlines() if len(line.strip()) > 20]
        page = (cycle / "course/feedback/alice" / lesson / f"{lesson}.html").read_text()
        assert lesson[3:8] in page  # the real feedback page
        leaked = [line for line in hidden if line in page]
        assert not leaked, leaked[:3]
        assert "BEGIN HIDDEN TESTS" not in page


def test_export_has_the_scores(cycle: Path) -> None:
    rows = list(csv.DictReader((cycle / "grades.csv").open()))
    scores = {(row["student_id"], row["assignment"]): float(row["score"]) for row in rows}
    for lesson in LESSONS:
        assert scores["alice", lesson] == float(
            next(r["max_score"] for r in rows if r["assignment"] == lesson)
        ), rows
    assert scores["bob", LESSONS[0]] < scores["alice", LESSONS[0]]
