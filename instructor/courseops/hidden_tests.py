"""Write every hidden-test region of the source notebooks as one call to the grader's checks.

``bertcourse hidden-tests [--lesson ID ...] [--check]``: in each graded test cell of
``solutions/<lesson>/<lesson>.ipynb`` the lines between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS`` become::

    from autograder.in_notebook import score_cell

    score_cell("<lesson>", "<grade_id>", globals())

so the hidden tests and ``autograder/lessons/<lesson>.py`` are one source (see
:mod:`autograder.in_notebook`). A graded test cell without a hidden region gets one at
its end. Re-running changes nothing once a notebook is converted (idempotent), and only
the ``source`` of the cells it rewrites changes: cell ids, metadata, outputs and the other
cells stay byte for byte, so lessons edited in parallel merge cleanly and the tool can be
run again after the merge.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.course_layout import SOLUTIONS_DIR
from autograder.exceptions import HiddenTestsError
from autograder.release import source_lessons

BEGIN = "### BEGIN HIDDEN TESTS"
END = "### END HIDDEN TESTS"
_REGION = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN HIDDEN TESTS[^\n]*\n(?P<body>.*?)^[ \t]*### END HIDDEN TESTS",
    flags=re.DOTALL | re.MULTILINE,
)


def hidden_region(lesson_id: str, grade_id: str) -> str:
    """The standard body of a hidden-test region (without the BEGIN/END lines).

    Args:
        lesson_id: the lesson.
        grade_id: the grade cell.

    Returns:
        The source lines, ending in a newline.
    """
    return (
        "from autograder.in_notebook import score_cell\n"
        "\n"
        f"score_cell({json.dumps(lesson_id)}, {json.dumps(grade_id)}, globals())\n"
    )


@dataclass
class ConversionResult:
    """What converting one notebook did.

    Attributes:
        notebook: the source notebook.
        changed: grade ids of the test cells rewritten (empty: already converted).
        written: whether the file was (or, with ``check``, would be) rewritten.
    """

    notebook: Path
    changed: list[str] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return bool(self.changed)


def convert_source(source: str, lesson_id: str, grade_id: str) -> str:
    """One test cell's source with its hidden region written as the standard call.

    Args:
        source: the cell's source.
        lesson_id: the lesson.
        grade_id: the cell's grade id.

    Returns:
        The new source (the same string when it is converted already).

    Raises:
        HiddenTestsError: more than one hidden region, or code after it (the call must be
            the cell's last expression, or nbgrader does not read its value as the score).
    """
    where = f"lesson {lesson_id}, cell {grade_id!r}"
    if source.count(BEGIN) > 1 or source.count(END) > 1:
        raise HiddenTestsError(f"{where}: more than one hidden-test region; merge them into one")
    if (BEGIN in source) != (END in source):
        raise HiddenTestsError(f"{where}: {BEGIN!r} without {END!r} (or the reverse); add both")
    if BEGIN not in source:
        base = source.rstrip("\n")
        return f"{base}\n{BEGIN}\n{hidden_region(lesson_id, grade_id)}{END}"
    match = _REGION.search(source)
    if match is None or match.group("indent"):
        raise HiddenTestsError(
            f"{where}: the hidden-test region must start and end on lines of its own, unindented"
        )
    after = source[match.end() :]
    if any(line.strip() and not line.strip().startswith("#") for line in after.splitlines()):
        raise HiddenTestsError(
            f"{where}: code follows {END!r}; move it above {BEGIN!r} so that the score "
            "stays the cell's last expression"
        )
    body = hidden_region(lesson_id, grade_id)
    start, stop = match.span("body")
    return source[:start] + body + source[stop:]


def _split_lines(text: str) -> list[str]:
    """A notebook's ``source`` list: the lines, each with its newline but the last."""
    return text.splitlines(keepends=True)


def convert_notebook(path: Path, lesson_id: str, *, check: bool = False) -> ConversionResult:
    """Convert the hidden-test regions of one source notebook (idempotent).

    Args:
        path: ``solutions/<lesson>/<lesson>.ipynb``.
        lesson_id: the lesson.
        check: only report what would change, write nothing.

    Returns:
        What changed.
    """
    text = path.read_text(encoding="utf-8")
    notebook: dict[str, Any] = json.loads(text)
    result = ConversionResult(notebook=path)
    for cell in notebook.get("cells", []):
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not nbgrader.get("grade"):
            continue
        if nbgrader.get("solution"):
            continue  # a solution cell that carries points is graded by hand
        source = cell["source"]
        old = "".join(source) if isinstance(source, list) else source
        new = convert_source(old, lesson_id, nbgrader["grade_id"])
        if new != old:
            cell["source"] = _split_lines(new)
            result.changed.append(nbgrader["grade_id"])
    if result.changed and not check:
        # The layout nbformat and JupyterLab write (indent 1, UTF-8 kept): unchanged cells
        # are written back byte for byte.
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return result


def convert_lessons(
    lessons: list[str] | None = None, *, solutions_dir: Path | None = None, check: bool = False
) -> list[ConversionResult]:
    """Convert the source notebooks of ``lessons`` (default: all).

    Args:
        lessons: lesson ids.
        solutions_dir: the source folder (default ``solutions/``).
        check: only report what would change.

    Returns:
        One result per lesson.

    Raises:
        HiddenTestsError: a lesson has no source notebook, or a test cell cannot be converted.
    """
    folder = solutions_dir or SOLUTIONS_DIR
    chosen = lessons or source_lessons(folder)
    results = []
    for lesson_id in chosen:
        path = folder / lesson_id / f"{lesson_id}.ipynb"
        if not path.is_file():
            raise HiddenTestsError(f"lesson {lesson_id!r} has no source notebook {path}")
        results.append(convert_notebook(path, lesson_id, check=check))
    return results
