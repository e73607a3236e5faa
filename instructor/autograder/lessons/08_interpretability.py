"""Checks of lesson 08_interpretability: gradient x input, integrated gradients, deletion test.

No trained model is needed to grade attribution code: the worker builds small BERT
classifiers with random (seeded) weights and a bag-of-words model whose behaviour is
known exactly; the references below run on the same models in the grader process.
Inputs and outputs cross the process boundary as lists / numpy arrays.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

from autograder import Fixture, Lesson, assert_close

TINY_BERT = {
    "vocab_size": 60,
    "hidden_size": 16,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 32,
    "num_labels": 3,
    # Weights far larger than the default 0.02: attributions of order 1 and a clearly
    # non-linear model, so wrong integration rules and missing factors show.
    "initializer_range": 0.5,
}


def tiny_source(seed: int) -> str:
    """Fixture source of a small BERT classifier with seeded random weights (the worker and
    the grader build the same model)."""
    return (
        "import torch, transformers\n"
        f"torch.manual_seed({seed})\n"
        "value = transformers.AutoModelForSequenceClassification.from_config("
        f"transformers.AutoConfig.for_model('bert', **{TINY_BERT!r})).eval()"
    )


BOW_SOURCE = '''
import torch
from types import SimpleNamespace

class BagOfWords(torch.nn.Module):
    """logits[c] = sum over the tokens present of weight[token, c]; embeddings are a lookup."""

    def __init__(self):
        super().__init__()
        generator = torch.Generator().manual_seed(7)
        self.embed = torch.nn.Embedding(30, 4)
        self.embed.weight.data = torch.randn(30, 4, generator=generator)
        self.out = torch.nn.Linear(4, 2, bias=False)
        self.out.weight.data = torch.randn(2, 4, generator=generator)

    def get_input_embeddings(self):
        return self.embed

    def forward(self, input_ids=None, attention_mask=None, inputs_embeds=None):
        x = self.embed(input_ids) if inputs_embeds is None else inputs_embeds
        return SimpleNamespace(logits=self.out(x).sum(1))

value = BagOfWords().eval()
'''

LESSON = Lesson(
    "08_interpretability",
    # What the solution cells use from the lesson's earlier (non-exercise) cells.
    setup=("import torch\nfrom bertcourse.interpret import delete_positions, target_probability"),
    run="solutions",
    fixtures={
        "tiny0": tiny_source(0),
        "tiny1": tiny_source(1),
        "bow": BOW_SOURCE,
    },
    cell_timeout=60,
)


@functools.cache
def reference_model(name: str):
    namespace: dict = {}
    source = {
        "tiny0": tiny_source(0),
        "tiny1": tiny_source(1),
        "bow": BOW_SOURCE,
    }[name]
    exec(source, namespace)
    return namespace["value"]


def _tensor(rows):
    import torch

    return torch.tensor(rows)


def reference_gradient_x_input(model, ids, mask, target) -> np.ndarray:
    import torch

    embeddings = model.get_input_embeddings()(ids).detach().requires_grad_(True)
    logit = model(inputs_embeds=embeddings, attention_mask=mask).logits[0, target]
    (gradient,) = torch.autograd.grad(logit, embeddings)
    return (gradient * embeddings).sum(-1)[0].detach().numpy()


def reference_integrated_gradients(model, ids, mask, target, baseline, steps) -> np.ndarray:
    """Trapezoidal rule, one interpolated input at a time (independent of the student's)."""
    import torch

    embed = model.get_input_embeddings()
    x, x0 = embed(ids).detach(), embed(baseline).detach()
    total = torch.zeros_like(x)
    for k in range(steps + 1):
        point = (x0 + k / steps * (x - x0)).requires_grad_(True)
        logit = model(inputs_embeds=point, attention_mask=mask).logits[0, target]
        (gradient,) = torch.autograd.grad(logit, point)
        total += gradient * (0.5 if k in (0, steps) else 1.0)
    return ((x - x0) * total / steps).sum(-1)[0].detach().numpy()


def _logit(model, ids, mask, target) -> float:
    import torch

    with torch.no_grad():
        return float(model(input_ids=ids, attention_mask=mask).logits[0, target])


def _probability(model, ids, target) -> float:
    import torch

    with torch.no_grad():
        return float(
            model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits.softmax(-1)[0, target]
        )


def _random_input(rng, length: int, vocab: int = 60) -> tuple[list[list[int]], list[list[int]]]:
    ids = [[2, *(int(i) for i in rng.integers(5, vocab, length - 2)), 3]]
    return ids, [[1] * length]


def _as_vector(got) -> np.ndarray:
    array = np.asarray(got, dtype=float)
    assert array.ndim == 1, f"return one score per token (a 1-D tensor), got shape {array.shape}"
    return array


# --------------------------------------------------------------------------------------
# gradient_x_input (3 points)
# --------------------------------------------------------------------------------------


@LESSON.check("saliency_tests", points=1, timeout=30)
def saliency_on_a_small_bert(student):
    """A 2-layer BERT classifier, one sentence: one score per token, the right values."""
    ids, mask = [[2, 11, 17, 23, 5, 3]], [[1] * 6]
    got = _as_vector(student.gradient_x_input(Fixture("tiny0"), _tensor(ids), _tensor(mask), 1))
    expected = reference_gradient_x_input(reference_model("tiny0"), _tensor(ids), _tensor(mask), 1)
    assert got.shape == expected.shape, f"{got.shape[0]} scores for {expected.shape[0]} tokens"
    assert_close(
        got.tolist(), expected.tolist(), what="gradient x input scores", rel=1e-3, abs=1e-5
    )


@LESSON.check("saliency_tests", points=1, hidden=True, timeout=30)
def saliency_random_inputs_and_targets(student, rng):
    """Random sentences, both models, every target (partial credit)."""
    right = total = 0
    for model_name in ("tiny0", "tiny1"):
        for _ in range(3):
            ids, mask = _random_input(rng, int(rng.integers(3, 12)))
            target = int(rng.integers(0, 3))
            got = np.asarray(
                student.gradient_x_input(Fixture(model_name), _tensor(ids), _tensor(mask), target),
                dtype=float,
            )
            expected = reference_gradient_x_input(
                reference_model(model_name), _tensor(ids), _tensor(mask), target
            )
            total += 1
            right += got.shape == expected.shape and np.allclose(
                got, expected, rtol=1e-4, atol=1e-6
            )
    return right / total


@LESSON.check("saliency_tests", points=1, hidden=True, timeout=30)
def saliency_is_linear_exact_on_bag_of_words(student):
    """For a linear bag-of-words model, gradient x input = each token's own logit share."""
    import torch

    model = reference_model("bow")
    ids = torch.tensor([[1, 4, 9, 4, 2]])
    got = np.asarray(
        student.gradient_x_input(Fixture("bow"), ids, torch.ones_like(ids), 0), dtype=float
    )
    with torch.no_grad():
        expected = model.out(model.embed(ids))[0, :, 0].numpy()
    assert np.allclose(got, expected, atol=1e-5)


# --------------------------------------------------------------------------------------
# integrated_gradients (4 points)
# --------------------------------------------------------------------------------------


def _ig_case(rng, length: int):
    ids, mask = _random_input(rng, length)
    baseline = [[ids[0][0], *([0] * (length - 2)), ids[0][-1]]]
    return ids, mask, baseline


@LESSON.check("integrated_gradients_tests", points=1, timeout=30)
def completeness_holds(student):
    """Attributions add up to f(input) - f(baseline) (50 steps, 2% tolerance)."""
    ids, mask, baseline = [[2, 11, 17, 23, 5, 3]], [[1] * 6], [[2, 0, 0, 0, 0, 3]]
    got = _as_vector(
        student.integrated_gradients(
            Fixture("tiny0"), _tensor(ids), _tensor(mask), 2, _tensor(baseline), steps=50
        )
    )
    model = reference_model("tiny0")
    gap = _logit(model, _tensor(ids), _tensor(mask), 2) - _logit(
        model, _tensor(baseline), _tensor(mask), 2
    )
    assert len(got) == 6, f"one score per token: {len(got)} for 6 tokens"
    assert abs(got.sum() - gap) <= 0.02 * abs(gap) + 1e-3, (
        f"the attributions sum to {got.sum():.5f} but f(x) - f(baseline) = {gap:.5f}"
    )


@LESSON.check("integrated_gradients_tests", points=2, hidden=True, timeout=30)
def trapezoid_matches_reference(student, rng):
    """Few steps, random inputs, some padded: the exact trapezoidal values (partial credit)."""
    right = total = 0
    for model_name in ("tiny0", "tiny1"):
        for steps in (1, 3, 6):
            ids, mask, baseline = _ig_case(rng, int(rng.integers(4, 10)))
            if model_name == "tiny1":
                # A padded last position: the mask must follow the path's steps + 1 rows
                # (mutation testing: a mask of the wrong batch survived all-ones masks).
                mask = [[*mask[0][:-1], 0]]
            target = int(rng.integers(0, 3))
            got = np.asarray(
                student.integrated_gradients(
                    Fixture(model_name),
                    _tensor(ids),
                    _tensor(mask),
                    target,
                    _tensor(baseline),
                    steps=steps,
                ),
                dtype=float,
            )
            expected = reference_integrated_gradients(
                reference_model(model_name),
                _tensor(ids),
                _tensor(mask),
                target,
                _tensor(baseline),
                steps,
            )
            total += 1
            right += got.shape == expected.shape and np.allclose(
                got, expected, rtol=1e-4, atol=1e-5
            )
    return right / total


@LESSON.check("integrated_gradients_tests", points=1, hidden=True, timeout=30)
def baseline_equal_to_input_gives_zero(student):
    """Nothing to attribute when the input is its own baseline; linear model: exact."""
    import torch

    ids = torch.tensor([[2, 9, 14, 3]])
    got = np.asarray(
        student.integrated_gradients(Fixture("tiny1"), ids, torch.ones_like(ids), 0, ids, steps=4),
        dtype=float,
    )
    assert np.abs(got).max() < 1e-6
    # A linear model: IG equals gradient x (input - baseline) for any number of steps.
    model = reference_model("bow")
    ids, baseline = torch.tensor([[1, 4, 9, 2]]), torch.tensor([[1, 0, 0, 2]])
    got = np.asarray(
        student.integrated_gradients(
            Fixture("bow"), ids, torch.ones_like(ids), 1, baseline, steps=2
        ),
        dtype=float,
    )
    with torch.no_grad():
        expected = (model.out(model.embed(ids)) - model.out(model.embed(baseline)))[0, :, 1].numpy()
    assert np.allclose(got, expected, atol=1e-5)


# --------------------------------------------------------------------------------------
# deletion_drop (3 points)
# --------------------------------------------------------------------------------------


def reference_deletion_drop(model, ids, scores, k, target, special) -> float:
    import torch

    candidates = [i for i in range(len(scores)) if not special[i]]
    top = set(sorted(candidates, key=lambda i: scores[i], reverse=True)[:k])
    kept = torch.tensor([[t for i, t in enumerate(ids[0].tolist()) if i not in top]])
    return _probability(model, ids, target) - _probability(model, kept, target)


@LESSON.check("deletion_test_tests", points=1, timeout=30)
def deletes_the_top_k_ordinary_tokens(student):
    """Bag of words: deleting the two highest-scored ordinary tokens."""
    import torch

    ids = torch.tensor([[1, 5, 9, 12, 7, 2]])
    special = [True, False, False, False, False, True]
    scores = [100.0, 2.0, 4.0, 1.0, 3.0, 100.0]  # specials carry the highest scores
    got = student.deletion_drop(
        Fixture("bow"), ids, torch.ones_like(ids), torch.tensor(scores), 2, 1, torch.tensor(special)
    )
    expected = reference_deletion_drop(reference_model("bow"), ids, scores, 2, 1, special)
    assert_close(float(got), expected, what="deletion_drop(..., k=2)", rel=1e-5, abs=1e-7)


@LESSON.check("deletion_test_tests", points=1, hidden=True, timeout=30)
def random_scores_and_k(student, rng):
    """Random inputs, scores (negative too), k and targets, both models (partial credit)."""
    import torch

    right = total = 0
    for model_name, vocab, classes in (("bow", 30, 2), ("tiny0", 60, 3)):
        for _ in range(5):
            length = int(rng.integers(4, 12))
            ids = torch.tensor([[1, *(int(i) for i in rng.integers(3, vocab, length - 2)), 2]])
            special = [True] + [False] * (length - 2) + [True]
            scores = [float(s) for s in rng.normal(size=length)]
            k, target = int(rng.integers(1, length - 1)), int(rng.integers(0, classes))
            got = student.deletion_drop(
                Fixture(model_name),
                ids,
                torch.ones_like(ids),
                torch.tensor(scores),
                k,
                target,
                torch.tensor(special),
            )
            expected = reference_deletion_drop(
                reference_model(model_name), ids, scores, k, target, special
            )
            total += 1
            right += abs(float(got) - expected) < 1e-5
    return right / total


@LESSON.check("deletion_test_tests", points=1, hidden=True, timeout=30)
def edge_cases(student):
    """k = 0 changes nothing; special tokens in the middle are never deleted."""
    import torch

    ids = torch.tensor([[1, 5, 2, 9, 2]])
    assert (
        abs(
            float(
                student.deletion_drop(
                    Fixture("bow"),
                    ids,
                    torch.ones_like(ids),
                    torch.tensor([0.0, 1, 2, 3, 0]),
                    0,
                    0,
                    torch.tensor([True, False, False, False, True]),
                )
            )
        )
        < 1e-9
    )
    special = [True, False, True, False, True]
    scores = [0.0, 1.0, 50.0, 2.0, 0.0]
    got = student.deletion_drop(
        Fixture("bow"),
        ids,
        torch.ones_like(ids),
        torch.tensor(scores),
        1,
        0,
        torch.tensor(special),
    )
    expected = reference_deletion_drop(reference_model("bow"), ids, scores, 1, 0, special)
    assert abs(float(got) - expected) < 1e-6


# --------------------------------------------------------------------------------------
# concept checks (1 point each)
# --------------------------------------------------------------------------------------

LESSON.answer_key(
    {
        "concept_q1_tests": {"ANSWER_Q1": "a"},
        "concept_q2_tests": {"ANSWER_Q2": "b"},
        "concept_q3_tests": {"ANSWER_Q3": "c"},
    }
)

# -- Mutants: edits of the current solution cells ---------------------------------------------
_SALIENCY = "return (gradient * embeddings).sum(-1)[0].detach()"
for _description, _edit in (
    ("gradient only (no x input)", {_SALIENCY: "return gradient.sum(-1)[0].detach()"}),
    (
        "gradient of the probability of the predicted class, not the target logit",
        {".logits[0, target]": ".logits.softmax(-1)[0].max()"},
    ),
    (
        "absolute values (sign of the evidence lost)",
        {_SALIENCY: "return (gradient * embeddings).abs().sum(-1)[0].detach()"},
    ),
):
    LESSON.mutant("saliency", _description, replace=_edit)

_TRAPEZOID = "average = ((gradients[:-1] + gradients[1:]) / 2).mean(0)"
for _description, _edit in (
    (
        "left Riemann sum (alpha = 0 .. 1 - 1/steps)",
        {_TRAPEZOID: "average = gradients[:-1].mean(0)"},
    ),
    (
        "not multiplied by (input - baseline)",
        {"return ((x - x0)[0] * average).sum(-1).detach()": "return average.sum(-1).detach()"},
    ),
    ("gradient at the input only (gradient x difference)", {_TRAPEZOID: "average = gradients[-1]"}),
):
    LESSON.mutant("integrated_gradients", _description, replace=_edit)

for _description, _edit in (
    ("lowest scores deleted", {", reverse=True)[:k]": ")[:k]"}),
    ("special tokens may be deleted", {" if not bool(special[i])": ""}),
    (
        "ranked by absolute score",
        {"key=lambda i: float(scores[i])": "key=lambda i: abs(float(scores[i]))"},
    ),
):
    LESSON.mutant("deletion_test", _description, replace=_edit)

LESSON.mutant("concept_q1", "wrong answer", replace={'"a"': '"b"'})
LESSON.mutant("concept_q2", "wrong answer", replace={'"b"': '"a"'})
LESSON.mutant("concept_q3", "wrong answer", replace={'"c"': '"a"'})

__all__ = ["LESSON", "SimpleNamespace"]
