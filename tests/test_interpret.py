"""Tests of bertcourse.interpret on a tiny random BERT classifier (no download)."""

from __future__ import annotations

import pytest
import torch

from bertcourse.interpret import (
    InterpretError,
    attention_maps,
    baseline_ids,
    class_probabilities,
    delete_positions,
    encode,
    occlusion_scores,
    predict_labels,
    target_probability,
)


@pytest.fixture(scope="module")
def tiny_classifier():
    from transformers import AutoConfig, AutoModelForSequenceClassification

    torch.manual_seed(0)
    config = AutoConfig.for_model(
        "bert",
        vocab_size=60,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=3,
    )
    return AutoModelForSequenceClassification.from_config(config).eval()


@pytest.fixture(scope="module")
def tokenizer():
    import bertcourse as bc

    return bc.load_tokenizer("sentence-transformers/all-MiniLM-L6-v2")


def test_encode_marks_special_tokens(tokenizer):
    encoded = encode(tokenizer, "A fine meal.")
    assert encoded.tokens[0] == "[CLS]" and encoded.tokens[-1] == "[SEP]"
    assert encoded.special.tolist() == [True] + [False] * (len(encoded.tokens) - 2) + [True]
    assert encoded.input_ids.shape == encoded.attention_mask.shape == (1, len(encoded.tokens))


def test_encode_rejects_a_batch(tokenizer):
    with pytest.raises(InterpretError, match="one text"):
        encode(tokenizer, ["a", "b"])  # type: ignore[arg-type]


def test_delete_positions_removes_exactly_those_tokens():
    ids = torch.tensor([[101, 5, 6, 7, 102]])
    new_ids, new_mask = delete_positions(ids, torch.ones_like(ids), [1, 3, 3])
    assert new_ids.tolist() == [[101, 6, 102]]
    assert new_mask.tolist() == [[1, 1, 1]]
    same, _ = delete_positions(ids, None, [])
    assert same.tolist() == ids.tolist()
    last, _ = delete_positions(ids, None, [-1])
    assert last.tolist() == [[101, 5, 6, 7]]


@pytest.mark.parametrize("positions", [[5], [-6]])
def test_delete_positions_rejects_out_of_range(positions):
    ids = torch.tensor([[101, 5, 6, 7, 102]])
    with pytest.raises(InterpretError, match="outside"):
        delete_positions(ids, None, positions)


def test_batch_of_one_is_required(tiny_classifier):
    ids = torch.tensor([[2, 5, 3], [2, 6, 3]])
    with pytest.raises(InterpretError, match=r"\[1, seq\]"):
        target_probability(tiny_classifier, ids, None, 0)


def test_occlusion_matches_one_deletion_at_a_time(tiny_classifier):
    ids = torch.tensor([[2, 11, 12, 13, 14, 3]])
    mask = torch.ones_like(ids)
    special = torch.tensor([True, False, False, False, False, True])
    scores = occlusion_scores(tiny_classifier, ids, mask, 1, special=special)
    full = target_probability(tiny_classifier, ids, mask, 1)
    for i in range(6):
        if special[i]:
            assert scores[i] == 0
        else:
            shorter, shorter_mask = delete_positions(ids, mask, [i])
            expected = full - target_probability(tiny_classifier, shorter, shorter_mask, 1)
            assert scores[i].item() == pytest.approx(expected, abs=1e-6)


def test_attention_maps_shape_rows_and_kernel_restored(tiny_classifier):
    tiny_classifier.set_attn_implementation("sdpa")
    ids = torch.tensor([[2, 11, 12, 13, 3]])
    maps = attention_maps(tiny_classifier, ids, torch.ones_like(ids))
    assert maps.shape == (2, 2, 5, 5)
    assert torch.allclose(maps.sum(-1), torch.ones(2, 2, 5), atol=1e-5)
    assert tiny_classifier.config._attn_implementation == "sdpa"


def test_attention_ignores_padding(tiny_classifier):
    ids = torch.tensor([[2, 11, 12, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 0, 0]])
    maps = attention_maps(tiny_classifier, ids, mask)
    assert maps[..., 3:].abs().max() < 1e-6


def test_baseline_keeps_special_tokens_only():
    ids = torch.tensor([[101, 7, 8, 102]])
    special = torch.tensor([True, False, False, True])
    assert baseline_ids(ids, special, 0).tolist() == [[101, 0, 0, 102]]
    with pytest.raises(InterpretError, match="entries"):
        baseline_ids(ids, special[:3], 0)


def test_class_probabilities_sum_to_one(tiny_classifier):
    ids = torch.tensor([[2, 11, 3], [2, 12, 3]])
    probs = class_probabilities(tiny_classifier, ids, torch.ones_like(ids))
    assert probs.shape == (2, 3)
    assert torch.allclose(probs.sum(-1), torch.ones(2))


def test_predict_labels_agrees_with_one_at_a_time(tiny_classifier, tokenizer):
    small = tiny_classifier
    texts = ["good", "a much longer text than the first one", "bad food"]

    class ClampedTokenizer:  # map MiniLM ids into the tiny vocabulary
        def __call__(self, batch, **kwargs):
            out = tokenizer(batch, **kwargs)
            out["input_ids"] = out["input_ids"] % 60
            return out

    batched = predict_labels(small, ClampedTokenizer(), texts, batch_size=2)
    single = []
    for text in texts:
        enc = tokenizer(text, return_tensors="pt")
        probs = class_probabilities(small, enc["input_ids"] % 60, enc["attention_mask"])
        single.append(int(probs.argmax()))
    assert batched == single
