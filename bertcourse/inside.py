"""Helpers for lesson 01 (inside BERT): masking statistics, head sizes, similarity plots.

The lesson's own ideas (summing the embeddings, pooling, masking) stay in the
notebook; this module holds what is not the point of the lesson: counting, tabulating
and drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bertcourse.exceptions import BertCourseError

__all__ = [
    "MaskingStatistics",
    "masking_statistics",
    "head_parameters",
    "plot_similarity_matrix",
]


@dataclass(frozen=True)
class MaskingStatistics:
    """How a masking function treated a batch (fractions in [0, 1]).

    Attributes:
        candidates: tokens that may be selected (neither special tokens nor padding).
        selected: fraction of the candidates selected for prediction (label != -100).
        to_mask: fraction of the selected tokens replaced by [MASK].
        to_random: fraction of the selected tokens replaced by another token.
        unchanged: fraction of the selected tokens left as they were.
        special_selected: selected positions that hold special tokens or padding
            (a count; BERT never selects them, so it should be 0).
        unselected_changed: positions whose label is -100 but whose token changed (a
            count; should be 0).
    """

    candidates: int
    selected: float
    to_mask: float
    to_random: float
    unchanged: float
    special_selected: int
    unselected_changed: int

    def as_row(self) -> dict[str, float]:
        """The four fractions, for a table."""
        return {
            "selected / candidates": self.selected,
            "[MASK] / selected": self.to_mask,
            "random / selected": self.to_random,
            "unchanged / selected": self.unchanged,
        }


def _numpy(values: Any, name: str) -> np.ndarray:
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    array = np.asarray(values)
    if array.ndim != 2:
        raise BertCourseError(
            f"{name} has shape {array.shape}: pass a batch, shape (batch_size, sequence_length)"
        )
    return array


def masking_statistics(
    input_ids: Any,
    masked_ids: Any,
    labels: Any,
    special_tokens_mask: Any,
    mask_token_id: int,
) -> MaskingStatistics:
    """Measure what a masked-LM masking function did to a batch.

    Args:
        input_ids: the batch before masking, shape (batch, length).
        masked_ids: the batch after masking, same shape.
        labels: the labels the masking function returned (-100 = not selected).
        special_tokens_mask: 1 where a token is special or padding, else 0 (the
            tokenizer's ``return_special_tokens_mask=True``; mark padding as 1 too).
        mask_token_id: the tokenizer's ``mask_token_id``.

    Returns:
        The :class:`MaskingStatistics` of the batch.
    """
    before = _numpy(input_ids, "input_ids")
    after = _numpy(masked_ids, "masked_ids")
    label_array = _numpy(labels, "labels")
    special = _numpy(special_tokens_mask, "special_tokens_mask").astype(bool)
    shapes = {before.shape, after.shape, label_array.shape, special.shape}
    if len(shapes) != 1:
        raise BertCourseError(
            f"input_ids, masked_ids, labels and special_tokens_mask have different shapes "
            f"({sorted(shapes)}): pass the same batch to all four"
        )
    selected = label_array != -100
    candidates = ~special
    n_selected = int(selected.sum())
    n_candidates = int(candidates.sum())
    if n_candidates == 0:
        raise BertCourseError("the batch holds only special tokens: there is nothing to mask")

    def share(part: np.ndarray) -> float:
        return float(part.sum() / n_selected) if n_selected else 0.0

    as_mask = selected & (after == mask_token_id)
    unchanged = selected & (after == before)
    # A [MASK] in the input that stays [MASK] counts as masked, not unchanged.
    unchanged &= ~as_mask
    as_random = selected & ~as_mask & ~unchanged
    return MaskingStatistics(
        candidates=n_candidates,
        selected=n_selected / n_candidates,
        to_mask=share(as_mask),
        to_random=share(as_random),
        unchanged=share(unchanged),
        special_selected=int((selected & special).sum()),
        unselected_changed=int((~selected & (after != before)).sum()),
    )


def head_parameters(model: Any) -> dict[str, int]:
    """The parameters a task model adds on top of its encoder, by name.

    Parameters shared with the encoder (the MLM decoder tied to the word embeddings)
    are not counted again, nor is a tensor the head uses twice (the MLM output bias).

    Args:
        model: a transformers model with a task head (``BertForQuestionAnswering``...).

    Returns:
        ``{parameter name: number of values}`` for the parameters outside
        ``model.base_model``; empty for a bare encoder.
    """
    base = model.base_model
    if base is model:
        return {}
    seen = {id(parameter) for parameter in base.parameters()}
    counts: dict[str, int] = {}
    # named_parameters() lists a shared tensor once, under the first name it meets.
    for name, parameter in model.named_parameters():
        if id(parameter) in seen:
            continue
        seen.add(id(parameter))
        counts[name] = parameter.numel()
    return counts


def plot_similarity_matrix(
    matrix: Any,
    labels: Sequence[str],
    *,
    title: str = "Cosine similarity",
    ax: Any = None,
    vmin: float | None = None,
    vmax: float | None = 1.0,
    max_label_chars: int = 32,
) -> Any:
    """Draw a square similarity matrix as a heat map with the values written in.

    Args:
        matrix: (n, n) similarities (a tensor or array).
        labels: n names for the rows and columns (long ones are shortened).
        title: the plot title.
        ax: a matplotlib Axes to draw on; ``None`` makes a new figure.
        vmin, vmax: colour range; ``vmin=None`` takes the smallest value.
        max_label_chars: labels longer than this are cut with an ellipsis.

    Returns:
        The matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    values = matrix.detach().cpu().numpy() if hasattr(matrix, "detach") else np.asarray(matrix)
    if values.ndim != 2 or values.shape[0] != values.shape[1]:
        raise BertCourseError(f"matrix has shape {values.shape}: pass a square (n, n) matrix")
    if len(labels) != values.shape[0]:
        raise BertCourseError(
            f"{len(labels)} labels for a {values.shape[0]}x{values.shape[0]} matrix: pass one "
            "label per row"
        )
    short = [
        text if len(text) <= max_label_chars else text[: max_label_chars - 1] + "…"
        for text in labels
    ]
    if ax is None:
        size = 1.6 + 0.55 * len(short)
        _, ax = plt.subplots(figsize=(size + 2, size))
    image = ax.imshow(values, cmap="viridis", vmin=vmin, vmax=vmax)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(len(short)), short, rotation=60, ha="right")
    ax.set_yticks(range(len(short)), short)
    if len(short) <= 12:  # the numbers stay readable up to about a dozen rows
        low, high = image.get_clim()
        middle = (low + high) / 2
        for row in range(values.shape[0]):
            for column in range(values.shape[1]):
                value = values[row, column]
                colour = "black" if value > middle else "white"
                ax.text(column, row, f"{value:.2f}", ha="center", va="center", color=colour)
    ax.set_title(title)
    ax.figure.tight_layout()
    return ax
