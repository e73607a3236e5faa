"""The check-authoring API: what ``autograder/lessons/<lesson_id>.py`` modules use.

See ``autograder/README.md`` for a worked example.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.exceptions import LessonChecksError, MutantEditError, NotAnswered, StudentError


@dataclass(frozen=True)
class Fixture:
    """A value built inside the worker by name (tokenizers, models: things not picklable).

    Attributes:
        name: a built-in fixture (``"tokenizer"``) or one declared in ``Lesson(fixtures=)``.
    """

    name: str


@dataclass(frozen=True)
class UpTo:
    """Run the student's code cells up to and including the cell ``grade_id``."""

    grade_id: str


def up_to(grade_id: str) -> UpTo:
    """Select every code cell of the student's notebook up to and including ``grade_id``.

    Args:
        grade_id: nbgrader ``grade_id`` of the last cell to run.

    Returns:
        The run selection for ``Lesson(run=...)``.
    """
    return UpTo(grade_id)


@dataclass(frozen=True)
class Check:
    """One registered check.

    Attributes:
        grade_id: the nbgrader grade cell (exercise) it scores.
        points: the points it is worth.
        function: the check function (parameters are injected by name).
        name: unique name (the function's name by default).
        description: first docstring line, shown in feedback for visible checks.
        hidden: hidden checks report only the kind of failure, never inputs or messages.
        timeout: wall-clock seconds for all the worker calls the check makes.
    """

    grade_id: str
    points: float
    function: Callable[..., Any]
    name: str
    description: str
    hidden: bool = False
    timeout: float = 10.0

    @property
    def seed(self) -> int:
        """The seed of the check's ``rng``: stable across runs and machines."""
        return zlib.crc32(self.name.encode())


@dataclass(frozen=True)
class Mutant:
    """A wrong replacement for one solution cell; grading it must lose points.

    Attributes:
        cell: ``grade_id`` of the solution cell it replaces.
        description: what is wrong (e.g. ``"micro instead of macro average"``).
        source: the replacement cell source.
    """

    cell: str
    description: str
    source: str


@dataclass(frozen=True)
class MutantEdit:
    """A mutant not yet applied: text edits of the current solution cell.

    The loader (:func:`autograder.load_lesson`) applies it to the solution cell of the
    source notebook, so the mutant stays one bug away from the solution as it evolves.

    Attributes:
        cell: ``grade_id`` of the solution cell.
        description: what is wrong.
        replace: old text -> new text; each ``old`` must occur exactly once.
    """

    cell: str
    description: str
    replace: tuple[tuple[str, str], ...]

    def apply(self, lesson_id: str, solution: str) -> Mutant:
        """The mutant computed from the solution cell's current source.

        Args:
            lesson_id: the lesson (for the error message).
            solution: the solution cell's source.

        Returns:
            The mutant.

        Raises:
            MutantEditError: an ``old`` text is missing or occurs more than once.
        """
        source = solution
        for old, new in self.replace:
            count = source.count(old)
            if count != 1:
                problem = "is not in" if count == 0 else f"occurs {count} times in"
                raise MutantEditError(
                    f"lesson {lesson_id!r}, mutant {self.description!r}: the text {old!r} "
                    f"{problem} the solution cell {self.cell!r}; update the mutant's replace= "
                    "(give a longer, unique old text) to match the current solution"
                )
            source = source.replace(old, new)
        if source == solution:
            raise MutantEditError(
                f"lesson {lesson_id!r}, mutant {self.description!r}: replace= leaves the "
                f"solution cell {self.cell!r} unchanged"
            )
        return Mutant(cell=self.cell, description=self.description, source=source)


FIXTURE_PARAMETERS = ("student", "rng", "lesson")


@dataclass
class Lesson:
    """The checks of one lesson.

    Args:
        lesson_id: the lesson id (``solutions/<id>/<id>.ipynb``).
        setup: code run in the worker before the student's cells (imports, a tokenizer).
        run: ``"solutions"`` (the solution cells, in the source notebook's order) or
            :func:`up_to` (the student's code cells up to a cell). Never a training cell.
        fixtures: extra fixtures: name -> worker-side source that sets ``value``.
        cell_timeout: seconds each cell (and ``setup``) may take.
        memory_mb: the worker's address-space limit.
    """

    lesson_id: str
    setup: str = ""
    run: str | UpTo = "solutions"
    fixtures: dict[str, str] = field(default_factory=dict)
    cell_timeout: float = 60.0
    memory_mb: int = 4096
    checks: list[Check] = field(default_factory=list)
    mutants: list[Mutant] = field(default_factory=list)
    # Mutants written as edits, applied to the source notebook by the loader.
    mutant_edits: list[MutantEdit] = field(default_factory=list, repr=False)
    # Set by the loader: the source notebook and its cells (canonical order, locked text).
    source_notebook: Path | None = field(default=None, repr=False)
    reference: list[Any] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not (self.run == "solutions" or isinstance(self.run, UpTo)):
            raise LessonChecksError(
                f"Lesson {self.lesson_id!r}: run={self.run!r} is not a run selection; use "
                "run='solutions' or run=up_to('grade_id')"
            )

    def check(
        self,
        grade_id: str,
        *,
        points: float,
        hidden: bool = False,
        timeout: float = 10.0,
        name: str | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register a check function for the exercise ``grade_id``.

        Args:
            grade_id: nbgrader grade cell (the test cell with the points).
            points: points of this check (the exercise's checks sum to the cell's points).
            hidden: report only the kind of failure to the student.
            timeout: wall-clock seconds for the check's calls into the worker.
            name: unique check name (default: the function's name).

        Returns:
            A decorator that registers the function and returns it unchanged.
        """
        if points < 0:
            raise LessonChecksError(f"check points must be >= 0, got {points} for {grade_id!r}")

        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            unknown = set(inspect.signature(function).parameters) - set(FIXTURE_PARAMETERS)
            if unknown:
                raise LessonChecksError(
                    f"check {function.__name__} asks for {sorted(unknown)}; checks may take "
                    f"only {', '.join(FIXTURE_PARAMETERS)}"
                )
            check_name = name or function.__name__
            if any(c.name == check_name for c in self.checks):
                raise LessonChecksError(
                    f"two checks of lesson {self.lesson_id!r} are named {check_name!r}; "
                    "rename one or pass name="
                )
            doc = (inspect.getdoc(function) or "").strip().splitlines()
            self.checks.append(
                Check(
                    grade_id=grade_id,
                    points=float(points),
                    function=function,
                    name=check_name,
                    description=doc[0] if doc else check_name.replace("_", " "),
                    hidden=hidden,
                    timeout=timeout,
                )
            )
            return function

        return register

    def concept_check(
        self, grade_id: str, *, variable: str, answer: str, points: float = 1
    ) -> None:
        """Register the check of one multiple-choice concept question.

        The student sets ``variable`` to a letter in quotes; any case and surrounding
        spaces are accepted. The check is hidden, so feedback never shows the answer.
        :meth:`answer_key` registers a lesson's whole key in one call.

        Args:
            grade_id: nbgrader grade cell of the question.
            variable: the student's global that holds the chosen letter (``"ANSWER_Q1"``).
            answer: the right letter.
            points: points of the question.
        """
        right = answer.strip().lower()

        def check(student: Student) -> None:
            if not student.has(variable):
                raise NotAnswered(f"not answered yet: set {variable} to one letter in quotes")
            given = student.value(variable)
            assert isinstance(given, str), f"{variable} must be a letter in quotes"
            assert given.strip().lower() == right, "wrong answer"

        check.__doc__ = f"{variable} is the right answer."
        self.check(grade_id, points=points, hidden=True, name=f"{variable.lower()}_is_right")(check)

    def answer_key(self, key: dict[str, dict[str, str]], *, points: float = 1) -> None:
        """Register the concept questions of the lesson: the one shape of an answer key.

        Args:
            key: grade cell -> {variable: right letter}; one question per variable, each
                worth ``points`` (a cell with three variables is worth three times that).
            points: points of each question.
        """
        for grade_id, answers in key.items():
            for variable, answer in answers.items():
                self.concept_check(grade_id, variable=variable, answer=answer, points=points)

    def mutant(
        self,
        cell: str,
        description: str,
        source: str | None = None,
        *,
        replace: dict[str, str] | None = None,
    ) -> Mutant | MutantEdit:
        """Register a wrong variant of the solution cell ``cell``.

        Write it as an edit of the current solution (``replace={old: new}``) whenever it is
        one bug away from the solution; ``source=`` (a whole replacement cell) only for a
        genuinely different program.

        Args:
            cell: ``grade_id`` of the solution cell it replaces.
            description: what is wrong with it.
            source: the whole replacement source.
            replace: old text -> new text, applied in order to the solution cell's current
                source when the lesson is loaded; each ``old`` must occur exactly once, or
                loading fails with :class:`MutantEditError`.

        Returns:
            The registered mutant (an unapplied :class:`MutantEdit` for ``replace=``).
        """
        if (source is None) == (replace is None):
            raise LessonChecksError(
                f"lesson {self.lesson_id!r}, mutant {description!r} of {cell!r}: give either "
                "source= (a whole cell) or replace={old: new}, not both or neither"
            )
        if replace is not None:
            if not replace:
                raise LessonChecksError(
                    f"lesson {self.lesson_id!r}, mutant {description!r}: replace= is empty"
                )
            edit = MutantEdit(cell=cell, description=description, replace=tuple(replace.items()))
            self.mutant_edits.append(edit)
            return edit
        assert source is not None
        registered = Mutant(cell=cell, description=description, source=source)
        self.mutants.append(registered)
        return registered

    def apply_mutant_edits(self, solutions: dict[str, str]) -> None:
        """Turn the registered edits into mutants of the given solution cells (the loader's
        step; idempotent).

        Args:
            solutions: solution ``grade_id`` -> the cell's current source.

        Raises:
            MutantEditError: a cell is missing, or an edit does not apply.
        """
        for edit in self.mutant_edits:
            if edit.cell not in solutions:
                raise MutantEditError(
                    f"lesson {self.lesson_id!r}, mutant {edit.description!r}: the source "
                    f"notebook has no solution cell {edit.cell!r}"
                )
            self.mutants.append(edit.apply(self.lesson_id, solutions[edit.cell]))
        self.mutant_edits.clear()

    def exercises(self) -> dict[str, float]:
        """Exercise grade_id -> points, in the order the checks were registered."""
        points: dict[str, float] = {}
        for registered in self.checks:
            points[registered.grade_id] = points.get(registered.grade_id, 0.0) + registered.points
        return points


class Student:
    """Proxy to the student's namespace inside the worker (the ``student`` check parameter).

    ``student.NAME(*args, **kwargs)`` calls the student's function ``NAME`` in the worker.
    """

    def __init__(self, caller: Callable[[dict[str, Any]], Any]) -> None:
        self._caller = caller

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the student's function ``name`` and return its result as plain data."""
        return self._caller({"op": "call", "name": name, "args": args, "kwargs": kwargs})

    def value(self, name: str) -> Any:
        """The student's global variable ``name`` as plain data."""
        return self._caller({"op": "value", "name": name})

    def has(self, name: str) -> bool:
        """Whether the student's namespace defines ``name``."""
        return bool(self._caller({"op": "has", "name": name}))

    def eval(self, expression: str) -> Any:
        """Evaluate ``expression`` in the student's namespace (``fixtures["x"]`` available)."""
        return self._caller({"op": "eval", "expr": expression})

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def remote(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, *args, **kwargs)

        remote.__name__ = name
        return remote


def _close(got: Any, expected: Any, rel: float, abs_: float) -> bool:
    import numpy as np

    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(expected)
            and all(_close(got[k], expected[k], rel, abs_) for k in expected)
        )
    if isinstance(expected, str) or isinstance(got, str):
        return isinstance(got, str) and got == expected
    if isinstance(expected, (list, tuple, np.ndarray)) or isinstance(
        got, (list, tuple, np.ndarray)
    ):
        try:
            got_array = np.asarray(got, dtype=float)
            expected_array = np.asarray(expected, dtype=float)
        except (TypeError, ValueError):
            return False
        return got_array.shape == expected_array.shape and bool(
            np.allclose(got_array, expected_array, rtol=rel, atol=abs_, equal_nan=True)
        )
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    if not isinstance(expected, (int, float)):
        return False
    if math.isnan(expected):
        return math.isnan(got)
    return math.isclose(got, expected, rel_tol=rel, abs_tol=abs_)


def assert_close(
    got: Any, expected: Any, *, what: str, rel: float = 1e-6, abs: float = 1e-9
) -> None:
    """Assert two numbers (or nested lists / dicts / arrays of numbers) agree.

    Args:
        got: the student's value.
        expected: the reference value.
        what: how to name the value in the failure message (e.g. ``"macro_f1(preds, labels)"``).
        rel: relative tolerance.
        abs: absolute tolerance.

    Raises:
        AssertionError: with a message naming ``what``, the value and the expected value.
    """
    if not _close(got, expected, rel, abs):
        shown = repr(got)
        if len(shown) > 200:
            shown = shown[:200] + "..."
        wanted = repr(expected)
        if len(wanted) > 200:
            wanted = wanted[:200] + "..."
        raise AssertionError(f"{what} returned {shown}, expected {wanted}")


@contextlib.contextmanager
def expect_student_error(*type_names: str) -> Iterator[None]:
    """Require the student's code inside the block to raise one of ``type_names``.

    Args:
        type_names: exception class names, e.g. ``"ValueError"``.
    """
    try:
        yield
    except StudentError as error:
        if error.type_name not in type_names:
            raise AssertionError(
                f"expected {' or '.join(type_names)}, but got {error.type_name}"
            ) from None
    else:
        raise AssertionError(f"expected {' or '.join(type_names)} to be raised, nothing was")
