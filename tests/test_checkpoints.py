"""Repairs for old Hub checkpoints (bertcourse.checkpoints) and prefetch's file choice."""

from __future__ import annotations

import pytest

from bertcourse.checkpoints import infer_model_type, split_arguments, vocabulary_is_cased
from bertcourse.exceptions import ModelUnavailableError
from bertcourse.prefetch import PrefetchError, files_to_fetch, models_for


def test_model_type_from_architectures_first():
    repair = infer_model_type({"architectures": ["BertForMaskedLM"]}, "someone/old-export")
    assert repair.model_type == "bert" and "BertForMaskedLM" in repair.reason


def test_model_type_from_the_name_prefers_whole_words_then_the_longest_match():
    assert infer_model_type({}, "someone/bert-tiny").model_type == "bert"
    assert infer_model_type({}, "someone/distilbert-tiny").model_type == "distilbert"


def test_scibert_is_bert_not_ibert():
    # Its config states neither model_type nor architectures; "scibert" contains "ibert".
    assert infer_model_type({}, "allenai/scibert_scivocab_uncased").model_type == "bert"


def test_model_type_unknowable_names_the_fix():
    with pytest.raises(ModelUnavailableError, match="AutoConfig.for_model"):
        infer_model_type({}, "someone/mystery")


def test_config_fields_and_loading_arguments_are_split():
    fields, loading = split_arguments({"num_labels": 5, "ignore_mismatched_sizes": True})
    assert fields == {"num_labels": 5} and loading == {"ignore_mismatched_sizes": True}


class _Vocab:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens

    def get_vocab(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.tokens)}


def test_a_vocabulary_with_capitals_is_cased():
    assert vocabulary_is_cased(_Vocab(["[CLS]", "the", "The", "Paris", "of", "##s"]))
    assert not vocabulary_is_cased(_Vocab(["[CLS]", "the", "paris", "of", "##s"]))


def test_prefetch_takes_one_weight_file_and_never_tf_or_flax():
    repo = ["config.json", "vocab.txt", "tf_model.h5", "flax_model.msgpack",
            "pytorch_model.bin", "model.safetensors", "README.md"]  # fmt: skip
    assert files_to_fetch(repo, weights=True) == ["config.json", "vocab.txt", "model.safetensors"]
    assert files_to_fetch(repo, weights=False) == ["config.json", "vocab.txt"]
    assert files_to_fetch(["config.json", "pytorch_model.bin"], weights=True)[-1] == (
        "pytorch_model.bin"
    )


def test_prefetch_models_per_mode():
    assert "bert-base-cased" in models_for("full") and "bert-base-cased" not in models_for("fast")
    with pytest.raises(PrefetchError, match="unknown mode"):
        models_for("turbo")


def test_prefetch_needs_the_hub(tmp_path):
    from bertcourse.prefetch import prefetch

    with pytest.raises(PrefetchError, match="out of reach"):
        prefetch("fast", tmp_path)  # the tests run offline
