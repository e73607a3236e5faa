"""Figures the lessons draw: training curves, confusion matrices, attention, saliency.

Every function returns a matplotlib ``Figure`` (a :class:`CourseFigure`) and needs no
``plt.show()``. In a notebook it shows exactly once whichever way the cell is
written: ``plot_x(...)``, ``plot_x(...);`` or ``fig = plot_x(...)`` (drawn by the
inline backend when the cell ends), and ``fig`` again in a later cell. Elsewhere
save it with ``fig.savefig(...)``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from bertcourse.exceptions import PlotInputError

try:
    from matplotlib.figure import Figure as _Figure
except ImportError:  # pragma: no cover - matplotlib is a hard dependency
    _Figure = object  # type: ignore[assignment,misc]

__all__ = [
    "CourseFigure",
    "PlotInputError",
    "plot_attention",
    "plot_confusion_matrix",
    "plot_token_scores",
    "plot_training_curve",
]


class CourseFigure(_Figure):
    """A matplotlib ``Figure`` that a notebook displays exactly once.

    The inline backend draws every open pyplot figure when a cell ends, and IPython
    also draws a figure that the cell returns, so a plain Figure returned by a
    function shows twice. This one draws itself when displayed (by the cell's result,
    by ``display(fig)`` or by the backend's end-of-cell pass) and leaves pyplot at the
    same moment, so nothing draws it a second time.
    """

    def _ipython_display_(self) -> None:
        import matplotlib
        import matplotlib.pyplot as plt
        from IPython.display import display

        if "inline" in matplotlib.get_backend() and plt.fignum_exists(getattr(self, "number", -1)):
            plt.close(self)  # the backend's end-of-cell pass only draws open figures
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        display({"image/png": buffer.getvalue()}, raw=True)


def _new_figure(width: float, height: float, ncols: int = 1) -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, ncols, figsize=(width, height), squeeze=False, FigureClass=CourseFigure
    )
    return fig, axes[0]


def _as_numpy(values: Any) -> np.ndarray:
    if hasattr(values, "detach"):  # torch tensor
        values = values.detach().float().cpu().numpy()
    return np.asarray(values)


# --------------------------------------------------------------------- training curve

_BOOKKEEPING = ("runtime", "samples_per_second", "steps_per_second")


def _log_history(trainer_or_log_history: Any) -> list[dict[str, Any]]:
    state = getattr(trainer_or_log_history, "state", trainer_or_log_history)
    history = getattr(state, "log_history", state)
    if not isinstance(history, Sequence) or not all(isinstance(e, dict) for e in history):
        raise PlotInputError(
            "plot_training_curve takes a Trainer, its state, or trainer.state.log_history "
            f"(a list of dicts); got {type(trainer_or_log_history).__name__}"
        )
    return list(history)


def plot_training_curve(trainer_or_log_history: Any) -> Any:
    """Training loss per logged step, with evaluation loss and metrics per epoch.

    Args:
        trainer_or_log_history: a ``Trainer`` after ``.train()``, its ``state``, or
            ``trainer.state.log_history``.

    Returns:
        The figure: losses against the optimisation step on the left; evaluation
        metrics (accuracy, F1...) against the epoch on the right when there are any.
    """
    history = _log_history(trainer_or_log_history)
    train = [(e["step"], e["loss"]) for e in history if "loss" in e and "step" in e]
    evals = [e for e in history if "eval_loss" in e]
    if not train and not evals:
        raise PlotInputError(
            "the log history holds no training or evaluation loss: train first "
            "(trainer.train()) with logging_strategy='steps'"
        )
    metric_names = sorted(
        {
            key
            for entry in evals
            for key in entry
            if key.startswith("eval_") and key != "eval_loss" and not key.endswith(_BOOKKEEPING)
        }
    )
    fig, (loss_ax, *rest) = _new_figure(11 if metric_names else 6.5, 4, 2 if metric_names else 1)
    if train:
        steps, losses = zip(*train, strict=True)
        loss_ax.plot(steps, losses, label="training loss", color="tab:blue", linewidth=1.5)
    if evals:
        loss_ax.plot(
            [e["step"] for e in evals],
            [e["eval_loss"] for e in evals],
            "o-",
            label="evaluation loss",
            color="tab:orange",
        )
        for entry in evals:  # say which epoch each evaluation closes
            loss_ax.annotate(
                f"epoch {entry.get('epoch', 0):.3g}",
                (entry["step"], entry["eval_loss"]),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=8,
            )
    loss_ax.set_xlabel("optimisation step")
    loss_ax.set_ylabel("loss")
    loss_ax.set_title("Loss")
    loss_ax.grid(alpha=0.3)
    loss_ax.legend()
    if metric_names:
        metric_ax = rest[0]
        for name in metric_names:
            points = [(e.get("epoch", 0), e[name]) for e in evals if name in e]
            epochs, values = zip(*points, strict=True)
            metric_ax.plot(epochs, values, "o-", label=name.removeprefix("eval_"))
        metric_ax.set_xlabel("epoch")
        metric_ax.set_title("Evaluation metrics")
        metric_ax.grid(alpha=0.3)
        metric_ax.legend()
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------- confusion matrix


def plot_confusion_matrix(
    preds: Any, labels: Any, label_names: Sequence[str], *, normalize: bool = True
) -> Any:
    """Confusion matrix: rows are the true classes, columns the predicted ones.

    Args:
        preds: predicted class ids, one per example.
        labels: true class ids, one per example.
        label_names: the name of each class id, in id order.
        normalize: divide each row by its total, so a cell reads "share of the
            examples of this true class predicted as that class".

    Returns:
        The figure, each cell annotated with its value.
    """
    pred_array = _as_numpy(preds).astype(int).ravel()
    label_array = _as_numpy(labels).astype(int).ravel()
    if pred_array.shape != label_array.shape:
        raise PlotInputError(
            f"preds has {pred_array.size} entries but labels has {label_array.size}"
        )
    n = len(label_names)
    outside = (pred_array < 0) | (pred_array >= n) | (label_array < 0) | (label_array >= n)
    if outside.any():
        raise PlotInputError(
            f"{int(outside.sum())} class id(s) fall outside 0..{n - 1} (the {n} label_names): "
            "drop -100 positions and check label_names"
        )
    counts = np.zeros((n, n), dtype=float)
    np.add.at(counts, (label_array, pred_array), 1)
    values = counts
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        values = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    size = max(4.0, 0.7 * n + 2)
    fig, (ax,) = _new_figure(size + 1, size)
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(n), labels=list(label_names), rotation=45, ha="right")
    ax.set_yticks(range(n), labels=list(label_names))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix" + (" (each row sums to 1)" if normalize else ""))
    threshold = values.max() / 2 if values.size else 0
    for row in range(n):
        for col in range(n):
            text = f"{values[row, col]:.2f}" if normalize else f"{int(values[row, col])}"
            color = "white" if values[row, col] > threshold else "black"
            ax.text(col, row, text, ha="center", va="center", color=color, fontsize=8)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------- attention


def _attention_matrix(attentions: Any, layer: int, head: int) -> np.ndarray:
    """The (query, key) matrix of one layer and head, from the usual layouts."""
    if isinstance(attentions, (tuple, list)):  # model(..., output_attentions=True).attentions
        if not -len(attentions) <= layer < len(attentions):
            raise PlotInputError(f"layer {layer} does not exist: the model has {len(attentions)}")
        matrix = _as_numpy(attentions[layer])
    else:  # one array: (layers, [batch,] heads, query, key)
        stacked = _as_numpy(attentions)
        if stacked.ndim not in (4, 5):
            raise PlotInputError(
                f"attentions has shape {stacked.shape}: pass outputs.attentions (a tuple with "
                "one (batch, heads, tokens, tokens) tensor per layer)"
            )
        if not -stacked.shape[0] <= layer < stacked.shape[0]:
            raise PlotInputError(f"layer {layer} does not exist: there are {stacked.shape[0]}")
        matrix = stacked[layer]
    if matrix.ndim == 4:  # (batch, heads, query, key): the first example
        matrix = matrix[0]
    if matrix.ndim != 3:
        raise PlotInputError(
            f"one layer's attention has shape {matrix.shape}; expected (batch, heads, tokens, "
            "tokens) or (heads, tokens, tokens)"
        )
    if not -matrix.shape[0] <= head < matrix.shape[0]:
        raise PlotInputError(f"head {head} does not exist: each layer has {matrix.shape[0]}")
    return matrix[head]


def plot_attention(attentions: Any, tokens: Sequence[str], layer: int, head: int) -> Any:
    """Heat map of how much each token (row) attends to every token (column).

    Args:
        attentions: ``outputs.attentions`` of a model run with ``output_attentions=True``
            (first example of the batch), or an array shaped
            (layers, [batch,] heads, tokens, tokens).
        tokens: the tokens of that example, e.g. ``tokenizer.convert_ids_to_tokens(ids)``.
        layer: layer index (0 = first).
        head: head index within the layer.

    Returns:
        The figure.
    """
    matrix = _attention_matrix(attentions, layer, head)
    if matrix.shape != (len(tokens), len(tokens)):
        raise PlotInputError(
            f"the attention matrix is {matrix.shape[0]}x{matrix.shape[1]} but there are "
            f"{len(tokens)} tokens: pass the tokens of the same (first) example, padding included"
        )
    size = min(12.0, max(4.0, 0.35 * len(tokens) + 2))
    fig, (ax,) = _new_figure(size + 1, size)
    image = ax.imshow(matrix, cmap="viridis", vmin=0)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="attention weight")
    ax.set_xticks(range(len(tokens)), labels=list(tokens), rotation=90)
    ax.set_yticks(range(len(tokens)), labels=list(tokens))
    ax.set_xlabel("attended token (key)")
    ax.set_ylabel("attending token (query)")
    ax.set_title(f"Attention, layer {layer}, head {head}")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------- token scores


def plot_token_scores(
    tokens: Sequence[str], scores: Any, *, title: str = "Token importance"
) -> Any:
    """Bar chart of one score per token (saliency, attribution), in sentence order.

    Args:
        tokens: the tokens, in order.
        scores: one number per token; negative scores (against the prediction) are
            drawn in blue, positive ones in red.
        title: the figure title.

    Returns:
        The figure.
    """
    values = _as_numpy(scores).astype(float).ravel()
    if values.size != len(tokens):
        raise PlotInputError(f"{values.size} scores for {len(tokens)} tokens: give one per token")
    if values.size == 0:
        raise PlotInputError("no tokens to plot")
    width = min(16.0, max(5.0, 0.45 * len(tokens) + 1.5))
    fig, (ax,) = _new_figure(width, 3.5)
    colors = np.where(values >= 0, "tab:red", "tab:blue")
    ax.bar(range(len(tokens)), values, color=colors)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(tokens)), labels=list(tokens), rotation=60, ha="right")
    ax.set_xlim(-0.6, len(tokens) - 0.4)
    ax.set_ylabel("score")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig
