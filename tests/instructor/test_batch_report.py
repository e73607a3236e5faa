"""The batch report: failure patterns, item statistics, the HTML page and the CSV."""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.batch_report import (
    CSV_COLUMNS,
    failure_pattern,
    lesson_statistics,
    ungradable_submissions,
    write_batch_report,
)
from autograder.results import CheckResult, ExerciseResult, NotebookResult, save_result


@pytest.mark.parametrize(
    ("reason", "pattern"),
    [
        (
            "macro_f1([0, 1], [1, 1]) returned 0.5, expected 0.3333",
            "macro_f1(…) returned …, expected …",
        ),
        ("macro_f1([2], [0]) returned 1.0, expected 0.0", "macro_f1(…) returned …, expected …"),
        (
            "partly right: 40% of the cases pass; smallest failing input found: "
            "make_prompt('e', '[MASK]', '{mask}') returned 'e [MASK]'",
            "partly right: N of the cases pass; smallest failing input found: make_prompt(…) "
            "returned '…'",
        ),
        ("your code raised KeyError: 'label'", "your code raised KeyError: '…'"),
        (
            "timed out after 10 s (an infinite loop, or much too slow?)",
            "timed out after N s (an infinite loop, or much too slow?)",
        ),
        ("expected one label per row (shape (2,)), got shape (2, 3)", None),
    ],
)
def test_failure_patterns_collapse_values(reason: str, pattern: str | None) -> None:
    got = failure_pattern(reason)
    if pattern is not None:
        assert got == pattern
    assert not re.search(r"(?<![A-Za-z_\d])\d", got), got  # no number survives, names do


def test_same_mistake_with_different_values_groups_together() -> None:
    a = failure_pattern("n_tokens returned 4, expected 6")
    b = failure_pattern("n_tokens returned 11, expected 13")
    c = failure_pattern("your code raised TypeError: unsupported operand")
    assert a == b != c


def notebook(student: str, points: dict[str, float], **kw) -> NotebookResult:
    """A toy lesson result: exercise e1 (2 points: checks a, b), e2 (1 point: check c)."""
    checks = {
        "e1": [("a", 1.0, False), ("b", 1.0, True)],
        "e2": [("c", 1.0, False)],
    }
    exercises = []
    for grade_id, specs in checks.items():
        results = []
        for name, max_points, hidden in specs:
            earned = points.get(name, 0.0)
            reason = None
            if earned < max_points:
                reason = "wrong result" if hidden else f"f({earned}) returned {earned}, expected 1"
            results.append(
                CheckResult(
                    name=name,
                    description=name,
                    points=earned,
                    max_points=max_points,
                    hidden=hidden,
                    reason=reason,
                    detail=None if reason is None else f"secret {name} detail {earned}",
                )
            )
        exercises.append(
            ExerciseResult(grade_id, sum(c.points for c in results), len(specs), results)
        )
    return NotebookResult(
        student=student,
        notebook="toy",
        lesson="toy",
        path=f"/x/{student}.ipynb",
        total=sum(e.points for e in exercises),
        max_points=3,
        exercises=exercises,
        **kw,
    )


CLASS = [
    notebook("s1", {"a": 1, "b": 1, "c": 1}),
    notebook("s2", {"a": 1, "b": 0.5, "c": 1}),
    notebook("s3", {"a": 1, "b": 0, "c": 0}),
    notebook("s4", {"a": 0, "b": 0, "c": 1}),
    notebook("s5", {"a": 0, "b": 0, "c": 0}),
    notebook("s6", {}, status="ungradable", problems=["The notebook could not be graded: bad"]),
]


def test_item_statistics_by_hand() -> None:
    (stats,) = lesson_statistics(CLASS)
    assert stats.lesson == "toy" and stats.max_points == 3
    assert stats.totals == [3, 2.5, 1, 1, 0]  # the ungradable one is left out
    e1, e2 = stats.exercises
    assert (e1.exercise, e1.full, e1.partial, e1.none) == ("e1", 1, 2, 2)
    assert (e2.full, e2.partial, e2.none) == (3, 0, 2)
    assert e1.difficulty == pytest.approx((2 + 1.5 + 1 + 0 + 0) / 5 / 2)
    # Discrimination: Pearson's r of the item's points and the rest of the total.
    item = np.array([2, 1.5, 1, 0, 0])
    rest = np.array([3, 2.5, 1, 1, 0]) - item
    assert e1.discrimination == pytest.approx(np.corrcoef(item, rest)[0, 1])
    a, b, c = stats.checks
    assert (a.check, a.full, a.none) == ("a", 3, 2) and b.hidden and (b.partial == 1)
    # Failures grouped by pattern; hidden checks show the instructors-only detail.
    assert a.failures[0].pattern == "f(…) returned …, expected …" and a.failures[0].count == 2
    assert b.failures[0].pattern.startswith("secret b detail")
    assert sum(f.count for f in b.failures) == 4


def test_discrimination_is_blank_without_spread() -> None:
    same = [notebook(f"s{i}", {"a": 1, "b": 1, "c": 1}) for i in range(4)]
    (stats,) = lesson_statistics(same)
    assert all(item.discrimination is None for item in stats.exercises)
    assert all(item.difficulty == 1.0 for item in stats.exercises)


def test_ungradable_are_listed_with_why() -> None:
    (item,) = ungradable_submissions(CLASS)
    assert (item.student, item.lesson) == ("s6", "toy") and "could not be graded" in item.why


def test_report_files_are_self_contained(tmp_path: Path) -> None:
    for item in CLASS:
        save_result(item, tmp_path)
    report = write_batch_report(tmp_path)
    page = report.html.read_text(encoding="utf-8")
    assert report.html == tmp_path / "batch_report.html"
    assert 'id="lesson-toy"' in page and 'id="ungradable"' in page and "s6" in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 2  # histogram and credit per exercise
    for data in images:
        assert base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n")
    assert not re.search(r'(src|href)="(?!data:|#)', page), "nothing loaded from elsewhere"
    table = list(csv.DictReader(report.csv.open(encoding="utf-8")))
    assert list(table[0]) == CSV_COLUMNS
    assert [(r["exercise"], r["check"]) for r in table] == [
        ("e1", ""),
        ("e2", ""),
        ("e1", "a"),
        ("e1", "b"),
        ("e2", "c"),
    ]
    assert table[0]["full"] == "1" and table[0]["partial"] == "2" and table[0]["none"] == "2"
    assert table[2]["top_failures"] == "2x f(…) returned …, expected …"


def test_names_are_escaped(tmp_path: Path) -> None:
    evil = notebook("<script>alert(1)</script>", {"a": 1})
    save_result(evil, tmp_path)
    page = write_batch_report(tmp_path).html.read_text(encoding="utf-8")
    assert "<script>" not in page
