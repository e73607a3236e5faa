"""nbgrader integration: feedback without hidden tests, scores written to the gradebook."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _autograder_testing import RESOURCES

from autograder.exceptions import AutograderError
from autograder.lessons_loader import REPO_ROOT
from autograder.nbgrader_gradebook import write_course
from autograder.results import ExerciseResult, NotebookResult

pytestmark = pytest.mark.slow

COURSE = RESOURCES / "feedback_course"  # a tiny lesson that needs no model
MARKER = "SECRET-HIDDEN-MARKER"


def nbgrader(course: Path, *args: str) -> None:
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"]
    # cwd=REPO_ROOT so the course's nbgrader_config.py (under test) is the one loaded.
    process = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stdout + process.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(COURSE / "solutions", root / "solutions")
    nbgrader(root, "generate_assignment", "fb", "--force")
    submitted = root / "submitted" / "alice" / "fb"
    submitted.mkdir(parents=True)
    # alice submits a wrong answer: the hidden test fails and its traceback quotes it
    text = (root / "notebooks" / "fb" / "fb.ipynb").read_text()
    text = text.replace("raise NotImplementedError()", "return x + 2")
    (submitted / "fb.ipynb").write_text(text)
    nbgrader(root, "autograde", "fb", "--force")
    nbgrader(root, "generate_feedback", "fb", "--force")
    return root


def test_autograded_notebook_contains_the_hidden_test(course: Path) -> None:
    autograded = (course / "autograded" / "alice" / "fb" / "fb.ipynb").read_text()
    assert MARKER in autograded  # so the next test's absence check means something


def test_feedback_has_no_hidden_test_text(course: Path) -> None:
    feedback = (course / "feedback" / "alice" / "fb" / "fb.html").read_text()
    assert "add_one" in feedback  # it is the real feedback page
    assert MARKER not in feedback and "add_one(41)" not in feedback
    assert "hidden tests are not shown" in feedback


def test_scores_go_into_the_gradebook(course: Path) -> None:
    from nbgrader.api import Gradebook

    db = f"sqlite:///{course / 'gradebook.db'}"
    submitted = course / "submitted" / "bob" / "fb" / "fb.ipynb"
    submitted.parent.mkdir(parents=True)
    shutil.copy(course / "notebooks" / "fb" / "fb.ipynb", submitted)
    result = NotebookResult(
        student="bob",
        notebook="fb",
        lesson="fb",
        path=str(submitted),
        total=1.5,
        max_points=2,
        exercises=[ExerciseResult("add_one_tests", 1.5, 2), ExerciseResult("nope", 0, 0)],
    )
    written = write_course([result], db_url=db, course_dir=course)
    assert written.warnings == ["bob/fb: grade cell 'nope' is not in the gradebook"]
    assert written.autograded == [course / "autograded" / "bob" / "fb" / "fb.ipynb"]
    with Gradebook(db) as gradebook:
        grade = gradebook.find_grade("add_one_tests", "fb", "fb", "bob")
        assert grade.auto_score == 1.5 and grade.score == 1.5
    assert MARKER not in written.autograded[0].read_text()  # never the hidden test


def test_nbgrader_autogrades_are_not_replaced_without_force(course: Path) -> None:
    theirs = course / "autograded" / "alice" / "fb" / "fb.ipynb"
    before = theirs.read_bytes()
    result = NotebookResult("alice", "fb", "fb", str(course / "submitted/alice/fb/fb.ipynb"))
    with pytest.raises(AutograderError, match="--force") as refused:
        write_course([result], db_url=f"sqlite:///{course / 'gradebook.db'}", course_dir=course)
    assert str(theirs) in str(refused.value)
    assert theirs.read_bytes() == before
