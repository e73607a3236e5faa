"""Write nbgrader source notebooks from Python, with the cell metadata nbgrader expects.

The notebooks in ``solutions/`` are the source of truth and can be edited in
JupyterLab with the nbgrader "Create Assignment" toolbar. This module is for
authors who prefer to draft a lesson as code::

    from tools.nbauthor import Notebook

    nb = Notebook()
    nb.markdown("# Lesson title")
    nb.code("import bertcourse as bc\\nbc.setup_lesson()")
    nb.solution("tokenize_function", '''
    def tokenize_function(batch):
        ### BEGIN SOLUTION
        return tokenizer(batch["text"], truncation=True)
        ### END SOLUTION
    ''')
    nb.tests("tokenize_function_tests", points=2, source='''
    assert ...            # visible test
    ''')               # the hidden region: `bertcourse hidden-tests` adds it

    nb.write("solutions/03_sequence_classification/03_sequence_classification.ipynb")
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: What the course's kernel reports (Python 3.11). JupyterLab writes the kernel's
#: language_info into a notebook it opens; a notebook saved with less opens as changed.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11.7",
}


def _clean(source: str) -> str:
    return textwrap.dedent(source).strip("\n")


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool, **extra: object) -> dict:
    meta: dict[str, object] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    meta.update(extra)
    return {"nbgrader": meta}


class Notebook:
    """An nbgrader source notebook built cell by cell."""

    def __init__(self) -> None:
        self.cells: list[nbformat.NotebookNode] = []
        self._ids: set[str] = set()

    def _check_id(self, grade_id: str) -> None:
        if grade_id in self._ids:
            raise ValueError(f"grade_id {grade_id!r} is used twice in this notebook")
        self._ids.add(grade_id)

    def markdown(self, source: str) -> None:
        """A narrative cell."""
        self.cells.append(new_markdown_cell(_clean(source)))

    def code(self, source: str, *, tags: list[str] | None = None) -> None:
        """An ordinary code cell (students may edit it; it is not graded)."""
        cell = new_code_cell(_clean(source))
        if tags:
            cell.metadata["tags"] = tags
        self.cells.append(cell)

    def solution(self, grade_id: str, source: str) -> None:
        """A cell the student fills: wrap the answer in ``### BEGIN/END SOLUTION``."""
        self._check_id(grade_id)
        if "### BEGIN SOLUTION" not in source:
            raise ValueError(f"solution cell {grade_id!r} has no '### BEGIN SOLUTION' region")
        cell = new_code_cell(_clean(source))
        cell.metadata.update(_nbgrader(grade_id, grade=False, solution=True, locked=False))
        self.cells.append(cell)

    def tests(self, grade_id: str, source: str, *, points: int) -> None:
        """A locked, graded test cell with its visible asserts.

        The hidden tests are the checks in ``autograder/lessons/``: ``bertcourse
        hidden-tests`` appends the region that runs them (``score_cell``).
        """
        self._check_id(grade_id)
        cell = new_code_cell(_clean(source))
        cell.metadata.update(
            _nbgrader(grade_id, grade=True, solution=False, locked=True, points=points)
        )
        self.cells.append(cell)

    def readonly(self, grade_id: str, source: str, *, markdown: bool = False) -> None:
        """A locked cell students cannot change (setup the tests rely on)."""
        self._check_id(grade_id)
        cell = new_markdown_cell(_clean(source)) if markdown else new_code_cell(_clean(source))
        cell.metadata.update(_nbgrader(grade_id, grade=False, solution=False, locked=True))
        self.cells.append(cell)

    def write(self, path: str | Path) -> Path:
        """Write the notebook (no outputs) and return its path."""
        notebook = new_notebook(cells=self.cells)
        notebook.metadata["kernelspec"] = KERNELSPEC
        notebook.metadata["language_info"] = LANGUAGE_INFO
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.validate(notebook)
        nbformat.write(notebook, path)
        return path
