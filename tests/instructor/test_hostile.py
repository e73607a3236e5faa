"""Every hostile or broken submission ends in a recorded grade with a clear reason.

One batch (2 workers) grades the solution, the release notebook and every notebook in
resources/hostile/ (see make_notebooks.py for what each does); the tests then read it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _autograder_testing import CHECKS, HOSTILE, SOLUTIONS, TOY, TOY_SOLUTION, copy_as

from autograder.batch import grade_submissions
from autograder.os_sandbox import os_sandbox_problem
from autograder.results import BatchResult, NotebookResult

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os_sandbox_problem() is not None, reason=f"no OS sandbox here: {os_sandbox_problem()}"
    ),
]

SENTINEL = '{"note": "written before the batch; must survive"}\n'


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, toy_release: Path) -> BatchResult:
    submissions = tmp_path_factory.mktemp("submissions")
    for path in sorted(HOSTILE.glob("*.ipynb")):
        copy_as(path, submissions, path.stem)
    copy_as(TOY_SOLUTION, submissions, "solution")
    copy_as(toy_release, submissions, "release")
    out = tmp_path_factory.mktemp("results") / "autograder-hostile-target"
    (out / "earlier").mkdir(parents=True)
    (out / "earlier" / "sentinel.json").write_text(SENTINEL)
    return grade_submissions(
        submissions=submissions,
        out_dir=out,
        workers=2,
        lesson=TOY,
        checks_dir=CHECKS,
        solutions_dir=SOLUTIONS,
        progress=False,
    )


def result(batch: BatchResult, student: str) -> NotebookResult:
    return next(r for r in batch.results if r.student == student)


def reasons(res: NotebookResult, grade_id: str) -> str:
    exercise = next(e for e in res.exercises if e.grade_id == grade_id)
    return " | ".join(c.reason or "" for c in exercise.checks)


def test_every_submission_has_a_result_file(batch: BatchResult) -> None:
    expected = {p.stem for p in HOSTILE.glob("*.ipynb")} | {"solution", "release"}
    assert {r.student for r in batch.results} == expected
    for student in expected:
        assert (batch.out_dir / student / f"{student}.json").is_file()


def test_solution_full_marks_release_zero(batch: BatchResult) -> None:
    assert result(batch, "solution").total == result(batch, "solution").max_points == 6
    release = result(batch, "release")
    assert release.total == 0 and release.status == "graded"
    assert "not answered yet" in reasons(release, "macro_f1_tests")


# name -> (total, where the reason is, text in it); macro_f1 broken => 3 of 6 points remain.
CASES = {
    "corrupted_json": (0, "problems", "not valid JSON"),
    "not_a_notebook": (0, "problems", "not a Jupyter notebook"),
    "missing_cell": (3, "problems", "`macro_f1` is missing"),
    "duplicated_cell": (6, "problems", "appears 2 times"),
    "reordered_cells": (6, "problems", "different order"),
    "markdown_cell": (3, "problems", "Markdown cell"),
    "syntax_error": (3, "problems", "SyntaxError"),
    "sys_exit": (3, "problems", "sys.exit()"),
    "os_exit_in_call": (3, "macro_f1_tests", "exited with status 3"),
    "infinite_loop_cell": (3, "problems", "did not finish within 20 s"),
    "infinite_loop_call": (3, "macro_f1_tests", "timed out after 10 s"),
    "memory_bomb": (3, "macro_f1_tests", "MemoryError"),
    "memory_bomb_list": (3, "problems", "MemoryError"),
    "monkeypatch_sklearn": (3, "macro_f1_tests", "returned 0.5, expected 0.52"),
    "lying_result": (3, "macro_f1_tests", "returned 0.123"),
    "garbage_result": (3, "macro_f1_tests", "cannot inspect"),
    # In the OS sandbox the grader's files are not in the worker's view at all.
    "read_tests": (3, "macro_f1_tests", "LEAK ['FileNotFoundError']"),
    # Starting a process is allowed (it stays in the sandbox); the answer is still wrong.
    "spawn_process": (3, "macro_f1_tests", "returned 1.0, expected"),
    "overwrite_results": (6, "problems", ""),
    "print_megabytes": (6, "problems", ""),
    "kill_parent": (6, "problems", ""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case(batch: BatchResult, name: str) -> None:
    total, where, text = CASES[name]
    res = result(batch, name)
    assert res.total == total, (res.problems, [reasons(res, e.grade_id) for e in res.exercises])
    haystack = " | ".join(res.problems) if where == "problems" else reasons(res, where)
    assert text in haystack
    if total == 3:  # the other exercises were still graded in full
        assert {e.grade_id: e.points for e in res.exercises if e.grade_id != "macro_f1_tests"} == {
            "tokenize_function_tests": 2,
            "n_tokens_tests": 1,
        }


def test_all_cases_are_covered() -> None:
    assert set(CASES) == {p.stem for p in HOSTILE.glob("*.ipynb")}


def test_results_and_other_files_survive_hostile_code(batch: BatchResult) -> None:
    assert (batch.out_dir / "earlier" / "sentinel.json").read_text() == SENTINEL
    text = batch.gradebook.read_text()
    assert "hacker" not in text and "999" not in text


def test_megabytes_of_output_do_not_reach_the_results(batch: BatchResult) -> None:
    path = batch.out_dir / "print_megabytes" / "print_megabytes.json"
    assert path.stat().st_size < 100_000


def test_feedback_never_shows_hidden_inputs_or_sources(batch: BatchResult) -> None:
    hidden_inputs = ["[0, 0, 3]", "word word", "SECRET-HIDDEN-MARKER", "def macro_f1_random"]
    for student, path in batch.feedback.items():
        text = path.read_text()
        assert "hidden check" in text, student
        for secret in hidden_inputs:
            assert secret not in text, (student, secret)
    solution = batch.feedback["solution"].read_text()
    assert "macro_f1 agrees with scikit-learn on a small example" in solution
    wrong = batch.feedback["lying_result"].read_text()
    assert "❌ hidden check (0 / 0.5): wrong result" in wrong


def test_result_json_round_trips(batch: BatchResult) -> None:
    res = result(batch, "solution")
    data = json.loads((batch.out_dir / "solution" / "solution.json").read_text())
    assert NotebookResult.from_dict(data) == res
