"""Say so when a fine-tuning run learned nothing, instead of letting a lesson conclude from it.

Two signs, both cheap to see at the end of a run:

* the training loss ends near ``ln(number of labels)``: the cross-entropy of a uniform
  guess, so the classifier still guesses (``ln 3 = 1.10`` for NLI);
* the evaluation accuracy is within noise of the majority class of the evaluation set
  (two standard errors of a proportion: ``2 * sqrt(p * (1 - p) / n)``).

:class:`LearningCheckCallback` checks both when training ends and warns with
:class:`NotLearningWarning`, naming the likely causes and what to try.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from transformers import TrainerCallback

from bertcourse.exceptions import NotLearningWarning

#: The run's last training losses averaged (one log can be noisy).
LAST_LOSSES = 3
#: A final loss above this share of ln(K) counts as "still guessing".
GUESSING_SHARE = 0.9

WHAT_TO_TRY = (
    "Likely causes: a learning rate too high for the model (the run collapsed to one "
    "class) or too low, too few steps for the data, labels that do not match the "
    "inputs (check the label column and its alignment), or a frozen encoder. Try: "
    "train longer (more epochs, BERTCOURSE_MODE=full), another learning rate "
    "(bc.settings().learning_rate() is the course's), and look at a few predictions. "
    "Draw no conclusion from this model."
)


@dataclass(frozen=True)
class LearningVerdict:
    """What :func:`judge_run` found.

    Attributes:
        learned: ``False`` when a sign of a run that learned nothing was seen.
        reasons: one sentence per sign seen.
    """

    learned: bool
    reasons: tuple[str, ...] = ()


def majority_baseline(labels: Sequence[Any]) -> tuple[float, float]:
    """Accuracy of always answering the most frequent label, and its noise band.

    Args:
        labels: the evaluation labels (``-100`` entries are ignored).

    Returns:
        ``(share, band)``: the majority share and two standard errors of it.
    """
    kept = [label for label in labels if label != -100]
    if not kept:
        return 0.0, 0.0
    share = Counter(kept).most_common(1)[0][1] / len(kept)
    return share, 2 * math.sqrt(share * (1 - share) / len(kept))


def judge_run(
    log_history: list[dict[str, Any]],
    *,
    num_labels: int | None,
    eval_labels: Sequence[Any] | None = None,
) -> LearningVerdict:
    """Whether a run shows a sign of having learned nothing.

    Args:
        log_history: ``trainer.state.log_history``.
        num_labels: classes of the classifier (``None`` or 1: no loss test).
        eval_labels: the evaluation set's labels, for the majority test (sequence
            classification; ``None`` skips it).

    Returns:
        The verdict, with one reason per sign.
    """
    reasons = []
    losses = [entry["loss"] for entry in log_history if "loss" in entry]
    if num_labels and num_labels > 1 and losses:
        final = sum(losses[-LAST_LOSSES:]) / len(losses[-LAST_LOSSES:])
        guess = math.log(num_labels)
        if final >= GUESSING_SHARE * guess:
            reasons.append(
                f"the training loss ended at {final:.3f}, near ln({num_labels}) = {guess:.3f}, "
                "the loss of a uniform guess"
            )
    accuracies = [entry["eval_accuracy"] for entry in log_history if "eval_accuracy" in entry]
    if eval_labels is not None and accuracies:
        share, band = majority_baseline(eval_labels)
        if share and accuracies[-1] <= share + band:
            reasons.append(
                f"the evaluation accuracy {accuracies[-1]:.3f} is within noise of always "
                f"answering the most frequent label ({share:.3f} +- {band:.3f})"
            )
    return LearningVerdict(learned=not reasons, reasons=tuple(reasons))


class LearningCheckCallback(TrainerCallback):
    """Warns with :class:`NotLearningWarning` when a run ends as :func:`judge_run` fears."""

    def __init__(self, *, num_labels: int | None, eval_labels: Sequence[Any] | None) -> None:
        self.num_labels = num_labels
        self.eval_labels = eval_labels
        self.verdict: LearningVerdict | None = None

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        self.verdict = warn_if_not_learning(
            state.log_history, num_labels=self.num_labels, eval_labels=self.eval_labels
        )


def warn_if_not_learning(
    log_history: list[dict[str, Any]],
    *,
    num_labels: int | None,
    eval_labels: Sequence[Any] | None = None,
) -> LearningVerdict:
    """:func:`judge_run`, and a :class:`NotLearningWarning` when the run learned nothing.

    The Trainer's runs get it from :class:`LearningCheckCallback`; a hand-written loop
    (lesson 10) passes its own log: ``[{"loss": ...}, ..., {"eval_accuracy": ...}]``.

    Args:
        log_history: the run's log entries (``"loss"`` and ``"eval_accuracy"`` are read).
        num_labels: classes of the classifier (``None`` or 1: no loss test).
        eval_labels: the evaluation set's labels, for the majority test.

    Returns:
        The verdict.
    """
    verdict = judge_run(log_history, num_labels=num_labels, eval_labels=eval_labels)
    if not verdict.learned:
        warnings.warn(
            "This run learned nothing visible: " + "; ".join(verdict.reasons) + ". " + WHAT_TO_TRY,
            NotLearningWarning,
            stacklevel=2,
        )
    return verdict


def sequence_labels(dataset: Any) -> list[Any] | None:
    """The ``labels``/``label`` column of a sequence-classification set, else ``None``."""
    if dataset is None or not hasattr(dataset, "column_names"):
        return None
    for column in ("labels", "label"):
        if column in dataset.column_names:
            values = dataset[column]
            if values and not isinstance(values[0], (list, tuple)):
                return list(values)
    return None
