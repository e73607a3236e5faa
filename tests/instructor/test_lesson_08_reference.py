"""The references of lesson 08's checks agree with Captum (where installed) and with IG's
completeness property, so the grader does not reward a wrong integration rule."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

lesson08 = importlib.import_module("autograder.lessons.08_interpretability")


@pytest.fixture(scope="module")
def case():
    import torch

    model = lesson08.reference_model("tiny0")
    ids = torch.tensor([[2, 11, 17, 23, 5, 3]])
    baseline = torch.tensor([[2, 0, 0, 0, 0, 3]])
    return model, ids, torch.ones_like(ids), baseline


def test_reference_ig_is_complete(case):
    model, ids, mask, baseline = case
    attributions = lesson08.reference_integrated_gradients(model, ids, mask, 1, baseline, 64)
    gap = lesson08._logit(model, ids, mask, 1) - lesson08._logit(model, baseline, mask, 1)
    assert abs(gap) > 1e-2, "the check model should be far from linear-and-flat"
    assert attributions.sum() == pytest.approx(gap, rel=1e-2)


def test_reference_ig_matches_captum(case):
    captum_attr = pytest.importorskip("captum.attr")
    model, ids, mask, baseline = case
    embed = model.get_input_embeddings()

    def target_logit(embeddings):
        return model(
            inputs_embeds=embeddings, attention_mask=mask.expand(len(embeddings), -1)
        ).logits[:, 1]

    # Both approximate the same integral: Captum's Gauss-Legendre rule (accurate for a
    # smooth path) against our trapezoid with many steps. (Captum's "riemann_trapezoid"
    # weights sum to (n - 1) / n, so it is not the textbook rule the lesson asks for.)
    theirs = captum_attr.IntegratedGradients(target_logit).attribute(
        embed(ids).detach(),
        baselines=embed(baseline).detach(),
        n_steps=48,
        method="gausslegendre",
    )
    ours = lesson08.reference_integrated_gradients(model, ids, mask, 1, baseline, 200)
    np.testing.assert_allclose(theirs.sum(-1)[0].detach().numpy(), ours, atol=2e-3)


def test_reference_gradient_x_input_is_exact_on_a_linear_model():
    import torch

    model = lesson08.reference_model("bow")
    ids = torch.tensor([[1, 4, 9]])
    scores = lesson08.reference_gradient_x_input(model, ids, torch.ones_like(ids), 0)
    with torch.no_grad():
        expected = model.out(model.embed(ids))[0, :, 0].numpy()
    np.testing.assert_allclose(scores, expected, atol=1e-6)
