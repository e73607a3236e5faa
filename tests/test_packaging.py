"""The two distributions and their conda files describe the same installs.

``pyproject.toml`` is the student library (``bertcourse``, plus its ``lab`` extra);
``instructor/pyproject.toml`` the instructors' tools. ``environment.yml`` (the student's
conda environment) and ``instructor/environment.yml`` must list the same packages.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower()


def _project(path: Path) -> dict:
    return tomllib.loads(path.read_text())["project"]


def _pip_section(path: Path) -> set[str]:
    lines = path.read_text().splitlines()
    pip_section = [line.strip()[2:] for line in lines if line.startswith("      - ")]
    return {_name(r) for r in pip_section if not r.startswith("-e")}


def test_student_environment_lists_what_the_library_needs():
    project = _project(REPO / "pyproject.toml")
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["lab"]}
    listed = _pip_section(REPO / "environment.yml")
    assert wanted - listed == set(), "add these to environment.yml"
    assert listed - wanted == set(), "add these to pyproject.toml"


def test_instructor_environment_lists_what_the_tools_need():
    project = _project(REPO / "instructor" / "pyproject.toml")
    wanted = {_name(r) for r in project["dependencies"] if _name(r) != "bertcourse"}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"]}
    listed = _pip_section(REPO / "instructor" / "environment.yml") - {"torch"}
    assert wanted - listed == set(), "add these to instructor/environment.yml"
    assert listed - wanted == set(), "add these to instructor/pyproject.toml"


def test_the_student_library_ships_no_grader():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["bertcourse*"]
    assert "scripts" not in project["project"]


def test_torch_is_pinned_to_the_cpu_wheel_everywhere():
    assert "torch==2.13.0" in (REPO / "constraints.txt").read_text()
    assert "torch==2.13.0" in (REPO / "environment.yml").read_text()
    assert "torch==2.13.0" in (REPO / "instructor" / "environment.yml").read_text()


def test_shared_data_is_never_inside_the_repo():
    # The licences of ../shared/data forbid redistribution; only code reaches it.
    tracked = [p for p in REPO.rglob("*") if p.is_file() and ".venv" not in p.parts]
    forbidden = {
        "train.txt",
        "valid.txt",
        "squad-v1.1-part.json",
        "dev_matched-part.jsonl",
        "sst-train.txt",
        "sst-dev.txt",
        "dev.csv",
        "dev.jsonl",
    }
    assert not [p for p in tracked if p.name in forbidden]
