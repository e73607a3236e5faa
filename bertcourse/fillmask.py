"""Fill-mask ("what word goes in the blank?") models, online and offline.

The packaged offline encoder (MiniLM, ``sentence-transformers/all-MiniLM-L6-v2``)
ships without the masked-language-model head BERT was pre-trained with, so it cannot
fill blanks by itself. The course trained its own head for it
(``tools/train_offline_mlm_head.py``; provenance and licence in
``bertcourse/resources/README.md``): a BERT-style head (dense + GELU + LayerNorm,
decoder tied to the word embeddings) and, in the default variant, the top three
encoder layers retrained with it. It is much weaker than ``bert-base-uncased`` but
good enough to show how prompting a masked language model works; see
``benchmarks/fill_mask_probe.py``.
"""

from __future__ import annotations

from typing import Any

# The offline model loading lives in its own module, which models.py imports too; the
# names stay importable from here, where the lessons and tools look for them.
from bertcourse.offline_models import (
    DEFAULT_VARIANT,
    WEIGHT_FILES,
    Variant,
    load_offline_mlm,
    random_head_mlm,
    resources_dir,
)

__all__ = [
    "DEFAULT_VARIANT",
    "WEIGHT_FILES",
    "Variant",
    "describe_model",
    "fill_mask_pipeline",
    "load_offline_mlm",
    "random_head_mlm",
    "resources_dir",
]


def describe_model(model: Any) -> str:
    """A one-line description of a fill-mask model, naming the offline stand-in as such.

    Args:
        model: a masked-LM model (``pipe.model`` of a fill-mask pipeline).

    Returns:
        For the offline stand-in, what it is and what was trained; otherwise its name.
    """
    variant = getattr(model.config, "bertcourse_stand_in", None)
    if variant is None:
        return str(model.name_or_path)
    config = model.config
    retrained = {
        "head": "the MLM head trained",
        "random-head": "a fresh, untrained MLM head",
    }.get(variant, "encoder layers 3-5 and the MLM head retrained")
    return (
        f"offline stand-in: all-MiniLM-L6-v2 (a sentence-embedding model, uncased, "
        f"{config.num_hidden_layers} layers, width {config.hidden_size}) with {retrained} "
        "by the course (bertcourse/resources/README.md)"
    )


def fill_mask_pipeline(name: str | None = None, *, top_k: int = 5) -> Any:
    """A transformers ``fill-mask`` pipeline, on the course's device.

    Args:
        name: a Hub name or folder; ``None`` takes the mode's model. Offline (or when the
            model is out of reach) the packaged encoder with the course's trained head
            stands in, with a one-line notice.
        top_k: how many fillers the pipeline returns per blank by default.

    Returns:
        The pipeline; call it with a text holding ``pipe.tokenizer.mask_token``, and
        optionally ``targets=["great", "terrible"]`` to score chosen words only.
    """
    from transformers import pipeline

    from bertcourse.config import settings
    from bertcourse.models import load_model, load_tokenizer
    from bertcourse.quiet import quiet_libraries

    quiet_libraries()
    model = load_model(name, task="masked-lm")
    tokenizer = load_tokenizer(name)
    return pipeline(
        "fill-mask", model=model, tokenizer=tokenizer, device=settings().device, top_k=top_k
    )
