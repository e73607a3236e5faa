"""bc.answer_problem: the concept-question test cells' friendly messages."""

from __future__ import annotations

import bertcourse as bc


def test_a_valid_letter_has_no_problem_in_any_case_or_spacing() -> None:
    for given in ("b", " B ", "b\n"):
        assert bc.answer_problem("ANSWER_Q1", {"ANSWER_Q1": given}) == ""


def test_an_unset_answer_says_not_answered_yet_and_how_to_answer() -> None:
    message = bc.answer_problem("ANSWER_Q1", {})
    assert message.startswith("not answered yet")
    assert 'ANSWER_Q1 = "a"' in message and "a, b, c, d" in message


def test_a_letter_outside_the_choices_or_not_a_string_is_named() -> None:
    assert "not one of the letters a, b, c" in bc.answer_problem(
        "ANSWER_PADDING", {"ANSWER_PADDING": "d"}, "abc"
    )
    assert "letter in quotes" in bc.answer_problem("ANSWER_Q2", {"ANSWER_Q2": 2})
    assert "letter in quotes" in bc.answer_problem("ANSWER_Q2", {"ANSWER_Q2": None})
