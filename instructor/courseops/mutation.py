"""Mutation testing of the lessons' checks: do they catch small, plausible bugs?

nbgrader and otter-grader leave instructors to guess whether their hidden tests catch
wrong answers. Here every graded solution cell is mutated mechanically, one small bug at
a time, inside its ``### BEGIN SOLUTION`` region, and each mutant is graded with the
lesson's checks in the sandbox. A mutant is *killed* when the notebook loses points.
The kill rate per exercise, and the survivors with where and what they changed, tell an
instructor where a check is missing, or which survivor to mark equivalent (it computes
the same thing) in ``autograder/lessons/equivalent_mutants.json``.

Mutation operators (the classic set of mutation testing, as in mutmut and Cosmic Ray):

==================  =============================================================
``comparison``      ``<`` and ``<=``, ``>`` and ``>=``, ``==`` and ``!=``, ``in``/``not in``
``arithmetic``      ``+`` and ``-``, ``*`` and ``/``, ``//`` and ``/``
``boolean``         ``and`` and ``or``, ``True`` and ``False``, ``not x`` to ``x``
``constant``        an integer ``n`` to ``n + 1`` (off by one; ``axis=-1`` to ``axis=0``)
``slice``           ``a[i:j]`` to ``a[i + 1:j]`` and ``a[i:j - 1]``
``arguments``       the first two positional arguments of a call swapped
``statement``       an assignment or call statement dropped (``pass``)
``return``          ``return x`` to ``return None``
==================  =============================================================
"""

from __future__ import annotations

import ast
import copy
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.api import Lesson
from autograder.course_layout import CHECKS_DIR
from autograder.notebook import read_cells

EQUIVALENT_FILE = CHECKS_DIR / "equivalent_mutants.json"
_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", flags=re.DOTALL)


@dataclass(frozen=True)
class GeneratedMutant:
    """One mechanical mutant of a solution cell.

    Attributes:
        cell: the solution cell's ``grade_id``.
        operator: the operator family (``comparison``, ``constant``...).
        key: a stable id, ``<operator>:<line>:<col>:<what>``, for the equivalence list.
        description: what changed, for people (``line 4: < -> <=``).
        source: the whole cell after the change.
    """

    cell: str
    operator: str
    key: str
    description: str
    source: str


@dataclass
class ExerciseMutation:
    """Mutation results of one solution cell.

    Attributes:
        cell: the solution cell's ``grade_id``.
        killed: mutants that lost points.
        survived: mutants that kept full marks (``key: description``).
        equivalent: survivors an instructor marked equivalent.
    """

    cell: str
    killed: int = 0
    survived: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.killed + len(self.survived) + len(self.equivalent)

    @property
    def kill_rate(self) -> float | None:
        """Killed over the non-equivalent mutants (``None`` when there are none)."""
        counted = self.killed + len(self.survived)
        return self.killed / counted if counted else None


@dataclass
class MutationReport:
    """The mutation results of one lesson.

    Attributes:
        lesson: the lesson id.
        exercises: per solution cell.
    """

    lesson: str
    exercises: list[ExerciseMutation] = field(default_factory=list)

    def render(self) -> str:
        """A Markdown table and the survivors."""
        lines = [
            f"### {self.lesson}",
            "",
            "| solution cell | mutants | killed | survived | equivalent | kill rate |",
            "|---|---|---|---|---|---|",
        ]
        for item in self.exercises:
            rate = "-" if item.kill_rate is None else f"{item.kill_rate:.0%}"
            lines.append(
                f"| {item.cell} | {item.total} | {item.killed} | {len(item.survived)} | "
                f"{len(item.equivalent)} | {rate} |"
            )
        survivors = [(item.cell, s) for item in self.exercises for s in item.survived]
        if survivors:
            lines += ["", "Surviving mutants (add a check, or mark them equivalent):"]
            lines += [f"- `{cell}` {survivor}" for cell, survivor in survivors]
        return "\n".join(lines) + "\n"


class _Mutator(ast.NodeTransformer):
    """Applies the ``target``-th eligible mutation of one operator family."""

    def __init__(self, lines: range, operator: str, target: int) -> None:
        self.lines = lines
        self.operator = operator
        self.target = target
        self.seen = 0
        self.done: tuple[int, int, str] | None = None

    def _site(self, node: ast.AST, what: str, apply: Callable[[], ast.AST]) -> ast.AST:
        if getattr(node, "lineno", -1) not in self.lines or self.done is not None:
            return node
        self.seen += 1
        if self.seen - 1 != self.target:
            return node
        self.done = (node.lineno, getattr(node, "col_offset", 0), what)
        return apply()

    # comparison
    _COMPARE = {
        ast.Lt: ast.LtE,
        ast.LtE: ast.Lt,
        ast.Gt: ast.GtE,
        ast.GtE: ast.Gt,
        ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq,
        ast.In: ast.NotIn,
        ast.NotIn: ast.In,
        ast.Is: ast.IsNot,
        ast.IsNot: ast.Is,
    }
    _ARITHMETIC = {
        ast.Add: ast.Sub,
        ast.Sub: ast.Add,
        ast.Mult: ast.Div,
        ast.Div: ast.Mult,
        ast.FloorDiv: ast.Div,
    }

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if self.operator != "comparison" or type(node.ops[0]) not in self._COMPARE:
            return node
        old = type(node.ops[0])
        new = self._COMPARE[old]

        def apply() -> ast.AST:
            node.ops[0] = new()
            return node

        return self._site(node, f"{old.__name__} -> {new.__name__}", apply)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if self.operator != "arithmetic" or type(node.op) not in self._ARITHMETIC:
            return node
        old = type(node.op)
        new = self._ARITHMETIC[old]

        def apply() -> ast.AST:
            node.op = new()
            return node

        return self._site(node, f"{old.__name__} -> {new.__name__}", apply)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        if self.operator != "boolean":
            return node
        new = ast.Or if isinstance(node.op, ast.And) else ast.And

        def apply() -> ast.AST:
            node.op = new()
            return node

        return self._site(node, f"{type(node.op).__name__} -> {new.__name__}", apply)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if self.operator == "boolean" and isinstance(node.op, ast.Not):
            return self._site(node, "not x -> x", lambda: node.operand)
        if (
            self.operator == "constant"
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and type(node.operand.value) is int
        ):
            value = -node.operand.value
            return self._site(node, f"{value} -> {value + 1}", lambda: ast.Constant(value + 1))
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if self.operator == "boolean" and type(node.value) is bool:
            return self._site(
                node, f"{node.value} -> {not node.value}", lambda: ast.Constant(not node.value)
            )
        if self.operator == "constant" and type(node.value) is int:
            return self._site(
                node, f"{node.value} -> {node.value + 1}", lambda: ast.Constant(node.value + 1)
            )
        return node

    def visit_Slice(self, node: ast.Slice) -> ast.AST:
        self.generic_visit(node)
        if self.operator != "slice":
            return node
        if node.lower is not None:
            lower = node.lower

            def shift_lower() -> ast.AST:
                node.lower = ast.BinOp(lower, ast.Add(), ast.Constant(1))
                return node

            return self._site(lower, "slice start + 1", shift_lower)
        if node.upper is not None:
            upper = node.upper

            def shift_upper() -> ast.AST:
                node.upper = ast.BinOp(upper, ast.Sub(), ast.Constant(1))
                return node

            return self._site(upper, "slice end - 1", shift_upper)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if self.operator != "arguments" or len(node.args) < 2:
            return node
        if any(isinstance(a, ast.Starred) for a in node.args[:2]):
            return node

        def apply() -> ast.AST:
            node.args[0], node.args[1] = node.args[1], node.args[0]
            return node

        return self._site(node, "first two arguments swapped", apply)

    def _statement(self, node: ast.stmt) -> ast.AST:
        self.generic_visit(node)
        if self.operator != "statement":
            return node
        return self._site(node, f"{type(node).__name__} dropped", lambda: ast.Pass())

    visit_Assign = _statement
    visit_AugAssign = _statement
    visit_AnnAssign = _statement
    visit_Expr = _statement

    def visit_Return(self, node: ast.Return) -> ast.AST:
        self.generic_visit(node)
        if self.operator != "return" or node.value is None:
            return node
        return self._site(node, "return None", lambda: ast.Return(ast.Constant(None)))


OPERATORS = ("comparison", "arithmetic", "boolean", "constant", "slice", "arguments")
OPERATORS += ("statement", "return")


def _solution_lines(source: str) -> range | None:
    """The 1-based line numbers of the cell's solution region."""
    match = _REGION.search(source)
    if match is None:
        return None
    first = source[: match.start(1)].count("\n") + 1
    return range(first, first + match.group(1).count("\n"))


def generate_mutants(source: str, *, cell: str) -> list[GeneratedMutant]:
    """Every single-change mutant of the solution region of one cell.

    Args:
        source: the solution cell's source (with its ``### BEGIN SOLUTION`` markers).
        cell: the cell's ``grade_id``.

    Returns:
        The mutants, in operator then source order, without duplicates and without
        changes that leave the code as it was.
    """
    lines = _solution_lines(source)
    if lines is None:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    original = ast.unparse(tree)
    seen = {original}
    mutants = []
    for operator in OPERATORS:
        target = 0
        while True:
            mutator = _Mutator(lines, operator, target)
            mutated = ast.fix_missing_locations(mutator.visit(copy.deepcopy(tree)))
            if mutator.done is None:
                break
            target += 1
            text = ast.unparse(mutated)
            if text in seen:
                continue
            seen.add(text)
            line, col, what = mutator.done
            relative = line - lines.start + 1
            mutants.append(
                GeneratedMutant(
                    cell=cell,
                    operator=operator,
                    key=f"{operator}:{relative}:{col}:{what}",
                    description=f"line {relative} of the solution: {what}",
                    source=text,
                )
            )
    return mutants


def equivalent_mutants(path: Path = EQUIVALENT_FILE) -> dict[str, dict[str, list[str]]]:
    """lesson -> cell -> keys of mutants an instructor marked equivalent."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def lesson_mutants(lesson: Lesson) -> Iterator[GeneratedMutant]:
    """The generated mutants of every solution cell of a lesson's source notebook."""
    assert lesson.source_notebook is not None
    for found in read_cells(lesson.source_notebook):
        if found.solution and found.grade_id and found.cell_type == "code":
            yield from generate_mutants(found.source, cell=found.grade_id)


def in_process_points(lesson: Lesson, replace: dict[str, str]) -> tuple[float, float]:
    """Points of the source notebook with ``replace`` applied, its checks run in this process.

    The lesson's cells run here (no sandbox, so only for the course's own solutions and
    their mutants) and every exercise is scored by :func:`autograder.in_notebook.
    run_cell_checks`, which scores a check exactly as the course grader does
    (``runner.score_check``); a check's ``timeout`` holds through ``SIGALRM``. About ten
    times faster than a sandbox worker per mutant, so a whole course fits a short run.

    Args:
        lesson: a loaded lesson with its source notebook.
        replace: solution grade_id -> replacement source.

    Returns:
        (points, max points).
    """
    import contextlib
    import io

    from autograder.in_notebook import _WORKERS, run_cell_checks
    from autograder.notebook import plan_cells

    _WORKERS.pop(lesson.lesson_id, None)  # fixtures rebuilt: a mutant may have changed them
    namespace: dict[str, Any] = {"__name__": "__main__"}
    plan = plan_cells(lesson.reference, lesson, reference=lesson.reference, replace=replace)
    sink = io.StringIO()
    for label, source in plan.cells:
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                exec(compile(source, f"<cell {label}>", "exec"), namespace)
        except Exception:  # noqa: BLE001 - as the grader: a failing cell is skipped
            pass
    points = sum(run_cell_checks(lesson, g, namespace).points for g in lesson.exercises())
    return round(points, 4), round(sum(lesson.exercises().values()), 4)


def mutation_report(
    lesson: Lesson,
    *,
    sample: int | None = None,
    seed: int = 0,
    cells: list[str] | None = None,
    equivalent: dict[str, dict[str, list[str]]] | None = None,
    progress: bool = False,
    in_process: bool = False,
) -> MutationReport:
    """Grade every generated mutant of a lesson and count which the checks kill.

    Args:
        lesson: a loaded lesson with its source notebook.
        sample: grade at most this many mutants per cell, chosen with ``seed``.
        seed: seeds the sample.
        cells: only these solution cells (default: all).
        equivalent: lesson -> cell -> mutant keys marked equivalent (default: the file).
        progress: show a progress bar.
        in_process: grade with :func:`in_process_points` (fast, no sandbox) instead of
            the sandboxed course grader.

    Returns:
        The report; ``report.render()`` is Markdown.
    """
    from autograder.consistency import grade_file

    marked = (equivalent if equivalent is not None else equivalent_mutants()).get(
        lesson.lesson_id, {}
    )
    by_cell: dict[str, list[GeneratedMutant]] = {}
    for mutant in lesson_mutants(lesson):
        if cells is None or mutant.cell in cells:
            by_cell.setdefault(mutant.cell, []).append(mutant)
    chosen = []
    for cell, mutants in by_cell.items():
        if sample is not None and len(mutants) > sample:
            mutants = random.Random(f"{seed}:{cell}").sample(mutants, sample)
        chosen += mutants
    report = MutationReport(lesson.lesson_id, [ExerciseMutation(cell) for cell in by_cell])
    results = {item.cell: item for item in report.exercises}
    iterator = chosen
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(chosen, desc=f"mutants of {lesson.lesson_id}", unit="mutant")
    assert lesson.source_notebook is not None
    for mutant in iterator:
        replace = {mutant.cell: mutant.source}
        if in_process:
            total, max_points = in_process_points(lesson, replace)
        else:
            graded = grade_file(lesson, lesson.source_notebook, replace=replace)
            total, max_points = graded.total, graded.max_points
        item = results[mutant.cell]
        if total < max_points:
            item.killed += 1
        elif mutant.key in marked.get(mutant.cell, []):
            item.equivalent.append(f"{mutant.key}: {mutant.description}")
        else:
            item.survived.append(f"`{mutant.key}`: {mutant.description}")
    return report
