from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import bertcourse as bc
from bertcourse.config import FAST_BUDGET, FULL_BUDGET


def test_defaults_without_gpu_are_fast_mode(monkeypatch):
    monkeypatch.delenv("BERTCOURSE_MODE", raising=False)
    monkeypatch.setenv("BERTCOURSE_DEVICE", "cpu")
    current = bc.reset()
    assert current.mode == "fast"
    assert current.budget == FAST_BUDGET
    assert current.model_name == bc.OFFLINE_ENCODER


def test_environment_selects_full_mode(monkeypatch):
    monkeypatch.setenv("BERTCOURSE_MODE", "full")
    current = bc.reset()
    assert current.mode == "full"
    assert current.budget == FULL_BUDGET
    assert current.model_name == "bert-base-cased"
    assert current.budget.n_train == 1000 and current.budget.epochs == 3


def test_python_call_overrides_environment(monkeypatch):
    monkeypatch.setenv("BERTCOURSE_MODE", "full")
    bc.reset()
    current = bc.configure(mode="fast", data_dir="/tmp/somewhere", seed=7)
    assert (current.mode, str(current.data_dir), current.seed) == ("fast", "/tmp/somewhere", 7)
    assert bc.settings() is current
    assert bc.configure(data_dir="").data_dir is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BERTCOURSE_MODE", "turbo", "unknown mode 'turbo'"),
        ("BERTCOURSE_DEVICE", "tpu", "is not a device"),
        ("BERTCOURSE_SEED", "abc", "is not an integer"),
    ],
)
def test_bad_environment_values_name_the_problem(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(bc.SettingsError, match=message):
        bc.reset()


def test_bad_configure_values_name_the_problem():
    with pytest.raises(bc.SettingsError, match="use 'fast'"):
        bc.configure(mode="quick")
    with pytest.raises(bc.SettingsError, match="not a device"):
        bc.configure(device="gpu")


def test_offline_flag_from_either_variable(monkeypatch):
    monkeypatch.setenv("BERTCOURSE_OFFLINE", "0")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert bc.reset().offline is True
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    assert bc.reset().offline is False


def test_seed_everything_repeats_random_streams():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    bc.seed_everything(123)
    first = draw()
    bc.seed_everything(123)
    assert draw() == first
    bc.seed_everything(124)
    assert draw() != first


def test_learning_rate_depends_on_model():
    current = bc.settings()
    small = current.learning_rate("sentence-transformers/all-MiniLM-L6-v2")
    assert small == bc.config.SMALL_ENCODER_RATE
    assert current.learning_rate("bert-base-cased") == 5e-5  # the BERT paper's range


def test_only_the_small_encoder_gets_a_head_rate():
    current = bc.configure(mode="fast", device="cpu")
    minilm = "sentence-transformers/all-MiniLM-L6-v2"
    assert current.head_learning_rate(minilm) > current.learning_rate(minilm)
    assert current.head_learning_rate("bert-base-cased") is None


def test_learning_rate_takes_the_data_set_by_name():
    current = bc.configure(mode="fast", device="cpu")
    minilm = "sentence-transformers/all-MiniLM-L6-v2"
    for dataset, rate in bc.config.SMALL_ENCODER_DATASET_RATES.items():
        assert current.learning_rate(minilm, dataset=dataset) == rate
    assert current.learning_rate(minilm, dataset="sst5") == bc.config.SMALL_ENCODER_RATE
    assert current.learning_rate("bert-base-cased", dataset="multi_nli") == 5e-5
    with pytest.raises(TypeError):
        current.learning_rate(minilm, task="multi_nli")  # task= means a head elsewhere


def test_detect_device_is_a_known_device():
    assert bc.detect_device() in {"cuda", "mps", "cpu"}


def test_setup_lesson_says_that_a_silent_test_cell_passed(capsys) -> None:
    import bertcourse as bc

    bc.setup_lesson()
    out = capsys.readouterr().out
    assert "no output means the test passed" in out and "[bertcourse] mode=" in out


def test_not_answered_message_names_the_function_that_still_raises() -> None:
    from bertcourse.lesson import not_answered_message

    def tokenize_function(batch):
        raise NotImplementedError()

    def library_map(function):  # a library calling the student's function
        return function({})

    try:
        library_map(tokenize_function)
    except NotImplementedError as error:
        message = not_answered_message(error.__traceback__)
    assert message.startswith("NotImplementedError: `tokenize_function` is not answered yet")
    assert "run that cell, then run this cell again" in message
