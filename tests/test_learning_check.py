"""The warning for a fine-tuning run that learned nothing."""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import pytest

from bertcourse.learning_check import (
    LearningCheckCallback,
    NotLearningWarning,
    judge_run,
    majority_baseline,
    warn_if_not_learning,
)


def _history(losses: list[float], accuracy: float | None = None) -> list[dict]:
    history = [{"loss": loss, "step": i} for i, loss in enumerate(losses)]
    if accuracy is not None:
        history.append({"eval_loss": 1.0, "eval_accuracy": accuracy})
    return history


def test_a_loss_stuck_at_ln_k_is_a_run_that_learned_nothing() -> None:
    stuck = judge_run(_history([1.12, 1.10, 1.099, 1.098]), num_labels=3)
    assert not stuck.learned and "ln(3) = 1.099" in stuck.reasons[0]
    learning = judge_run(_history([1.10, 0.8, 0.5, 0.4]), num_labels=3)
    assert learning.learned and learning.reasons == ()


def test_accuracy_within_noise_of_the_majority_class_is_flagged() -> None:
    labels = [0] * 60 + [1] * 20 + [2] * 20
    share, band = majority_baseline(labels)
    assert share == pytest.approx(0.6) and band == pytest.approx(2 * math.sqrt(0.24 / 100))
    flat = judge_run(_history([0.5], accuracy=0.62), num_labels=3, eval_labels=labels)
    assert not flat.learned and "most frequent label" in flat.reasons[0]
    clear = judge_run(_history([0.5], accuracy=0.85), num_labels=3, eval_labels=labels)
    assert clear.learned


def test_the_callback_warns_with_causes_and_what_to_try() -> None:
    callback = LearningCheckCallback(num_labels=5, eval_labels=None)
    state = SimpleNamespace(is_world_process_zero=True, log_history=_history([1.61, 1.60]))
    with pytest.warns(NotLearningWarning, match="learning rate.*Draw no conclusion"):
        callback.on_train_end(None, state, None)
    state.log_history = _history([1.6, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        callback.on_train_end(None, state, None)


def test_a_hand_written_loop_gets_the_same_warning_from_its_own_log() -> None:
    labels = [0] * 50 + [1] * 50
    stuck = [{"loss": 0.69}, {"loss": 0.70}, {"eval_accuracy": 0.52}]
    with pytest.warns(NotLearningWarning, match="ln\\(2\\).*most frequent label"):
        verdict = warn_if_not_learning(stuck, num_labels=2, eval_labels=labels)
    assert not verdict.learned and len(verdict.reasons) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdict = warn_if_not_learning(
            [{"loss": 0.2}, {"eval_accuracy": 0.9}], num_labels=2, eval_labels=labels
        )
    assert verdict.learned
