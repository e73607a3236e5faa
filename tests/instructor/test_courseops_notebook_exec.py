from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from courseops.notebook_exec import execute_notebook, lesson_notebooks


def _write(path, *sources):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), path)
    return path


def test_lesson_notebooks_are_found_in_order(tmp_path):
    for lesson in ("02_b", "01_a"):
        _write(tmp_path / lesson / f"{lesson}.ipynb", "x = 1")
    _write(tmp_path / "01_a" / "scratch.ipynb", "x = 1")  # not the lesson notebook
    assert [p.stem for p in lesson_notebooks(tmp_path)] == ["01_a", "02_b"]


@pytest.mark.slow
def test_execute_notebook_reports_success_memory_and_errors(tmp_path):
    good = _write(tmp_path / "good" / "good.ipynb", "data = bytearray(200 * 2**20)", "print('hi')")
    run = execute_notebook(good, output_dir=tmp_path / "out", timeout=120)
    assert run.ok and run.error == ""
    assert run.peak_rss_mb > 200  # the kernel's 200 MiB allocation is seen
    executed = nbformat.read(run.executed_path, as_version=4)
    assert executed.cells[1].outputs[0]["text"] == "hi\n"

    bad = _write(tmp_path / "bad" / "bad.ipynb", "raise ValueError('broken on purpose')")
    run = execute_notebook(bad, output_dir=tmp_path / "out", timeout=120)
    assert not run.ok and "broken on purpose" in run.error
