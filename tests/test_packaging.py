"""environment.yml (conda users) and pyproject.toml (pip users) describe the same install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_lists_what_pyproject_needs():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"]}
    lines = (REPO / "environment.yml").read_text().splitlines()
    pip_section = [line.strip()[2:] for line in lines if line.startswith("      - ")]
    listed = {_name(r) for r in pip_section if not r.startswith("-e")}
    assert wanted - listed == set(), "add these to environment.yml"
    assert listed - wanted == set(), "add these to pyproject.toml"


def test_torch_is_pinned_to_the_cpu_wheel_everywhere():
    assert "torch==2.13.0" in (REPO / "constraints.txt").read_text()
    assert "torch==2.13.0" in (REPO / "environment.yml").read_text()


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
