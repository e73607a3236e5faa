"""Shrink a failing generated input to a small counterexample the student can read.

Checks that test a student's function on inputs drawn from ``rng`` fail with a case of
up to a hundred elements; nobody learns from that. :func:`shrink` reduces a failing input
to one where no single further reduction still fails (delta debugging: remove chunks of
a sequence, halving the chunk size, then simplify what is left), and
:func:`score_cases` does the common job of a partial-credit check: run the cases, score
the share that is right and shrink the first wrong one.

Only the *input* and what the *student's* code returned are shown, never the reference
answer or the check's code; and only for visible checks: the runner reports hidden
checks by the kind of failure alone.

```python
from autograder.counterexample import aligned, score_cases

@LESSON.check("accuracy_tests", points=1, timeout=20)
def accuracy_random_inputs(student, rng):
    cases = [aligned(rng.integers(0, 5, n).tolist(), rng.integers(0, 5, n).tolist())
             for n in rng.integers(1, 120, 30)]
    return score_cases(student.accuracy, cases,
                       lambda args, got: abs(got - accuracy_score(args[1], args[0])) < 1e-9)
```
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.exceptions import LessonChecksError, StudentError, WorkerCrashed, WorkerTimeout

#: Candidate inputs one shrink may try (each try is a call into the student's worker).
MAX_TESTS = 400
#: Seconds one shrink may take; what it has found by then is shown. Its calls count
#: against the check's timeout, so it stays well below the usual 10 to 20 s.
MAX_SECONDS = 3.0
#: Longest repr of an input or result shown in feedback.
SHOWN_CHARS = 300


class Aligned(tuple):
    """Equally long sequences shrunk together (element ``i`` of each is removed at once).

    Calls receive the sequences as separate positional arguments, e.g. ``(preds, labels)``.
    """


def aligned(*sequences: Any) -> Aligned:
    """Group parallel sequences (predictions and labels) so that shrinking keeps them aligned.

    Args:
        sequences: lists, strings, tuples or 1-D arrays of one length.

    Returns:
        The group, used as a case: ``fn(*case)`` gets the sequences as arguments.

    Raises:
        ValueError: the sequences differ in length.
    """
    lengths = {len(s) for s in sequences}
    if len(lengths) > 1:
        raise LessonChecksError(
            f"aligned sequences must have one length, got lengths {sorted(lengths)}"
        )
    return Aligned(sequences)


@dataclass(frozen=True)
class Raised:
    """What the student's code raised instead of returning (passed to ``is_right``).

    Attributes:
        type_name: the exception's class name.
        message: its message.
    """

    type_name: str
    message: str

    def __repr__(self) -> str:
        return f"raised {self.type_name}" + (f": {self.message[:120]}" if self.message else "")


@dataclass(frozen=True)
class Shrunk:
    """The outcome of :func:`shrink`.

    Attributes:
        value: the smallest failing input found.
        tests: how many candidate inputs were tried.
        minimal: True when no single reduction of ``value`` fails (False: the budget ran out).
    """

    value: Any
    tests: int
    minimal: bool


@dataclass(frozen=True)
class Counterexample:
    """A small failing input and what the student's function made of it.

    Attributes:
        call: the call as Python, e.g. ``"accuracy([0, 0], [0, 0])"``.
        got: the repr of what the student's code returned (or ``"raised X"``).
        minimal: whether shrinking reached a 1-minimal input.
        case: the input itself (for the grader and tests; feedback shows ``call`` only).
    """

    call: str
    got: str
    minimal: bool
    case: Any = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"smallest failing input found: {self.call} returned {self.got}"


@dataclass(frozen=True)
class Score:
    """A partial-credit check's result with the counterexample to show (visible checks).

    Return it from a check instead of a float; the runner takes ``fraction`` as the share
    of the points and adds ``counterexample`` to the reason of a visible check.

    Attributes:
        fraction: share of the cases that were right, in [0, 1].
        counterexample: the shrunk first wrong case, or ``None`` when all were right.
    """

    fraction: float
    counterexample: Counterexample | None = None


def _length(value: Any) -> int:
    if isinstance(value, Aligned):
        return len(value[0]) if value else 0
    if isinstance(value, np.ndarray):
        return int(value.shape[0]) if value.ndim else 0
    return len(value)


def _without(value: Any, start: int, stop: int) -> Any:
    """``value`` with the elements ``start:stop`` removed (its type kept)."""
    if isinstance(value, Aligned):
        return Aligned(_without(s, start, stop) for s in value)
    if isinstance(value, np.ndarray):
        return np.delete(value, np.s_[start:stop], axis=0)
    return value[:start] + value[stop:]


def _replace(value: Any, index: int, item: Any) -> Any:
    if isinstance(value, np.ndarray):
        copy = value.copy()
        copy[index] = item
        return copy
    if isinstance(value, str):
        return value[:index] + item + value[index + 1 :]
    if isinstance(value, tuple):
        return type(value)((*value[:index], item, *value[index + 1 :]))
    return [*value[:index], item, *value[index + 1 :]]


def _is_sequence(value: Any) -> bool:
    if isinstance(value, Aligned):
        return True
    if isinstance(value, np.ndarray):
        return value.ndim >= 1
    return isinstance(value, (list, str))


def _simpler_scalars(value: Any) -> list[Any]:
    """Simpler stand-ins for one number or character, simplest first."""
    if isinstance(value, (bool, np.bool_)):
        return [False] if value else []
    if isinstance(value, (int, np.integer)):
        value = int(value)
        out = [0, 1] if value > 1 else ([0] if value in (1, -1) else [])
        half = value // 2 if value > 0 else -((-value) // 2)
        if half not in out and half != value:
            out.append(half)
        if value < 0 and -value not in out:
            out.append(-value)
        return [x for x in out if abs(x) < abs(value) or (x > 0 > value)]
    if isinstance(value, (float, np.floating)):
        value = float(value)
        out = [0.0, 1.0, float(round(value)), round(value, 1)]
        # Strictly simpler only (smaller, or whole where it was not), so shrinking ends.
        return [
            x
            for x in dict.fromkeys(out)
            if abs(x) < abs(value) or (x.is_integer() and not value.is_integer())
        ]
    return []


def reductions(value: Any) -> Iterator[Any]:
    """Every one-step reduction of ``value``, the bigger steps first.

    Sequences (lists, strings, 1-D arrays, :class:`Aligned` groups) lose chunks of
    elements, from half of them down to one; 2-D arrays lose rows, then columns; tuples
    (argument lists) reduce one component at a time; numbers move towards 0. After the
    removals, each remaining element is reduced in place.

    Args:
        value: an input of a check.

    Yields:
        Smaller inputs of the same shape of type.
    """
    if isinstance(value, np.ndarray) and value.ndim == 2:
        rows, columns = value.shape
        for index in range(rows):
            if rows > 1:
                yield np.delete(value, index, axis=0)
        for index in range(columns):
            if columns > 1:
                yield np.delete(value, index, axis=1)
        for index in np.ndindex(value.shape):
            for simpler in _simpler_scalars(value[index]):
                copy = value.copy()
                copy[index] = simpler
                yield copy
        return
    if _is_sequence(value):
        n = _length(value)
        chunk = n // 2
        while chunk >= 1:
            for start in range(0, n - chunk + 1, chunk):
                yield _without(value, start, start + chunk)
            chunk //= 2
        if isinstance(value, Aligned):
            for position, sequence in enumerate(value):
                for index in range(_length(sequence)):
                    for simpler in _item_reductions(sequence[index]):
                        yield _replace(value, position, _replace(sequence, index, simpler))
            return
        if isinstance(value, str):
            return
        for index in range(n):
            for simpler in _item_reductions(value[index]):
                yield _replace(value, index, simpler)
        return
    if isinstance(value, tuple):
        for position, component in enumerate(value):
            for simpler in reductions(component):
                yield _replace(value, position, simpler)
        return
    yield from _simpler_scalars(value)


def _item_reductions(item: Any) -> Iterator[Any]:
    if isinstance(item, str):
        # A character stays a character: "a" is as simple as a string element gets here.
        if len(item) > 1:
            yield from reductions(item)
        return
    yield from reductions(item)


def shrink(
    value: Any,
    fails: Callable[[Any], bool],
    *,
    max_tests: int = MAX_TESTS,
    max_seconds: float = MAX_SECONDS,
) -> Shrunk:
    """Reduce a failing input until no single reduction of it still fails.

    Greedy delta debugging over :func:`reductions`: take the first reduction that still
    fails, start again from it, stop when none fails (the result is then 1-minimal: every
    one-step reduction passes) or the budget is spent.

    Args:
        value: an input on which ``fails`` is True.
        fails: whether the student's code is wrong on an input. An exception it raises
            (the reference cannot handle a degenerate input) counts as "does not fail";
            a timeout or crash of the student's worker stops shrinking.
        max_tests: most candidates tried.
        max_seconds: most seconds spent.

    Returns:
        The smallest failing input found, how many tries it took, and whether it is minimal.
    """
    deadline = time.monotonic() + max_seconds
    tests = 0
    current = value
    while True:
        for candidate in reductions(current):
            if tests >= max_tests or time.monotonic() > deadline:
                return Shrunk(current, tests, minimal=False)
            tests += 1
            try:
                failed = bool(fails(candidate))
            except (WorkerTimeout, WorkerCrashed):
                return Shrunk(current, tests, minimal=False)
            except Exception:  # noqa: BLE001 - an input the reference cannot judge
                failed = False
            if failed:
                current = candidate
                break
        else:
            return Shrunk(current, tests, minimal=True)


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return (
            type(value)(_plain(v) for v in value)
            if not isinstance(value, Aligned)
            else [_plain(v) for v in value]
        )
    return value


def _short(value: Any) -> str:
    text = repr(_plain(value))
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


def call_text(name: str, args: Any) -> str:
    """``name(arg, ...)`` for a case (a tuple of arguments, an :class:`Aligned` or one value).

    Args:
        name: the function's name.
        args: the case.

    Returns:
        The call as Python source, each argument cut to a readable length.
    """
    parts = args if isinstance(args, tuple) else (args,)
    return f"{name}({', '.join(_short(a) for a in parts)})"


def _arguments(case: Any) -> tuple[Any, ...]:
    return tuple(case) if isinstance(case, tuple) else (case,)


def _call(function: Callable[..., Any], case: Any) -> Any:
    try:
        return function(*_arguments(case))
    except StudentError as error:
        if error.type_name == "NotImplementedError":
            raise  # not answered yet: the runner says so, a counterexample would not help
        return Raised(error.type_name, error.message)


def score_cases(
    function: Callable[..., Any],
    cases: list[Any],
    is_right: Callable[[Any, Any], bool],
    *,
    name: str | None = None,
    valid: Callable[[Any], bool] | None = None,
) -> Score:
    """Score a function on generated cases and shrink the first wrong one.

    Args:
        function: the student's function (``student.accuracy``).
        cases: the inputs: a tuple of arguments each (or an :class:`Aligned` group, or a
            single argument).
        is_right: ``is_right(case, got)``: whether ``got`` is right for ``case``. ``got``
            is a :class:`Raised` when the student's code raised. Compare with the
            reference here; it is never shown.
        name: the function's name in the counterexample (default: ``function.__name__``).
        valid: whether a shrunk case is still a sensible input (a non-empty review, a
            template with its ``{mask}``); shrinking never goes to one that is not.

    Returns:
        The share of right cases and the counterexample (``None`` when all were right).
    """
    if not cases:
        raise LessonChecksError("score_cases needs at least one case")
    right = 0
    first_wrong = None
    for case in cases:
        got = _call(function, case)
        try:
            ok = bool(is_right(case, got))
        except Exception:  # noqa: BLE001 - a wrong type of result is a wrong result
            ok = False
        right += ok
        if not ok and first_wrong is None:
            first_wrong = case
    if first_wrong is None:
        return Score(1.0)

    def fails(case: Any) -> bool:
        if valid is not None and not valid(case):
            return False
        got = _call(function, case)
        # An exception here means the reference cannot judge this input (``shrink``
        # then treats it as passing), so ``is_right`` must check the result's type itself.
        return not is_right(case, got)

    try:
        shrunk = shrink(first_wrong, fails)
        got = _call(function, shrunk.value)
    except (WorkerTimeout, WorkerCrashed):
        # The points are known; a counterexample is not worth a timeout of the check.
        return Score(right / len(cases))
    label = name or getattr(function, "__name__", "function")
    example = Counterexample(
        call_text(label, shrunk.value), _short(got), shrunk.minimal, case=shrunk.value
    )
    return Score(right / len(cases), example)
