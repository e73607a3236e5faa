"""The student's Validate button: the course's jupyter/ settings keep failures short.

JupyterLab's Validate runs nbgrader's Validator in the server, with the settings that
``./course lab`` and the student bundle put on ``JUPYTER_CONFIG_PATH`` (``jupyter/``).
Its dialog shows each failing test cell's error text as it is; IPython's "Minimal"
exception mode (``c.Execute.extra_arguments``) makes that one line: the exception and the
hint of the failing assert. ``nbgrader validate`` is the same Validator on the command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.lessons_loader import REPO_ROOT

pytestmark = pytest.mark.slow

HINT = "f(1) should be 2: double the input"


def _notebook(folder: Path) -> Path:
    """A solution cell and a test cell whose assert fails inside a helper (two frames)."""
    solution = nbformat.v4.new_code_cell("def f(x):\n    return x\n")
    solution.metadata["nbgrader"] = {
        "grade": False, "grade_id": "f", "locked": False, "schema_version": 3,
        "solution": True, "task": False,
    }  # fmt: skip
    test = nbformat.v4.new_code_cell(
        f"def check(value):\n    assert value == 2, {HINT!r}\n\ncheck(f(1))\n"
    )
    test.metadata["nbgrader"] = {
        "grade": True, "grade_id": "f_tests", "locked": True, "points": 1,
        "schema_version": 3, "solution": False, "task": False,
    }  # fmt: skip
    notebook = nbformat.v4.new_notebook(cells=[solution, test])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = folder / "lesson.ipynb"
    nbformat.write(notebook, path)
    return path


def _validate(path: Path, config_path: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_CONFIG")}
    if config_path:
        env["JUPYTER_CONFIG_PATH"] = config_path
    process = subprocess.run(
        [sys.executable, "-m", "nbgrader", "validate", str(path)],
        cwd=REPO_ROOT,  # the course's own nbgrader_config.py is read too, as in ./course lab
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return process.stdout + process.stderr


def test_validate_shows_one_line_per_failure(tmp_path: Path) -> None:
    path = _notebook(tmp_path)
    # Without the course's settings: the full traceback (so the check below can fail).
    plain = _validate(path, None)
    assert HINT in plain and "Traceback (most recent call last)" in plain, plain
    short = _validate(path, str(REPO_ROOT / "jupyter"))
    assert f"AssertionError: {HINT}" in short, short
    assert "Traceback (most recent call last)" not in short, short
    assert "VALIDATION FAILED ON 1 CELL(S)" in short, short
