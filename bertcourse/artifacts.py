"""Models that one lesson fine-tunes and later lessons reuse, trained here when missing.

Lessons 03 (sentiment), 05 (named entities) and 06 (question answering) save their
fine-tuned model and tokenizer in ``bertcourse.paths.lesson_artifact(<lesson id>)``.
Lessons 08 and 09 call :func:`load_lesson_model`, which takes, in order:

1. the lesson's own saved model;
2. a quick stand-in trained earlier by this module (``artifacts_dir()/quick/<id>``);
3. a quick stand-in trained now, with the mode's model and budget on the same task,
   saved to (2) for next time. A notice says so: the stand-in is the lesson's recipe
   in miniature, not the model the lesson would have produced. Its NER and QA data
   are prepared by :mod:`bertcourse.standin`, on purpose not the way lessons 05 and
   06 have students write it (the library holds no exercise's answer).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bertcourse.config import settings
from bertcourse.exceptions import ArtifactError, UnknownTaskError
from bertcourse.notices import notify
from bertcourse.paths import artifacts_dir, lesson_artifact
from bertcourse.standin import iob1_tags, piece_labels, qa_features_around_answers

Origin = Literal["lesson", "quick", "trained"]


@dataclass(frozen=True)
class QuickRecipe:
    """How to train a stand-in for a lesson's model.

    Attributes:
        task: the ``bc.load_model`` task.
        dataset: the ``bc.load_task`` name.
        architecture: the class-name suffix a saved model of this lesson must have.
        max_length: tokens per input (capped by the mode's budget).
    """

    task: str
    dataset: str
    architecture: str
    max_length: int = 128


RECIPES: dict[str, QuickRecipe] = {
    "03_sequence_classification": QuickRecipe(
        "sequence-classification", "yelp_review_full", "ForSequenceClassification", 128
    ),
    "05_ner": QuickRecipe("token-classification", "conll2003", "ForTokenClassification", 128),
    "06_question_answering": QuickRecipe(
        "question-answering", "squad", "ForQuestionAnswering", 192
    ),
}

#: Written beside a stand-in's weights: what it was trained on and how it scored.
INFO_FILE = "bertcourse_quick.json"


@dataclass
class LessonModel:
    """A fine-tuned model ready to use.

    Attributes:
        lesson_id: the lesson whose model this is (or stands in for).
        model: the model, in evaluation mode.
        tokenizer: its tokenizer.
        origin: ``lesson`` (saved by the lesson), ``quick`` (stand-in trained earlier)
            or ``trained`` (stand-in trained by this call).
        path: the folder it was loaded from or saved to.
        info: for stand-ins, the recipe and evaluation figures.
    """

    lesson_id: str
    model: Any
    tokenizer: Any
    origin: Origin
    path: Path
    info: dict[str, Any] = field(default_factory=dict)


def quick_dir(lesson_id: str) -> Path:
    """Where the stand-in for ``lesson_id`` is kept (not created)."""
    return artifacts_dir() / "quick" / lesson_id


def _recipe(lesson_id: str) -> QuickRecipe:
    if lesson_id not in RECIPES:
        raise UnknownTaskError(
            f"no saved-model recipe for lesson {lesson_id!r}: use one of {', '.join(RECIPES)}"
        )
    return RECIPES[lesson_id]


def usable_folder(path: Path, recipe: QuickRecipe) -> bool:
    """``True`` when ``path`` holds a model (config + weights) with the recipe's head."""
    config_file = path / "config.json"
    if not config_file.is_file():
        return False
    if not any((path / name).is_file() for name in ("model.safetensors", "pytorch_model.bin")):
        return False
    try:
        architectures = json.loads(config_file.read_text()).get("architectures") or []
    except (OSError, json.JSONDecodeError):
        return False
    return any(name.endswith(recipe.architecture) for name in architectures)


def _load_folder(path: Path, recipe: QuickRecipe) -> tuple[Any, Any]:
    from bertcourse.models import load_model, load_tokenizer

    model = load_model(str(path), task=recipe.task)  # type: ignore[arg-type]
    has_tokenizer = any(
        (path / name).is_file() for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json")
    )
    if has_tokenizer:
        tokenizer = load_tokenizer(str(path))
    else:
        notify(f"{path} has no tokenizer files: using the mode's model tokenizer")
        tokenizer = load_tokenizer()
    return model.eval(), tokenizer


def load_lesson_model(lesson_id: str, *, train_if_missing: bool = True) -> LessonModel:
    """The model a lesson saved, else a quick stand-in (loaded, or trained now and saved).

    Args:
        lesson_id: ``03_sequence_classification``, ``05_ner`` or ``06_question_answering``.
        train_if_missing: ``False`` raises instead of training a stand-in.

    Returns:
        A :class:`LessonModel`; its ``origin`` says which of the three sources served.

    Raises:
        ArtifactError: nothing is saved and ``train_if_missing`` is ``False``.
    """
    recipe = _recipe(lesson_id)
    saved = lesson_artifact(lesson_id)
    if usable_folder(saved, recipe):
        model, tokenizer = _load_folder(saved, recipe)
        notify(f"{lesson_id}: using the model lesson {lesson_id[:2]} saved in {saved}")
        return LessonModel(lesson_id, model, tokenizer, "lesson", saved)
    quick = quick_dir(lesson_id)
    if usable_folder(quick, recipe):
        model, tokenizer = _load_folder(quick, recipe)
        info = _read_info(quick)
        notify(
            f"{lesson_id}: no model saved by lesson {lesson_id[:2]} in {saved}; using the quick "
            f"stand-in trained earlier in {quick} ({_describe(info)})"
        )
        return LessonModel(lesson_id, model, tokenizer, "quick", quick, info)
    if not train_if_missing:
        raise ArtifactError(
            f"lesson {lesson_id} has saved no model in {saved} (and no stand-in is in {quick}): "
            f"run notebook {lesson_id} first, or call load_lesson_model({lesson_id!r}) "
            "with train_if_missing=True"
        )
    notify(
        f"{lesson_id}: no model saved by lesson {lesson_id[:2]} in {saved}; training a quick "
        f"stand-in now ({recipe.task} on {recipe.dataset}, the mode's budget)"
    )
    return train_stand_in(lesson_id)


def _read_info(path: Path) -> dict[str, Any]:
    try:
        return json.loads((path / INFO_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def _describe(info: dict[str, Any]) -> str:
    if not info:
        return "no training record"
    figures = ", ".join(f"{k}={v:.3f}" for k, v in info.get("eval", {}).items())
    data = f"{info.get('n_train')} examples of {info.get('dataset')}"
    return f"{info.get('model')}, {data}; {figures}"


def train_stand_in(
    lesson_id: str,
    *,
    output: Path | None = None,
    n_train: int | None = None,
    n_eval: int | None = None,
    epochs: float | None = None,
) -> LessonModel:
    """Train the quick stand-in for a lesson's model and save it.

    Args:
        lesson_id: a key of :data:`RECIPES`.
        output: where to save it (default :func:`quick_dir`); replaced atomically, so
            two notebooks training at once do not leave a half-written folder.
        n_train: training examples (default: the mode's budget).
        n_eval: evaluation examples (default: the mode's budget).
        epochs: training epochs (default: the mode's budget).

    Returns:
        A :class:`LessonModel` with ``origin="trained"``.
    """
    from bertcourse.data import load_task, subsample
    from bertcourse.models import load_model, load_tokenizer
    from bertcourse.training import make_trainer

    recipe = _recipe(lesson_id)
    current = settings()
    max_length = min(recipe.max_length, current.budget.max_length)
    data = subsample(load_task(recipe.dataset), n_train=n_train, n_eval=n_eval)
    epochs = current.budget.epochs if epochs is None else epochs
    tokenizer = load_tokenizer()
    label_names = _label_names(data["train"], recipe)
    head: dict[str, Any] = {}
    if label_names is not None:
        head = {
            "num_labels": len(label_names),
            "id2label": dict(enumerate(label_names)),
            "label2id": {name: i for i, name in enumerate(label_names)},
        }
    model = load_model(task=recipe.task, **head)  # type: ignore[arg-type]
    prepare = {
        "sequence-classification": _prepare_classification,
        "token-classification": _prepare_tokens,
        "question-answering": qa_features_around_answers,
    }[recipe.task]
    train = prepare(data["train"], tokenizer, max_length)
    evaluation = prepare(data["validation"], tokenizer, max_length)
    compute = _accuracy_metric if recipe.task == "sequence-classification" else None
    trainer = make_trainer(
        model,
        tokenizer,
        train,
        evaluation,
        task=recipe.task,
        compute_metrics=compute,
        num_train_epochs=epochs,
    )
    trainer.train()
    metrics = trainer.evaluate()
    info = {
        "lesson_id": lesson_id,
        "model": current.model_name,
        "dataset": recipe.dataset,
        "n_train": len(data["train"]),
        "epochs": epochs,
        "max_length": max_length,
        "eval": {
            key.removeprefix("eval_"): float(value)
            for key, value in metrics.items()
            if key in ("eval_loss", "eval_accuracy")
        },
    }
    target = output or quick_dir(lesson_id)
    _save_atomically(trainer.model, tokenizer, info, target)
    model = trainer.model.eval()
    notify(f"{lesson_id}: stand-in saved in {target} ({_describe(info)})")
    return LessonModel(lesson_id, model, tokenizer, "trained", target, info)


def _save_atomically(model: Any, tokenizer: Any, info: dict[str, Any], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / INFO_FILE).write_text(json.dumps(info, indent=2))
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _label_names(dataset: Any, recipe: QuickRecipe) -> list[str] | None:
    """The label order, read once from the dataset's ClassLabel."""
    if recipe.task == "sequence-classification":
        return list(dataset.features["label"].names)
    if recipe.task == "token-classification":
        return list(dataset.features["ner_tags"].feature.names)
    return None


def _accuracy_metric(prediction: Any) -> dict[str, float]:
    from sklearn.metrics import accuracy_score

    predicted = prediction.predictions.argmax(-1)
    return {"accuracy": float(accuracy_score(prediction.label_ids, predicted))}


def _prepare_classification(dataset: Any, tokenizer: Any, max_length: int) -> Any:
    # The whole column at once (the stand-in's sets are small): no per-batch function
    # with the interface of lesson 03's exercise, tokenize_function(batch, ...).
    from datasets import Dataset

    encoded = tokenizer(list(dataset["text"]), truncation=True, max_length=max_length)
    columns = {key: list(values) for key, values in encoded.items()}
    columns["label"] = list(dataset["label"])
    return Dataset.from_dict(columns)


def _prepare_tokens(dataset: Any, tokenizer: Any, max_length: int) -> Any:
    # IOB1 on every piece, not lesson 05's alignments (see bertcourse.standin).
    names = dataset.features["ner_tags"].feature.names

    def tokenize(batch: dict[str, list[Any]]) -> Any:
        encoded = tokenizer(
            batch["tokens"], is_split_into_words=True, truncation=True, max_length=max_length
        )
        encoded["labels"] = [
            piece_labels(encoded.word_ids(i), iob1_tags(tags, names))
            for i, tags in enumerate(batch["ner_tags"])
        ]
        return encoded

    return dataset.map(tokenize, batched=True, remove_columns=dataset.column_names)
