"""Measure how long a model's forward pass takes (lesson 03's padding demonstration)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping
from typing import Any

#: Seconds one notebook cell may run before whoever executes it stops it: nbgrader's
#: validate and autograde (``nbgrader_config.py``, ``jupyter/nbgrader_config.py``), the
#: course runner and the runtime benchmark (``courseops.notebook_exec``). The one home of
#: the per-cell limit: a safety net against a runaway cell, generous enough for a
#: full-mode fine-tuning cell on a laptop CPU (fast-mode lessons take a few minutes).
CELL_TIMEOUT_S = 1800


def time_forward(
    model: Any, batch: Mapping[str, Any], *, repeats: int = 3, warmup: int = 1
) -> float:
    """Median wall-clock seconds of ``model(**batch)`` without gradients.

    Args:
        model: a torch model.
        batch: its inputs (tensors), moved to the model's device here.
        repeats: timed runs; the median is returned so one slow run (a busy CPU) counts less.
        warmup: untimed runs first (the first call pays one-off allocation costs).

    Returns:
        The median duration in seconds.
    """
    import torch

    if repeats < 1:
        raise ValueError(f"repeats={repeats} must be at least 1")
    device = next(model.parameters()).device
    inputs = {key: value.to(device) for key, value in batch.items()}
    model.eval()
    durations = []
    with torch.inference_mode():
        for run in range(warmup + repeats):
            start = time.perf_counter()
            model(**inputs)
            if device.type == "cuda":
                torch.cuda.synchronize(device)  # kernels run asynchronously
            if run >= warmup:
                durations.append(time.perf_counter() - start)
    return statistics.median(durations)
