"""Tests of bertcourse.variants: published configurations, counts, timing, tokenizers."""

from __future__ import annotations

import pytest
import torch

import bertcourse as bc
from bertcourse.exceptions import UnknownTaskError
from bertcourse.variants import (
    BASE_CONFIGS,
    TOKENIZER_KINDS,
    Variant,
    VariantError,
    base_config,
    build_variant,
    config_parameter_count,
    dummy_batch,
    measure,
    parameter_bytes,
    peak_memory_delta,
    plot_variants,
    train_tokenizer,
)

# Parameter counts of the published encoders (model cards / papers, without heads).
PUBLISHED_MILLIONS = {
    "bert-base-uncased": 110,
    "roberta-base": 125,
    "distilbert-base-uncased": 66,
    "albert-base-v2": 12,
}


@pytest.mark.parametrize("name", sorted(PUBLISHED_MILLIONS))
def test_base_configs_have_the_published_sizes(name):
    count = config_parameter_count(name)
    assert abs(count / 1e6 - PUBLISHED_MILLIONS[name]) < 1.5, count


def test_albert_base_is_not_the_xxlarge_default():
    config = base_config("albert-base-v2")
    assert (config.hidden_size, config.embedding_size, config.num_attention_heads) == (
        768,
        128,
        12,
    )


def test_domain_berts_share_bert_base_but_their_vocabulary():
    bert = config_parameter_count("bert-base-uncased")
    for name in ("dmis-lab/biobert-base-cased-v1.2", "allenai/scibert_scivocab_uncased"):
        vocab = BASE_CONFIGS[name][1]["vocab_size"]
        assert config_parameter_count(name) - bert == (vocab - 30522) * 768


def test_unknown_name_is_refused():
    with pytest.raises(UnknownTaskError, match="no base configuration"):
        base_config("gpt2")
    with pytest.raises(VariantError, match="out of reach"):
        build_variant("nobody/unknown-model")


def test_build_variant_offline_is_random_and_says_so():
    variant = build_variant("albert-base-v2", num_labels=3)
    assert not variant.pretrained
    assert "RANDOM" in variant.source
    assert variant.model.config.num_labels == 3


def test_the_packaged_encoder_is_pretrained():
    variant = build_variant(bc.OFFLINE_ENCODER, num_labels=2)
    assert variant.pretrained


def test_parameter_bytes_counts_shared_tensors_once():
    layer = torch.nn.Linear(4, 4)
    model = torch.nn.Sequential(layer, layer)
    assert parameter_bytes(model) == (16 + 4) * 4


def test_dummy_batch_shape_and_range():
    model = build_variant("albert-base-v2").model
    batch = dummy_batch(model, 3, 7)
    assert batch["input_ids"].shape == (3, 7)
    assert int(batch["input_ids"].min()) >= 5
    assert int(batch["input_ids"].max()) < model.config.vocab_size
    with pytest.raises(VariantError):
        dummy_batch(model, 0, 7)


def test_peak_memory_sees_a_large_allocation():
    def allocate() -> None:
        block = torch.ones(64 * 2**20 // 4)  # 64 MiB of float32, touched
        block.add_(1)

    assert peak_memory_delta(allocate) > 16 * 2**20


def test_measure_reports_a_row():
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.for_model(
        "bert",
        vocab_size=100,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
    )
    variant = Variant("tiny", AutoModel.from_config(config).eval(), False, "test")
    result = measure(variant, batch_size=2, seq_len=8, repeats=2)
    assert result.parameters == bc.count_parameters(variant.model)
    assert result.parameter_mb == pytest.approx(result.parameters * 4 / 2**20)
    assert result.latency_ms > 0
    row = result.as_row()
    assert row["weights"] == "random (config only)"
    assert "latency ms (batch 2 x 8)" in row


TEXTS = [
    "the waiter was friendly and the soup was warm",
    "the wait was long and the soup was cold",
    "friendly staff, warm bread, long wait",
] * 30


@pytest.mark.parametrize("kind", TOKENIZER_KINDS)
def test_trained_tokenizers_round_trip_and_know_their_specials(kind):
    tokenizer = train_tokenizer(kind, TEXTS, vocab_size=120)
    assert tokenizer.unk_token == "[UNK]"
    tokens = tokenizer.tokenize("the soup was warm")
    assert tokens and all(isinstance(t, str) for t in tokens)
    decoded = tokenizer.decode(tokenizer.convert_tokens_to_ids(tokens)).strip()
    assert decoded == "the soup was warm"


def _has_unknown(tokenizer, text):
    # Unigram keeps the original string of an unknown piece: only its id says [UNK].
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return tokenizer.unk_token_id in ids


def test_only_byte_level_bpe_has_no_unknown_characters():
    unknown = {
        kind: _has_unknown(train_tokenizer(kind, TEXTS, vocab_size=120), "☃ zebra")
        for kind in TOKENIZER_KINDS
    }
    assert unknown == {"wordpiece": True, "bpe": False, "unigram": True}


def test_unknown_tokenizer_kind():
    with pytest.raises(VariantError, match="unknown tokenizer kind"):
        train_tokenizer("sentencepiece-bpe", TEXTS)


def test_plot_variants_draws_two_panels():
    rows = [
        {"model": "a", "embeddings": 10, "encoder": 20, "head": 1, "latency_ms": 5.0},
        {"model": "b", "embeddings": 5, "encoder": 5, "head": 1, "latency_ms": 2.0},
    ]
    fig = plot_variants(rows)
    assert len(fig.axes) == 2
    with pytest.raises(VariantError):
        plot_variants([])


def test_fast_mode_builds_hub_checkpoints_from_their_config(monkeypatch):
    # Measuring size and speed needs no weights: fast mode must not download them.
    from bertcourse import models, variants
    from bertcourse.models import ModelSource

    def no_download(*args, **kwargs):
        raise AssertionError("fast mode downloaded a checkpoint only to measure it")

    monkeypatch.setattr(
        models, "resolve_model", lambda name: ModelSource(name, name, "hub", substituted=False)
    )
    monkeypatch.setattr(models, "load_model", no_download)
    bc.configure(mode="fast")
    variant = variants.build_variant("roberta-base", num_labels=3)
    assert not variant.pretrained and "fast mode: no download" in variant.source
    assert variant.model.config.model_type == "roberta"
