"""What produced a grade, and regrading only what changed.

Every result records its :class:`Provenance`: the submission's hash, the version of the
checks (the check module and the source notebook they run against), the version of the
grader's own code, the library versions and the checks' seeds. Grading is deterministic
(each check's ``rng`` is seeded from its name), so the same submission graded by the same
checks in the same environment gets the same points; ``bertcourse grade --regrade`` uses
that to grade again only the submissions whose provenance changed (a new or edited
submission, edited checks, another grader or library version) and reports whose points
moved.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import inspect
import json
import platform
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from autograder.api import Lesson
from autograder.results import NotebookResult, safe_name

#: Distributions whose versions can change a grade (the checks compute references with them).
LIBRARIES = (
    "bertcourse",
    "numpy",
    "scikit-learn",
    "seqeval",
    "torch",
    "transformers",
    "tokenizers",
    "nbformat",
)
#: The grader's own code: a change here may change points, so it is part of the provenance.
GRADER_DIR = Path(__file__).resolve().parent
#: The modules that decide points (the report, exports and CLI do not); missing ones skipped.
GRADING_MODULES = (
    "api.py",
    "counterexample.py",
    "lessons_loader.py",
    "notebook.py",
    "runner.py",
    "os_sandbox.py",
    "sandbox.py",
    "_worker.py",
)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes (``""`` when it cannot be read).

    Args:
        path: the file.

    Returns:
        The hex digest, or ``""``.
    """
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def grader_version() -> str:
    """SHA-256 over the grader modules that decide points (:data:`GRADING_MODULES`).

    Returns:
        The hex digest; it changes when the runner, sandbox or check API change.
    """
    digest = hashlib.sha256()
    for name in GRADING_MODULES:
        path = GRADER_DIR / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """Python's and the grading libraries' versions (``"missing"`` for one not installed)."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def checks_module(lesson: Lesson) -> Path | None:
    """The file of the lesson's check module, or ``None`` when it cannot be told."""
    for registered in lesson.checks:
        found = inspect.getsourcefile(registered.function)
        if found:
            return Path(found)
    module = next((m for m in sys.modules.values() if lesson in vars(m).values()), None)
    found = getattr(module, "__file__", None)
    return Path(found) if found else None


def checks_version(lesson: Lesson) -> str:
    """SHA-256 of what defines the lesson's grading: its check module and source notebook.

    Args:
        lesson: a loaded lesson.

    Returns:
        The hex digest.
    """
    digest = hashlib.sha256()
    module = checks_module(lesson)
    for part in (module, lesson.source_notebook):
        digest.update((sha256_file(part) if part is not None else "none").encode() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Provenance:
    """What produced one result.

    Attributes:
        submission_sha256: hash of the submitted notebook's bytes.
        checks_sha256: hash of the check module and the source notebook (see
            :func:`checks_version`); ``""`` when no lesson could be told.
        grader_sha256: hash of the grader's own code (:func:`grader_version`).
        libraries: Python's and the grading libraries' versions.
        seeds: check name -> the seed of its ``rng``.
        graded_at: when it was graded (UTC, ISO 8601); the one field that differs
            between two gradings of the same submission.
    """

    submission_sha256: str
    checks_sha256: str
    grader_sha256: str
    libraries: dict[str, str] = field(default_factory=dict)
    seeds: dict[str, int] = field(default_factory=dict)
    graded_at: str = ""

    def key(self) -> str:
        """Everything that decides the points (the timestamp left out), as one string."""
        data = asdict(self)
        data.pop("graded_at")
        return json.dumps(data, sort_keys=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


def provenance_of(path: Path, lesson: Lesson | None) -> Provenance:
    """The provenance of grading ``path`` with ``lesson`` now.

    Args:
        path: the submitted notebook.
        lesson: the lesson it is graded as (``None`` when it could not be told).

    Returns:
        The provenance, stamped with the current time.
    """
    return Provenance(
        submission_sha256=sha256_file(path),
        checks_sha256=checks_version(lesson) if lesson is not None else "",
        grader_sha256=grader_version(),
        libraries=library_versions(),
        seeds={c.name: c.seed for c in lesson.checks} if lesson is not None else {},
        graded_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )


def recorded(result: NotebookResult) -> Provenance | None:
    """The provenance stored in a result, or ``None`` (written before it was recorded)."""
    data = getattr(result, "provenance", None)
    if not isinstance(data, dict):
        return None
    try:
        return Provenance(**data)
    except TypeError:
        return None


def result_path(out_dir: Path, student: str, notebook: str) -> Path:
    """Where :func:`autograder.results.save_result` writes a student's notebook result."""
    return out_dir / safe_name(student) / f"{safe_name(notebook)}.json"


def previous_result(out_dir: Path, student: str, notebook: str) -> NotebookResult | None:
    """The result already in ``out_dir`` for this student and notebook, if readable."""
    path = result_path(out_dir, student, notebook)
    try:
        return NotebookResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def timed_out(result: NotebookResult) -> bool:
    """Whether a check of the result timed out (that depends on the machine's load)."""
    return any((c.reason or "").startswith("timed out") for e in result.exercises for c in e.checks)


def is_current(previous: NotebookResult | None, now: Provenance) -> bool:
    """Whether ``previous`` was produced by exactly what would grade it now.

    Args:
        previous: the stored result (``None``: there is none).
        now: the provenance a grading now would have.

    Returns:
        True when it need not be graded again.
    """
    if previous is None or previous.status != "graded" or timed_out(previous):
        return False
    before = recorded(previous)
    return before is not None and before.key() == now.key()


@dataclass(frozen=True)
class Move:
    """A result whose points changed on regrading.

    Attributes:
        student: the student.
        notebook: the notebook.
        before: total points before (``None``: a new submission).
        after: total points now.
        exercises: grade_id -> (points before, points now), the exercises that changed.
        why: what changed: ``"new submission"``, ``"submission"``, ``"checks"``,
            ``"grader"``, ``"libraries"`` (comma-separated when several).
    """

    student: str
    notebook: str
    before: float | None
    after: float
    exercises: dict[str, tuple[float | None, float]]
    why: str

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.student}/{self.notebook}: new, {self.after:g} points"
        parts = ", ".join(
            f"{g} {'-' if a is None else f'{a:g}'} -> {b:g}" for g, (a, b) in self.exercises.items()
        )
        return (
            f"{self.student}/{self.notebook}: {self.before:g} -> {self.after:g} "
            f"({self.why}{'; ' + parts if parts else ''})"
        )


@dataclass
class RegradeReport:
    """What ``--regrade`` did.

    Attributes:
        regraded: (student, notebook) pairs graded again, with why.
        unchanged: (student, notebook) pairs whose stored result was kept.
        moved: the regraded results whose points changed (new submissions included).
    """

    regraded: dict[tuple[str, str], str] = field(default_factory=dict)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"regrade: {len(self.regraded)} graded again, {len(self.unchanged)} unchanged "
            f"(kept), {len(self.moved)} moved"
        ]
        lines += [f"  moved: {move}" for move in self.moved]
        return "\n".join(lines)


def why_changed(previous: NotebookResult | None, now: Provenance) -> str:
    """What differs between a stored result's provenance and ``now``.

    Args:
        previous: the stored result, or ``None``.
        now: the current provenance.

    Returns:
        ``"new submission"``, or the comma-separated parts that differ.
    """
    if previous is None:
        return "new submission"
    before = recorded(previous)
    if before is None:
        return "no provenance recorded"
    parts = [
        label
        for label, a, b in (
            ("submission", before.submission_sha256, now.submission_sha256),
            ("checks", before.checks_sha256, now.checks_sha256),
            ("grader", before.grader_sha256, now.grader_sha256),
            ("libraries", before.libraries, now.libraries),
            ("seeds", before.seeds, now.seeds),
        )
        if a != b
    ]
    if previous.status != "graded":
        parts.append(f"was {previous.status}")
    elif timed_out(previous):
        parts.append("a check had timed out")
    return ", ".join(parts) or "unchanged"


def compare(previous: NotebookResult | None, now: NotebookResult, why: str) -> Move | None:
    """The move between a stored result and a new one (``None`` when the points are the same).

    Args:
        previous: the stored result (``None``: new submission).
        now: the new result.
        why: what changed (:func:`why_changed`).

    Returns:
        The move, or ``None``.
    """
    if previous is None:
        return Move(now.student, now.notebook, None, now.total, {}, why)
    before, after = previous.exercise_points(), now.exercise_points()
    exercises: dict[str, tuple[float | None, float]] = {
        g: (before.get(g), p) for g, p in after.items() if before.get(g) != p
    }
    if not exercises and previous.total == now.total:
        return None
    return Move(now.student, now.notebook, previous.total, now.total, exercises, why)


@dataclass
class RegradePlan:
    """Which submissions ``--regrade`` grades again, and the stored results it keeps.

    Attributes:
        keep: (student, notebook) -> the stored result, still current.
        previous: (student, notebook) -> the stored result of those graded again (or None).
        why: (student, notebook) -> what changed.
    """

    keep: dict[tuple[str, str], NotebookResult] = field(default_factory=dict)
    previous: dict[tuple[str, str], NotebookResult | None] = field(default_factory=dict)
    why: dict[tuple[str, str], str] = field(default_factory=dict)

    def needs_grading(self, student: str, notebook: str) -> bool:
        """Whether this submission is graded again."""
        return (student, notebook) not in self.keep

    def kept(self, jobs: list[Any]) -> dict[Any, NotebookResult]:
        """job.submission -> the stored result kept for it (the jobs not graded again)."""
        return {
            j.submission: self.keep[(j.submission.student, j.submission.notebook)]
            for j in jobs
            if (j.submission.student, j.submission.notebook) in self.keep
        }

    def report(self, results: list[NotebookResult]) -> RegradeReport:
        """Compare the new results with the stored ones.

        Args:
            results: the results of the submissions graded again.

        Returns:
            What was regraded, kept and moved.
        """
        report = RegradeReport(unchanged=sorted(self.keep))
        for result in results:
            key = (result.student, result.notebook)
            report.regraded[key] = self.why.get(key, "new submission")
            move = compare(self.previous.get(key), result, report.regraded[key])
            if move is not None:
                report.moved.append(move)
        report.moved.sort(key=lambda m: (m.student, m.notebook))
        return report


def plan_regrade(out_dir: Path, jobs: list[Any], get_lesson: Callable[[str], Any]) -> RegradePlan:
    """Decide which submissions to grade again.

    Args:
        out_dir: the results folder of the earlier grading.
        jobs: the batch's jobs (``.submission`` with ``student``, ``notebook``, ``path``;
            ``.lesson_id``; ``.problem``: why it cannot be graded, or ``None``).
        get_lesson: lesson id -> the loaded lesson (``None`` when its checks do not load).

    Returns:
        The plan: stored results that are still current are kept, the rest graded again.
    """
    plan = RegradePlan()
    for job in jobs:
        submission = job.submission
        key = (submission.student, submission.notebook)
        lesson = None if job.problem or job.lesson_id is None else get_lesson(job.lesson_id)
        stored = previous_result(out_dir, *key)
        now = provenance_of(submission.path, lesson)
        if lesson is not None and is_current(stored, now):
            assert stored is not None
            plan.keep[key] = stored
        else:
            plan.previous[key], plan.why[key] = stored, why_changed(stored, now)
    return plan
