"""Checks of lesson 01_inside_bert: attention_weights, mean_pool, mask_tokens, concepts.

References are computed here, in the grader: one head's attention weights as a tiny,
randomly initialised BERT returns them with ``output_attentions=True``, mean pooling
with a per-row loop, the
masking proportions of BERT's pre-training (and of
``transformers.DataCollatorForLanguageModeling``) measured with
``bertcourse.inside.masking_statistics``. No model is loaded: the masking checks build
batches of random token ids around the offline tokenizer's special tokens; the
attention checks build a 1-layer BERT of width 32 from a config.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from autograder import Fixture, Lesson, assert_close
from autograder.references import reference_tokenizer
from bertcourse.inside import masking_statistics

LESSON = Lesson(
    "01_inside_bert",
    setup="import torch\nimport bertcourse as bc\ntokenizer = bc.load_tokenizer()",
    run="solutions",
)

TOKENIZER = Fixture("tokenizer")


# --------------------------------------------------------------------------------------
# attention_weights (3 points)
# --------------------------------------------------------------------------------------

TINY_HEADS = 4


@functools.lru_cache(maxsize=1)
def tiny_bert():
    """A 1-layer BERT (width 32, 4 heads of 8), random but seeded, returning attentions."""
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=120, hidden_size=32, num_hidden_layers=1, num_attention_heads=TINY_HEADS,
        intermediate_size=64, max_position_embeddings=32,
    )  # fmt: skip
    model = BertModel(config).eval()
    model.set_attn_implementation("eager")  # the fused kernel returns no weights
    return model


def attention_case(seed: int, *, padded: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(layer input, attention mask, the model's layer-1 attentions) for a random batch."""
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, 120, (3, 9), generator=generator)
    mask = torch.ones_like(ids)
    if padded:
        mask[1, 6:] = 0
        mask[2, 4:] = 0
    with torch.no_grad():
        out = tiny_bert()(
            input_ids=ids, attention_mask=mask, output_hidden_states=True, output_attentions=True
        )
    return out.hidden_states[0], mask, out.attentions[0]


def _student_attention(student, hidden, head: int, mask=None):
    layer = tiny_bert().encoder.layer[0].attention.self
    args = (hidden, layer.query, layer.key, TINY_HEADS, head)
    return np.asarray(student.attention_weights(*args, mask) if mask is not None
                      else student.attention_weights(*args))  # fmt: skip


# The first check builds the tiny BERT (importing transformers' BERT): more time.
@LESSON.check("attention_weights_tests", points=1, timeout=60)
def attention_weights_match_output_attentions(student):
    """Head 1 of a tiny BERT, no padding: the weights output_attentions returns."""
    hidden, _, attentions = attention_case(0, padded=False)
    got = _student_attention(student, hidden, 1)
    assert got.shape == (3, 9, 9), f"expected shape (batch, tokens, tokens), got {got.shape}"
    assert np.allclose(got.sum(-1), 1, atol=1e-4), "each row must sum to 1 over the keys"
    assert_close(got, attentions[:, 1].numpy(), what="attention_weights(...)", rel=1e-4, abs=1e-5)


@LESSON.check("attention_weights_tests", points=1.5, hidden=True, timeout=30)
def attention_weights_every_head_with_padding(student):
    """Partial credit: every head, on padded batches (padded keys get weight 0)."""
    right, total = 0, 0
    for seed in (1, 2):
        hidden, mask, attentions = attention_case(seed, padded=True)
        for head in range(TINY_HEADS):
            got = _student_attention(student, hidden, head, mask)
            total += 1
            right += got.shape == (3, 9, 9) and np.allclose(
                got, attentions[:, head].numpy(), atol=1e-5
            )
    return right / total


@LESSON.check("attention_weights_tests", points=0.5, hidden=True, timeout=30)
def attention_weights_leave_the_input_alone_and_default_to_no_mask(student):
    """No mask means attend everywhere; the hidden states are not modified."""
    hidden, _, attentions = attention_case(3, padded=False)
    before = hidden.clone()
    got = _student_attention(student, hidden, TINY_HEADS - 1)
    assert torch.equal(hidden, before)
    assert_close(got, attentions[:, TINY_HEADS - 1].numpy(), what="weights", rel=1e-4, abs=1e-5)


# --------------------------------------------------------------------------------------
# mean_pool (3 points)
# --------------------------------------------------------------------------------------


def reference_mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros((hidden.shape[0], hidden.shape[2]), dtype=np.float64)
    for row in range(hidden.shape[0]):
        keep = mask[row].astype(bool)
        if keep.any():
            out[row] = hidden[row][keep].mean(axis=0)
    return out


@LESSON.check("mean_pool_tests", points=0.5)
def mean_pool_ignores_the_padded_position(student):
    """The notebook's example: the padded vector [100, 100] must not count."""
    hidden = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])
    got = student.mean_pool(hidden, torch.tensor([[1, 1, 0]]))
    assert np.shape(got) == (1, 2), f"expected shape (1, 2), got {np.shape(got)}"
    assert_close(np.asarray(got).tolist(), [[2.0, 3.0]], what="mean_pool(...)", rel=1e-5)


@LESSON.check("mean_pool_tests", points=1.5, hidden=True)
def mean_pool_on_random_batches(student, rng):
    """Partial credit: random batches with random padding masks."""
    right = 0
    for _ in range(10):
        batch, tokens, width = (int(x) for x in rng.integers(1, 9, size=3))
        hidden = rng.normal(size=(batch, tokens, width)).astype(np.float32)
        mask = (rng.random((batch, tokens)) < 0.6).astype(np.int64)
        mask[:, 0] = 1
        got = student.mean_pool(torch.from_numpy(hidden), torch.from_numpy(mask))
        expected = reference_mean_pool(hidden, mask)
        right += np.shape(got) == expected.shape and np.allclose(got, expected, atol=1e-5)
    return right / 10


@LESSON.check("mean_pool_tests", points=0.5, hidden=True)
def mean_pool_of_an_all_padding_row_is_zero(student):
    """A row whose mask is all zeros gives zeros, not nan."""
    hidden = torch.arange(24, dtype=torch.float32).reshape(2, 4, 3)
    got = np.asarray(student.mean_pool(hidden, torch.tensor([[1, 1, 0, 0], [0, 0, 0, 0]])))
    assert not np.isnan(got).any()
    assert_close(got[1].tolist(), [0.0, 0.0, 0.0], what="the all-padding row")
    assert_close(got[0].tolist(), [1.5, 2.5, 3.5], what="the first row", rel=1e-5)


@LESSON.check("mean_pool_tests", points=0.5, hidden=True)
def mean_pool_leaves_its_inputs_alone(student):
    """The tensors passed in are not modified."""
    unchanged = student.eval(
        "(lambda h, m: (mean_pool(h, m), bool(torch.equal(h, torch.ones(2, 3, 4))), "
        "bool(torch.equal(m, torch.tensor([[1, 1, 0], [1, 0, 0]])))))"
        "(torch.ones(2, 3, 4), torch.tensor([[1, 1, 0], [1, 0, 0]]))"
    )
    assert unchanged[1] and unchanged[2]


# --------------------------------------------------------------------------------------
# mask_tokens (4 points)
# --------------------------------------------------------------------------------------


def synthetic_batch(
    rng: np.random.Generator, rows: int, length: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """[CLS] random ids [SEP] [PAD]...: rows of varied length, and their special mask."""
    tokenizer = reference_tokenizer()
    ids = rng.integers(1000, len(tokenizer), size=(rows, length))
    for row in range(rows):
        size = int(rng.integers(4, length + 1))
        ids[row, 0] = tokenizer.cls_token_id
        ids[row, size - 1] = tokenizer.sep_token_id
        ids[row, size:] = tokenizer.pad_token_id
    special = np.isin(ids, tokenizer.all_special_ids).astype(np.int64)
    return torch.from_numpy(ids), torch.from_numpy(special)


def _statistics(ids: torch.Tensor, special: torch.Tensor, result) -> object:
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        "mask_tokens must return a pair (masked_input_ids, labels)"
    )
    masked, labels = (np.asarray(part) for part in result)
    assert masked.shape == tuple(ids.shape) and labels.shape == tuple(ids.shape), (
        "masked_input_ids and labels must have the batch's shape"
    )
    return masking_statistics(ids, masked, labels, special, reference_tokenizer().mask_token_id)


# The first check that needs the tokenizer builds it in the worker and here: allow for that.
@LESSON.check("mask_tokens_tests", points=1, timeout=30)
def mask_tokens_keeps_the_rules(student, rng):
    """Labels hold the original ids; special tokens and padding are never selected."""
    ids, special = synthetic_batch(rng, 8, 16)
    masked, labels = (np.asarray(part) for part in student.mask_tokens(ids, TOKENIZER))
    original = ids.numpy()
    chosen = labels != -100
    assert masked.shape == original.shape and labels.shape == original.shape, "keep the shape"
    assert (labels[chosen] == original[chosen]).all(), "labels must hold the ORIGINAL ids"
    assert not chosen[special.numpy().astype(bool)].any(), "special tokens/padding were selected"
    assert (masked[~chosen] == original[~chosen]).all(), "an unselected token was changed"


@LESSON.check("mask_tokens_tests", points=1.5, hidden=True, timeout=20)
def mask_tokens_proportions(student, rng):
    """Partial credit: 15 % selected; of those 80 % [MASK], 10 % random, 10 % unchanged."""
    ids, special = synthetic_batch(rng, 600, 64)
    stats = _statistics(ids, special, student.mask_tokens(ids, TOKENIZER))
    within = [
        abs(stats.selected - 0.15) < 0.01,
        abs(stats.to_mask - 0.8) < 0.025,
        abs(stats.to_random - 0.1) < 0.02,
        abs(stats.unchanged - 0.1) < 0.02,
    ]
    assert stats.special_selected == 0 and stats.unselected_changed == 0
    return sum(within) / len(within)


@LESSON.check("mask_tokens_tests", points=0.5, hidden=True, timeout=20)
def mask_tokens_uses_mlm_probability(student, rng):
    """mlm_probability=0.3 selects ~30 %; 0 selects nothing."""
    ids, special = synthetic_batch(rng, 400, 64)
    stats = _statistics(ids, special, student.mask_tokens(ids, TOKENIZER, mlm_probability=0.3))
    assert abs(stats.selected - 0.3) < 0.015
    masked, labels = (
        np.asarray(p) for p in student.mask_tokens(ids, TOKENIZER, mlm_probability=0.0)
    )
    assert (labels == -100).all() and (masked == ids.numpy()).all()


@LESSON.check("mask_tokens_tests", points=0.5, hidden=True, timeout=20)
def mask_tokens_draws_from_the_generator(student):
    """The same generator seed gives the same masking; another seed another one."""
    call = (
        "mask_tokens(torch.randint(1000, 30000, (64, 48), generator=torch.Generator()"
        ".manual_seed(0)), tokenizer, generator=torch.Generator().manual_seed({seed}))"
    )
    first, again, other = (student.eval(call.format(seed=s)) for s in (5, 5, 6))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True)), (
        "same seed, different masks"
    )
    assert not np.array_equal(first[1], other[1]), "different seeds gave the same masks"


@LESSON.check("mask_tokens_tests", points=0.5, hidden=True, timeout=20)
def mask_tokens_random_ids_and_input(student):
    """Random replacements are vocabulary ids; the input tensor is left unchanged."""
    result = student.eval(
        "(lambda ids: (mask_tokens(ids, tokenizer, mlm_probability=0.5), "
        "bool(torch.equal(ids, torch.full((64, 48), 2000)))))(torch.full((64, 48), 2000))"
    )
    (masked, _labels), unchanged = result
    assert unchanged, "mask_tokens changed the input tensor"
    assert masked.min() >= 0 and masked.max() < len(reference_tokenizer())


# --------------------------------------------------------------------------------------
# concept checks (1 point each)
# --------------------------------------------------------------------------------------

LESSON.answer_key(
    {
        "answer_q1_tests": {"ANSWER_Q1": "b"},
        "answer_q2_tests": {"ANSWER_Q2": "c"},
        "answer_q3_tests": {"ANSWER_Q3": "a"},
    }
)


# --------------------------------------------------------------------------------------
# Mutants: edits of the current solution cells
# --------------------------------------------------------------------------------------

for _description, _edit in (
    ("no 1/sqrt(d) scale", {"/ math.sqrt(size)": "/ 1"}),
    ("scaled by sqrt(width) instead of sqrt(d)", {"/ math.sqrt(size)": "/ math.sqrt(width)"}),
    ("softmax over the queries", {"softmax(dim=-1)": "softmax(dim=-2)"}),
    ("padding mask ignored", {"if attention_mask is not None:": "if False:"}),
    (
        "always the first head's columns",
        {"slice(head * size, (head + 1) * size)": "slice(0, size)"},
    ),
):
    LESSON.mutant("attention_weights", _description, replace=_edit)

_RETURN = "return summed / counts"
for _description, _edit in (
    ("averages over padding too", {_RETURN: "return last_hidden_state.mean(dim=1)"}),
    (
        "divides the masked sum by the padded length",
        {_RETURN: "return summed / last_hidden_state.shape[1]"},
    ),
    ("nan for an all-padding row", {".clamp(min=1e-9)": ""}),
    (
        "zeroes the padding in place",
        {
            "summed = (last_hidden_state * mask).sum(dim=1)": (
                "last_hidden_state[attention_mask == 0] = 0\n"
                "    summed = last_hidden_state.sum(dim=1)"
            )
        },
    ),
    ("the [CLS] vector", {_RETURN: "return last_hidden_state[:, 0]"}),
):
    LESSON.mutant("mean_pool", _description, replace=_edit)

for _description, _edit in (
    (
        "special tokens and padding can be selected",
        {"    probability.masked_fill_(never, 0.0)\n": ""},
    ),
    ("mlm_probability ignored (always 0.15)", {"float(mlm_probability)": "0.15"}),
    (
        "every selected token becomes [MASK]",
        {
            "to_mask = selected & (draw < 0.8)": "to_mask = selected",
            "to_random = selected & (draw >= 0.8) & (draw < 0.9)": "to_random = selected & False",
        },
    ),
    (
        "80/10/10 applied to all tokens, not to the selected ones",
        {"to_mask = selected & (draw < 0.8)": "to_mask = (draw < 0.8) & ~never"},
    ),
    (
        "labels -100 at the selected positions instead of the others",
        {"labels[~selected] = -100": "labels[selected] = -100"},
    ),
    (
        "ignores the generator",
        {"bernoulli(probability, generator=generator)": "bernoulli(probability)"},
    ),
    ("masks the input tensor in place", {"masked = input_ids.clone()": "masked = input_ids"}),
):
    LESSON.mutant("mask_tokens", _description, replace=_edit)

LESSON.mutant("answer_q1", "wrong concept answer", replace={'"b"': '"a"'})
LESSON.mutant("answer_q2", "wrong concept answer", replace={'"c"': '"b"'})
LESSON.mutant("answer_q3", "wrong concept answer", replace={'"a"': '"d"'})
