"""A summary line on top of nbgrader's Validate dialog in JupyterLab (``./course lab``).

nbgrader's dialog lists each failing test cell, one after another, and never says how
many failed out of how many. This Jupyter server extension answers Validate's request in
nbgrader's place (the same URL, nbgrader's own validation, the same JSON) and writes one
summary line at the top of the first failure: how many test cells fail out of how many,
and which. The dialog itself is nbgrader's labextension, unchanged: it shows each
failure's error as HTML, which is where the line goes.

``jupyter/jupyter_server_config.py`` enables it beside nbgrader's extensions.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

#: nbgrader's Validate endpoint (``nbgrader.server_extensions.validate_assignment``).
VALIDATE_URL = r"/assignments/validate"


def graded_test_cells(notebook: dict[str, Any]) -> list[tuple[str, str]]:
    """``(grade_id, source)`` of the notebook's test cells (graded code cells, not answers).

    Args:
        notebook: the notebook as JSON.

    Returns:
        The test cells in notebook order.
    """
    cells = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            cells.append((str(meta.get("grade_id", "?")), _source(cell)))
    return cells


def _source(cell: dict[str, Any]) -> str:
    """A cell's source as one stripped string (notebook JSON may store a list of lines)."""
    source = cell.get("source", "")
    return ("".join(source) if isinstance(source, list) else str(source)).strip()


def summary_line(n_failed: int, n_tests: int, failed_ids: list[str]) -> str:
    """The sentence the dialog shows first, e.g. ``2 of 9 test cells fail: a, b.``"""
    cells = "test cell" if n_tests == 1 else "test cells"
    verb = "fails" if n_failed == 1 else "fail"
    names = f": {', '.join(failed_ids)}" if failed_ids else ""
    # Short lines: the dialog shows the text in a <pre> box that does not wrap.
    return (
        f"{n_failed} of {n_tests} {cells} {verb}{names}.\n"
        "They are listed in notebook order. Start with the first: a later test\n"
        "can fail only because an earlier exercise is not done yet."
    )


def add_summary(response: dict[str, Any], notebook: dict[str, Any]) -> dict[str, Any]:
    """Put :func:`summary_line` into the first failure of a Validate response.

    Args:
        response: what nbgrader's handler answers: ``{"success": ..., "value": ...}``,
            ``value`` being the validator's result (a dict, or its JSON text).
        notebook: the validated notebook as JSON (to count its test cells).

    Returns:
        The response, with the summary added where there are failures; unchanged otherwise.
    """
    if not response.get("success"):
        return response
    value = response.get("value")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return response
    if not isinstance(value, dict) or not value.get("failed"):
        return response
    failed = value["failed"]
    cells = graded_test_cells(notebook)
    ids_by_source = {}
    for cell in notebook.get("cells", []):  # any nbgrader cell can be listed as failed
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            ids_by_source[_source(cell)] = str(grade_id)
    failed_ids = [ids_by_source.get(str(entry.get("source", "")).strip(), "?") for entry in failed]
    line = summary_line(len(failed), max(len(cells), len(failed)), failed_ids)
    first = dict(failed[0])
    first["error"] = f"<b>{html.escape(line)}</b>\n\n" + str(first.get("error", ""))
    return {**response, "value": {**value, "failed": [first, *failed[1:]]}}


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Route Validate's requests to a handler that adds the summary (before nbgrader's)."""
    from jupyter_server.utils import url_path_join
    from nbgrader.server_extensions.validate_assignment.handlers import (
        ValidateAssignmentHandler,
    )

    class SummarisedValidateHandler(ValidateAssignmentHandler):
        """nbgrader's Validate handler, with :func:`add_summary` applied to its answer."""

        def validate_notebook(self, path: str) -> dict[str, Any]:
            response = super().validate_notebook(path)
            try:
                target = (Path(self.root_dir) / path).resolve()
                notebook = json.loads(target.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return response  # nbgrader's own answer already says what went wrong
            return add_summary(response, notebook)

    web_app = serverapp.web_app
    # nbgrader's extension sets this too; the handler needs it even where that one is off.
    web_app.settings.setdefault("root_dir", serverapp.root_dir)
    url = url_path_join(web_app.settings["base_url"], VALIDATE_URL)
    web_app.add_handlers(".*$", [(url, SummarisedValidateHandler)])
    # tornado tries host rules in order and add_handlers put ours just before the default
    # rule; move it to the front so it answers before nbgrader's whatever the load order.
    rules = web_app.default_router.rules
    rules.insert(0, rules.pop(len(rules) - 2))
    serverapp.log.info("bertcourse: Validate's dialog gets a summary line")


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "bertcourse.validate_summary"}]
