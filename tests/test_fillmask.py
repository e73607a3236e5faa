"""The offline fill-mask model: packaged MiniLM + the course's trained MLM head."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from bertcourse.exceptions import ModelUnavailableError
from bertcourse.fillmask import (
    WEIGHT_FILES,
    fill_mask_pipeline,
    load_offline_mlm,
    resources_dir,
)


@pytest.fixture(scope="module")
def pipe():
    from bertcourse import config

    config._current = None  # the autouse fixture has set BERTCOURSE_OFFLINE=1 by now
    return fill_mask_pipeline()


def _packaged_encoder() -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    from bertcourse.models import offline_encoder_path

    return load_file(str(offline_encoder_path() / "model.safetensors"))


def test_weights_are_packaged_small_fp16_files() -> None:
    from safetensors import safe_open

    total = 0
    for name in WEIGHT_FILES.values():
        path = resources_dir() / name
        assert path.is_file(), f"{path} missing: run tools/train_offline_mlm_head.py"
        total += path.stat().st_size
        with safe_open(str(path), "pt") as handle:
            assert handle.metadata()["license"] == "CC BY-SA 4.0"
            assert {handle.get_slice(k).get_dtype() for k in handle.keys()} == {"F16"}
    assert total < 16_000_000  # the head plus three encoder layers in fp16: ~11.4 MB
    assert (resources_dir() / "README.md").is_file()


@pytest.mark.parametrize("variant", ["head", "top-layers"])
def test_offline_mlm_is_minilm_with_the_trained_head(variant: str) -> None:
    from safetensors.torch import load_file
    from transformers import BertForMaskedLM

    model = load_offline_mlm(variant)
    assert isinstance(model, BertForMaskedLM)
    assert not model.training
    # The decoder is the word embedding matrix itself, not a copy.
    assert model.cls.predictions.decoder.weight is model.bert.embeddings.word_embeddings.weight
    encoder = _packaged_encoder()
    state = model.state_dict()
    words = "embeddings.word_embeddings.weight"
    assert torch.equal(state[f"bert.{words}"], encoder[words])
    trained = load_file(str(resources_dir() / WEIGHT_FILES[variant]))
    for key, value in trained.items():
        assert torch.equal(state[key], value.float()), key
    for layer in (3, 4, 5):  # only the top-layers variant retrains them
        top = f"encoder.layer.{layer}.output.dense.weight"
        assert torch.equal(state[f"bert.{top}"], encoder[top]) == (variant == "head")
    lower = "encoder.layer.2.output.dense.weight"
    assert torch.equal(state[f"bert.{lower}"], encoder[lower])


def test_load_model_masked_lm_falls_back_to_the_trained_head() -> None:
    import bertcourse as bc

    model = bc.load_model(task="masked-lm")
    assert model.bertcourse_source.origin == "packaged"
    reference = load_offline_mlm()
    assert torch.equal(
        model.cls.predictions.transform.dense.weight,
        reference.cls.predictions.transform.dense.weight,
    )


def test_unknown_variant_and_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="unknown fill-mask variant"):
        load_offline_mlm("large")  # type: ignore[arg-type]
    with pytest.raises(ModelUnavailableError, match="missing"):
        load_offline_mlm(weights_file=tmp_path / "nothing.safetensors")


def test_a_file_without_an_mlm_head_is_refused(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    wrong = tmp_path / "wrong.safetensors"
    save_file({"classifier.weight": torch.zeros(2, 384)}, str(wrong))
    with pytest.raises(ModelUnavailableError, match="does not hold an MLM head"):
        load_offline_mlm(weights_file=wrong)
    partial = tmp_path / "partial.safetensors"
    save_file({"cls.predictions.bias": torch.zeros(30522)}, str(partial))
    with pytest.raises(ModelUnavailableError, match="untrained"):
        load_offline_mlm(weights_file=partial)


def test_pipeline_returns_top_k_fillers_with_scores(pipe) -> None:
    text = f"I drink a glass of {pipe.tokenizer.mask_token} with my dinner."
    out = pipe(text)
    assert len(out) == 5
    scores = [r["score"] for r in out]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s < 1 for s in scores) and sum(scores) <= 1 + 1e-6
    assert all(r["token_str"].strip() and r["token_str"] in r["sequence"] for r in out)
    assert len(pipe(text, top_k=2)) == 2


def test_pipeline_scores_chosen_targets(pipe) -> None:
    mask = pipe.tokenizer.mask_token
    good = f"The staff were kind and everything was delicious. It was {mask}."
    bad = f"The staff were rude and everything was cold. It was {mask}."

    def ratio(text: str) -> float:
        scores = {r["token_str"]: r["score"] for r in pipe(text, targets=["great", "terrible"])}
        assert set(scores) == {"great", "terrible"}
        assert all(0 < s < 1 for s in scores.values())
        return scores["great"] / scores["terrible"]

    # Sentiment moves the odds: "great" gains on "terrible" in the kind review.
    assert ratio(good) > ratio(bad)


def test_describe_model_names_the_stand_in_and_what_was_retrained(pipe) -> None:
    from bertcourse.fillmask import describe_model, random_head_mlm

    text = describe_model(pipe.model)
    assert "stand-in" in text and "uncased" in text and "sentence-embedding" in text
    assert "layers 3-5" in text and "6 layers" in text
    assert "untrained" in describe_model(random_head_mlm())


def test_describe_model_gives_a_hub_model_its_name() -> None:
    from transformers import BertConfig, BertForMaskedLM

    from bertcourse.fillmask import describe_model

    config = BertConfig(
        vocab_size=50,
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
    )
    config._name_or_path = "google-bert/bert-base-uncased"
    assert describe_model(BertForMaskedLM(config)) == "google-bert/bert-base-uncased"
