"""solutions/conftest.py: after nbval runs a notebook, its Markdown numbers are checked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _lesson(folder: Path, markdown: str) -> None:
    nb = new_notebook(
        cells=[new_code_cell('print(f"accuracy {0.4123:.3f}")'), new_markdown_cell(markdown)]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    (folder / "toy").mkdir(parents=True)
    nbformat.write(nb, folder / "toy" / "toy.ipynb")


def _pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # tools.md_numbers, as from the repo root
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(folder), "--nbval-lax", "-p", "no:cacheprovider",
         "-q", "-rA", "--rootdir", str(folder)],
        capture_output=True, text=True, env=env, timeout=300, cwd=folder,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("markdown", "passes"),
    [("The run reached 0.41 accuracy.", True), ("The run reached 0.52 accuracy.", False)],
    ids=["printed", "not printed"],
)
def test_a_lesson_fails_on_a_markdown_number_no_output_shows(
    tmp_path: Path, markdown: str, passes: bool
) -> None:
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    shutil.copy(REPO / "solutions" / "conftest.py", solutions / "conftest.py")
    _lesson(solutions, markdown)
    run = _pytest(solutions)
    assert "markdown numbers" in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
    if passes:
        assert run.returncode == 0, run.stdout[-3000:]
    else:
        assert run.returncode == 1, run.stdout[-3000:]
        assert "'0.52' in: The run reached 0.52 accuracy." in run.stdout, run.stdout[-3000:]
