"""Helpers for zero-shot classification without training (lesson 02).

Two methods use them:

* prompting a masked language model (a ``fill-mask`` pipeline run over many prompts,
  :func:`run_pipeline`);
* comparing sentence embeddings: the mean of an encoder's token vectors
  (:func:`embed_texts`) and ranking label descriptions by cosine similarity
  (:func:`cosine_scores`).

Mean pooling on its own, ``mean_pool(last_hidden_state, attention_mask)``, is lesson
01's exercise, so it is no function here (issue 14): :func:`embed_texts` works on
texts, end to end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bertcourse.config import settings


def embed_texts(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    *,
    batch_size: int = 32,
    max_length: int | None = None,
    normalize: bool = True,
    progress: bool = True,
) -> Any:
    """Mean-pooled embeddings of ``texts`` from a bare encoder (``AutoModel``).

    Args:
        model: an encoder whose output has ``last_hidden_state``.
        tokenizer: its tokenizer.
        texts: the strings to embed.
        batch_size: texts per forward pass.
        max_length: longer texts are truncated; ``None`` takes the tokenizer's limit.
        normalize: scale each embedding to unit length (then a dot product is the cosine).
        progress: show a progress bar.

    Returns:
        A float tensor ``(len(texts), hidden)`` on the CPU.
    """
    import torch
    from tqdm.auto import tqdm

    texts = list(texts)
    if not texts:
        raise ValueError("embed_texts got no texts: pass at least one string")
    max_length = max_length or min(tokenizer.model_max_length, 512)
    device = next(model.parameters()).device
    model.eval()
    chunks = []
    starts = range(0, len(texts), batch_size)
    for start in tqdm(starts, desc="embedding", disable=not progress or len(starts) < 2):
        batch = tokenizer(
            texts[start : start + batch_size],
            truncation=True,
            max_length=max_length,
            padding=True,  # pad to the longest text of this batch only
            return_tensors="pt",
        ).to(device)
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state
        # The mean over the real tokens only: padding rows must not pull the average.
        weights = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1)
        if normalize:
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
        chunks.append(pooled.float().cpu())
    return torch.cat(chunks)


def cosine_scores(text_embeddings: Any, label_embeddings: Any) -> Any:
    """Cosine similarity of every text with every label description.

    Args:
        text_embeddings: ``(n_texts, hidden)``.
        label_embeddings: ``(n_labels, hidden)``.

    Returns:
        A ``(n_texts, n_labels)`` tensor; the argmax over the last axis is the prediction.
    """
    import torch

    texts = torch.nn.functional.normalize(text_embeddings.float(), dim=-1)
    labels = torch.nn.functional.normalize(label_embeddings.float(), dim=-1)
    return texts @ labels.T


def run_pipeline(
    pipe: Any,
    texts: Iterable[str],
    *,
    batch_size: int | None = None,
    desc: str = "pipeline",
    progress: bool = True,
    **call_kwargs: Any,
) -> list[Any]:
    """Run a transformers pipeline over many texts with a progress bar.

    Args:
        pipe: a pipeline (``fill-mask``, ``text-classification``...).
        texts: its inputs.
        batch_size: inputs per forward pass; ``None`` takes the mode's budget batch size.
        desc: label of the progress bar.
        progress: show the bar.
        **call_kwargs: passed to every call (``targets=``, ``top_k=``...).

    Returns:
        One pipeline output per text, in order.
    """
    from datasets import Dataset
    from tqdm.auto import tqdm
    from transformers.pipelines.pt_utils import KeyDataset

    texts = list(texts)
    batch_size = batch_size or settings().budget.batch_size
    # A Dataset input makes the pipeline stream and batch; a plain list would run
    # all at once with no progress to show.
    stream = pipe(
        KeyDataset(Dataset.from_dict({"text": texts}), "text"),
        batch_size=batch_size,
        **call_kwargs,
    )
    return list(tqdm(stream, total=len(texts), desc=desc, disable=not progress))
