"""The instructor's view of a graded batch: what the class got wrong, at a glance.

Written next to the gradebook after every ``bertcourse grade``, rebuilt from the result
files (like the gradebook):

* ``batch_report.html``: one self-contained page (CSS inline, plots as embedded PNGs):
  per lesson the score distribution, per exercise how many students got full, partial
  and no credit, item difficulty and discrimination, per check the most frequent
  failure reasons collapsed to their pattern, and the submissions that could not be
  graded, with why.
* ``batch_report.csv``: the same numbers, one row per exercise and per check.

Item statistics (classical test theory):

* difficulty: the mean share of the item's points earned (1 = everyone right);
* discrimination: the corrected item-total correlation, Pearson's r between the item's
  points and the rest of the lesson's points (total minus the item), over the graded
  submissions. Near 0 or negative: the item does not separate strong from weak
  submissions; blank when fewer than 3 submissions or no spread.

The report is for instructors: failure reasons of hidden checks come from the
instructors-only ``detail`` too. It is never shown to students.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder.results import NotebookResult, load_results, write_atomic

HTML_NAME = "batch_report.html"
CSV_NAME = "batch_report.csv"
#: Failure patterns listed per check.
TOP_FAILURES = 3
CSV_COLUMNS = [
    "lesson",
    "exercise",
    "check",
    "hidden",
    "submissions",
    "full",
    "partial",
    "none",
    "mean_points",
    "max_points",
    "difficulty",
    "discrimination",
    "top_failures",
]


@dataclass
class Failure:
    """One failure pattern of a check.

    Attributes:
        pattern: the reason with its values collapsed (``"f(…) returned …, expected …"``).
        count: how many submissions failed this way.
        example: one concrete reason of that pattern.
    """

    pattern: str
    count: int
    example: str


@dataclass
class ItemStats:
    """Statistics of one exercise (``check`` is ``None``) or one check over a lesson's batch.

    Attributes:
        lesson: the lesson id.
        exercise: the exercise's grade_id.
        check: the check's name, or ``None`` for the exercise row.
        hidden: whether the check is hidden.
        submissions: graded submissions counted.
        full: submissions with all the points.
        partial: with some.
        none: with none.
        mean_points: mean points earned.
        max_points: points possible.
        difficulty: mean share of the points earned (``None`` without submissions).
        discrimination: corrected item-total correlation (``None`` when undefined).
        failures: the most frequent failure patterns, most frequent first.
    """

    lesson: str
    exercise: str
    check: str | None
    hidden: bool
    submissions: int
    full: int
    partial: int
    none: int
    mean_points: float
    max_points: float
    difficulty: float | None
    discrimination: float | None
    failures: list[Failure] = field(default_factory=list)


@dataclass
class LessonStats:
    """One lesson's part of the report.

    Attributes:
        lesson: the lesson id.
        max_points: points possible.
        totals: the graded submissions' totals.
        exercises: one row per exercise, in lesson order.
        checks: one row per check, in lesson order.
    """

    lesson: str
    max_points: float
    totals: list[float]
    exercises: list[ItemStats]
    checks: list[ItemStats]


@dataclass
class Ungradable:
    """A submission that could not be graded.

    Attributes:
        student: the student.
        notebook: the notebook.
        lesson: the lesson, when it could be told.
        why: the problems recorded for it.
    """

    student: str
    notebook: str
    lesson: str | None
    why: str


@dataclass
class BatchReport:
    """What :func:`write_batch_report` wrote.

    Attributes:
        html: the HTML page.
        csv: the CSV of item statistics.
        lessons: per lesson statistics.
        ungradable: the submissions that could not be graded.
    """

    html: Path
    csv: Path
    lessons: list[LessonStats]
    ungradable: list[Ungradable]


_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_.]*)\((?:[^()]|\([^()]*\))*\)")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?%?")
_RETURNED = re.compile(r"returned (.+?), expected (.+?)(?=$|;|\n)")


def _collapse_brackets(text: str) -> str:
    """Replace the contents of every outermost ``[...]`` and ``{...}`` by an ellipsis."""
    out, depth, closer = [], 0, {"[": "]", "{": "}"}
    stack: list[str] = []
    for ch in text:
        if ch in closer:
            if depth == 0:
                out.append(ch + "…")
            stack.append(closer[ch])
            depth += 1
        elif depth and ch == stack[-1]:
            stack.pop()
            depth -= 1
            if depth == 0:
                out.append(ch)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def failure_pattern(reason: str) -> str:
    """The reason of a failure with its values collapsed, so similar failures group.

    ``"macro_f1([0, 1], [1, 1]) returned 0.5, expected 0.333"`` and
    ``"macro_f1([2], [0]) returned 1.0, expected 0.0"`` both become
    ``"macro_f1(…) returned …, expected …"``.

    Args:
        reason: a check's failure reason.

    Returns:
        Its pattern.
    """
    text = reason.strip().splitlines()[0] if reason.strip() else "(no reason)"
    text = _RETURNED.sub("returned …, expected …", text)
    text = _QUOTED.sub("'…'", text)
    text = _collapse_brackets(text)
    text = _CALL.sub(lambda m: f"{m.group(1)}(…)", text)
    text = _NUMBER.sub("N", text)
    text = re.sub(r"returned …, expected …(?:, expected …)*", "returned …, expected …", text)
    return re.sub(r"\s+", " ", text).strip()


def _failure_text(reason: str | None, detail: str | None, hidden: bool) -> str:
    """What the instructor sees of a failure: for hidden checks the detail is more telling."""
    if hidden and detail and reason and reason.startswith("wrong result"):
        return detail.strip().splitlines()[0][:300]
    return (reason or "failed")[:300]


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def _item(
    lesson: str,
    exercise: str,
    check: str | None,
    hidden: bool,
    earned: list[float],
    max_points: float,
    totals: list[float],
    failures: list[str],
) -> ItemStats:
    n = len(earned)
    full = sum(1 for p in earned if p >= max_points - 1e-9)
    none = sum(1 for p in earned if p <= 1e-9 and max_points > 0)
    patterns: dict[str, Counter[str]] = {}
    for text in failures:
        patterns.setdefault(failure_pattern(text), Counter())[text] += 1
    ranked = sorted(patterns.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return ItemStats(
        lesson=lesson,
        exercise=exercise,
        check=check,
        hidden=hidden,
        submissions=n,
        full=full,
        partial=n - full - none,
        none=none,
        mean_points=sum(earned) / n if n else 0.0,
        max_points=max_points,
        difficulty=(sum(earned) / n / max_points) if n and max_points > 0 else None,
        discrimination=_pearson(earned, [t - p for t, p in zip(totals, earned, strict=True)]),
        failures=[
            Failure(pattern, sum(texts.values()), texts.most_common(1)[0][0])
            for pattern, texts in ranked[:TOP_FAILURES]
        ],
    )


def lesson_statistics(results: list[NotebookResult]) -> list[LessonStats]:
    """Item statistics per lesson over the graded results.

    Args:
        results: the batch's results (ungradable ones are left out).

    Returns:
        One entry per lesson, sorted by lesson id.
    """
    by_lesson: dict[str, list[NotebookResult]] = {}
    for result in results:
        if result.status == "graded" and result.lesson:
            by_lesson.setdefault(result.lesson, []).append(result)
    lessons = []
    for lesson, graded in sorted(by_lesson.items()):
        totals = [r.total for r in graded]
        exercise_order: dict[str, float] = {}
        check_order: dict[tuple[str, str], tuple[float, bool]] = {}
        for result in graded:
            for exercise in result.exercises:
                exercise_order.setdefault(exercise.grade_id, exercise.max_points)
                for check in exercise.checks:
                    check_order.setdefault(
                        (exercise.grade_id, check.name), (check.max_points, check.hidden)
                    )
        exercises, checks = [], []
        for grade_id, max_points in exercise_order.items():
            earned, failures = [], []
            for result in graded:
                found = next((e for e in result.exercises if e.grade_id == grade_id), None)
                earned.append(found.points if found else 0.0)
            exercises.append(
                _item(lesson, grade_id, None, False, earned, max_points, totals, failures)
            )
        for (grade_id, name), (max_points, hidden) in check_order.items():
            earned, failures = [], []
            for result in graded:
                found = next(
                    (
                        c
                        for e in result.exercises
                        if e.grade_id == grade_id
                        for c in e.checks
                        if c.name == name
                    ),
                    None,
                )
                earned.append(found.points if found else 0.0)
                if found is not None and not found.passed:
                    failures.append(_failure_text(found.reason, found.detail, hidden))
            checks.append(
                _item(lesson, grade_id, name, hidden, earned, max_points, totals, failures)
            )
        lessons.append(
            LessonStats(
                lesson=lesson,
                max_points=max(r.max_points for r in graded),
                totals=totals,
                exercises=exercises,
                checks=checks,
            )
        )
    return lessons


def ungradable_submissions(results: list[NotebookResult]) -> list[Ungradable]:
    """The submissions no check could run on, with the recorded problems."""
    return [
        Ungradable(r.student, r.notebook, r.lesson, " ".join(r.problems) or "no reason recorded")
        for r in results
        if r.status != "graded"
    ]


def _png(figure: object) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")  # type: ignore[attr-defined]
    import matplotlib.pyplot as plt

    plt.close(figure)  # type: ignore[arg-type]
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _histogram(stats: LessonStats) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.0, 3.0))
    top = stats.max_points if stats.max_points > 0 else 1.0
    bins = [top * i / 10 for i in range(11)]
    axes.hist(stats.totals, bins=bins, color="#4C72B0", edgecolor="white")
    mean = sum(stats.totals) / len(stats.totals)
    axes.axvline(mean, color="#C44E52", linestyle="--", label=f"mean {mean:.2f}")
    axes.set_xlim(0, top)
    axes.set_xlabel(f"total points (of {top:g})")
    axes.set_ylabel("submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(f"{stats.lesson}: score distribution ({len(stats.totals)} graded)")
    axes.legend(loc="best", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def _outcomes(stats: LessonStats) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = stats.exercises
    height = max(1.6, 0.45 * len(items) + 0.9)
    figure, axes = plt.subplots(figsize=(6.0, height))
    names = [i.exercise for i in items][::-1]
    full = [i.full for i in items][::-1]
    partial = [i.partial for i in items][::-1]
    none = [i.none for i in items][::-1]
    axes.barh(names, full, color="#55A868", label="full credit")
    axes.barh(names, partial, left=full, color="#DD8452", label="partial")
    axes.barh(
        names,
        none,
        left=[a + b for a, b in zip(full, partial, strict=True)],
        color="#C44E52",
        label="no credit",
    )
    axes.set_xlabel("submissions")
    axes.set_title(f"{stats.lesson}: credit per exercise")
    axes.xaxis.get_major_locator().set_params(integer=True)
    # Below the axis: above it, the legend would run into the title.
    axes.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.22 - 0.3 / height), ncol=3, frameon=False
    )
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def _number(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;
color:#222;padding:0 1rem}
h1{margin-bottom:.2rem} .meta{color:#666;margin-top:0}
section.lesson{border-top:2px solid #ddd;margin-top:2rem;padding-top:.5rem}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1rem;
align-items:start}
.plots img{width:100%;height:auto;border:1px solid #eee}
table{border-collapse:collapse;margin:.8rem 0;font-size:.92rem}
th,td{border-bottom:1px solid #e4e4e4;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f6f6} td.n{text-align:right;font-variant-numeric:tabular-nums}
.low{color:#b00020;font-weight:600} code{font-size:.88rem;background:#f4f4f4;padding:0 .2rem}
.hidden{color:#777;font-size:.8rem} .bad{background:#fff3f3}
"""


def _exercise_table(stats: LessonStats) -> str:
    rows = []
    for item in stats.exercises:
        weak = item.discrimination is not None and item.discrimination < 0.2
        rows.append(
            f"<tr><td><code>{_e(item.exercise)}</code></td>"
            f'<td class="n">{item.full}</td><td class="n">{item.partial}</td>'
            f'<td class="n">{item.none}</td>'
            f'<td class="n">{item.mean_points:.2f} / {item.max_points:g}</td>'
            f'<td class="n">{_number(item.difficulty)}</td>'
            f'<td class="n{" low" if weak else ""}">{_number(item.discrimination)}</td></tr>'
        )
    return (
        '<table class="exercises"><tr><th>exercise</th><th>full</th><th>partial</th>'
        "<th>none</th><th>mean points</th><th>difficulty</th><th>discrimination</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _check_table(stats: LessonStats) -> str:
    rows = []
    for item in stats.checks:
        failures = "".join(
            f"<li>{f.count}× <code>{_e(f.pattern)}</code>"
            + (
                f' <span class="hidden">e.g. {_e(f.example)}</span>'
                if f.example != f.pattern
                else ""
            )
            + "</li>"
            for f in item.failures
        )
        rows.append(
            f"<tr{' class=bad' if item.difficulty is not None and item.difficulty < 0.5 else ''}>"
            f"<td><code>{_e(item.check)}</code>"
            + (' <span class="hidden">hidden</span>' if item.hidden else "")
            + f"<br><span class=hidden>{_e(item.exercise)}</span></td>"
            f'<td class="n">{item.full}</td><td class="n">{item.partial}</td>'
            f'<td class="n">{item.none}</td><td class="n">{_number(item.difficulty)}</td>'
            f"<td><ul>{failures}</ul></td></tr>"
        )
    return (
        '<table class="checks"><tr><th>check</th><th>full</th><th>partial</th><th>none</th>'
        "<th>difficulty</th><th>most frequent failures</th></tr>" + "".join(rows) + "</table>"
    )


def render_html(lessons: list[LessonStats], ungradable: list[Ungradable], *, total: int) -> str:
    """The report page.

    Args:
        lessons: per lesson statistics.
        ungradable: the submissions that could not be graded.
        total: the number of result files.

    Returns:
        A self-contained HTML document.
    """
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        "<title>Batch report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Batch report</h1>",
        f'<p class="meta">{total} submission(s), {sum(len(s.totals) for s in lessons)} graded, '
        f"{len(ungradable)} could not be graded; {len(lessons)} lesson(s). Difficulty: mean "
        "share of the points earned. Discrimination: correlation of the item's points with "
        "the rest of the lesson's points (below 0.2 in red: the item barely separates "
        "strong from weak submissions).</p>",
    ]
    if lessons:
        parts.append(
            "<nav><ul>"
            + "".join(
                f'<li><a href="#lesson-{_slug(s.lesson)}">{_e(s.lesson)}</a></li>' for s in lessons
            )
            + "</ul></nav>"
        )
    parts.append('<section id="ungradable"><h2>Could not be graded</h2>')
    if ungradable:
        parts.append(
            "<table><tr><th>student</th><th>notebook</th><th>lesson</th><th>why</th></tr>"
            + "".join(
                f"<tr><td>{_e(u.student)}</td><td>{_e(u.notebook)}</td>"
                f"<td>{_e(u.lesson or '?')}</td><td>{_e(u.why)}</td></tr>"
                for u in ungradable
            )
            + "</table>"
        )
    else:
        parts.append("<p>Every submission was graded.</p>")
    parts.append("</section>")
    for stats in lessons:
        mean = sum(stats.totals) / len(stats.totals)
        parts += [
            f'<section class="lesson" id="lesson-{_slug(stats.lesson)}" '
            f'data-lesson="{_e(stats.lesson)}">',
            f"<h2>{_e(stats.lesson)}</h2>",
            f'<p class="meta">{len(stats.totals)} graded, mean {mean:.2f} of '
            f"{stats.max_points:g} points, median {sorted(stats.totals)[len(stats.totals) // 2]:g}"
            "</p>",
            '<div class="plots">',
            f'<img class="plot histogram" alt="{_e(stats.lesson)} score distribution" '
            f'src="data:image/png;base64,{_histogram(stats)}">',
            f'<img class="plot outcomes" alt="{_e(stats.lesson)} credit per exercise" '
            f'src="data:image/png;base64,{_outcomes(stats)}">',
            "</div>",
            "<h3>Exercises</h3>",
            _exercise_table(stats),
            "<h3>Checks</h3>",
            _check_table(stats),
            "</section>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render_csv(lessons: list[LessonStats]) -> str:
    """The item statistics as CSV (:data:`CSV_COLUMNS`), exercise rows then check rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for stats in lessons:
        for item in [*stats.exercises, *stats.checks]:
            writer.writerow(
                [
                    item.lesson,
                    item.exercise,
                    item.check or "",
                    "yes" if item.hidden else "no",
                    item.submissions,
                    item.full,
                    item.partial,
                    item.none,
                    f"{item.mean_points:.4g}",
                    f"{item.max_points:g}",
                    _number(item.difficulty, 3),
                    _number(item.discrimination, 3),
                    " | ".join(f"{f.count}x {f.pattern}" for f in item.failures),
                ]
            )
    return buffer.getvalue()


def write_batch_report(out_dir: Path) -> BatchReport:
    """Rebuild ``batch_report.html`` and ``batch_report.csv`` from the result files.

    Args:
        out_dir: the results folder.

    Returns:
        The paths written and the statistics.
    """
    results = load_results(out_dir)
    lessons = lesson_statistics(results)
    ungradable = ungradable_submissions(results)
    html_path, csv_path = out_dir / HTML_NAME, out_dir / CSV_NAME
    write_atomic(html_path, render_html(lessons, ungradable, total=len(results)))
    write_atomic(csv_path, render_csv(lessons))
    return BatchReport(html_path, csv_path, lessons, ungradable)
