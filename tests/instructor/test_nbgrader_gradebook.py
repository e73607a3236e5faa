"""``bertcourse grade --gradebook-db`` grades into an nbgrader course (issue 17).

A small course in a temporary folder: lesson 00_quickstart (NumPy checks, no model)
released with its gradebook as ``bertcourse release --db`` does; alice answers
``predicted_labels`` and gets the concept question wrong, bob submits the blank release.
``bertcourse grade`` grades them into the gradebook. Then: the autograded notebooks are
where formgrader looks, with the grade cells and the course grader's results and no hidden
test; the gradebook holds the course grader's scores; formgrader's own queries list the
submissions and its page template finds every grade cell; ``nbgrader generate_feedback``
renders them without hidden tests. An autograded notebook ``bertcourse grade`` did not
write is kept unless ``--force``; a manual score survives a regrade.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.lessons_loader import REPO_ROOT
from autograder.nbgrader_gradebook import MARKER, written_by_bertcourse
from autograder.release import generate
from autograder.report import exercise_summary
from autograder.results import NotebookResult

pytestmark = pytest.mark.slow

LESSON = "00_quickstart"
STUDENTS = ("alice", "bob")
GRADE_CELLS = ("predicted_labels_tests", "answer_padding_tests")
TIMESTAMP = "2026-01-05 10:00:00.000000 UTC"  # as `nbgrader collect` writes it
ALICE_ANSWERS = {
    "predicted_labels": "import numpy as np\n\n\ndef predicted_labels(logits):\n"
    "    return np.asarray(logits).argmax(axis=-1)\n",
    "answer_padding": 'ANSWER_PADDING = "a"\n',
}


def _hidden_lines() -> list[str]:
    """Every line of the lesson's hidden-test regions (what must never reach a student)."""
    source = json.loads((REPO_ROOT / "solutions" / LESSON / f"{LESSON}.ipynb").read_text())
    lines = ["BEGIN HIDDEN TESTS"]
    for cell in source["cells"]:
        text = "".join(cell["source"])
        if "### BEGIN HIDDEN TESTS" in text:
            block = text.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            lines += [line.strip() for line in block.splitlines() if len(line.strip()) > 10]
    assert len(lines) > 2
    return lines


def _grade(course: Path, *extra: str) -> int:
    from courseops.cli import main

    db = f"sqlite:///{course / 'gradebook.db'}"
    # --unsandboxed: the submissions are the course's own release and reference answers.
    args = ["grade", str(course / "submitted"), "--out", str(course / "results")]
    return main([*args, "--gradebook-db", db, "--no-progress", "--unsandboxed", *extra])


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    db = f"sqlite:///{root / 'gradebook.db'}"
    release = (
        generate(
            lessons=[LESSON],
            solutions_dir=REPO_ROOT / "solutions",
            out_dir=root / "release",
            db_url=db,
        )[LESSON]
        / f"{LESSON}.ipynb"
    )
    blank = json.loads(release.read_text())
    answered = json.loads(release.read_text())
    for cell in answered["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in ALICE_ANSWERS:
            cell["source"] = ALICE_ANSWERS[grade_id]
    for student, notebook in (("alice", answered), ("bob", blank)):
        folder = root / "submitted" / student / LESSON
        folder.mkdir(parents=True)
        (folder / f"{LESSON}.ipynb").write_text(json.dumps(notebook))
    (root / "submitted" / "alice" / LESSON / "timestamp.txt").write_text(TIMESTAMP)
    assert _grade(root) == 0
    return root


def _result(course: Path, student: str) -> NotebookResult:
    data = json.loads((course / "results" / student / f"{LESSON}.json").read_text())
    return NotebookResult.from_dict(data)


def _autograded(course: Path, student: str) -> Path:
    return course / "autograded" / student / LESSON / f"{LESSON}.ipynb"


def test_the_course_grader_scored_the_submissions(course: Path) -> None:
    alice, bob = _result(course, "alice"), _result(course, "bob")
    assert alice.exercise_points() == {"predicted_labels_tests": 1, "answer_padding_tests": 0}
    assert bob.total == 0 and bob.max_points == alice.max_points == 2


def test_autograded_notebooks_hold_the_grade_cells_and_the_graders_results(
    course: Path,
) -> None:
    import nbformat
    from nbgrader.utils import determine_grade

    for student in STUDENTS:
        path = _autograded(course, student)
        assert path.is_file(), sorted(course.rglob("*.ipynb"))
        assert written_by_bertcourse(path)
        notebook = nbformat.read(path, as_version=4)
        submitted = nbformat.read(course / "submitted" / student / LESSON / path.name, 4)
        result = _result(course, student)
        exercises = {e.grade_id: e for e in result.exercises}
        grade_cells = {
            cell.metadata.nbgrader.grade_id: cell
            for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("grade")
        }
        assert tuple(grade_cells) == GRADE_CELLS
        for grade_id, cell in grade_cells.items():
            original = next(
                c
                for c in submitted.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
            )
            assert cell.source == original.source  # the student's cell, not the gradebook's
            assert cell.metadata.nbgrader.points == original.metadata.nbgrader.points
            printed = "".join(o.get("text", "") for o in cell.outputs)
            assert printed == exercise_summary(exercises[grade_id]) + "\n"
            # nbgrader reads the same score from the notebook as the gradebook holds.
            assert determine_grade(cell)[0] == exercises[grade_id].points
        assert notebook.metadata[MARKER]["points"] == result.total
        text = path.read_text()
        leaked = [line for line in _hidden_lines() if line in text]
        assert not leaked, leaked
    # nbgrader's exchange stamps a submission; the stamp travels on to the feedback.
    stamp = course / "autograded" / "alice" / LESSON / "timestamp.txt"
    assert stamp.read_text() == TIMESTAMP


def test_the_gradebook_holds_the_course_graders_scores(course: Path) -> None:
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in STUDENTS:
            submission = gradebook.find_submission(LESSON, student)
            notebook = gradebook.find_submission_notebook(LESSON, LESSON, student)
            points = _result(course, student).exercise_points()
            assert {g.name: g.auto_score for g in notebook.grades} == points
            assert {g.name: g.score for g in notebook.grades} == points
            assert not any(g.needs_manual_grade for g in notebook.grades)
            assert submission.score == sum(points.values())
        assert gradebook.find_submission(LESSON, "alice").timestamp == parse_utc(TIMESTAMP)
        assert gradebook.find_submission(LESSON, "bob").timestamp is None
        # bob left the solution cells as released: nbgrader's "No response." comment
        comments = gradebook.find_submission_notebook(LESSON, LESSON, "bob").comments
        assert {c.auto_comment for c in comments} == {"No response."}


def test_formgrader_lists_the_submissions_and_finds_their_grade_cells(course: Path) -> None:
    from nbconvert.exporters import HTMLExporter
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    api = NbGraderAPI(coursedir=CourseDirectory(root=str(course)))
    listed = {s["student"]: s for s in api.get_submissions(LESSON)}
    assert {s: (listed[s]["autograded"], listed[s]["score"]) for s in STUDENTS} == {
        "alice": (True, 1.0),
        "bob": (True, 0.0),
    }
    notebooks = {n["student"]: n for n in api.get_notebook_submissions(LESSON, LESSON)}
    assert all(notebooks[s]["index"] is not None for s in STUDENTS)  # formgrader opens it
    # The page SubmissionHandler renders: one score box per grade cell, named by its id,
    # which formgrader's script fills from the gradebook's grade of that name.
    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    resources = {
        "assignment_id": LESSON,
        "notebook_id": LESSON,
        "submission_id": notebooks["alice"]["id"],
        "index": notebooks["alice"]["index"],
        "total": len(notebooks),
        "base_url": "",
        "student": "alice",
        "last_name": None,
        "first_name": None,
        "notebook_path": f"autograded/alice/{LESSON}/{LESSON}.ipynb",
    }
    page, _ = HTMLExporter(config=config).from_filename(
        str(_autograded(course, "alice")), resources=resources
    )
    assert tuple(re.findall(r'<input class="score tabbable" id="([^"]+)"', page)) == GRADE_CELLS
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        graded = gradebook.find_submission_notebook_by_id(notebooks["alice"]["id"])
        assert {g.name for g in graded.grades} == set(GRADE_CELLS)


def test_generate_feedback_shows_the_scores_and_no_hidden_test(course: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_feedback", LESSON, "--force"]
        + [f"--CourseDirectory.root={course}"],
        cwd=REPO_ROOT,  # the course's nbgrader_config.py
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    for student in STUDENTS:
        page = (course / "feedback" / student / LESSON / f"{LESSON}.html").read_text()
        points = _result(course, student).exercise_points()
        total = sum(points.values())
        assert f"{LESSON} (Score: {total:.1f} / 2.0)" in page
        for grade_id in GRADE_CELLS:
            assert f'href="#{grade_id}">Test cell</a> (Score: {points[grade_id]:.1f} / 1.0)' in page
        leaked = [line for line in _hidden_lines() if line in page]
        assert not leaked, leaked
    alice = (course / "feedback" / "alice" / LESSON / f"{LESSON}.html").read_text()
    assert "answer_padding_tests: 0 of 1 points" in alice  # the grader's failure summary


def test_an_autograded_notebook_it_did_not_write_is_kept_without_force(
    course: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from nbgrader.api import Gradebook

    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    theirs = _autograded(copy, "alice")
    os.chmod(theirs, 0o644)
    notebook = json.loads(theirs.read_text())
    del notebook["metadata"][MARKER]  # as `nbgrader autograde` leaves it
    theirs.write_text(json.dumps(notebook))
    before = theirs.read_bytes()
    capsys.readouterr()
    assert _grade(copy) == 2
    error = capsys.readouterr().err
    assert str(theirs) in error and "--force" in error
    assert theirs.read_bytes() == before

    assert _grade(copy, "--force") == 0
    assert written_by_bertcourse(theirs)

    # An instructor's manual score in formgrader survives grading again (ours: no --force).
    db = f"sqlite:///{copy / 'gradebook.db'}"
    with Gradebook(db) as gradebook:
        gradebook.find_grade("predicted_labels_tests", LESSON, LESSON, "alice").manual_score = 0.5
        gradebook.db.commit()
    assert _grade(copy) == 0
    with Gradebook(db) as gradebook:
        grade = gradebook.find_grade("predicted_labels_tests", LESSON, LESSON, "alice")
        assert (grade.auto_score, grade.manual_score, grade.score) == (1, 0.5, 0.5)
        assert grade.needs_manual_grade  # as autograde flags a manual grade for review


def test_without_a_gradebook_nothing_is_graded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from courseops.cli import main

    folder = tmp_path / "submitted" / "ann" / LESSON
    folder.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "notebooks" / LESSON / f"{LESSON}.ipynb", folder)
    out = tmp_path / "results"
    args = ["grade", str(tmp_path / "submitted"), "--out", str(out), "--no-progress"]
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    assert main([*args, "--gradebook-db", db]) == 2
    assert "no nbgrader gradebook" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "gradebook.db").exists()
    assert main([*args, "--course-dir", str(tmp_path)]) == 2
    assert "go with --gradebook-db" in capsys.readouterr().err


def test_plain_folders_map_onto_the_lessons_notebook_and_stray_notebooks_are_skipped(
    course: Path, tmp_path: Path
) -> None:
    from autograder.nbgrader_gradebook import write_course

    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    bob = _result(copy, "bob")
    plain = tmp_path / "plain" / "carol.ipynb"  # a plain folder: student = file stem
    plain.parent.mkdir()
    shutil.copy(copy / "submitted" / "bob" / LESSON / f"{LESSON}.ipynb", plain)
    carol = NotebookResult("carol", "carol", LESSON, str(plain), exercises=bob.exercises)
    stray = copy / "submitted" / "bob" / LESSON / "scratch.ipynb"  # beside bob's lesson
    shutil.copy(plain, stray)
    scratch = NotebookResult("bob", "scratch", LESSON, str(stray), exercises=bob.exercises)
    db = f"sqlite:///{copy / 'gradebook.db'}"
    written = write_course([carol, scratch], db_url=db, course_dir=copy)
    assert written.autograded == [_autograded(copy, "carol")]
    assert written.warnings == [
        f"bob/scratch: assignment {LESSON!r} has no notebook 'scratch' in the gradebook, "
        "not written"
    ]
    assert written_by_bertcourse(_autograded(copy, "bob"))  # bob's own notebook untouched
    assert not (copy / "autograded" / "bob" / LESSON / "scratch.ipynb").exists()
