"""The training progress bar and the one-line summary that :func:`make_trainer` shows.

transformers picks its HTML ``NotebookProgressCallback`` inside Jupyter and a tqdm bar
elsewhere, and the tqdm one prints every log dictionary under the bar. The course
uses one bar everywhere: Trainer's own :class:`~transformers.ProgressCallback` (a
``tqdm.auto`` bar: a widget in JupyterLab, text in a terminal or a log), with the
latest training loss on the bar instead of a line per log, one line per evaluation,
and a summary when training ends.
"""

from __future__ import annotations

import time
from typing import Any

from transformers import ProgressCallback, TrainerCallback

from bertcourse.notices import notify

#: Keys of a Trainer evaluation log that are bookkeeping, not results.
_BOOKKEEPING = ("runtime", "samples_per_second", "steps_per_second", "epoch")


def _format(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def eval_results(logs: dict[str, Any]) -> dict[str, Any]:
    """The results in an evaluation log (``eval_loss``, ``eval_accuracy``...), no bookkeeping."""
    return {
        key: value
        for key, value in logs.items()
        if key.startswith("eval_") and not key.endswith(_BOOKKEEPING)
    }


def summary_line(log_history: list[dict[str, Any]], seconds: float | None = None) -> str:
    """One line that sums up a training run from ``trainer.state.log_history``.

    Args:
        log_history: the Trainer's logs, in order.
        seconds: wall-clock time of the run, if known.

    Returns:
        For example ``trained 50 steps (2 epochs) in 12.3 s: train loss 1.61 -> 0.52;
        eval loss 0.61, eval_accuracy 0.81``.
    """
    losses = [entry["loss"] for entry in log_history if "loss" in entry]
    steps = max((entry.get("step", 0) for entry in log_history), default=0)
    epochs = max((entry.get("epoch", 0) for entry in log_history), default=0)
    parts = [f"trained {steps} steps ({epochs:.3g} epochs)"]
    if seconds is not None:
        parts.append(f" in {seconds:.1f} s")
    if losses:
        parts.append(f": train loss {losses[0]:.3g} -> {losses[-1]:.3g}")
    evaluations = [eval_results(entry) for entry in log_history if "eval_loss" in entry]
    if evaluations:
        shown = ", ".join(f"{key} {_format(value)}" for key, value in evaluations[-1].items())
        parts.append(f"; last evaluation: {shown}")
    return "".join(parts)


class CourseProgressCallback(ProgressCallback):
    """Trainer's tqdm.auto bar with the loss on the bar and one line per evaluation."""

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or self.training_bar is None or not logs:
            return
        if "loss" in logs:
            self.training_bar.set_postfix(loss=f"{logs['loss']:.4g}", refresh=False)
        results = eval_results(logs)
        if results:
            shown = ", ".join(f"{key} {_format(value)}" for key, value in results.items())
            self.training_bar.write(f"epoch {logs.get('epoch', state.epoch):.3g}: {shown}")


class SummaryCallback(TrainerCallback):
    """Prints :func:`summary_line` when training ends (also with the bar switched off)."""

    def __init__(self) -> None:
        self._started: float | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._started = time.perf_counter()

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        seconds = None if self._started is None else time.perf_counter() - self._started
        notify(summary_line(state.log_history, seconds), once=False)
