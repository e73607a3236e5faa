"""The student library holds no copy of a graded exercise's answer (issue 14).

Students get ``bertcourse`` (a wheel) with the release notebooks. A function in it with
the body of a graded solution would let them pass an exercise by calling or reading it.
This test is a copy detector: for every function of every graded solution cell
(``nbgrader.solution`` in ``solutions/*/*.ipynb``), no function or lambda anywhere in
``bertcourse/`` (nested ones and methods included) may have the same normalised body.

Normalised: the docstring, ``assert`` statements and input guards (an ``if`` whose
body only raises) are dropped, type annotations removed, and every name that is not
a Python builtin is renamed in order of first appearance, so renaming variables,
parameters, helpers or imports (``np`` / ``numpy``) does not hide a copy. Attribute
names, keyword names and constants stay. A copy rewritten by hand (another loop, a
conditional expression) is out of its reach: which library functions compute what an
exercise asks is recorded by behaviour in the issue's report, not here.
"""

from __future__ import annotations

import ast
import builtins
import copy
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "bertcourse"
SOLUTIONS = REPO / "solutions"
_BUILTINS = frozenset(dir(builtins))
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class Function:
    """A function found in source code, with its normalised body."""

    where: str  #: ``file:line`` or ``lesson/grade_id``
    name: str
    fingerprint: str


def _is_noise(statement: ast.stmt) -> bool:
    """Docstrings and input checks, which a copy may add or drop."""
    if isinstance(statement, ast.Assert):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return True  # a docstring, or a string used as a comment
    return (
        isinstance(statement, ast.If)
        and not statement.orelse
        and all(isinstance(s, ast.Raise) for s in statement.body)
    )


class _Canonical(ast.NodeTransformer):
    """Renames every non-builtin name to ``_v0``, ``_v1``... in order of appearance."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def _rename(self, name: str) -> str:
        if name in _BUILTINS:
            return name
        return self.names.setdefault(name, f"_v{len(self.names)}")

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self._rename(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = self._rename(node.arg)
        node.annotation = None
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        self.generic_visit(node)
        node.annotation = ast.Constant(None)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.name = self._rename(node.name)
        node.returns = None
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]


def fingerprint(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> str:
    """The normalised body of ``function`` as an AST dump.

    Args:
        function: a function or lambda node.

    Returns:
        A string equal for two functions whose bodies differ only in names,
        docstrings, annotations and input guards.
    """
    if isinstance(function, ast.Lambda):
        body: list[ast.stmt] = [ast.Return(function.body)]
    else:
        body = list(function.body)
    body = [copy.deepcopy(statement) for statement in body if not _is_noise(statement)]
    module = _Canonical().visit(ast.Module(body=body, type_ignores=[]))
    return ast.dump(module, annotate_fields=False)


def library_functions(root: Path = LIBRARY) -> list[Function]:
    """Every function and lambda in the ``.py`` files under ``root`` (nested ones too)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, _FUNCTIONS):
                name = getattr(node, "name", "<lambda>")
                where = f"{path.relative_to(root.parent)}:{node.lineno}"
                found.append(Function(where, name, fingerprint(node)))
    return found


def _code(cell: dict) -> str:
    # Notebook magics are not Python; solution cells should have none, but skip them.
    lines = "".join(cell["source"]).splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def solution_functions(root: Path = SOLUTIONS) -> list[Function]:
    """The top-level functions of every graded solution cell under ``root``."""
    found = []
    for notebook in sorted(root.glob("*/*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell["cell_type"] != "code" or not meta.get("solution"):
                continue
            for node in ast.parse(_code(cell)).body:
                if isinstance(node, _FUNCTIONS):
                    where = f"{notebook.parent.name}/{meta.get('grade_id')}"
                    found.append(Function(where, node.name, fingerprint(node)))
    return found


def copies(library: list[Function], solutions: list[Function]) -> list[str]:
    """``library function == solution function`` for every pair with the same fingerprint."""
    by_print: dict[str, list[Function]] = {}
    for function in solutions:
        by_print.setdefault(function.fingerprint, []).append(function)
    return [
        f"{lib.where} {lib.name} == {sol.where} {sol.name}"
        for lib in library
        for sol in by_print.get(lib.fingerprint, [])
    ]


SOLUTION_FUNCTIONS = solution_functions()


def test_every_lesson_with_exercises_has_solution_functions() -> None:
    lessons = {function.where.split("/")[0] for function in SOLUTION_FUNCTIONS}
    # Every lesson has function exercises; a parsing slip would silently empty the list.
    expected = {path.parent.name for path in REPO.glob("solutions/*/*.ipynb")}
    assert lessons == expected, sorted(expected - lessons)
    assert len(SOLUTION_FUNCTIONS) >= 30, len(SOLUTION_FUNCTIONS)


def test_the_student_library_holds_no_copy_of_a_graded_solution() -> None:
    found = copies(library_functions(), SOLUTION_FUNCTIONS)
    assert not found, (
        "bertcourse/ holds the answer of a graded exercise; move the grader's copy to "
        "autograder/references.py and give the course another route:\n" + "\n".join(found)
    )


class _Disguise(ast.NodeTransformer):
    """Rename a function, its parameters and locals, as someone hiding a copy would."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id not in _BUILTINS:
            node.id = f"renamed_{node.id}"
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = f"renamed_{node.arg}"
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        # Nested helpers are renamed with their calls (the outer name is set by the test).
        node.name = f"renamed_{node.name}"
        self.generic_visit(node)
        return node


@pytest.mark.parametrize("solution", SOLUTION_FUNCTIONS, ids=lambda f: f"{f.where}.{f.name}")
def test_the_detector_finds_a_disguised_copy(solution: Function, tmp_path: Path) -> None:
    notebook = SOLUTIONS / solution.where.split("/")[0]
    cells = json.loads(next(notebook.glob("*.ipynb")).read_text(encoding="utf-8"))["cells"]
    node = next(
        node
        for cell in cells
        if cell["cell_type"] == "code"
        and cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        == solution.where.split("/")[1]
        for node in ast.parse(_code(cell)).body
        if isinstance(node, ast.FunctionDef) and node.name == solution.name
    )
    disguised = _Disguise().visit(copy.deepcopy(node))
    disguised.name = "helper"
    guard = ast.parse("if x is None:\n    raise ValueError('x is None: pass a value')").body[0]
    disguised.body = [ast.Expr(ast.Constant("A helper.")), guard, *disguised.body]
    package = tmp_path / "fakelib"
    package.mkdir()
    (package / "helpers.py").write_text(ast.unparse(ast.fix_missing_locations(disguised)))
    assert copies(library_functions(package), [solution]), ast.unparse(disguised)
