"""Checks of lesson 10_training_loop: decay groups, optimizer and schedule, training steps,
evaluation.

No trained model is needed: the worker builds a small BERT classifier with seeded random
weights (dropout on, large weights so gradient clipping bites) and seeded batches; the
grader runs the reference loop on the same model and batches (:data:`HARNESS` is executed
in both processes) and compares the parameters after a few steps.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from autograder import Lesson, assert_close
from autograder.references import harness_scope

TINY_BERT = {
    "vocab_size": 50,
    "hidden_size": 16,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 32,
    "num_labels": 3,
    "hidden_dropout_prob": 0.2,
    "attention_probs_dropout_prob": 0.2,
    # Large weights: large gradients, so a missing clip changes the result.
    "initializer_range": 0.5,
}

#: Worker and grader both run this: the same model, batches and driver on both sides.
HARNESS = f"""
import torch, transformers

CONFIG = {TINY_BERT!r}
KEPT = ("classifier.weight", "bert.encoder.layer.0.attention.self.query.weight",
        "bert.embeddings.LayerNorm.weight", "bert.pooler.dense.bias")


def build(seed, frozen_embeddings=False):
    torch.manual_seed(seed)
    model = transformers.AutoModelForSequenceClassification.from_config(
        transformers.AutoConfig.for_model("bert", **CONFIG)
    ).eval()
    if frozen_embeddings:
        for parameter in model.bert.embeddings.parameters():
            parameter.requires_grad_(False)
    return model


def batches(seed, sizes, length=7):
    generator = torch.Generator().manual_seed(seed)
    out = []
    for size in sizes:
        ids = torch.randint(1, CONFIG["vocab_size"], (size, length), generator=generator)
        out.append({{
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "labels": torch.randint(0, CONFIG["num_labels"], (size,), generator=generator),
        }})
    return out


def group_names(groups_function, seed, frozen_embeddings=False):
    model = build(seed, frozen_embeddings)
    names = {{id(p): n for n, p in model.named_parameters()}}
    return [
        (float(g["weight_decay"]), sorted(names.get(id(p), "?") for p in g["params"]))
        for g in groups_function(model, 0.05)
    ]


def trace_schedule(make, warmup, total, learning_rate=1.0):
    probe = torch.nn.Linear(2, 2)
    optimizer, scheduler = make(
        probe, learning_rate=learning_rate, weight_decay=0.01,
        warmup_steps=warmup, total_steps=total,
    )
    rates = []
    for _ in range(total):
        rates.append(float(scheduler.get_last_lr()[0]))
        optimizer.step()
        scheduler.step()
    return {{
        "optimizer": type(optimizer).__module__ + "." + type(optimizer).__name__,
        "rates": rates,
        "decays": [float(g["weight_decay"]) for g in optimizer.param_groups],
    }}


def run_training(train_steps, seed, steps, max_grad_norm):
    model = build(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / 3))
    data = batches(seed, [4] * steps)
    torch.manual_seed(seed + 1000)  # dropout masks
    losses = train_steps(model, data, optimizer, scheduler, max_grad_norm=max_grad_norm)
    state = dict(model.named_parameters())
    return {{
        "losses": [float(x) for x in losses],
        "params": {{name: state[name].detach().numpy().copy() for name in KEPT}},
        "training": bool(model.training),
        "grads_left": any(p.grad is not None and bool(p.grad.any()) for p in model.parameters()),
    }}


def run_evaluation(evaluate, seed):
    model = build(seed).train()
    seen = []
    hook = model.register_forward_pre_hook(
        lambda module, args: seen.append((module.training, torch.is_grad_enabled()))
    )
    accuracy = evaluate(model, batches(seed, [5, 2, 7]))
    hook.remove()
    return {{"accuracy": float(accuracy), "seen": seen}}


value = {{
    "group_names": group_names,
    "trace_schedule": trace_schedule,
    "run_training": run_training,
    "run_evaluation": run_evaluation,
}}
"""

LESSON = Lesson(
    "10_training_loop",
    setup="import numpy as np\nimport torch\nimport bertcourse as bc",
    fixtures={"harness": HARNESS},
    cell_timeout=60,
)


def harness() -> dict[str, Any]:
    """The harness's functions, run in the grader (``references.harness_scope``)."""
    return harness_scope(HARNESS)["value"]


def _reference_groups(frozen: bool = False) -> list[tuple[float, list[str]]]:
    model = harness_scope(HARNESS)["build"](1 if frozen else 0, frozen)
    decayed, undecayed = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        (undecayed if "bias" in name or "LayerNorm" in name else decayed).append(name)
    return [(0.05, sorted(decayed)), (0.0, sorted(undecayed))]


def _reference_factor(step: int, warmup: int, total: int) -> float:
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step) / max(1, total - warmup))


# The reference solutions the grader runs (the mutants below are edits of the notebook's
# solution cells, so every mutant stays one bug away from the solution).
_TRAIN = """
def train_steps(model, batches, optimizer, scheduler, *, max_grad_norm):
    model.train()
    losses = []
    for batch in batches:
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses
"""

_EVALUATE = """
def evaluate_accuracy(model, batches):
    model.eval()
    right = total = 0
    with torch.no_grad():
        for batch in batches:
            predictions = model(**batch).logits.argmax(dim=-1)
            right += int((predictions == batch["labels"]).sum())
            total += len(batch["labels"])
    return right / total
"""


def _reference(source: str, name: str) -> Any:
    import torch

    scope: dict[str, Any] = {"torch": torch}
    exec(compile(source, f"<reference {name}>", "exec"), scope)
    return scope[name]


def _call(student: Any, helper: str, *arguments: str) -> Any:
    return student.eval(f"fixtures['harness'][{helper!r}]({', '.join(arguments)})")


# -- Exercise 1: decay groups ---------------------------------------------------------
# The first check to run builds the harness in the worker (imports transformers): time.
@LESSON.check("decay_parameter_groups_tests", points=1, timeout=60)
def decay_groups_on_a_small_bert(student):
    """Weight matrices are decayed; biases and LayerNorm weights are not."""
    got = _call(student, "group_names", "decay_parameter_groups", "0")
    expected = _reference_groups()
    assert [decay for decay, _ in got] == [0.05, 0.0], (
        "return two groups: weight_decay first, then 0.0"
    )
    for (_, names), (_, right), what in zip(got, expected, ("decayed", "undecayed"), strict=True):
        missing, extra = sorted(set(right) - set(names)), sorted(set(names) - set(right))
        assert not missing and not extra, (
            f"the {what} group misses {missing[:3]} and wrongly holds {extra[:3]}"
        )


@LESSON.check("decay_parameter_groups_tests", points=1, hidden=True, timeout=30)
def decay_groups_leave_out_frozen_parameters(student):
    got = _call(student, "group_names", "decay_parameter_groups", "1", "True")
    assert got == _reference_groups(frozen=True)


# -- Exercise 2: optimizer and schedule --------------------------------------------------
@LESSON.check("make_optimizer_and_schedule_tests", points=1, timeout=30)
def optimizer_is_adamw_with_a_warm_up(student):
    """AdamW, and the learning rate over 10 steps with 3 of warm-up."""
    got = _call(student, "trace_schedule", "make_optimizer_and_schedule", "3", "10")
    assert got["optimizer"] == "torch.optim.adamw.AdamW", (
        f"the optimizer is {got['optimizer']}, not torch.optim.AdamW"
    )
    expected = [_reference_factor(step, 3, 10) for step in range(10)]
    assert_close(got["rates"], expected, what="the learning rate at steps 0 to 9")


@LESSON.check("make_optimizer_and_schedule_tests", points=1, hidden=True, timeout=30)
def schedule_and_decay_on_random_budgets(student, rng):
    right = 0
    for _ in range(6):
        total = int(rng.integers(5, 60))
        warmup = int(rng.integers(0, total))
        rate = float(rng.choice([1e-4, 3e-4, 2e-5]))
        got = _call(
            student,
            "trace_schedule",
            "make_optimizer_and_schedule",
            str(warmup),
            str(total),
            repr(rate),
        )
        expected = [rate * _reference_factor(step, warmup, total) for step in range(total)]
        right += bool(
            np.allclose(got["rates"], expected, rtol=1e-9, atol=1e-15)
            and got["decays"] == [0.01, 0.0]
        )
    return right / 6


# -- Exercise 3: the training steps ----------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _reference_run(seed: int, steps: int, max_grad_norm: float) -> dict[str, Any]:
    return harness()["run_training"](_reference(_TRAIN, "train_steps"), seed, steps, max_grad_norm)


@LESSON.check("train_steps_tests", points=1, timeout=30)
def train_steps_returns_one_loss_per_batch(student):
    """One float loss per batch, the model left in training mode, gradients zeroed."""
    got = _call(student, "run_training", "train_steps", "0", "3", "1.0")
    assert isinstance(got["losses"], list) and len(got["losses"]) == 3, (
        "return a list with one loss per batch"
    )
    assert got["training"], "put the model in training mode (model.train())"
    assert not got["grads_left"], "zero the gradients after each step (optimizer.zero_grad())"


@LESSON.check("train_steps_tests", points=2, hidden=True, timeout=60)
def train_steps_match_the_reference_loop(student):
    right = 0
    for seed, steps, clip in ((1, 4, 0.05), (2, 3, 5.0)):
        got = _call(student, "run_training", "train_steps", str(seed), str(steps), repr(clip))
        expected = _reference_run(seed, steps, clip)
        same = np.allclose(got["losses"], expected["losses"], rtol=1e-4, atol=1e-5) and all(
            np.allclose(got["params"][name], value, rtol=1e-4, atol=1e-5)
            for name, value in expected["params"].items()
        )
        right += bool(same)
    return right / 2


# -- Exercise 4: evaluation -------------------------------------------------------------------
@LESSON.check("evaluate_accuracy_tests", points=1, timeout=30)
def evaluate_accuracy_matches(student):
    """The accuracy of the argmax predictions over all batches."""
    got = _call(student, "run_evaluation", "evaluate_accuracy", "4")
    expected = harness()["run_evaluation"](_reference(_EVALUATE, "evaluate_accuracy"), 4)
    assert_close(got["accuracy"], expected["accuracy"], what="evaluate_accuracy(model, batches)")


@LESSON.check("evaluate_accuracy_tests", points=1, hidden=True, timeout=30)
def evaluate_runs_in_eval_mode_without_gradients(student):
    got = _call(student, "run_evaluation", "evaluate_accuracy", "5")
    assert got["seen"], "the model was never called"
    assert all(not training and not grad for training, grad in got["seen"])


LESSON.answer_key({"answer_warmup_tests": {"ANSWER_WARMUP": "b"}})

# -- Known wrong variants: edits of the current solution cells ----------------------------------
LESSON.mutant(
    "decay_parameter_groups",
    "decays every parameter",
    replace={"            undecayed.append(parameter)": "            decayed.append(parameter)"},
)
LESSON.mutant(
    "decay_parameter_groups",
    "decays LayerNorm weights (only biases left out)",
    replace={'if "bias" in name or "LayerNorm" in name:': 'if "bias" in name:'},
)
LESSON.mutant(
    "decay_parameter_groups",
    "keeps frozen parameters",
    replace={"        if not parameter.requires_grad:\n            continue\n": ""},
)
LESSON.mutant(
    "make_optimizer_and_schedule",
    "no warm-up: linear decay from the first step",
    replace={"if step < warmup_steps:": "if False:", "total_steps - warmup_steps)": "total_steps)"},
)
LESSON.mutant(
    "make_optimizer_and_schedule",
    "Adam with L2 in the gradient instead of AdamW",
    replace={"torch.optim.AdamW(": "torch.optim.Adam("},
)
for _description, _old, _new in (
    ("never zeroes the gradients", "        optimizer.zero_grad()\n", ""),
    (
        "does not clip the gradients",
        "        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)\n",
        "",
    ),
    ("leaves the model in evaluation mode (no dropout)", "    model.train()\n", ""),
    (
        "clips before backward (clips nothing)",
        "        loss.backward()\n        torch.nn.utils.clip_grad_norm_(model.parameters(), "
        "max_grad_norm)\n",
        "        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)\n"
        "        loss.backward()\n",
    ),
):
    LESSON.mutant("train_steps", _description, replace={_old: _new})

LESSON.mutant(
    "evaluate_accuracy",
    "keeps dropout on (no model.eval())",
    replace={"    model.eval()\n": ""},
)
LESSON.mutant(
    "evaluate_accuracy",
    "tracks gradients (no torch.no_grad())",
    replace={"    with torch.no_grad():\n": "    if True:\n"},
)
LESSON.mutant(
    "evaluate_accuracy",
    "averages per-batch accuracies (wrong with unequal batches)",
    replace={
        'right += int((predictions == batch["labels"]).sum())': (
            'right += float((predictions == batch["labels"]).float().mean())'
        ),
        'total += len(batch["labels"])': "total += 1",
    },
)
