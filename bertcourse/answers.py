"""Friendly checks of the concept-question answers students set in a notebook.

A test cell that reads ``ANSWER_Q1`` directly fails with ``NameError`` when the
question is not answered yet, and its hint never shows. The test cells call
:func:`answer_problem` instead and assert that it found nothing::

    _problem = bc.answer_problem("ANSWER_Q1", globals())
    assert not _problem, _problem
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def answer_problem(name: str, namespace: Mapping[str, Any], letters: str = "abcd") -> str:
    """What is wrong with the answer ``namespace[name]``, or ``""`` when it is a valid letter.

    Any case and surrounding spaces are accepted (``" B "`` is ``"b"``), as the grader
    accepts them.

    Args:
        name: the variable the question asks for, e.g. ``"ANSWER_Q1"``.
        namespace: where to look for it (``globals()`` of the notebook).
        letters: the letters the question offers.

    Returns:
        A one-line message naming the problem and the fix, or ``""``.
    """
    choices = ", ".join(letters)
    example = f'{name} = "{letters[0]}"'
    if name not in namespace:
        return (
            f"not answered yet: set {name} to one letter in quotes ({choices}), e.g. "
            f"{example}, in the cell above, and run that cell"
        )
    value = namespace[name]
    if not isinstance(value, str):
        return f"{name} must be a letter in quotes, e.g. {example}, not {value!r}"
    if value.strip().lower() not in set(letters):
        return f"{name} = {value!r} is not one of the letters {choices}"
    return ""
