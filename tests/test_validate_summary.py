"""The summary line Validate's dialog gets in JupyterLab (bertcourse.validate_summary)."""

from __future__ import annotations

import json

from bertcourse.validate_summary import add_summary, graded_test_cells, summary_line


def _cell(source: str, grade_id: str, *, grade: bool, solution: bool) -> dict:
    meta = {"grade": grade, "solution": solution, "grade_id": grade_id, "locked": not solution}
    return {"cell_type": "code", "source": source, "metadata": {"nbgrader": meta}}


NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "source": "# Lesson", "metadata": {}},
        _cell("def f():\n    return 1\n", "f", grade=False, solution=True),
        _cell("assert f() == 1\n", "f_tests", grade=True, solution=False),
        _cell("def g():\n    return 2\n", "g", grade=False, solution=True),
        _cell("assert g() == 2\n", "g_tests", grade=True, solution=False),
        _cell("assert ANSWER_Q1\n", "q1", grade=True, solution=False),
    ]
}


def test_test_cells_are_the_graded_code_cells_that_are_not_answers() -> None:
    assert [grade_id for grade_id, _ in graded_test_cells(NOTEBOOK)] == ["f_tests", "g_tests", "q1"]


def test_the_first_failure_starts_with_the_count_and_the_names() -> None:
    failed = [
        {"source": "assert g() == 2", "error": "AssertionError", "raw_error": "AssertionError"},
        {"source": "assert ANSWER_Q1", "error": "NameError: x", "raw_error": "NameError: x"},
    ]
    response = {"success": True, "value": {"failed": failed}}
    answer = add_summary(response, NOTEBOOK)
    first, second = answer["value"]["failed"]
    assert first["error"].startswith("<b>2 of 3 test cells fail: g_tests, q1.")
    assert first["error"].endswith("AssertionError") and first["raw_error"] == "AssertionError"
    assert second == failed[1]
    assert response["value"]["failed"][0]["error"] == "AssertionError", "input left as it was"


def test_answers_without_failures_or_with_errors_are_left_alone() -> None:
    for response in (
        {"success": True, "value": {}},
        {"success": True, "value": {"changed": [{"source": "x"}]}},
        {"success": False, "value": "Traceback ..."},
    ):
        assert add_summary(response, NOTEBOOK) == response


def test_a_json_text_value_is_read_like_the_dialog_reads_it() -> None:
    value = json.dumps({"failed": [{"source": "assert f() == 1", "error": "E"}]})
    answer = add_summary({"success": True, "value": value}, NOTEBOOK)
    assert answer["value"]["failed"][0]["error"].startswith("<b>1 of 3 test cells fails: f_tests.")


def test_the_summary_is_escaped_for_the_dialog_html() -> None:
    failed = [{"source": "assert f() == 1", "error": "E"}]
    notebook = {"cells": [_cell("assert f() == 1", "<f>", grade=True, solution=False)]}
    answer = add_summary({"success": True, "value": {"failed": failed}}, notebook)
    assert "&lt;f&gt;" in answer["value"]["failed"][0]["error"]
    assert summary_line(1, 1, ["a"]).startswith("1 of 1 test cell fails: a.")
