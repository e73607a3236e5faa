from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

import bertcourse as bc
from bertcourse.qa import (
    ExtractiveQAPipeline,
    QAInputError,
    _feature_spans,
    check_window,
    plot_span_scores,
    prepare_validation_features,
    question_answering_pipeline,
)

CONTEXT = (
    "The Jungfrau Railway climbs from Kleine Scheidegg to the Jungfraujoch, the highest "
    "railway station in Europe. Construction began in 1896 and the line opened in 1912. "
    "Most of the line runs inside a tunnel through the Eiger and the Monch."
)


@pytest.fixture(scope="module")
def tokenizer():
    return bc.load_tokenizer()


def _batch(n: int = 2) -> dict[str, list[str]]:
    return {
        "id": [f"q{i}" for i in range(n)],
        "question": ["  When did the line open?"] * n,
        "context": [CONTEXT] * n,
    }


def test_validation_features_keep_example_ids_and_context_offsets(tokenizer):
    features = prepare_validation_features(_batch(2), tokenizer, max_length=32, stride=8)
    n = len(features["input_ids"])
    assert n > 2, "a 32-token window must split this context"
    assert len(features["example_id"]) == n and set(features["example_id"]) == {"q0", "q1"}
    assert "overflow_to_sample_mapping" not in features
    for i in range(n):
        sequence_ids = features.sequence_ids(i)
        offsets = features["offset_mapping"][i]
        assert len(offsets) == len(features["input_ids"][i]) <= 32
        for position, (sequence_id, offset) in enumerate(zip(sequence_ids, offsets, strict=True)):
            if sequence_id == 1:
                token = tokenizer.convert_ids_to_tokens(features["input_ids"][i][position])
                assert CONTEXT[offset[0] : offset[1]].lower() == token.removeprefix("##")
            else:
                assert offset is None


def test_validation_features_windows_cover_the_whole_context_with_overlap(tokenizer):
    features = prepare_validation_features(_batch(1), tokenizer, max_length=32, stride=8)
    covered: set[int] = set()
    previous_last = -1
    for offsets in features["offset_mapping"]:
        context = [o for o in offsets if o is not None]
        first, last = context[0][0], context[-1][1]
        if previous_last >= 0:
            assert first < previous_last, "consecutive windows must overlap"
        previous_last = last
        for start, end in context:
            covered.update(range(start, end))
    letters = {i for i, char in enumerate(CONTEXT) if not char.isspace()}
    assert letters <= covered


def test_validation_features_work_with_datasets_map(tokenizer):
    import datasets

    data = datasets.Dataset.from_dict(_batch(3))
    features = data.map(
        prepare_validation_features,
        batched=True,
        fn_kwargs={"tokenizer": tokenizer, "max_length": 48, "stride": 12},
        remove_columns=data.column_names,
    )
    assert {"input_ids", "attention_mask", "example_id", "offset_mapping"} <= set(
        features.column_names
    )
    assert features[0]["offset_mapping"][0] is None  # [CLS]


@pytest.mark.parametrize(("max_length", "stride"), [(32, 16), (32, -1), (4, 0)])
def test_window_settings_are_checked(max_length, stride):
    with pytest.raises(QAInputError):
        check_window(max_length, stride)


def test_slow_tokenizer_is_refused():
    class Slow:
        is_fast = False

    with pytest.raises(QAInputError, match="slow tokenizer"):
        prepare_validation_features(_batch(1), Slow(), max_length=64, stride=16)


def test_feature_spans_are_the_best_valid_pairs():
    rng = np.random.default_rng(0)
    for _ in range(20):
        length = int(rng.integers(4, 20))
        starts, ends = rng.normal(size=length), rng.normal(size=length)
        mask = rng.random(length) < 0.7
        mask[int(rng.integers(length))] = True
        max_len = int(rng.integers(1, 6))
        spans = _feature_spans(starts, ends, mask, max_len, top_k=3)
        # Brute force over the valid pairs, scored like the pipeline.
        p_start = np.exp(starts[mask] - starts[mask].max())
        p_start = dict(zip(np.flatnonzero(mask), p_start / p_start.sum(), strict=True))
        p_end = np.exp(ends[mask] - ends[mask].max())
        p_end = dict(zip(np.flatnonzero(mask), p_end / p_end.sum(), strict=True))
        valid = sorted(
            (p_start[a] * p_end[b], a, b) for a in p_start for b in p_end if a <= b < a + max_len
        )[::-1][:3]
        assert [(s, e) for _, s, e in spans] == [(a, b) for _, a, b in valid]
        np.testing.assert_allclose([p for p, _, _ in spans], [p for p, _, _ in valid])


def test_feature_spans_without_context_are_empty():
    assert _feature_spans(np.zeros(4), np.zeros(4), np.zeros(4, dtype=bool), 5, 2) == []


class _FixedQA(torch.nn.Module):
    """Stands in for a QA model: high scores where the context spells given words."""

    def __init__(self, tokenizer, start_word: str, end_word: str) -> None:
        super().__init__()
        assert tokenizer.tokenize(start_word) == [start_word], "pick a one-token word"
        assert tokenizer.tokenize(end_word) == [end_word], "pick a one-token word"
        self.start_id = tokenizer.convert_tokens_to_ids(start_word)
        self.end_id = tokenizer.convert_tokens_to_ids(end_word)
        self.config = type("Config", (), {})()
        self.device = torch.device("cpu")

    def forward(self, input_ids, **unused):
        from transformers.modeling_outputs import QuestionAnsweringModelOutput

        start = (input_ids == self.start_id).float() * 10
        end = (input_ids == self.end_id).float() * 10
        # The question also contains the words; the pipeline must still answer from the context.
        return QuestionAnsweringModelOutput(start_logits=start, end_logits=end)


def _pipeline(tokenizer, start_word, end_word, **options):
    model = _FixedQA(tokenizer, start_word, end_word)
    return ExtractiveQAPipeline(model=model, tokenizer=tokenizer, device="cpu", **options)


def test_pipeline_returns_the_span_as_context_characters(tokenizer):
    qa = _pipeline(tokenizer, "inside", "tunnel")
    answer = qa(question="Is it inside a tunnel?", context=CONTEXT)
    assert answer["answer"] == "inside a tunnel"
    assert CONTEXT[answer["start"] : answer["end"]] == answer["answer"]
    assert 0 < answer["score"] <= 1


def test_pipeline_finds_the_answer_in_a_later_window(tokenizer):
    qa = _pipeline(tokenizer, "inside", "tunnel")
    answer = qa(question="Which?", context=CONTEXT, max_length=24, stride=6)
    assert answer["answer"] == "inside a tunnel"


def test_pipeline_respects_max_answer_length_and_top_k(tokenizer):
    qa = _pipeline(tokenizer, "railway", "tunnel")
    answers = qa(question="What?", context=CONTEXT, top_k=3, max_answer_length=3)
    assert isinstance(answers, list) and len(answers) == 3
    assert all(len(tokenizer.tokenize(a["answer"])) <= 3 for a in answers)
    assert answers[0]["score"] >= answers[1]["score"] >= answers[2]["score"]


def test_pipeline_takes_lists_and_dicts(tokenizer):
    qa = _pipeline(tokenizer, "1912", "1912")
    answers = qa(question=["When?", "When?"], context=[CONTEXT, CONTEXT])
    assert [a["answer"] for a in answers] == ["1912", "1912"]
    assert qa({"question": "When?", "context": CONTEXT})["answer"] == "1912"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"question": "", "context": CONTEXT}, "question is empty"),
        ({"question": "When?", "context": " "}, "context is empty"),
        ({"question": ["a?"], "context": [CONTEXT, CONTEXT]}, "pair them up"),
        ({"question": "a?", "context": [CONTEXT]}, "both be strings"),
        ({"question": "a?", "context": CONTEXT, "top_k": 0}, "at least one"),
        ({"question": "a?", "context": CONTEXT, "temperature": 1}, "unknown option"),
    ],
)
def test_pipeline_rejects_bad_input(tokenizer, kwargs, message):
    qa = _pipeline(tokenizer, "1912", "1912")
    with pytest.raises(QAInputError, match=message):
        qa(**kwargs)


def test_question_answering_pipeline_loads_a_saved_model(tmp_path, tokenizer):
    model = bc.load_model(task="question-answering")
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    qa = question_answering_pipeline(tmp_path)
    assert type(qa.model).__name__ == "BertForQuestionAnswering"
    answer = qa(question="When did the line open?", context=CONTEXT)
    assert CONTEXT[answer["start"] : answer["end"]] == answer["answer"]
    assert json.loads((tmp_path / "config.json").read_text())["architectures"] == [
        "BertForQuestionAnswering"
    ]


def test_question_answering_pipeline_refuses_a_model_without_qa_head(tokenizer):
    with pytest.raises(QAInputError, match="no question-answering head"):
        question_answering_pipeline(bc.load_model(task="encoder"), tokenizer)


def test_plot_span_scores_marks_the_spans():
    tokens = ["[CLS]", "when", "?", "[SEP]", "in", "1912", ".", "[SEP]"]
    figure = plot_span_scores(
        tokens, np.arange(10.0), np.arange(10.0), predicted=(5, 5), gold=(4, 5), window=(2, 7)
    )
    top, bottom = figure.axes
    assert len(top.patches) >= 6  # six bars, plus the two spans
    assert [t.get_text() for t in bottom.get_xticklabels()] == tokens[2:8]
    matplotlib.pyplot.close("all")


def test_plot_span_scores_needs_one_score_per_token():
    with pytest.raises(QAInputError, match="same feature"):
        plot_span_scores(["a", "b", "c"], [1.0], [1.0, 2.0, 3.0])


@pytest.mark.shared_data
def test_validation_features_on_real_squad(shared_data, tokenizer):
    """On real SQuAD, every answer lies inside at least one window's context offsets."""
    bc.configure(data_dir=shared_data)
    squad = bc.load_task("squad")["validation"].select(range(60))
    features = squad.map(
        prepare_validation_features,
        batched=True,
        fn_kwargs={"tokenizer": tokenizer, "max_length": 128, "stride": 32},
        remove_columns=squad.column_names,
    )
    assert features.num_rows > squad.num_rows  # real contexts overflow 128 tokens
    spans: dict[str, list[tuple[int, int]]] = {}
    for example_id, offsets in zip(features["example_id"], features["offset_mapping"], strict=True):
        context = [o for o in offsets if o is not None]
        spans.setdefault(example_id, []).append((context[0][0], context[-1][1]))
    for example in squad:
        start = example["answers"]["answer_start"][0]
        end = start + len(example["answers"]["text"][0])
        assert any(first <= start and end <= last for first, last in spans[example["id"]])
