"""Reading submissions and choosing the cells to run (no sandbox involved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _autograder_testing import HOSTILE, TOY_SOLUTION

from autograder import Lesson, up_to
from autograder.notebook import NotebookUnreadable, grade_cell_points, plan_cells, read_cells


def labels(plan) -> list[str]:
    return [label for label, _ in plan.cells]


def test_solution_plan_runs_setup_then_solution_cells_only(toy_lesson: Lesson) -> None:
    plan = plan_cells(read_cells(TOY_SOLUTION), toy_lesson, reference=toy_lesson.reference)
    assert labels(plan) == ["setup", "macro_f1", "tokenize_function", "n_tokens"]
    assert plan.problems == []
    assert not any("time.sleep" in source for _, source in plan.cells)  # the "training" cell


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing_cell", "`macro_f1` is missing"),
        ("duplicated_cell", "appears 2 times"),
        ("reordered_cells", "different order"),
        ("markdown_cell", "is a Markdown cell"),
    ],
)
def test_cell_problems_are_reported(toy_lesson: Lesson, name: str, message: str) -> None:
    plan = plan_cells(
        read_cells(HOSTILE / f"{name}.ipynb"), toy_lesson, reference=toy_lesson.reference
    )
    assert any(message in problem for problem in plan.problems), plan.problems


def test_reordered_cells_run_in_the_lessons_order(toy_lesson: Lesson) -> None:
    cells = read_cells(HOSTILE / "reordered_cells.ipynb")
    plan = plan_cells(cells, toy_lesson, reference=toy_lesson.reference)
    assert labels(plan) == ["setup", "macro_f1", "tokenize_function", "n_tokens"]


def test_duplicated_cell_runs_both_copies_in_notebook_order(toy_lesson: Lesson) -> None:
    plan = plan_cells(read_cells(HOSTILE / "duplicated_cell.ipynb"), toy_lesson)
    sources = [source for label, source in plan.cells if label == "macro_f1"]
    assert len(sources) == 2 and "return 0.0" in sources[0] and "BEGIN SOLUTION" in sources[1]


def test_replace_swaps_one_solution_cell(toy_lesson: Lesson) -> None:
    plan = plan_cells(read_cells(TOY_SOLUTION), toy_lesson, replace={"macro_f1": "x = 1"})
    assert dict(plan.cells)["macro_f1"] == "x = 1\n"


def test_up_to_runs_student_code_cells_but_not_test_cells(toy_lesson: Lesson) -> None:
    lesson = Lesson("toy_lesson", run=up_to("tokenize_function"))
    plan = plan_cells(read_cells(TOY_SOLUTION), lesson, reference=toy_lesson.reference)
    assert labels(plan) == ["setup", "macro_f1", "tokenize_function"]
    missing = Lesson("toy_lesson", run=up_to("nowhere"))
    plan = plan_cells(read_cells(TOY_SOLUTION), missing)
    assert "macro_f1" in labels(plan) and "where grading stops" in plan.problems[0]


def test_magics_become_python(toy_lesson: Lesson, tmp_path: Path) -> None:
    import json

    notebook = json.loads(TOY_SOLUTION.read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "macro_f1":
            cell["source"] = "%matplotlib inline\n!pip install nothing\n" + "".join(cell["source"])
    path = tmp_path / "magic.ipynb"
    path.write_text(json.dumps(notebook))
    source = dict(plan_cells(read_cells(path), toy_lesson).cells)["macro_f1"]
    compile(source, "cell", "exec")
    assert "get_ipython()" in source


@pytest.mark.parametrize(
    ("name", "message"),
    [("corrupted_json", "not valid JSON"), ("not_a_notebook", "not a Jupyter notebook")],
)
def test_unreadable_notebooks(name: str, message: str) -> None:
    with pytest.raises(NotebookUnreadable, match=message):
        read_cells(HOSTILE / f"{name}.ipynb")


def test_grade_cell_points() -> None:
    points = grade_cell_points(read_cells(TOY_SOLUTION))
    assert points == {"macro_f1_tests": 3, "tokenize_function_tests": 2, "n_tokens_tests": 1}


def test_what_editors_write_is_read(tmp_path) -> None:
    cell = {"cell_type": "code", "metadata": {}, "source": ["x = 1\r\n", "y = 2\r\n"]}
    notebook = {"nbformat": 4, "nbformat_minor": 1, "metadata": {}, "cells": [cell]}
    text = json.dumps(notebook, indent=1).replace("\n", "\r\n")
    path = tmp_path / "bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert [c.source for c in read_cells(path)] == ["x = 1\ny = 2\n"]
    old = tmp_path / "v3.ipynb"
    old.write_text(json.dumps({"nbformat": 3, "worksheets": [{"cells": []}]}))
    with pytest.raises(NotebookUnreadable, match="old nbformat 3"):
        read_cells(old)
