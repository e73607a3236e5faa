"""Old Hub checkpoints that transformers 5 no longer reads unaided.

Two kinds of 2019-era exports break on the libraries the course pins:

* a ``config.json`` without ``model_type`` (SciBERT's): transformers 4 guessed the
  type from the checkpoint's name, transformers 5 raises ``ValueError``. The course
  takes the type from its table of such checkpoints, the config's ``architectures``
  or, failing those, the name (transformers 4's old rule), and hands the built config
  to ``from_pretrained``;
* no ``tokenizer_config.json`` (BioBERT's): the tokenizer class's default
  ``do_lower_case=True`` then lower-cases a cased vocabulary, and every capitalised
  word becomes ``[UNK]`` or splits. A vocabulary with capitalised entries is cased,
  so the course keeps case for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bertcourse.exceptions import ModelUnavailableError

#: ``from_pretrained`` arguments that are about loading, not fields of the config.
LOADING_ARGUMENTS = frozenset(
    {
        "ignore_mismatched_sizes",
        "dtype",
        "torch_dtype",
        "device_map",
        "attn_implementation",
        "low_cpu_mem_usage",
        "revision",
        "cache_dir",
        "force_download",
        "token",
        "subfolder",
        "use_safetensors",
        "output_loading_info",
    }
)

#: Checkpoints the course uses whose config states no model type (nor architectures).
#: The name rule alone would be wrong for them: "scibert" contains "ibert" (I-BERT).
KNOWN_MODEL_TYPES = {
    "allenai/scibert_scivocab_uncased": "bert",
    "allenai/scibert_scivocab_cased": "bert",
}

#: Share of capitalised word entries above which a vocabulary counts as cased
#: (bert-base-cased: about 0.3; bert-base-uncased: 0).
CASED_VOCAB_SHARE = 0.05


@dataclass(frozen=True)
class ConfigRepair:
    """How a config without ``model_type`` was read.

    Attributes:
        model_type: the type used.
        reason: where it came from (``architectures`` or the name).
    """

    model_type: str
    reason: str


def _config_dict(location: str, local_files_only: bool) -> dict[str, Any]:
    from transformers import PretrainedConfig

    config_dict, _ = PretrainedConfig.get_config_dict(location, local_files_only=local_files_only)
    return dict(config_dict)


def infer_model_type(config_dict: dict[str, Any], name: str) -> ConfigRepair:
    """The model type of a config that does not state one.

    Args:
        config_dict: the checkpoint's ``config.json``.
        name: the Hub name or folder (transformers 4 matched model types in it).

    Returns:
        A :class:`ConfigRepair`.

    Raises:
        ModelUnavailableError: neither the architectures nor the name tell.
    """
    from transformers import CONFIG_MAPPING

    if name in KNOWN_MODEL_TYPES:
        return ConfigRepair(KNOWN_MODEL_TYPES[name], "the course's table of old checkpoints")
    known = sorted(CONFIG_MAPPING.keys(), key=len, reverse=True)
    for architecture in config_dict.get("architectures") or []:
        # "BertForMaskedLM" -> "bert": the class prefix is the config class's.
        for model_type in known:
            config_class = CONFIG_MAPPING[model_type].__name__.removesuffix("Config")
            if architecture.startswith(config_class) and config_class:
                return ConfigRepair(model_type, f"architectures: {architecture}")
    lowered = name.lower()
    words = set(re.split(r"[^a-z0-9]+", lowered))
    # A model type that is a whole word of the name first ("bert" in "bert-base-x"),
    # then the longest one inside it ("distilbert" before "bert").
    for model_type in [t for t in known if t in words] + [t for t in known if t in lowered]:
        return ConfigRepair(model_type, f"the name {name!r} contains {model_type!r}")
    raise ModelUnavailableError(
        f"{name}: its config.json states no model_type and neither its architectures nor "
        "its name tell one; load it with an explicit config (AutoConfig.for_model(...))"
    )


def repaired_config(location: str, name: str, *, local_files_only: bool, **fields: Any) -> Any:
    """A config for a checkpoint whose ``config.json`` lacks ``model_type``.

    Args:
        location: what ``from_pretrained`` receives (Hub name or folder).
        name: the name asked for (for messages and the name rule).
        local_files_only: do not contact the Hub.
        **fields: config fields to set (``num_labels``, ``id2label``...).

    Returns:
        A ``PretrainedConfig`` of the inferred type.
    """
    from transformers import AutoConfig

    config_dict = _config_dict(location, local_files_only)
    repair = infer_model_type(config_dict, name)
    config_dict.pop("model_type", None)
    return AutoConfig.for_model(repair.model_type, **{**config_dict, **fields})


def config_lacks_model_type(location: str, *, local_files_only: bool) -> bool:
    """Whether the checkpoint's ``config.json`` exists and states no ``model_type``.

    ``AutoTokenizer`` does not raise on such a config: it falls back to a generic one
    and then fails to build the tokenizer, so the tokenizer path asks first.
    """
    try:
        return "model_type" not in _config_dict(location, local_files_only)
    except (OSError, ValueError):  # no config.json at all: nothing to repair
        return False


def lacks_model_type(error: Exception) -> bool:
    """Whether a ``from_pretrained`` error is transformers 5's missing ``model_type``."""
    return isinstance(error, ValueError) and "model_type" in str(error)


def split_arguments(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``from_pretrained`` keyword arguments into (config fields, loading arguments)."""
    fields = {k: v for k, v in kwargs.items() if k not in LOADING_ARGUMENTS}
    loading = {k: v for k, v in kwargs.items() if k in LOADING_ARGUMENTS}
    return fields, loading


def has_tokenizer_config(location: str, *, local_files_only: bool) -> bool:
    """Whether the checkpoint ships ``tokenizer_config.json`` (Hub name or folder)."""
    from transformers.utils import cached_file

    found = cached_file(
        location,
        "tokenizer_config.json",
        local_files_only=local_files_only,
        _raise_exceptions_for_missing_entries=False,
        _raise_exceptions_for_connection_errors=False,
    )
    return found is not None


def vocabulary_is_cased(tokenizer: Any) -> bool:
    """Whether a WordPiece vocabulary holds capitalised words (so it must keep case)."""
    words = [token for token in tokenizer.get_vocab() if token.isalpha() and len(token) > 1]
    if not words:
        return False
    capitalised = sum(token[0].isupper() for token in words)
    return capitalised / len(words) > CASED_VOCAB_SHARE


def lowercases(tokenizer: Any) -> bool:
    """Whether the tokenizer lower-cases its input."""
    if getattr(tokenizer, "do_lower_case", None) is not None:
        return bool(tokenizer.do_lower_case)
    return tokenizer.tokenize("A")[:1] == ["a"]
