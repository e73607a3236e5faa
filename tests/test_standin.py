"""The stand-ins' data preparation (bertcourse.standin): IOB1 tags on every piece, QA
windows built around the answer."""

from __future__ import annotations

import pytest

from bertcourse.standin import (
    StandInDataError,
    iob1_tags,
    piece_labels,
    qa_features_around_answers,
)

NAMES = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def test_iob1_keeps_b_only_between_adjacent_entities_of_one_type():
    # IOB2: B-PER I-PER O B-LOC B-LOC I-LOC B-PER  (two adjacent LOC entities)
    iob2 = [1, 2, 0, 3, 3, 4, 1]
    assert [NAMES[t] for t in iob1_tags(iob2, NAMES)] == [
        "I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC", "I-PER",
    ]  # fmt: skip
    # A PER entity right after a LOC one is a new type: I-, not B-.
    assert [NAMES[t] for t in iob1_tags([3, 1], NAMES)] == ["I-LOC", "I-PER"]


def test_iob1_needs_the_inside_tag():
    with pytest.raises(StandInDataError, match="'I-MISC'"):
        iob1_tags([1], ["O", "B-MISC"])


def test_piece_labels_label_every_piece_and_skip_specials():
    word_ids = [None, 0, 1, 1, 1, 2, None]
    assert piece_labels(word_ids, [4, 4, 0]) == [-100, 4, 4, 4, 4, 0, -100]


@pytest.fixture(scope="module")
def tokenizer():
    import bertcourse as bc

    return bc.load_tokenizer(bc.OFFLINE_ENCODER)


CONTEXT = (
    "The Jungfrau Railway opened in 1912. Most of its nine kilometres run inside a tunnel "
    "through the Eiger and the Monch, far below the summit."
)


def _dataset(pairs):
    from datasets import Dataset

    return Dataset.from_dict(
        {
            "id": [str(i) for i in range(len(pairs))],
            "question": [q for q, _ in pairs],
            "context": [CONTEXT] * len(pairs),
            "answers": [{"text": [a], "answer_start": [CONTEXT.index(a)]} for _, a in pairs],
        }
    )


PAIRS = [(" When did it open?", "1912"), ("Which mountains?", "the Eiger and the Monch")]


@pytest.mark.parametrize("max_length", [64, 24, 16])
def test_qa_windows_hold_their_answer(tokenizer, max_length):
    features = qa_features_around_answers(_dataset(PAIRS), tokenizer, max_length)
    assert len(features) == len(PAIRS)
    for feature, (_, answer) in zip(features, PAIRS, strict=True):
        ids = feature["input_ids"]
        assert len(ids) <= max_length
        assert ids[0] == tokenizer.cls_token_id and ids[-1] == tokenizer.sep_token_id
        assert len(feature["token_type_ids"]) == len(ids) == len(feature["attention_mask"])
        span = ids[feature["start_positions"] : feature["end_positions"] + 1]
        assert tokenizer.decode(span) == answer.lower()  # the offline encoder is uncased


def test_a_context_that_fits_is_tokenised_as_the_tokenizer_would(tokenizer):
    feature = qa_features_around_answers(_dataset(PAIRS[:1]), tokenizer, 128)[0]
    pair = tokenizer(PAIRS[0][0].strip(), CONTEXT)
    assert feature["input_ids"] == pair["input_ids"]
    assert feature["token_type_ids"] == pair["token_type_ids"]


def test_qa_examples_whose_answer_cannot_fit_are_left_out(tokenizer):
    long_answer = [("Which mountains?", "the Eiger and the Monch")]
    assert len(qa_features_around_answers(_dataset(long_answer), tokenizer, 10)) == 0
