"""nbgrader preprocessors that keep hidden tests out of the feedback students receive.

nbgrader's ``generate_feedback`` renders the autograded notebook as it is: the hidden test
source, and the traceback of a failed hidden test (which quotes the failing line and often
the values). ``nbgrader_config.py`` adds these two preprocessors to
``GenerateFeedback.preprocessors``: the first replaces the outputs of every grade cell that
held hidden tests by a one-line note, the second removes the hidden region from the source.
"""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Bool, Unicode


class ClearHiddenTestOutputs(Preprocessor):
    """Replace the outputs of cells that contain hidden tests by a short, safe note."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    # nbconvert preprocessors are off unless enabled; listing it in the config must suffice.
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(
        self, cell: Any, resources: dict[str, Any], index: int
    ) -> tuple[Any, dict[str, Any]]:
        if cell.cell_type != "code" or self.begin_test_delimeter not in cell.source:
            return cell, resources
        failed = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        note = (
            f"A test in this cell failed ({failed[0].get('ename', 'error')}); hidden tests "
            "are not shown."
            if failed
            else "Hidden tests in this cell are not shown."
        )
        cell.outputs = [new_output("stream", name="stdout", text=note + "\n")]
        return cell, resources


class FeedbackClearHiddenTests(ClearHiddenTests):
    """``ClearHiddenTests`` for feedback: never stop on a misplaced hidden region, remove it."""

    enforce_metadata = Bool(False).tag(config=True)
