"""After nbval has run a lesson's cells, check the numbers its Markdown states.

CI executes every solution notebook with ``pytest solutions --nbval-lax``. This plugin
adds one item after the last cell of each notebook, ``<lesson>::markdown numbers``:
it reads the outputs nbval collected and fails when the Markdown states a number that
no output shows and no source backs (``tools/md_numbers.py``). Costs no extra run.

A number that may stand without being printed (a definition, a limit of the model)
goes into ``tools/md_numbers_reviewed.json`` with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REVIEWED = Path(__file__).resolve().parents[1] / "tools" / "md_numbers_reviewed.json"


class MarkdownNumbersItem(pytest.Item):
    """Fails when the lesson's Markdown states numbers that nothing supports."""

    def __init__(self, *, cells: list[pytest.Item], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.cells = cells

    def runtest(self) -> None:
        from tools.md_numbers import load_reviewed, unsupported_numbers

        notebook = self.parent.nb  # nbval's copy of the source notebook
        outputs = [getattr(cell, "test_outputs", None) for cell in self.cells]
        if any(output is None for output in outputs):
            pytest.skip("not every cell of the notebook ran: its outputs are incomplete")
        if any(cell.nodeid in _FAILED_CELLS for cell in self.cells):
            pytest.skip("a cell of the notebook failed: its outputs are incomplete")
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        executed = {
            "cells": [
                {**cell, "outputs": []} if cell.cell_type == "code" else dict(cell)
                for cell in notebook.cells
            ]
        }
        by_position = [c for c in executed["cells"] if c["cell_type"] == "code"]
        for item in self.cells:
            by_position[item.cell_num]["outputs"] = list(item.test_outputs)
        assert len(by_position) == len(code_cells)
        lesson = Path(str(self.parent.path)).stem
        reviewed = load_reviewed(REVIEWED).get(lesson, {}) if REVIEWED.is_file() else {}
        problems = unsupported_numbers(executed, reviewed)
        if problems:
            listed = "\n".join(f"  {problem}" for problem in problems)
            raise AssertionError(
                f"{lesson}: {len(problems)} number(s) in Markdown that no output shows and "
                f"no source backs:\n{listed}\nPrint each from a cell above it, cite its "
                "source in the same paragraph ('source: ...'), or, for a definition, add it "
                f"with the reason to {REVIEWED.name}."
            )

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.name}"


#: Cells whose run failed: the notebook's outputs stop there, so its numbers are not checked.
_FAILED_CELLS: set[str] = set()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember the cells that failed (the notebook's own failure is reported already)."""
    if report.failed:
        _FAILED_CELLS.add(report.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Put a markdown-number item after the last nbval cell of every notebook."""
    by_file: dict[pytest.Collector, list[pytest.Item]] = {}
    for item in items:
        if type(item).__name__ == "IPyNbCell" and item.parent is not None:
            by_file.setdefault(item.parent, []).append(item)
    for parent, cells in by_file.items():
        check = MarkdownNumbersItem.from_parent(parent, name="markdown numbers", cells=cells)
        items.insert(items.index(cells[-1]) + 1, check)
