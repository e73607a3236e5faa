"""Tests of bertcourse.artifacts: which saved model serves, stand-ins trained and reloaded."""

from __future__ import annotations

import json

import pytest

from bertcourse import artifacts
from bertcourse.artifacts import (
    ArtifactError,
    load_lesson_model,
    quick_dir,
    usable_folder,
)
from bertcourse.exceptions import UnknownTaskError
from bertcourse.paths import lesson_artifact


@pytest.fixture
def artifacts_home(tmp_path, monkeypatch):
    monkeypatch.setenv("BERTCOURSE_ARTIFACTS", str(tmp_path))
    return tmp_path


def _save_tiny(folder, *, head="sequence-classification", num_labels=5):
    from transformers import (
        AutoConfig,
        AutoModelForSequenceClassification,
        AutoModelForTokenClassification,
    )

    import bertcourse as bc

    auto = {
        "sequence-classification": AutoModelForSequenceClassification,
        "token-classification": AutoModelForTokenClassification,
    }[head]
    config = AutoConfig.for_model(
        "bert",
        vocab_size=30522,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=num_labels,
    )
    auto.from_config(config).save_pretrained(folder)
    bc.load_tokenizer().save_pretrained(folder)


def test_the_lesson_model_comes_first(artifacts_home):
    _save_tiny(lesson_artifact("03_sequence_classification"), num_labels=5)
    _save_tiny(quick_dir("03_sequence_classification"), num_labels=2)
    loaded = load_lesson_model("03_sequence_classification", train_if_missing=False)
    assert loaded.origin == "lesson"
    assert loaded.model.config.num_labels == 5
    assert loaded.tokenizer("hello")["input_ids"][0] == 101


def test_the_quick_stand_in_serves_next(artifacts_home, capsys):
    _save_tiny(quick_dir("03_sequence_classification"), num_labels=2)
    (quick_dir("03_sequence_classification") / artifacts.INFO_FILE).write_text(
        json.dumps({"model": "m", "n_train": 4, "dataset": "d", "eval": {"accuracy": 0.5}})
    )
    loaded = load_lesson_model("03_sequence_classification", train_if_missing=False)
    assert loaded.origin == "quick"
    assert loaded.info["eval"] == {"accuracy": 0.5}
    assert "quick stand-in" in capsys.readouterr().out


def test_a_model_with_the_wrong_head_is_not_used(artifacts_home):
    _save_tiny(lesson_artifact("03_sequence_classification"), head="token-classification")
    assert not usable_folder(
        lesson_artifact("03_sequence_classification"),
        artifacts.RECIPES["03_sequence_classification"],
    )
    with pytest.raises(ArtifactError, match="run notebook 03_sequence_classification first"):
        load_lesson_model("03_sequence_classification", train_if_missing=False)


def test_unknown_lesson(artifacts_home):
    with pytest.raises(UnknownTaskError, match="no saved-model recipe"):
        load_lesson_model("07_variants")


@pytest.mark.slow
@pytest.mark.parametrize(
    "lesson_id", ["03_sequence_classification", "05_ner", "06_question_answering"]
)
def test_training_a_stand_in_saves_a_loadable_model(artifacts_home, lesson_id):
    trained = artifacts.train_stand_in(lesson_id, n_train=32, n_eval=16, epochs=1)
    assert trained.origin == "trained"
    assert usable_folder(quick_dir(lesson_id), artifacts.RECIPES[lesson_id])
    assert trained.info["n_train"] == 32 and "loss" in trained.info["eval"]
    again = load_lesson_model(lesson_id, train_if_missing=False)
    assert again.origin == "quick"
