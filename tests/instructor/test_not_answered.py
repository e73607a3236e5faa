"""An unanswered concept question is graded "not answered yet", not "wrong result"."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import grade_notebook, load_lesson

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_release_concept_check_reads_not_answered_yet_and_a_wrong_letter_reads_wrong(
    tmp_path: Path,
) -> None:
    import nbformat

    lesson = load_lesson("00_quickstart")
    release = REPO / "notebooks" / "00_quickstart" / "00_quickstart.ipynb"
    blank = grade_notebook(path=release, lesson=lesson, student="blank")
    check = next(
        c for e in blank.exercises if e.grade_id == "answer_padding_tests" for c in e.checks
    )
    assert check.points == 0 and check.reason.startswith("not answered yet"), check.reason

    nb = nbformat.read(release, as_version=4)
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_padding"
    )
    cell.source = 'ANSWER_PADDING = "a"'
    wrong = tmp_path / "wrong.ipynb"
    nbformat.write(nb, wrong)
    graded = grade_notebook(path=wrong, lesson=lesson, student="wrong")
    check = next(
        c for e in graded.exercises if e.grade_id == "answer_padding_tests" for c in e.checks
    )
    assert check.points == 0 and check.reason == "wrong result"
