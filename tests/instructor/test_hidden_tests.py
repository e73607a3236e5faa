"""Hidden tests and the grader's checks are one source (courseops.hidden_tests,
autograder.in_notebook): a hidden region is a call to the lesson's checks, so changing a
check changes the score under nbgrader-style execution and under the course grader."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbgrader.utils import determine_grade

from autograder.api import Lesson
from autograder.consistency import grade_file
from autograder.exceptions import HiddenTestsError, LessonChecksError
from autograder.in_notebook import run_cell_checks, score_cell
from autograder.lessons_loader import REPO_ROOT, load_lesson
from autograder.notebook import plan_cells
from courseops.hidden_tests import (
    BEGIN,
    END,
    convert_lessons,
    convert_notebook,
    convert_source,
    hidden_region,
)

LESSON_ID = "00_quickstart"  # no model is loaded by its checks: fast
CELL = "predicted_labels_tests"


# -- the conversion tool -------------------------------------------------------------------


def test_convert_source_replaces_the_hidden_region_and_keeps_the_visible_tests() -> None:
    source = f"assert f(1) == 2\n{BEGIN}\nassert f(3) == 4\n_x = 1\n{END}"
    converted = convert_source(source, "05_ner", "f_tests")
    assert converted == f"assert f(1) == 2\n{BEGIN}\n{hidden_region('05_ner', 'f_tests')}{END}"
    assert "f(3)" not in converted
    assert convert_source(converted, "05_ner", "f_tests") == converted  # idempotent
    # The call is the cell's last expression: nbgrader reads its value as the score.
    last = ast.parse(converted).body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)


def test_a_test_cell_without_a_hidden_region_gets_one() -> None:
    converted = convert_source("assert f(1) == 2\n", "00_quickstart", "f_tests")
    assert converted.startswith("assert f(1) == 2\n" + BEGIN + "\n")
    assert convert_source(converted, "00_quickstart", "f_tests") == converted


@pytest.mark.parametrize(
    "source",
    [
        f"{BEGIN}\nassert 1\n{END}\nprint('after')",
        f"{BEGIN}\nassert 1\n{END}\n{BEGIN}\nassert 2\n{END}",
        f"{BEGIN}\nassert 1\n",
        f"if True:\n    {BEGIN}\n    assert 1\n    {END}",
    ],
    ids=["code-after", "two-regions", "no-end", "indented"],
)
def test_cells_that_cannot_be_converted_fail_naming_the_cell(source: str) -> None:
    with pytest.raises(HiddenTestsError, match=r"lesson 05_ner, cell 'f_tests'"):
        convert_source(source, "05_ner", "f_tests")


def test_convert_notebook_changes_only_the_test_cells_sources(tmp_path: Path) -> None:
    original = REPO_ROOT / "solutions" / LESSON_ID / f"{LESSON_ID}.ipynb"
    notebook = json.loads(original.read_text())
    for cell in notebook["cells"]:  # the form before the conversion: asserts of its own
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == CELL:
            text = "".join(cell["source"])
            text = text.replace(hidden_region(LESSON_ID, CELL), "assert True  # old test\n")
            cell["source"] = text.splitlines(keepends=True)
    path = tmp_path / f"{LESSON_ID}.ipynb"
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    result = convert_notebook(path, LESSON_ID)
    assert result.changed == [CELL]
    assert path.read_text() == original.read_text()  # byte for byte the converted repository
    assert convert_notebook(path, LESSON_ID).changed == []


def test_every_source_notebook_is_converted() -> None:
    """Re-run `bertcourse hidden-tests` after adding or changing a test cell."""
    stale = {str(r.notebook): r.changed for r in convert_lessons(check=True) if r.changed}
    assert stale == {}


# -- one source: a change to a check changes both graders ---------------------------------


def _namespace(lesson: Lesson) -> dict[str, Any]:
    """The notebook's globals after its solution cells, as the kernel would hold them."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    plan = plan_cells(lesson.reference, lesson, reference=lesson.reference)
    for _label, source in plan.cells:
        exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


def _nbgrader_points(lesson: Lesson, grade_id: str, namespace: dict[str, Any]) -> float:
    """Run the source notebook's test cell as a kernel would and grade it as nbgrader does."""
    cell = next(c for c in lesson.reference if c.grade_id == grade_id)
    tree = ast.parse(cell.source)
    outputs = []
    try:
        *body, last = tree.body
        exec(compile(ast.Module(body=body, type_ignores=[]), "<cell>", "exec"), namespace)
        if isinstance(last, ast.Expr):
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
            outputs.append(
                nbformat.v4.new_output(
                    "execute_result", data={"text/plain": repr(value)}, execution_count=1
                )
            )
        else:
            exec(compile(ast.Module(body=[last], type_ignores=[]), "<cell>", "exec"), namespace)
    except Exception as error:  # noqa: BLE001 - a failing cell is an error output
        outputs.append(nbformat.v4.new_output("error", ename=type(error).__name__, evalue=""))
    node = nbformat.v4.new_code_cell(cell.source, outputs=outputs)
    node.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": grade_id,
        "points": cell.points,
    }
    points, _ = determine_grade(node)
    return float(points)


def _course_grader_points(lesson: Lesson, grade_id: str) -> float:
    assert lesson.source_notebook is not None
    result = grade_file(lesson, lesson.source_notebook)
    return next(e.points for e in result.exercises if e.grade_id == grade_id)


def test_a_changed_check_changes_the_hidden_test_and_the_course_grader(monkeypatch) -> None:
    lesson = load_lesson(LESSON_ID)  # the cached object score_cell() loads too
    namespace = _namespace(lesson)
    assert _nbgrader_points(lesson, CELL, namespace) == 1.0
    assert _course_grader_points(lesson, CELL) == 1.0

    def stricter(student):
        """A check that now wants something the solution does not give."""
        raise AssertionError("the check changed")

    index, check = next(
        (i, c) for i, c in enumerate(lesson.checks) if c.name == "argmax_of_each_row"
    )
    changed = [*lesson.checks]
    changed[index] = dataclasses.replace(check, function=stricter)
    monkeypatch.setattr(lesson, "checks", changed)

    assert _nbgrader_points(lesson, CELL, namespace) == 1.0 - check.points
    assert _course_grader_points(lesson, CELL) == 1.0 - check.points


def test_score_cell_prints_a_summary_to_stdout_never_to_stderr(capfd) -> None:
    lesson = load_lesson(LESSON_ID)
    namespace = _namespace(lesson)
    namespace["predicted_labels"] = lambda logits: __import__("sys").stderr.write("noise") or [0]
    assert score_cell(LESSON_ID, CELL, namespace) == 0.0
    out, err = capfd.readouterr()
    assert err == ""
    assert out.startswith(f"{CELL}: 0 of 1 points")
    assert "Traceback" not in out and "noise" not in out


def test_score_cell_reports_the_students_exceptions_as_the_grader_does() -> None:
    lesson = load_lesson(LESSON_ID)

    def broken(logits):
        raise ZeroDivisionError("no")

    score = run_cell_checks(lesson, CELL, {"predicted_labels": broken})
    assert score.points == 0.0
    assert "ZeroDivisionError" in score.checks[0].reason


def test_score_cell_names_a_cell_without_checks() -> None:
    with pytest.raises(LessonChecksError, match="no check for the grade cell 'nope'"):
        score_cell(LESSON_ID, "nope", {})
