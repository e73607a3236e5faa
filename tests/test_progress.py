"""The training bar's log handling and the end-of-training summary line."""

from __future__ import annotations

from types import SimpleNamespace

from bertcourse.progress import CourseProgressCallback, SummaryCallback, eval_results, summary_line

_HISTORY = [
    {"loss": 1.25, "epoch": 0.5, "step": 1},
    {"loss": 0.5, "epoch": 1.0, "step": 2},
    {
        "eval_loss": 0.75,
        "eval_f1": 0.8,
        "eval_runtime": 2.0,
        "eval_samples_per_second": 8.0,
        "eval_steps_per_second": 1.0,
        "epoch": 1.0,
        "step": 2,
    },
    {"train_runtime": 3.0, "train_loss": 0.9, "epoch": 1.0, "step": 2},
]


def test_eval_results_drop_bookkeeping() -> None:
    assert eval_results(_HISTORY[2]) == {"eval_loss": 0.75, "eval_f1": 0.8}
    assert eval_results(_HISTORY[0]) == {}


def test_summary_line() -> None:
    line = summary_line(_HISTORY, seconds=3.04)
    assert line == (
        "trained 2 steps (1 epochs) in 3.0 s: train loss 1.25 -> 0.5; "
        "last evaluation: eval_loss 0.75, eval_f1 0.8"
    )
    assert summary_line([]) == "trained 0 steps (0 epochs)"


class _FakeBar:
    def __init__(self) -> None:
        self.postfix: dict = {}
        self.lines: list[str] = []

    def set_postfix(self, refresh: bool = True, **values) -> None:
        self.postfix = values

    def write(self, line: str) -> None:
        self.lines.append(line)


def test_bar_shows_loss_and_one_line_per_evaluation() -> None:
    callback = CourseProgressCallback()
    callback.training_bar = _FakeBar()
    state = SimpleNamespace(is_world_process_zero=True, epoch=1.0)
    for logs in _HISTORY:
        callback.on_log(None, state, None, logs=dict(logs))
    assert callback.training_bar.postfix == {"loss": "0.5"}
    # Only the evaluation prints a line: no raw log dictionaries under the bar.
    assert callback.training_bar.lines == ["epoch 1: eval_loss 0.75, eval_f1 0.8"]


def test_summary_callback_prints_one_line(capsys) -> None:
    callback = SummaryCallback()
    state = SimpleNamespace(is_world_process_zero=True, log_history=_HISTORY)
    callback.on_train_begin(None, state, None)
    callback.on_train_end(None, state, None)
    output = capsys.readouterr().out.splitlines()
    assert len(output) == 1
    assert output[0].startswith("[bertcourse] trained 2 steps (1 epochs) in ")
