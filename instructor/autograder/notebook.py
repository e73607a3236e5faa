"""Read a submitted notebook tolerantly and pick the cells a lesson's checks need."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.api import Lesson, UpTo
from autograder.exceptions import NotebookUnreadable

MAX_NOTEBOOK_BYTES = 50 * 2**20
SKIP_TAG = "autograder-skip"


@dataclass(frozen=True)
class Cell:
    """One notebook cell with its nbgrader metadata."""

    index: int
    cell_type: str
    source: str
    grade_id: str | None = None
    solution: bool = False
    grade: bool = False
    locked: bool = False
    points: float = 0.0
    tags: tuple[str, ...] = ()


@dataclass
class CellPlan:
    """The code to run in the worker, in order, and notes for the student."""

    cells: list[tuple[str, str]] = field(default_factory=list)  # (label, source)
    problems: list[str] = field(default_factory=list)


def _text(source: Any) -> str:
    if isinstance(source, list):
        source = "".join(str(part) for part in source)
    # Line endings as an editor on Windows may have saved them inside the cells.
    return source.replace("\r\n", "\n") if isinstance(source, str) else ""


def read_cells(path: Path) -> list[Cell]:
    """The cells of a notebook file, without validating more than grading needs.

    Accepts what editors really write: a UTF-8 byte-order mark, CRLF line endings (also
    inside cell sources) and any nbformat 4 minor version (cells without ids).

    Args:
        path: the ``.ipynb`` file.

    Returns:
        The cells.

    Raises:
        NotebookUnreadable: not JSON, not a notebook, or too big.
    """
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookUnreadable(
                f"the notebook file is {size / 2**20:.0f} MB, more than the "
                f"{MAX_NOTEBOOK_BYTES // 2**20} MB the grader reads: clear the outputs and resubmit"
            )
        # utf-8-sig: editors on Windows save a byte-order mark, which JSON forbids.
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NotebookUnreadable("the notebook file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise NotebookUnreadable(
            f"the notebook file is not valid JSON ({error.msg} at line {error.lineno}); it was "
            "probably damaged by editing it as text: download it again from JupyterLab"
        ) from None
    except OSError as error:
        raise NotebookUnreadable(f"the notebook file cannot be read ({error.strerror})") from None
    if isinstance(data, dict) and "worksheets" in data:
        raise NotebookUnreadable(
            f"the notebook is in the old nbformat {data.get('nbformat', 3)} format: open it "
            "in JupyterLab, save it (that converts it to nbformat 4) and resubmit"
        )
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookUnreadable("the file is JSON but not a Jupyter notebook (no 'cells' list)")
    cells = []
    for index, raw in enumerate(data["cells"]):
        if not isinstance(raw, dict):
            continue
        metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
        nbgrader = metadata.get("nbgrader") if isinstance(metadata.get("nbgrader"), dict) else {}
        tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
        grade_id = nbgrader.get("grade_id")
        points = nbgrader.get("points", 0)
        cells.append(
            Cell(
                index=index,
                cell_type=str(raw.get("cell_type", "")),
                source=_text(raw.get("source", "")),
                grade_id=grade_id if isinstance(grade_id, str) else None,
                solution=nbgrader.get("solution") is True,
                grade=nbgrader.get("grade") is True,
                locked=nbgrader.get("locked") is True,
                points=float(points) if isinstance(points, (int, float)) else 0.0,
                tags=tuple(str(t) for t in tags),
            )
        )
    return cells


def grade_ids(cells: list[Cell]) -> set[str]:
    """Every grade_id in ``cells``."""
    return {c.grade_id for c in cells if c.grade_id}


def solution_ids(cells: list[Cell]) -> list[str]:
    """The solution cells' grade_ids, in notebook order (each once)."""
    seen: list[str] = []
    for cell in cells:
        if cell.solution and cell.grade_id and cell.grade_id not in seen:
            seen.append(cell.grade_id)
    return seen


def grade_cell_points(cells: list[Cell]) -> dict[str, float]:
    """grade_id -> points of the graded (test) cells."""
    return {c.grade_id: c.points for c in cells if c.grade and c.grade_id and not c.solution}


def _python(source: str) -> str:
    """Notebook source as Python: ``%magic`` and ``!shell`` become calls the worker ignores."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - leave it as is; the worker reports the SyntaxError
        return source


def plan_cells(
    cells: list[Cell],
    lesson: Lesson,
    *,
    reference: list[Cell] | None = None,
    replace: dict[str, str] | None = None,
) -> CellPlan:
    """Choose the code the worker runs for ``lesson`` and note what is wrong with the notebook.

    Args:
        cells: the submission's cells.
        lesson: the lesson (its ``setup`` and ``run`` selection).
        reference: the source notebook's cells (canonical order, locked cells' text).
        replace: solution grade_id -> source to use instead (mutation testing).

    Returns:
        The plan: ``setup`` first, then the selected cells.
    """
    plan = CellPlan()
    replace = replace or {}
    if lesson.setup.strip():
        plan.cells.append(("setup", lesson.setup))
    reference = reference or []
    canonical = solution_ids(reference) or solution_ids(cells)
    locked_text = {
        c.grade_id: c.source for c in reference if c.grade_id and c.locked and not c.solution
    }
    by_id: dict[str, list[Cell]] = {}
    for cell in cells:
        if cell.grade_id:
            by_id.setdefault(cell.grade_id, []).append(cell)

    def usable(grade_id: str) -> list[Cell]:
        copies = by_id.get(grade_id, [])
        if not copies:
            plan.problems.append(
                f"The cell `{grade_id}` is missing (deleted?): copy it back from the lesson's "
                "release notebook; the exercises that need it scored 0."
            )
            return []
        code = [c for c in copies if c.cell_type == "code"]
        if len(code) < len(copies):
            plan.problems.append(
                f"The cell `{grade_id}` is a {copies[0].cell_type.title()} cell, not a Code cell: "
                "change its type back to Code (it was not run)."
            )
        if len(code) > 1:
            plan.problems.append(
                f"The cell `{grade_id}` appears {len(code)} times; all copies ran in notebook "
                "order, so the last one counts."
            )
        return code

    up_to = lesson.run.grade_id if isinstance(lesson.run, UpTo) else None
    if up_to is not None and up_to not in by_id:
        plan.problems.append(
            f"The cell `{up_to}` (where grading stops) is missing, so only your solution cells "
            "were run."
        )
        up_to = None

    if up_to is None:
        order = [cid for cid in canonical]
        present = [c.grade_id for c in cells if c.grade_id in set(order) and c.solution]
        first_seen = list(dict.fromkeys(present))
        if first_seen != [cid for cid in order if cid in first_seen]:
            plan.problems.append(
                "Some solution cells are in a different order than in the lesson; they were run "
                "in the lesson's order."
            )
        for grade_id in order:
            for cell in usable(grade_id):
                plan.cells.append((grade_id, _python(replace.get(grade_id, cell.source))))
        return plan

    for grade_id in canonical:  # record missing / retyped / duplicated solution cells
        usable(grade_id)
    for cell in cells:
        if cell.cell_type == "code" and not (cell.grade and not cell.solution):
            if SKIP_TAG not in cell.tags:
                label = cell.grade_id or f"#{cell.index + 1}"
                text = cell.source
                if cell.grade_id in replace:
                    text = replace[cell.grade_id]
                elif cell.grade_id in locked_text:
                    text = locked_text[cell.grade_id]  # locked cells: the lesson's own text
                plan.cells.append((label, _python(text)))
        if cell.grade_id == up_to:
            break
    return plan
