"""time_forward: median time of a model's forward pass."""

from __future__ import annotations

import pytest
import torch

from bertcourse.timing import time_forward


class CountingModel(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(4, 2)
        self.calls = 0
        self.grad_enabled: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        self.grad_enabled.append(torch.is_grad_enabled())
        return self.linear(x)


def test_time_forward_runs_warmup_plus_repeats_without_gradients() -> None:
    model = CountingModel()
    seconds = time_forward(model, {"x": torch.ones(3, 4)}, repeats=3, warmup=2)
    assert model.calls == 5
    assert not any(model.grad_enabled)
    assert isinstance(seconds, float) and seconds > 0


def test_time_forward_puts_the_model_in_eval_mode() -> None:
    model = CountingModel().train()
    time_forward(model, {"x": torch.ones(1, 4)}, repeats=1, warmup=0)
    assert not model.training


def test_time_forward_rejects_zero_repeats() -> None:
    with pytest.raises(ValueError, match="repeats"):
        time_forward(CountingModel(), {"x": torch.ones(1, 4)}, repeats=0)
