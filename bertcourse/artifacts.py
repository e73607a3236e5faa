"""Models that one lesson fine-tunes and later lessons reuse, trained here when missing.

Lessons 03 (sentiment), 05 (named entities) and 06 (question answering) save their
fine-tuned model and tokenizer in ``bertcourse.paths.lesson_artifact(<lesson id>)``.
Lessons 08 and 09 call :func:`load_lesson_model`, which takes, in order:

1. the lesson's own saved model;
2. a quick stand-in trained earlier by this module (``artifacts_dir()/quick/<id>``);
3. a quick stand-in trained now, with the mode's model and budget on the same task,
   saved to (2) for next time. A notice says so: the stand-in is the lesson's recipe
   in miniature, not the model the lesson would have produced.
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
from bertcourse.exceptions import BertCourseError, UnknownTaskError
from bertcourse.notices import notify
from bertcourse.paths import artifacts_dir, lesson_artifact

Origin = Literal["lesson", "quick", "trained"]


class ArtifactError(BertCourseError, OSError):
    """A saved lesson model is missing or unusable and may not be trained here."""


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
        "question-answering": prepare_qa_train_features,
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
    from bertcourse.metrics import accuracy

    return {"accuracy": accuracy(prediction.predictions.argmax(-1), prediction.label_ids)}


def _prepare_classification(dataset: Any, tokenizer: Any, max_length: int) -> Any:
    def tokenize(batch: dict[str, list[Any]]) -> Any:
        return tokenizer(batch["text"], truncation=True, max_length=max_length)

    return dataset.map(tokenize, batched=True, remove_columns=["text"])


def align_word_labels(word_ids: list[int | None], word_labels: list[int]) -> list[int]:
    """Token labels from word labels: the first sub-token of a word gets the word's
    label, later sub-tokens and special tokens get -100 (ignored by the loss).

    Args:
        word_ids: ``encoding.word_ids()`` of one example.
        word_labels: one label per word.

    Returns:
        One label per token.
    """
    labels = []
    previous = None
    for word in word_ids:
        labels.append(-100 if word is None or word == previous else word_labels[word])
        previous = word
    return labels


def _prepare_tokens(dataset: Any, tokenizer: Any, max_length: int) -> Any:
    def tokenize(batch: dict[str, list[Any]]) -> Any:
        encoded = tokenizer(
            batch["tokens"], is_split_into_words=True, truncation=True, max_length=max_length
        )
        encoded["labels"] = [
            align_word_labels(encoded.word_ids(i), tags) for i, tags in enumerate(batch["ner_tags"])
        ]
        return encoded

    return dataset.map(tokenize, batched=True, remove_columns=dataset.column_names)


def answer_token_span(
    offsets: list[tuple[int, int]],
    sequence_ids: list[int | None],
    answer_start: int,
    answer_end: int,
) -> tuple[int, int]:
    """Token positions of a character span in the context part of one feature.

    Args:
        offsets: character offsets of each token.
        sequence_ids: ``encoding.sequence_ids(i)`` (1 marks context tokens).
        answer_start: first character of the answer.
        answer_end: one past its last character.

    Returns:
        ``(start_token, end_token)``, inclusive; ``(0, 0)`` (the ``[CLS]`` token)
        when the answer is not wholly inside this feature's window.
    """
    context = [i for i, s in enumerate(sequence_ids) if s == 1]
    if not context:
        return 0, 0
    first, last = context[0], context[-1]
    if offsets[first][0] > answer_start or offsets[last][1] < answer_end:
        return 0, 0
    start = first
    while start <= last and offsets[start][1] <= answer_start:
        start += 1
    end = last
    while end >= first and offsets[end][0] >= answer_end:
        end -= 1
    return start, end


def prepare_qa_train_features(
    dataset: Any, tokenizer: Any, max_length: int, stride: int | None = None, padding: Any = False
) -> Any:
    """SQuAD examples -> training features with start/end token positions.

    Args:
        dataset: rows with ``question``, ``context`` and ``answers``.
        tokenizer: a fast tokenizer (offsets are needed).
        max_length: longest feature; longer contexts are split into overlapping windows.
        stride: tokens shared by consecutive windows (default a quarter of ``max_length``).
        padding: passed to the tokenizer (``False``: the collator pads each batch).

    Returns:
        One feature per window; an answer outside a window points at [CLS] (0, 0).
    """
    stride = max_length // 4 if stride is None else stride

    def tokenize(batch: dict[str, list[Any]]) -> Any:
        questions = [q.strip() for q in batch["question"]]
        encoded = tokenizer(
            questions,
            batch["context"],
            truncation="only_second",
            max_length=max_length,
            stride=stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=padding,
        )
        sample_map = encoded.pop("overflow_to_sample_mapping")
        starts, ends = [], []
        for i, offsets in enumerate(encoded.pop("offset_mapping")):
            answers = batch["answers"][sample_map[i]]
            start_char = int(answers["answer_start"][0])
            end_char = start_char + len(answers["text"][0])
            start, end = answer_token_span(offsets, encoded.sequence_ids(i), start_char, end_char)
            starts.append(start)
            ends.append(end)
        encoded["start_positions"] = starts
        encoded["end_positions"] = ends
        return encoded

    return dataset.map(tokenize, batched=True, remove_columns=dataset.column_names)
