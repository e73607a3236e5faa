"""Helpers for looking inside a fine-tuned classifier: attention maps, occlusion, deletion.

The graded attribution methods (gradient x input, integrated gradients) are written
by the student in lesson 08; this module holds what the lesson calls around them:
encoding one text, reading the target-class probability, attention maps (which need
the "eager" attention kernel), occlusion scores and deleting tokens from an input.

Every function works on one example at a time (a batch of one), on the model's device.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from bertcourse.exceptions import InterpretError


@dataclass
class Encoded:
    """One tokenised text, batch of one.

    Attributes:
        input_ids: ``[1, seq]`` token ids.
        attention_mask: ``[1, seq]`` ones.
        tokens: the token strings (special tokens included).
        special: ``[seq]`` booleans, ``True`` for ``[CLS]``, ``[SEP]`` and the like.
    """

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    tokens: list[str]
    special: torch.Tensor


def encode(tokenizer: Any, text: str, *, max_length: int = 128, device: Any = None) -> Encoded:
    """Tokenise one text into an :class:`Encoded` batch of one.

    Args:
        tokenizer: a Hugging Face (fast) tokenizer.
        text: the text.
        max_length: longer texts are truncated.
        device: where the tensors go (``None``: CPU).

    Returns:
        The encoded text.
    """
    if not isinstance(text, str):
        raise InterpretError(f"encode takes one text (a str), got {type(text).__name__}")
    batch = tokenizer(
        text,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
        return_special_tokens_mask=True,
    )
    ids = batch["input_ids"]
    return Encoded(
        input_ids=ids.to(device) if device is not None else ids,
        attention_mask=(
            batch["attention_mask"].to(device) if device is not None else batch["attention_mask"]
        ),
        tokens=tokenizer.convert_ids_to_tokens(ids[0].tolist()),
        special=batch["special_tokens_mask"][0].bool(),
    )


def _check_batch_of_one(input_ids: torch.Tensor) -> None:
    if input_ids.dim() != 2 or input_ids.shape[0] != 1:
        raise InterpretError(
            f"expected input_ids of shape [1, seq] (one example), got {tuple(input_ids.shape)}: "
            "pass encode(...).input_ids, or input_ids[i:i+1] for example i of a batch"
        )


@torch.no_grad()
def class_probabilities(
    model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None
) -> torch.Tensor:
    """Softmax class probabilities ``[batch, classes]`` of a sequence classifier (no grad)."""
    model.eval()
    logits = model(input_ids=input_ids, attention_mask=attention_mask).logits
    return logits.softmax(-1)


def target_probability(
    model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor | None, target: int
) -> float:
    """Probability the classifier gives class ``target`` for one example."""
    _check_batch_of_one(input_ids)
    return float(class_probabilities(model, input_ids, attention_mask)[0, target])


def delete_positions(
    input_ids: torch.Tensor, attention_mask: torch.Tensor | None, positions: Sequence[int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Remove the tokens at ``positions`` from a batch of one (the sequence gets shorter).

    Deleting, rather than replacing with ``[MASK]`` or ``[PAD]``, keeps the input
    in the distribution the model was trained on: no unusual token appears.

    Args:
        input_ids: ``[1, seq]`` token ids.
        attention_mask: ``[1, seq]`` mask, or ``None``.
        positions: indices to remove (duplicates are ignored).

    Returns:
        ``(input_ids, attention_mask)`` without those positions.
    """
    _check_batch_of_one(input_ids)
    length = input_ids.shape[1]
    bad = [p for p in positions if not -length <= int(p) < length]
    if bad:
        raise InterpretError(f"positions {bad} are outside a sequence of {length} tokens")
    drop = {int(p) % length for p in positions}
    keep = torch.tensor([i for i in range(length) if i not in drop], dtype=torch.long)
    keep = keep.to(input_ids.device)
    mask = attention_mask if attention_mask is not None else torch.ones_like(input_ids)
    return input_ids[:, keep], mask[:, keep]


@torch.no_grad()
def occlusion_scores(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor | None,
    target: int,
    *,
    special: torch.Tensor | None = None,
) -> torch.Tensor:
    """How much the target probability drops when each token alone is deleted.

    Args:
        model: a sequence classifier.
        input_ids: ``[1, seq]`` token ids.
        attention_mask: ``[1, seq]`` mask, or ``None``.
        target: the class whose probability is watched.
        special: ``[seq]`` booleans; special tokens get score 0 and are never deleted.

    Returns:
        ``[seq]`` scores: ``p(target | x) - p(target | x without token i)``.
    """
    _check_batch_of_one(input_ids)
    length = input_ids.shape[1]
    mask = attention_mask if attention_mask is not None else torch.ones_like(input_ids)
    full = target_probability(model, input_ids, mask, target)
    positions = [i for i in range(length) if special is None or not bool(special[i])]
    scores = torch.zeros(length)
    if not positions:
        return scores
    # One batch with one deletion per row: every row is one token shorter, so no padding.
    rows = [delete_positions(input_ids, mask, [i]) for i in positions]
    ids = torch.cat([r[0] for r in rows])
    masks = torch.cat([r[1] for r in rows])
    probs = class_probabilities(model, ids, masks)[:, target].cpu()
    scores[positions] = full - probs
    return scores


def attention_maps(model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None):
    """Attention weights of every layer and head for one example.

    transformers 5 runs the fused ``sdpa`` kernel by default, which does not return
    attention weights (``output_attentions=True`` gives an empty tuple and a warning),
    so the model is switched to the ``eager`` implementation first.

    Args:
        model: a BERT-like model.
        input_ids: ``[1, seq]`` token ids.
        attention_mask: ``[1, seq]`` mask, or ``None``.

    Returns:
        A ``[layers, heads, seq, seq]`` tensor; row ``i`` of a head's map is how token
        ``i`` spreads its attention over the tokens (each row sums to 1).
    """
    _check_batch_of_one(input_ids)
    previous = getattr(model.config, "_attn_implementation", "eager")
    if previous != "eager":
        model.set_attn_implementation("eager")
    model.eval()
    try:
        with torch.no_grad():
            outputs = model(
                input_ids=input_ids, attention_mask=attention_mask, output_attentions=True
            )
    finally:
        if previous != "eager":  # back to the fast kernel for everything else
            model.set_attn_implementation(previous)
    if not outputs.attentions:
        raise InterpretError(
            "the model returned no attention weights: load it with attn_implementation='eager'"
        )
    return torch.stack([a[0] for a in outputs.attentions]).cpu()


def baseline_ids(input_ids: torch.Tensor, special: torch.Tensor, pad_token_id: int) -> torch.Tensor:
    """The usual integrated-gradients baseline: every ordinary token replaced by ``[PAD]``.

    Special tokens (``[CLS]``, ``[SEP]``) are kept, so the baseline differs from the
    input only where the words are, and the attributions go to the words.

    Args:
        input_ids: ``[1, seq]`` token ids.
        special: ``[seq]`` booleans marking special tokens.
        pad_token_id: the tokenizer's ``pad_token_id``.

    Returns:
        ``[1, seq]`` ids.
    """
    _check_batch_of_one(input_ids)
    if special.shape[-1] != input_ids.shape[1]:
        raise InterpretError(
            f"special has {special.shape[-1]} entries for {input_ids.shape[1]} tokens"
        )
    keep = special.to(input_ids.device).bool().unsqueeze(0)
    return torch.where(keep, input_ids, torch.full_like(input_ids, pad_token_id))


@torch.no_grad()
def predict_labels(
    model: Any, tokenizer: Any, texts: Sequence[str], *, batch_size: int = 32, max_length: int = 128
) -> list[int]:
    """Predicted class ids of a sequence classifier for many texts (dynamic padding)."""
    from tqdm.auto import tqdm

    model.eval()
    device = next(model.parameters()).device
    predictions: list[int] = []
    for start in tqdm(range(0, len(texts), batch_size), desc="predicting", leave=False):
        batch = tokenizer(
            list(texts[start : start + batch_size]),
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        ).to(device)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        predictions.extend(logits.argmax(-1).tolist())
    return predictions
