"""Grading results (otter-grader style dataclasses) and their JSON form."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULT_VERSION = 1


@dataclass
class CheckResult:
    """The outcome of one check.

    Attributes:
        name: the check's name.
        description: what it checks (``"hidden check"`` for hidden ones).
        points: points earned.
        max_points: points it is worth.
        hidden: whether it is a hidden check.
        reason: why it failed, safe to show the student; ``None`` when it passed.
        detail: instructors only: the full message, student traceback, captured output.
    """

    name: str
    description: str
    points: float
    max_points: float
    hidden: bool = False
    reason: str | None = None
    detail: str | None = None

    @property
    def passed(self) -> bool:
        return self.reason is None and self.points >= self.max_points


@dataclass
class ExerciseResult:
    """The checks of one exercise (one nbgrader grade cell).

    Attributes:
        grade_id: the grade cell's ``grade_id``.
        points: points earned (sum of the checks').
        max_points: points it is worth.
        checks: the check results.
    """

    grade_id: str
    points: float
    max_points: float
    checks: list[CheckResult] = field(default_factory=list)


@dataclass
class NotebookResult:
    """The grade of one student's notebook.

    Attributes:
        student: student id (nbgrader folder name or the notebook's file stem).
        notebook: notebook name (file stem).
        lesson: the lesson id it was graded as, or ``None`` when it could not be told.
        path: the submission's path.
        total: points earned.
        max_points: points possible.
        exercises: per exercise results.
        problems: notes about the notebook shown to the student (bad cells, crashes).
        status: ``"graded"`` or ``"ungradable"`` (no check could run).
        duration_s: seconds grading took.
        detail: instructors only (an internal grader error's traceback); never in feedback.
        provenance: what produced the result (``autograder.provenance.Provenance`` as data).
    """

    student: str
    notebook: str
    lesson: str | None
    path: str
    total: float = 0.0
    max_points: float = 0.0
    exercises: list[ExerciseResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    status: str = "graded"
    duration_s: float = 0.0
    detail: str | None = None
    version: int = RESULT_VERSION
    provenance: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NotebookResult:
        """Rebuild a result written by :meth:`to_dict`."""
        exercises = [
            ExerciseResult(
                grade_id=e["grade_id"],
                points=e["points"],
                max_points=e["max_points"],
                checks=[CheckResult(**c) for c in e.get("checks", [])],
            )
            for e in data.get("exercises", [])
        ]
        fields = {k: v for k, v in data.items() if k != "exercises"}
        return cls(exercises=exercises, **fields)

    def exercise_points(self) -> dict[str, float]:
        """grade_id -> points earned."""
        return {e.grade_id: e.points for e in self.exercises}


@dataclass
class BatchResult:
    """What :func:`autograder.grade_submissions` did.

    Attributes:
        results: one result per graded notebook, in submission order.
        out_dir: the results folder.
        gradebook: path of ``gradebook.csv``.
        feedback: per student feedback report paths.
        report: the batch report (``batch_report.html``), when written.
        regrade: with ``regrade=True``: what was graded again and what moved
            (``autograder.provenance.RegradeReport``).
    """

    results: list[NotebookResult]
    out_dir: Path
    gradebook: Path
    feedback: dict[str, Path] = field(default_factory=dict)
    report: Path | None = None
    regrade: Any = None


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename (never half-written).

    Args:
        path: destination (its folder is created).
        text: content.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_result(result: NotebookResult, out_dir: Path) -> Path:
    """Write ``<out_dir>/<student>/<notebook>.json`` atomically.

    Args:
        result: the notebook's result.
        out_dir: the results folder.

    Returns:
        The JSON file's path.
    """
    path = out_dir / safe_name(result.student) / f"{safe_name(result.notebook)}.json"
    write_atomic(path, json.dumps(result.to_dict(), indent=1, sort_keys=True) + "\n")
    return path


def load_results(out_dir: Path) -> list[NotebookResult]:
    """Every result JSON under ``out_dir``, sorted; unreadable ones are skipped.

    Args:
        out_dir: the results folder.

    Returns:
        The results.
    """
    results = []
    for path in sorted(out_dir.glob("*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("version") != RESULT_VERSION:
                continue
            results.append(NotebookResult.from_dict(data))
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return sorted(results, key=lambda r: (r.student, r.notebook))


#: Characters a result file name keeps as they are; every other one is escaped.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.@+")
MAX_NAME_BYTES = 120


def safe_name(name: str) -> str:
    """A file name for ``name`` that no other name maps to, safe on every file system.

    Lower-case letters, digits and ``-_.@+`` stay (a leading ``.`` is escaped); an
    upper-case letter becomes ``^`` plus the letter (so ``Alice`` and ``alice`` differ on
    case-insensitive disks); every other byte of the UTF-8 text becomes ``%XX``. The
    mapping is one-to-one (``a b`` is ``a%20b``, ``a_b`` stays ``a_b``). A name longer
    than :data:`MAX_NAME_BYTES` keeps its first part and ends in ``~`` and 16 hex digits
    of its SHA-256, which no escaped name contains.

    Args:
        name: a student id or notebook name, any text.

    Returns:
        The file name (without extension); never empty, never starting with a dot.
    """
    parts = []
    for index, char in enumerate(name):
        if char in _PLAIN and not (index == 0 and char == "."):
            parts.append(char)
        elif "A" <= char <= "Z":
            parts.append("^" + char.lower())
        else:
            parts.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    encoded = "".join(parts) or "%"
    if len(encoded) > MAX_NAME_BYTES:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        encoded = f"{encoded[: MAX_NAME_BYTES - 17]}~{digest}"
    return encoded
