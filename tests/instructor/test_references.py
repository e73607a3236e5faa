"""The grader's reference answers (autograder/references.py): SQuAD v1.1 metrics,
lesson 05's first-sub-token alignment and lesson 06's training features."""

from __future__ import annotations

import pytest

from autograder.references import (
    _answer_token_span,
    align_labels_first_subtoken,
    exact_match_score,
    f1_score_tokens,
    normalize_answer,
    squad_scores,
)
from bertcourse.exceptions import MetricInputError

# ---------------------------------------------------------------------------- squad


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("The Eiffel Tower!", "eiffel tower"),
        ("  an   apple, a day ", "apple day"),
        ("Theatre", "theatre"),  # "the" inside a word stays
        ("U.S.A.", "usa"),
    ],
)
def test_normalize_answer(text: str, normalised: str) -> None:
    assert normalize_answer(text) == normalised


def test_token_f1_and_exact_match() -> None:
    assert exact_match_score("the Louvre", "Louvre.") == 1.0
    assert exact_match_score("Louvre museum", "Louvre") == 0.0
    # 1 shared word of 2 predicted and 1 true: P=1/2, R=1, F1=2/3.
    assert f1_score_tokens("Louvre museum", "the Louvre") == pytest.approx(2 / 3)
    assert f1_score_tokens("", "Louvre") == 0.0
    # Repeated words count as often as both sides have them (bag of words).
    assert f1_score_tokens("paris paris", "paris") == pytest.approx(2 / 3)


def _ref(question_id: str, *texts: str) -> dict:
    return {"id": question_id, "answers": {"text": list(texts), "answer_start": [0] * len(texts)}}


def test_squad_scores_take_the_best_reference_and_average() -> None:
    predictions = [
        {"id": "q1", "prediction_text": "in Paris"},
        {"id": "q2", "prediction_text": "1889"},
    ]
    references = [_ref("q1", "Paris, France", "in Paris"), _ref("q2", "in 1887")]
    scores = squad_scores(predictions, references)
    # q1: exact match with its second answer; q2: no shared word.
    assert scores == pytest.approx({"exact_match": 50.0, "f1": 50.0})
    predictions[1]["prediction_text"] = "1887"
    scores = squad_scores(predictions, references)
    # q2 now: P=1, R=1/2 -> F1 2/3, still no exact match.
    assert scores["exact_match"] == 50.0
    assert scores["f1"] == pytest.approx(100 * (1 + 2 / 3) / 2)


def test_squad_accepts_the_official_answer_list_layout() -> None:
    references = [{"id": "q", "answers": [{"text": "Louvre", "answer_start": 3}]}]
    assert squad_scores([{"id": "q", "prediction_text": "the Louvre"}], references) == {
        "exact_match": 100.0,
        "f1": 100.0,
    }


@pytest.mark.parametrize(
    ("predictions", "references", "message"),
    [
        ([], [], "empty"),
        ([{"id": "a", "prediction_text": "x"}], [_ref("a", "x"), _ref("b", "y")], "1 entries"),
        ([{"id": "z", "prediction_text": "x"}], [_ref("a", "x")], "not in the references"),
        ([{"id": "a", "text": "x"}], [_ref("a", "x")], "prediction_text"),
        ([{"id": "a", "prediction_text": "x"}], [{"id": "a"}], "answers"),
        ([{"id": "a", "prediction_text": "x"}], [_ref("a")], "no answer text"),
        ([{"id": "a", "prediction_text": 3}], [_ref("a", "x")], "answer string"),
        ({"id": "a", "prediction_text": "x"}, [_ref("a", "x")], "list of dicts"),
        (
            [{"id": "a", "prediction_text": "x"}, {"id": "a", "prediction_text": "y"}],
            [_ref("a", "x"), _ref("b", "y")],
            "more than once",
        ),
    ],
)
def test_squad_rejects_bad_input(predictions, references, message: str) -> None:
    with pytest.raises(MetricInputError, match=message):
        squad_scores(predictions, references)


# ------------------------------------------------------------------ preprocessing


def test_align_labels_first_subtoken_only():
    word_ids = [None, 0, 1, 1, 1, 2, None]
    assert align_labels_first_subtoken(word_ids, [3, 1, 0]) == [-100, 3, 1, -100, -100, 0, -100]


def test_answer_token_span_inside_and_outside_the_window():
    # [CLS] q q [SEP] c c c c [SEP]; context tokens cover characters 0-4, 5-9, 10-14, 15-19
    offsets = [(0, 0), (0, 3), (4, 7), (0, 0), (0, 4), (5, 9), (10, 14), (15, 19), (0, 0)]
    sequence_ids = [None, 0, 0, None, 1, 1, 1, 1, None]
    assert _answer_token_span(offsets, sequence_ids, 5, 14) == (5, 6)
    assert _answer_token_span(offsets, sequence_ids, 6, 8) == (5, 5)
    assert _answer_token_span(offsets, sequence_ids, 15, 19) == (7, 7)
    assert _answer_token_span(offsets, sequence_ids, 15, 25) == (0, 0)  # runs past the window
    assert _answer_token_span(offsets, [None, 0, 0, None, 0, 0, 0, 0, None], 5, 9) == (0, 0)
