"""Synthetic classes made from a lesson's solution and mutants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _autograder_testing import CHECKS, SOLUTIONS, TOY

from autograder.notebook import NotebookUnreadable, read_cells
from autograder.sample_batch import synthesise


def test_a_class_spans_solution_each_mutant_and_a_broken_notebook(tmp_path: Path) -> None:
    made = synthesise(
        [TOY], tmp_path, n=6, checks_dir=CHECKS, solutions_dir=SOLUTIONS, release=False
    )
    kinds = [m.kind for m in made]
    # One mutant per cell in turn (macro_f1, tokenize_function, n_tokens), then the next.
    assert kinds == [
        "solution",
        "micro instead of macro average",
        "no truncation",
        "special tokens not counted (off by two)",
        "accuracy instead of F1",
        "broken",
    ]
    assert [m.path.relative_to(tmp_path).parts[:3] for m in made][0] == (
        "submitted",
        "student00",
        TOY,
    )
    cells = {c.grade_id: c.source for c in read_cells(made[1].path) if c.grade_id}
    assert 'average="micro"' in cells["macro_f1"]
    assert "BEGIN SOLUTION" in cells["tokenize_function"]  # the other cells untouched
    with pytest.raises(NotebookUnreadable):
        read_cells(made[-1].path)
    assert json.loads(made[0].path.read_text())["cells"]
