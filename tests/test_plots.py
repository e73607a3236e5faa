"""Figures for training curves, confusion matrices, attention and token scores (Agg)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from bertcourse.plots import (
    CourseFigure,
    PlotInputError,
    plot_attention,
    plot_confusion_matrix,
    plot_token_scores,
    plot_training_curve,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _history(epochs: int = 2, steps_per_epoch: int = 5) -> list[dict]:
    history: list[dict] = []
    step = 0
    for epoch in range(1, epochs + 1):
        for _ in range(steps_per_epoch):
            step += 1
            history.append({"loss": 1.0 / step, "epoch": step / steps_per_epoch, "step": step})
        history.append(
            {
                "eval_loss": 0.5 / epoch,
                "eval_accuracy": 0.6 + 0.1 * epoch,
                "eval_runtime": 1.0,
                "eval_samples_per_second": 10.0,
                "epoch": float(epoch),
                "step": step,
            }
        )
    history.append({"train_runtime": 3.0, "train_loss": 0.4, "epoch": float(epochs), "step": step})
    return history


def test_training_curve_draws_train_eval_and_metrics() -> None:
    fig = plot_training_curve(_history())
    assert isinstance(fig, Figure)
    loss_ax, metric_ax = fig.axes
    lines = {line.get_label(): line for line in loss_ax.get_lines()}
    assert list(lines["training loss"].get_xdata()) == list(range(1, 11))
    assert list(lines["evaluation loss"].get_xdata()) == [5, 10]
    assert list(lines["evaluation loss"].get_ydata()) == [0.5, 0.25]
    metric_lines = {line.get_label(): line for line in metric_ax.get_lines()}
    # Bookkeeping (runtime, samples per second) is not a metric.
    assert set(metric_lines) == {"accuracy"}
    assert list(metric_lines["accuracy"].get_xdata()) == [1.0, 2.0]


def test_training_curve_takes_a_trainer_like_object() -> None:
    class State:
        log_history = [{"loss": 0.9, "step": 1}, {"loss": 0.5, "step": 2}]

    class TrainerLike:
        state = State()

    fig = plot_training_curve(TrainerLike())
    assert len(fig.axes) == 1  # no evaluation metrics -> one panel
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == [0.9, 0.5]


def test_training_curve_rejects_an_empty_history() -> None:
    with pytest.raises(PlotInputError, match="train first"):
        plot_training_curve([{"train_runtime": 1.0}])
    with pytest.raises(PlotInputError, match="log_history"):
        plot_training_curve(42)


def test_confusion_matrix_normalises_rows() -> None:
    preds = [0, 0, 1, 2, 2, 2]
    labels = [0, 1, 1, 2, 2, 0]
    fig = plot_confusion_matrix(preds, labels, ["a", "b", "c"])
    image = fig.axes[0].get_images()[0].get_array()
    expected = np.array([[0.5, 0, 0.5], [0.5, 0.5, 0], [0, 0, 1]])
    np.testing.assert_allclose(np.asarray(image), expected)
    texts = [text.get_text() for text in fig.axes[0].texts]
    assert texts.count("0.50") == 4
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "b", "c"]


def test_confusion_matrix_counts_without_normalising() -> None:
    fig = plot_confusion_matrix(
        np.array([1, 1, 0]), np.array([1, 0, 0]), ["x", "y"], normalize=False
    )
    np.testing.assert_array_equal(
        np.asarray(fig.axes[0].get_images()[0].get_array()), [[1, 1], [0, 1]]
    )


@pytest.mark.parametrize(
    ("preds", "labels", "message"),
    [([0, 1], [0], "2 entries"), ([0, 3], [0, 1], "outside 0..2"), ([0, 1], [0, -100], "-100")],
)
def test_confusion_matrix_rejects_bad_ids(preds, labels, message: str) -> None:
    with pytest.raises(PlotInputError, match=message):
        plot_confusion_matrix(preds, labels, ["a", "b", "c"])


def _attentions(layers: int = 2, heads: int = 3, tokens: int = 4) -> tuple:
    torch = pytest.importorskip("torch")
    generator = torch.Generator().manual_seed(0)
    return tuple(
        torch.softmax(torch.randn(1, heads, tokens, tokens, generator=generator), dim=-1)
        for _ in range(layers)
    )


def test_attention_shows_the_chosen_layer_and_head() -> None:
    attentions = _attentions()
    tokens = ["[CLS]", "hello", "world", "[SEP]"]
    fig = plot_attention(attentions, tokens, layer=1, head=2)
    shown = np.asarray(fig.axes[0].get_images()[0].get_array())
    np.testing.assert_allclose(shown, attentions[1][0, 2].numpy(), rtol=1e-6)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == tokens
    assert "layer 1, head 2" in fig.axes[0].get_title()
    # The same data stacked into one (layers, heads, tokens, tokens) array.
    stacked = np.stack([layer[0].numpy() for layer in attentions])
    fig = plot_attention(stacked, tokens, layer=0, head=1)
    np.testing.assert_allclose(
        np.asarray(fig.axes[0].get_images()[0].get_array()), stacked[0, 1], rtol=1e-6
    )


@pytest.mark.parametrize(
    ("layer", "head", "tokens", "message"),
    [(5, 0, 4, "layer 5"), (0, 7, 4, "head 7"), (0, 0, 3, "3 tokens")],
)
def test_attention_rejects_bad_indices(layer: int, head: int, tokens: int, message: str) -> None:
    with pytest.raises(PlotInputError, match=message):
        plot_attention(_attentions(), [f"t{i}" for i in range(tokens)], layer=layer, head=head)


def test_token_scores_one_bar_per_token_coloured_by_sign() -> None:
    fig = plot_token_scores(["not", "good", "at", "all"], np.array([-0.5, 0.9, 0.1, -0.2]))
    bars = fig.axes[0].patches
    assert [bar.get_height() for bar in bars] == pytest.approx([-0.5, 0.9, 0.1, -0.2])
    assert bars[0].get_facecolor() != bars[1].get_facecolor()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["not", "good", "at", "all"]


def test_token_scores_rejects_a_length_mismatch() -> None:
    with pytest.raises(PlotInputError, match="3 scores for 2 tokens"):
        plot_token_scores(["a", "b"], [1, 2, 3])


def test_figures_display_once_in_notebooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Displaying draws a PNG and leaves pyplot, so the inline backend skips it."""
    import IPython.display
    import matplotlib.pyplot as plt

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a[0]))
    inline = "module://matplotlib_inline.backend_inline"
    monkeypatch.setattr(matplotlib, "get_backend", lambda: inline)
    fig = plot_token_scores(["a"], [1.0])
    assert isinstance(fig, CourseFigure)
    assert plt.fignum_exists(fig.number)  # open: `plot(...);` still shows at cell end
    fig._ipython_display_()
    assert len(shown) == 1 and shown[0]["image/png"].startswith(b"\x89PNG")
    assert not plt.fignum_exists(fig.number)  # not drawn again by the backend
    fig._ipython_display_()  # `fig` in a later cell draws it again
    assert len(shown) == 2
