"""The gradebook in the CSV shapes Canvas and Moodle import.

Both are rebuilt from the result files (like ``gradebook.csv``), one grade per student and
lesson (the lesson is the assignment; several notebooks of one lesson add up). A
submission that could not be graded is left blank, not 0: an LMS import overwrites what
is there, and such a submission needs a look first (the batch report lists them).

Canvas (``canvas.csv``), the layout of Canvas's own gradebook export, which its
gradebook import reads back. Sources: Ohio State's guide "Import a CSV File to Carmen
Grades" (https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/
calculating-final-grades/import-csv-file-carmen-grades: the identity columns, one of
Student / ID / SIS User ID identifies the student, new assignment columns create
assignments) and VCU's "Gradebook Action Menu" notes on the export
(https://ts.vcu.edu/askit/teaching-and-learning/canvas/faculty/grading-faculty/
gradebook-action-menu-faculty/). The ``<name> (<id>)`` header and the ``Points Possible``
row follow the export Canvas writes; Instructure's own guide ("How do I import grades in
the Gradebook?") was not reachable from here, and no live Canvas import was tried.

* columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
  column per assignment named ``<name> (<assignment id>)``, or just ``<name>`` for an
  assignment Canvas does not have yet (the import then creates it);
* the second row is ``Points Possible``, with each assignment's points;
* Canvas finds the student by ``ID``, else ``SIS User ID``, else ``SIS Login ID``, so a
  roster should give one of them; without a roster the course's student id goes into
  ``SIS Login ID`` (nbgrader student ids are usually login names) and ``Student``.

Moodle (``moodle.csv``), the layout of Moodle's plain-text grade export, which its CSV
grade import reads back (MoodleDocs, "Grade import", https://docs.moodle.org/311/en/
Grade_import: the import maps an identifier column ("Map from" ``Email address`` to
``useremail``, or ``ID number`` to ``useridnumber``) and then each other column to a grade
item, or to a new one; no live Moodle import was tried):

* columns ``First name``, ``Last name``, ``ID number``, ``Email address``, then one column
  per grade item named ``<name> (Real)`` (Moodle's export names real-valued grades so);
* one row per student, no points row (the grade item holds its maximum);
* without a roster the student id goes into ``ID number``.

A roster is a CSV with a ``student`` column (the course's student id) and any of the
identity columns above (``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
``Section``, ``First name``, ``Last name``, ``ID number``, ``Email address``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from autograder.exceptions import ExportError
from autograder.results import NotebookResult, load_results, write_atomic

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTITY = ["First name", "Last name", "ID number", "Email address"]
ROSTER_KEY = "student"


@dataclass
class LessonGrades:
    """Points per student and lesson, the shape both exports are made from.

    Attributes:
        lessons: lesson id -> points possible, sorted by lesson.
        points: student -> lesson -> points (``None``: could not be graded).
        students: the students, sorted.
    """

    lessons: dict[str, float] = field(default_factory=dict)
    points: dict[str, dict[str, float | None]] = field(default_factory=dict)

    @property
    def students(self) -> list[str]:
        return sorted(self.points)


@dataclass(frozen=True)
class Export:
    """What an export wrote.

    Attributes:
        path: the CSV.
        students: rows written.
        blank: (student, lesson) left blank because the submission could not be graded.
    """

    path: Path
    students: int
    blank: list[tuple[str, str]]


def lesson_grades(results: list[NotebookResult]) -> LessonGrades:
    """Sum each student's notebooks per lesson.

    Args:
        results: the results (from :func:`autograder.results.load_results`).

    Returns:
        The grades; a lesson with any ungradable notebook of a student is ``None`` for them.
    """
    grades = LessonGrades()
    for result in sorted(results, key=lambda r: (r.student, r.notebook)):
        lesson = result.lesson or result.notebook
        if result.max_points > 0:
            grades.lessons[lesson] = max(grades.lessons.get(lesson, 0.0), result.max_points)
        else:
            grades.lessons.setdefault(lesson, 0.0)
        row = grades.points.setdefault(result.student, {})
        if result.status != "graded":
            row[lesson] = None
        elif lesson not in row:
            row[lesson] = result.total
        elif row[lesson] is not None:
            row[lesson] = round(row[lesson] + result.total, 4)  # type: ignore[operator]
    grades.lessons = dict(sorted(grades.lessons.items()))
    return grades


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """Read a roster CSV: student id -> identity columns.

    Args:
        path: a CSV with a ``student`` column.

    Returns:
        The roster.

    Raises:
        ExportError: the file cannot be read or has no ``student`` column.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            rows = list(csv.DictReader(stream))
    except OSError as error:
        raise ExportError(f"cannot read the roster {path}: {error.strerror}") from None
    if not rows or ROSTER_KEY not in rows[0]:
        raise ExportError(
            f"the roster {path} needs a header row with a '{ROSTER_KEY}' column (the course's "
            "student ids) and the LMS identity columns (e.g. 'SIS User ID', 'Email address')"
        )
    return {row[ROSTER_KEY]: {k: v or "" for k, v in row.items() if k} for row in rows}


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _blank(grades: LessonGrades) -> list[tuple[str, str]]:
    return [
        (student, lesson)
        for student in grades.students
        for lesson, points in grades.points[student].items()
        if points is None
    ]


def canvas_csv(
    grades: LessonGrades,
    *,
    roster: dict[str, dict[str, str]] | None = None,
    assignment_ids: dict[str, str] | None = None,
) -> str:
    """The Canvas gradebook import CSV.

    Args:
        grades: points per student and lesson.
        roster: student id -> Canvas identity columns.
        assignment_ids: lesson id -> Canvas assignment id (column ``<lesson> (<id>)``).

    Returns:
        The CSV text.
    """
    roster = roster or {}
    ids = assignment_ids or {}
    columns = [
        f"{lesson} ({ids[lesson]})" if lesson in ids else lesson for lesson in grades.lessons
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANVAS_IDENTITY, *columns])
    writer.writerow(["Points Possible", "", "", "", "", *map(_number, grades.lessons.values())])
    for student in grades.students:
        known = roster.get(student, {})
        identity = {"Student": student, "SIS Login ID": student} if not known else {}
        identity.update({k: v for k, v in known.items() if k in CANVAS_IDENTITY})
        writer.writerow(
            [
                *(identity.get(column, "") for column in CANVAS_IDENTITY),
                *(_number(grades.points[student].get(lesson)) for lesson in grades.lessons),
            ]
        )
    return buffer.getvalue()


def moodle_csv(grades: LessonGrades, *, roster: dict[str, dict[str, str]] | None = None) -> str:
    """The Moodle CSV grade import file.

    Args:
        grades: points per student and lesson.
        roster: student id -> Moodle identity columns.

    Returns:
        The CSV text.
    """
    roster = roster or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*MOODLE_IDENTITY, *(f"{lesson} (Real)" for lesson in grades.lessons)])
    for student in grades.students:
        known = roster.get(student, {})
        identity = {"ID number": student} if not known else {}
        identity.update({k: v for k, v in known.items() if k in MOODLE_IDENTITY})
        writer.writerow(
            [
                *(identity.get(column, "") for column in MOODLE_IDENTITY),
                *(_number(grades.points[student].get(lesson)) for lesson in grades.lessons),
            ]
        )
    return buffer.getvalue()


def write_canvas(
    out_dir: Path,
    *,
    roster: Path | None = None,
    assignment_ids: dict[str, str] | None = None,
) -> Export:
    """Write ``<out_dir>/canvas.csv`` from the result files.

    Args:
        out_dir: the results folder.
        roster: optional roster CSV (see the module's docstring).
        assignment_ids: lesson id -> Canvas assignment id.

    Returns:
        The path, row count and the cells left blank.
    """
    grades = lesson_grades(load_results(out_dir))
    text = canvas_csv(
        grades, roster=read_roster(roster) if roster else None, assignment_ids=assignment_ids
    )
    path = out_dir / "canvas.csv"
    write_atomic(path, text)
    return Export(path, len(grades.students), _blank(grades))


def write_moodle(out_dir: Path, *, roster: Path | None = None) -> Export:
    """Write ``<out_dir>/moodle.csv`` from the result files.

    Args:
        out_dir: the results folder.
        roster: optional roster CSV (see the module's docstring).

    Returns:
        The path, row count and the cells left blank.
    """
    grades = lesson_grades(load_results(out_dir))
    text = moodle_csv(grades, roster=read_roster(roster) if roster else None)
    path = out_dir / "moodle.csv"
    write_atomic(path, text)
    return Export(path, len(grades.students), _blank(grades))


def parse_assignment_ids(pairs: list[str]) -> dict[str, str]:
    """``["03_sequence_classification=12345", ...]`` -> lesson id -> Canvas assignment id.

    Raises:
        ExportError: a pair without ``=``.
    """
    ids = {}
    for pair in pairs:
        lesson, sep, number = pair.partition("=")
        if not sep or not lesson or not number:
            raise ExportError(
                f"--canvas-assignment takes LESSON=ID (e.g. 03_sequence_classification=12345), "
                f"got {pair!r}"
            )
        ids[lesson] = number
    return ids
