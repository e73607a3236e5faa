"""The course grader's results in an nbgrader course: the gradebook and autograded notebooks.

``bertcourse grade --gradebook-db URL [--course-dir DIR]`` ends here. For each graded
submission it records what ``nbgrader autograde`` records and writes the notebook that
formgrader opens and ``nbgrader generate_feedback`` reads,
``<course>/autograded/<student>/<assignment>/<notebook>.ipynb``:

* the gradebook: the student; the submission (``SubmittedAssignment``, stamped with the
  submission's ``timestamp.txt`` as autograde stamps it, which formgrader compares with
  ``submitted/``), with its ``SubmittedNotebook``, ``Grade`` and ``Comment`` rows; each
  grade cell's ``auto_score`` (the course grader's points) and ``needs_manual_grade``,
  and the solution cells' "No response." comments, as nbgrader's ``SaveAutoGrades`` sets
  them; the late penalty (nbgrader's ``AssignLatePenalties``). Manual scores and comments
  an instructor gave in formgrader are kept (a manual score still wins, as after autograde).
* the notebook: the *submitted* notebook through nbgrader's own sanitizing steps
  (``ClearOutput``, ``DeduplicateIds``, ``OverwriteKernelspec``, ``OverwriteCells``:
  cell types, points and locks as the gradebook has them, so formgrader matches each grade
  cell to its grade), except that no cell's source is taken from the gradebook: the
  gradebook keeps a test cell *with* its hidden tests, and ``nbgrader autograde`` puts it
  back into the notebook. Each grade cell's output is then what the hidden-test call
  prints under ``nbgrader autograde`` (:func:`autograder.report.exercise_summary`: the
  points and each check that lost points, with the student-safe reason only) and the
  points as the cell's result, from which nbgrader's ``determine_grade`` reads the same
  score. The submission's other files (``timestamp.txt``, which ``release_feedback``
  needs) are copied beside it, as autograde copies them.

Nothing here reads ``solutions/`` or a source cell's text, so neither the notebook nor the
feedback generated from it holds a hidden test. An autograded notebook that ``bertcourse
grade`` did not write (``nbgrader autograde``'s) is replaced only with ``force``; ours
carry ``metadata.bertcourse`` and are replaced on the next run, as the results in
``--out`` are.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import shutil
import warnings as warnings_module
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_output
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.nbgraderformat import ValidationError
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from nbgrader.utils import find_all_files, parse_utc
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SAWarning

from autograder.exceptions import AutograderError
from autograder.report import exercise_summary
from autograder.results import NotebookResult, write_atomic

#: nbgrader's ``CourseDirectory.autograded_directory`` (the course's config keeps it).
AUTOGRADED_DIRECTORY = "autograded"
#: The notebook metadata key that marks an autograded notebook as ``bertcourse grade``'s.
MARKER = "bertcourse"
WRITTEN_BY = "bertcourse grade"
#: What autograde leaves out when it copies a submission's other files
#: (``CourseDirectory.ignore``), and the notebooks, which are written, not copied.
NOT_COPIED = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.ipynb"]
#: nbgrader's permissions for what it writes into ``autograded/`` (not group-shared).
READ_ONLY = 0o444


@dataclass
class CourseWrite:
    """What :func:`write_course` did.

    Attributes:
        autograded: the autograded notebooks written.
        warnings: results, notebooks or cells that were left out, and why.
    """

    autograded: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    result: NotebookResult
    notebook: str  # the notebook's name in the gradebook
    path: Path  # the autograded notebook


class _Skip(Exception):
    """One submission cannot go into the course (the message says why)."""


def sqlite_file(db_url: str) -> Path | None:
    """The file of a SQLite gradebook URL (``sqlite:///gradebook.db``), else ``None``."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser().resolve()


def default_course_dir(db_url: str) -> Path | None:
    """The course root nbgrader keeps a SQLite gradebook in: the gradebook file's folder."""
    path = sqlite_file(db_url)
    return None if path is None else path.parent


def autograded_path(course_dir: Path, student: str, assignment: str, notebook: str) -> Path:
    """Where formgrader and ``generate_feedback`` look for a student's autograded notebook."""
    return course_dir / AUTOGRADED_DIRECTORY / student / assignment / f"{notebook}.ipynb"


def written_by_bertcourse(path: Path) -> bool:
    """Whether the notebook at ``path`` is an autograded notebook ``bertcourse grade`` wrote."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return False
    metadata = data.get("metadata") if isinstance(data, dict) else None
    marker = metadata.get(MARKER) if isinstance(metadata, dict) else None
    return isinstance(marker, dict) and marker.get("autograded_by") == WRITTEN_BY


def _open_gradebook(db_url: str) -> Any:
    path = sqlite_file(db_url)
    if path is not None and not path.is_file():  # Gradebook() would create an empty one
        raise AutograderError(
            f"there is no nbgrader gradebook at {path}: record the assignments first with "
            f"`bertcourse release --db {db_url}` (or `nbgrader generate_assignment`)"
        )
    return Gradebook(db_url)


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name


def _plan(
    gradebook: Any, results: Iterable[NotebookResult], course_dir: Path
) -> tuple[list[_Target], list[str]]:
    """Which results go where; raises for an assignment the gradebook does not know."""
    targets: list[_Target] = []
    warnings: list[str] = []
    for result in results:
        where = f"{result.student}/{result.notebook}"
        if result.lesson is None:
            warnings.append(f"{where}: no lesson, not written")
            continue
        try:
            assignment = gradebook.find_assignment(result.lesson)
        except MissingEntry:
            db_url = str(gradebook.engine.url)
            raise AutograderError(
                f"assignment {result.lesson!r} is not in the gradebook {db_url}: record it "
                f"first with `bertcourse release --lesson {result.lesson} --db {db_url}`"
            ) from None
        names = [notebook.name for notebook in assignment.notebooks]
        if result.notebook in names:
            notebook = result.notebook
        elif len(names) == 1 and _nbgrader_folder(result) is None:
            notebook = names[0]  # a plain folder of notebooks: alice.ipynb is the lesson's
        else:
            warnings.append(
                f"{where}: assignment {result.lesson!r} has no notebook {result.notebook!r} "
                "in the gradebook, not written"
            )
            continue
        if result.status != "graded":
            warnings.append(
                f"{where}: {result.status}, not written into the nbgrader course"
                + (f" ({'; '.join(result.problems)})" if result.problems else "")
            )
            continue
        if not all(_plain_name(name) for name in (result.student, result.lesson, notebook)):
            warnings.append(f"{where}: not a name nbgrader can use as a folder, not written")
            continue
        path = autograded_path(course_dir, result.student, result.lesson, notebook)
        targets.append(_Target(result, notebook, path))
    return targets, warnings


def _refuse_to_replace(paths: Iterable[Path], *, force: bool) -> None:
    if force:
        return
    foreign = [path for path in paths if path.exists() and not written_by_bertcourse(path)]
    if foreign:
        listed = ", ".join(str(path) for path in foreign[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise AutograderError(
            f"{listed}{more}: an autograded notebook that `bertcourse grade` did not write "
            "(nbgrader autograde's?) is already there; writing this grade would replace it "
            "and its scores in the gradebook. Pass --force to replace it."
        )


def check_course(
    *,
    db_url: str,
    course_dir: Path,
    submissions: Iterable[tuple[str, str, str, Path]],
    force: bool = False,
) -> None:
    """Refuse before grading what :func:`write_course` would refuse after it.

    Args:
        db_url: the gradebook.
        course_dir: the nbgrader course root.
        submissions: ``(student, assignment, notebook, path)`` of the submissions whose
            assignment is known before grading (nbgrader's folder layout).
        force: replace autograded notebooks that ``bertcourse grade`` did not write.

    Raises:
        AutograderError: no gradebook, an assignment it does not know, or an autograded
            notebook that is not ours and ``force`` is false.
    """
    stubs = [NotebookResult(s, n, a, str(path)) for s, a, n, path in submissions]
    with _open_gradebook(db_url) as gradebook:
        targets, _ = _plan(gradebook, stubs, course_dir)
    _refuse_to_replace([target.path for target in targets], force=force)


def write_course(
    results: Iterable[NotebookResult], *, db_url: str, course_dir: Path, force: bool = False
) -> CourseWrite:
    """Record the results in nbgrader's gradebook and write the autograded notebooks.

    The assignment must be in the gradebook already (``bertcourse release --db URL`` or
    ``nbgrader generate_assignment`` records it); students and submissions are created.
    Every target is checked before anything is written: one autograded notebook that is
    not ours (without ``force``) stops them all.

    Args:
        results: notebook results (their ``lesson`` is the nbgrader assignment, their
            ``path`` the submitted notebook).
        db_url: the gradebook, e.g. ``sqlite:///gradebook.db``.
        course_dir: the nbgrader course root (``autograded/`` goes there).
        force: replace autograded notebooks that ``bertcourse grade`` did not write.

    Returns:
        The notebooks written and the warnings.

    Raises:
        AutograderError: no gradebook, an assignment it does not know, or an autograded
            notebook that is not ours and ``force`` is false.
    """
    with _open_gradebook(db_url) as gradebook:
        targets, warnings = _plan(gradebook, results, course_dir)
    _refuse_to_replace([target.path for target in targets], force=force)
    written = CourseWrite(warnings=warnings)
    for target in targets:
        where = f"{target.result.student}/{target.result.notebook}"
        try:
            _autograde(target, db_url=db_url, warnings=written.warnings)
        except _Skip as why:
            written.warnings.append(f"{where}: {why}, not written into the nbgrader course")
            continue
        except OSError as error:  # the course folder is not writable, the disk is full
            written.warnings.append(f"{where}: {target.path} cannot be written ({error})")
            continue
        written.autograded.append(target.path)
    return written


# -- one submission ----------------------------------------------------------------------


class _OverwriteCellsKeepingSource(OverwriteCells):
    """nbgrader's ``OverwriteCells``, except that it never puts the gradebook's source in a cell.

    nbgrader restores a locked cell whose checksum changed from the gradebook, which keeps
    test cells with their hidden tests (and every released test cell "changed": its hidden
    region was cut out). Here the submitted source stays, with its checksum; the course
    grader never runs test cells.
    """

    def preprocess_cell(self, cell: Any, resources: Any, cell_index: int) -> Any:
        source = cell.source
        checksum = cell.metadata.get("nbgrader", {}).get("checksum")
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.source != source:
            cell.source = source
            if checksum is None:
                cell.metadata.nbgrader.pop("checksum", None)
            else:
                cell.metadata.nbgrader["checksum"] = checksum
        return cell, resources

    def report_change(self, name: str, attr: str, old: Any, new: Any) -> None:
        if attr != "checksum":  # expected of every test cell (above)
            super().report_change(name, attr, old, new)


#: nbgrader's ``Autograde.sanitize_preprocessors``, with the ``OverwriteCells`` above.
SANITIZE = (
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    _OverwriteCellsKeepingSource,
    CheckCellMetadata,
)


class _Collect(logging.Handler):
    """Keeps nbgrader's warnings about one submission, to report them as ours."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _logger(handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"{__name__}.nbgrader.{id(handler)}")
    logger.propagate = False
    logger.handlers = [handler]
    logger.setLevel(logging.WARNING)
    return logger


def _submission_timestamp(folder: Path) -> datetime.datetime | None:
    """``timestamp.txt`` of a submission folder as autograde reads it (``None`` if none)."""
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        return parse_utc(text)
    except (ValueError, OverflowError):
        raise _Skip(f"its timestamp.txt is not a time ({text[:40]!r})") from None


def _nbgrader_folder(result: NotebookResult) -> Path | None:
    """The submission's own folder in nbgrader's ``<student>/<assignment>/`` layout."""
    folder = Path(result.path).parent
    if folder.name == result.lesson and folder.parent.name == result.student:
        return folder
    return None


def _read_submission(result: NotebookResult) -> tuple[Any, str]:
    try:
        raw = Path(result.path).read_bytes()
    except OSError as error:
        raise _Skip(f"the submitted notebook cannot be read ({error.strerror})") from None
    digest = hashlib.sha256(raw).hexdigest()
    recorded = (result.provenance or {}).get("submission_sha256")
    if recorded and recorded != digest:
        raise _Skip("the submitted notebook changed since it was graded (grade it again)")
    try:
        return nbformat.reads(raw.decode("utf-8-sig"), as_version=4), digest
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds
        raise _Skip(f"the submitted notebook is not one nbformat reads ({error})") from None


def _write_outputs(nb: Any, result: NotebookResult) -> list[str]:
    """Each grade cell's output from the course grader; returns the cells it did not score."""
    exercises = {exercise.grade_id: exercise for exercise in result.exercises}
    unscored = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue  # manually graded answers: SaveAutoGrades decides, as after autograde
        if not grade_id:
            continue
        exercise = exercises.get(grade_id)
        if exercise is None:
            note = f"{grade_id}: not scored by `bertcourse grade` (no check covers this cell)"
            cell.outputs = [new_output("stream", name="stdout", text=note + "\n")]
            unscored.append(grade_id)
            continue
        cell.outputs = [
            new_output("stream", name="stdout", text=exercise_summary(exercise) + "\n"),
            # The hidden-test call's value: nbgrader reads it as partial credit.
            new_output(
                "execute_result",
                data={"text/plain": repr(float(exercise.points))},
                execution_count=None,
            ),
        ]
    return unscored


def _set_scores(db_url: str, target: _Target, unscored: list[str], warnings: list[str]) -> None:
    """The course grader's points as each grade's ``auto_score`` (also for a grade cell the
    student deleted); a cell no check scores needs manual grading."""
    result = target.result
    with Gradebook(db_url) as gradebook:
        for exercise in result.exercises:
            try:
                grade = gradebook.find_grade(
                    exercise.grade_id, target.notebook, result.lesson, result.student
                )
            except MissingEntry:
                warnings.append(
                    f"{result.student}/{result.notebook}: grade cell {exercise.grade_id!r} "
                    "is not in the gradebook"
                )
                continue
            grade.auto_score = exercise.points
            # SaveAutoGrades' rule: a manual score given before asks for a second look.
            grade.needs_manual_grade = grade.manual_score is not None
        for grade_id in unscored:
            grade = gradebook.find_grade(grade_id, target.notebook, result.lesson, result.student)
            grade.auto_score = None
            grade.needs_manual_grade = True
        gradebook.db.commit()


def _copy_other_files(folder: Path, destination: Path) -> None:
    """The submission's other files, as autograde copies them (never through a link)."""
    for name in find_all_files(str(folder), NOT_COPIED):
        source = Path(name)
        if source.is_symlink() or not source.is_file():
            continue
        target = destination / source.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # read-only after the last run
        shutil.copyfile(source, target)
        target.chmod(READ_ONLY)


def _autograde(target: _Target, *, db_url: str, warnings: list[str]) -> None:
    """Record one submission in the gradebook and write its autograded notebook."""
    result = target.result
    where = f"{result.student}/{result.notebook}"
    nb, digest = _read_submission(result)
    folder = _nbgrader_folder(result)
    timestamp = _submission_timestamp(folder) if folder is not None else None
    resources: dict[str, Any] = {
        "nbgrader": {
            "notebook": target.notebook,
            "assignment": result.lesson,
            "student": result.student,
            "db_url": db_url,
        }
    }
    collected = _Collect()
    log = _logger(collected)
    try:
        for step in SANITIZE:  # they only read the gradebook
            nb, resources = step(log=log).preprocess(nb, resources)
        with Gradebook(db_url) as gradebook, warnings_module.catch_warnings():
            # nbgrader's add_submission trips SQLAlchemy's autoflush warnings (harmless).
            warnings_module.filterwarnings("ignore", category=SAWarning)
            gradebook.update_or_create_student(result.student)  # as Autograde.init_assignment
            extra = {} if timestamp is None else {"timestamp": timestamp}
            gradebook.update_or_create_submission(result.lesson, result.student, **extra)
        unscored = _write_outputs(nb, result)
        # nbgrader's Autograde.autograde_preprocessors after Execute, which the grader's
        # outputs stand in for (IgnorePattern and LimitOutput have nothing to trim).
        nb, resources = SaveAutoGrades(log=log).preprocess(nb, resources)
        _set_scores(db_url, target, unscored, warnings)
        nb, resources = AssignLatePenalties(log=log).preprocess(nb, resources)
        nb, resources = CheckCellMetadata(log=log).preprocess(nb, resources)
    except ValidationError:
        raise _Skip("its nbgrader cell metadata is corrupted") from None
    except (KeyError, TypeError, AttributeError, ValueError) as error:  # a damaged notebook
        raise _Skip(f"nbgrader cannot process it ({type(error).__name__}: {error})") from None
    finally:
        warnings.extend(f"{where}: nbgrader: {message}" for message in collected.messages)
    nb.metadata[MARKER] = {
        "autograded_by": WRITTEN_BY,
        "lesson": result.lesson,
        "points": result.total,
        "max_points": result.max_points,
        "problems": list(result.problems),
        "submission_sha256": digest,
        "graded_at": (result.provenance or {}).get("graded_at"),
    }
    write_atomic(target.path, nbformat.writes(nb))
    target.path.chmod(READ_ONLY)
    if folder is not None:
        _copy_other_files(folder, target.path.parent)
