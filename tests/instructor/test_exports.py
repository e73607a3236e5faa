"""Canvas and Moodle gradebook exports against their documented column layouts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from autograder.exceptions import ExportError
from autograder.exports import (
    CANVAS_IDENTITY,
    MOODLE_IDENTITY,
    canvas_csv,
    lesson_grades,
    moodle_csv,
    parse_assignment_ids,
    read_roster,
    write_canvas,
    write_moodle,
)
from autograder.results import NotebookResult, save_result


def result(student: str, lesson: str, total: float, max_points: float, **kw) -> NotebookResult:
    return NotebookResult(
        student=student,
        notebook=kw.pop("notebook", lesson),
        lesson=lesson,
        path=f"/x/{student}.ipynb",
        total=total,
        max_points=max_points,
        **kw,
    )


RESULTS = [
    result("ann", "00_quickstart", 1.5, 2),
    result("ann", "05_ner", 7.25, 10),
    result("bob", "00_quickstart", 2, 2),
    result("bob", "05_ner", 0, 10, status="ungradable", problems=["bad JSON"]),
    result("cyd", "05_ner", 10, 10),
]


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_canvas_layout_without_a_roster() -> None:
    table = rows(canvas_csv(lesson_grades(RESULTS)))
    # Canvas's import: five identity columns, then one column per assignment.
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + [
        "00_quickstart",
        "05_ner",
    ]
    assert table[0][:5] == CANVAS_IDENTITY
    # The second row holds each assignment's points, under "Points Possible".
    assert table[1] == ["Points Possible", "", "", "", "", "2", "10"]
    assert table[2] == ["ann", "", "", "ann", "", "1.5", "7.25"]
    # Not gradable: blank (an import must not post a 0 nobody looked at); not submitted: blank.
    assert table[3] == ["bob", "", "", "bob", "", "2", ""]
    assert table[4] == ["cyd", "", "", "cyd", "", "", "10"]
    assert len(table) == 5


def test_canvas_with_roster_and_assignment_ids(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student,Student,ID,SIS User ID,SIS Login ID,Section,Email address\n"
        'ann,"Lovelace, Ann",101,S-1,alovelace,Sec A,ann@example.org\n',
        encoding="utf-8",
    )
    text = canvas_csv(
        lesson_grades(RESULTS),
        roster=read_roster(roster),
        assignment_ids={"05_ner": "4711"},
    )
    table = rows(text)
    assert table[0][5:] == ["00_quickstart", "05_ner (4711)"]
    assert table[2] == ["Lovelace, Ann", "101", "S-1", "alovelace", "Sec A", "1.5", "7.25"]
    assert table[3][:5] == ["bob", "", "", "bob", ""]  # not in the roster: the course id


def test_moodle_layout(tmp_path: Path) -> None:
    table = rows(moodle_csv(lesson_grades(RESULTS)))
    assert table[0] == MOODLE_IDENTITY + ["00_quickstart (Real)", "05_ner (Real)"]
    assert table[0][:4] == ["First name", "Last name", "ID number", "Email address"]
    assert table[1] == ["", "", "ann", "", "1.5", "7.25"]  # no points row in Moodle's layout
    assert table[2] == ["", "", "bob", "", "2", ""]
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student,First name,Last name,ID number,Email address\n"
        "cyd,Cyd,Charisse,77,cyd@example.org\n",
        encoding="utf-8",
    )
    table = rows(moodle_csv(lesson_grades(RESULTS), roster=read_roster(roster)))
    assert table[3] == ["Cyd", "Charisse", "77", "cyd@example.org", "", "10"]


def test_two_notebooks_of_one_lesson_add_up() -> None:
    grades = lesson_grades(
        [
            result("ann", "05_ner", 2, 5, notebook="part1"),
            result("ann", "05_ner", 3, 5, notebook="part2"),
        ]
    )
    assert grades.points == {"ann": {"05_ner": 5}}


def test_written_from_the_result_files_and_report_blank_cells(tmp_path: Path) -> None:
    for item in RESULTS:
        save_result(item, tmp_path)
    canvas = write_canvas(tmp_path)
    moodle = write_moodle(tmp_path)
    assert canvas.path == tmp_path / "canvas.csv" and moodle.path == tmp_path / "moodle.csv"
    assert canvas.students == moodle.students == 3
    assert canvas.blank == moodle.blank == [("bob", "05_ner")]
    assert canvas.path.read_text() == canvas_csv(lesson_grades(RESULTS))


def test_roster_and_assignment_id_errors_say_how_to_fix_them(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nann,a@b\n", encoding="utf-8")
    with pytest.raises(ExportError, match="'student' column"):
        read_roster(roster)
    with pytest.raises(ExportError, match="cannot read the roster"):
        read_roster(tmp_path / "missing.csv")
    assert parse_assignment_ids(["05_ner=12"]) == {"05_ner": "12"}
    with pytest.raises(ExportError, match="LESSON=ID"):
        parse_assignment_ids(["05_ner"])
