from __future__ import annotations

import pytest
import torch

import bertcourse as bc
from bertcourse import models


def test_offline_substitute_is_announced(capsys):
    source = bc.resolve_model("bert-base-cased")
    assert source.origin == "packaged" and source.substituted
    assert "all-MiniLM-L6-v2" in source.describe()


def test_offline_encoder_by_its_own_name_is_not_a_substitute():
    source = bc.resolve_model(bc.OFFLINE_ENCODER)
    assert source.origin == "packaged" and not source.substituted


def test_folder_is_loaded_from_the_folder(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    source = bc.resolve_model(str(tmp_path))
    assert source.origin == "folder" and source.location == str(tmp_path)


@pytest.mark.parametrize("make", [False, True], ids=["missing folder", "empty folder"])
def test_a_folder_with_no_saved_model_says_run_the_training_cells(tmp_path, make):
    folder = tmp_path / "artifacts" / "05_ner"
    if make:
        folder.mkdir(parents=True)
    with pytest.raises(bc.ModelUnavailableError, match="no model saved at .*05_ner.*run the"):
        bc.load_model(str(folder), task="token-classification")


def test_hub_names_are_not_taken_for_paths():
    assert not models._looks_like_a_path("google-bert/bert-base-cased")
    assert models._looks_like_a_path("./artifacts/05_ner")
    assert models._looks_like_a_path("/tmp/artifacts/05_ner")


def test_hub_is_not_contacted_when_forced_offline(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the Hub was probed although offline is forced")

    monkeypatch.setattr(models, "hub_reachable", lambda: False)
    monkeypatch.setattr("bertcourse.hub._probe_hub", fail)
    assert bc.resolve_model("roberta-base").substituted


@pytest.mark.parametrize(
    ("task", "kwargs", "class_name"),
    [
        ("encoder", {}, "BertModel"),
        ("sequence-classification", {"num_labels": 5}, "BertForSequenceClassification"),
        ("token-classification", {"num_labels": 9}, "BertForTokenClassification"),
        ("question-answering", {}, "BertForQuestionAnswering"),
    ],
)
def test_load_model_gives_the_head_asked_for(task, kwargs, class_name, capsys):
    model = bc.load_model("bert-base-cased", task=task, **kwargs)
    assert type(model).__name__ == class_name
    assert model.bertcourse_source.substituted
    out = capsys.readouterr().out
    assert out.count("[bertcourse]") <= 1  # one line at most, and only the first time
    assert model.config.hidden_size == 384


def test_loaded_encoder_is_pretrained_not_random():
    tokenizer = bc.load_tokenizer()
    model = bc.load_model(task="encoder")
    batch = tokenizer(
        ["a cat sat on the mat", "a kitten sat on a rug", "stock prices fell"],
        padding=True,
        return_tensors="pt",
    )
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1)
    pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    similar, unrelated = pooled[0] @ pooled[1], pooled[0] @ pooled[2]
    assert similar > unrelated + 0.2


def test_unknown_task_names_the_choices():
    with pytest.raises(bc.exceptions.UnknownTaskError, match="use one of"):
        bc.load_model(task="translation")


def test_count_parameters_counts_shared_tensors_once():
    layer = torch.nn.Linear(4, 4)
    shared = torch.nn.Sequential(layer, layer)
    assert bc.count_parameters(shared) == 20
    model = bc.load_model(task="encoder")
    assert 22_000_000 < bc.count_parameters(model) < 23_000_000
