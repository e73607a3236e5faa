"""Task recipes shared by ``padding_throughput.py`` and ``budget_accuracy.py``.

Tokenisation (with or without padding to a fixed length), the metric of each task
(through :mod:`bertcourse.metrics`) and SQuAD span decoding. Not a public API: the
benchmark scripts import it from their own folder.
"""

from __future__ import annotations

import collections
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

# Benchmarks never contact the Hub and read the real data beside the repo.
os.environ.setdefault("BERTCOURSE_OFFLINE", "1")
os.environ.setdefault("BERTCOURSE_PROGRESS", "0")

from sklearn.metrics import accuracy_score

import bertcourse as bc

# The lessons' own recipes (lesson 05's alignment, lesson 06's features): graded
# exercises, so the grader keeps them, not the student library.
from autograder.references import (
    align_labels_first_subtoken,
    prepare_train_features,
)
from bertcourse import metrics
from courseops.bench import default_data_dir


@dataclass(frozen=True)
class TaskRecipe:
    """How a benchmark treats one course task."""

    name: str  #: the course's task name (``bc.load_task``)
    kind: str  #: classification, nli, ner, qa
    model_task: str  #: the ``bc.load_model`` / ``bc.make_trainer`` task
    max_length: int  #: default truncation length for the budget benchmark


RECIPES: dict[str, TaskRecipe] = {
    "yelp_review_full": TaskRecipe(
        "yelp_review_full", "classification", "sequence-classification", 256
    ),
    "sst5": TaskRecipe("sst5", "classification", "sequence-classification", 128),
    "multi_nli": TaskRecipe("multi_nli", "nli", "sequence-classification", 128),
    "conll2003": TaskRecipe("conll2003", "ner", "token-classification", 128),
    "squad": TaskRecipe("squad", "qa", "question-answering", 256),
}
ALIASES = {"yelp": "yelp_review_full", "mnli": "multi_nli", "conll": "conll2003"}


def recipe(name: str) -> TaskRecipe:
    """The recipe of ``name`` (``yelp``, ``mnli`` and ``conll`` are accepted too)."""
    key = ALIASES.get(name, name)
    if key not in RECIPES:
        raise SystemExit(f"unknown task {name!r}: choose from {', '.join(RECIPES)}")
    return RECIPES[key]


def use_real_data() -> str:
    """Point ``BERTCOURSE_DATA_DIR`` at the real data (``shared/data`` beside the repo).

    Returns:
        The folder, for the report.

    Raises:
        SystemExit: the folder is absent (the benchmarks measure real data only).
    """
    folder = default_data_dir()
    if folder is None or not folder.is_dir():
        raise SystemExit(
            "real data not found: set BERTCOURSE_DATA_DIR to the shared/data folder "
            "(it lies beside the repo on course machines)"
        )
    os.environ["BERTCOURSE_DATA_DIR"] = str(folder)
    bc.configure(data_dir=folder, offline=True)
    return str(folder)


def load(name: str, n_train: int, n_eval: int, seed: int = 42, source: str = "folder") -> Any:
    """``train``/``validation`` samples of a task (labelled rows only).

    Args:
        source: ``"folder"`` reads the real data (:func:`use_real_data`), ``"generated"``
            the course's generated set, what the lessons train on offline.
    """
    dd = bc.load_task(name, source=source)
    if "label" in dd["train"].column_names:  # NLI marks unlabelled pairs with -1
        dd = dd.filter(lambda row: row["label"] >= 0)
    return bc.subsample(dd, n_train=n_train, n_eval=n_eval, seed=seed)


def num_labels(task: TaskRecipe, dataset: Any) -> int | None:
    if task.kind in ("classification", "nli"):
        return dataset.features["label"].num_classes
    if task.kind == "ner":
        return dataset.features["ner_tags"].feature.num_classes
    return None


# --------------------------------------------------------------------------------------
# Tokenisation
# --------------------------------------------------------------------------------------


def tokenize(
    task: TaskRecipe,
    dataset: Any,
    tokenizer: Any,
    *,
    max_length: int,
    pad_to_max: bool = False,
    stride: int | None = None,
) -> Any:
    """Model inputs (with labels) for training or, for classification and NER, evaluation.

    Args:
        task: the recipe.
        dataset: a split of the task.
        tokenizer: the model's fast tokenizer.
        max_length: truncation length.
        pad_to_max: pad every example to ``max_length`` (the original material's
            ``padding="max_length"``); ``False`` leaves padding to the collator.
        stride: SQuAD window overlap (default ``max_length // 4``).

    Returns:
        The tokenised dataset, text columns removed.
    """
    padding = "max_length" if pad_to_max else False
    if task.kind in ("classification", "nli"):
        columns = ("text",) if task.kind == "classification" else ("premise", "hypothesis")

        def encode(batch: dict[str, list[Any]]) -> Any:
            texts = [batch[column] for column in columns]
            return tokenizer(*texts, truncation=True, max_length=max_length, padding=padding)

        return dataset.map(encode, batched=True, remove_columns=list(columns))
    if task.kind == "ner":

        def encode_tokens(batch: dict[str, list[Any]]) -> Any:
            encoded = tokenizer(
                batch["tokens"],
                is_split_into_words=True,
                truncation=True,
                max_length=max_length,
                padding=padding,
            )
            encoded["labels"] = [
                align_labels_first_subtoken(encoded.word_ids(i), tags)
                for i, tags in enumerate(batch["ner_tags"])
            ]
            return encoded

        return dataset.map(encode_tokens, batched=True, remove_columns=dataset.column_names)
    return prepare_train_features(dataset, tokenizer, max_length, stride, padding)


# --------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------


def classification_scores(logits: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    preds = np.asarray(logits).argmax(-1)
    return {
        "accuracy": float(accuracy_score(labels, preds)),
        "macro_f1": metrics.macro_f1(preds, labels),
    }


def ner_scores(logits: np.ndarray, labels: np.ndarray, names: list[str]) -> dict[str, float]:
    """Token macro-F1 (first sub-token of each word, all 9 tags) and seqeval entity F1."""
    preds = np.asarray(logits).argmax(-1)
    labels = np.asarray(labels)
    keep = labels != metrics.IGNORE_INDEX
    token_f1 = metrics.macro_f1(preds[keep], labels[keep], classes=list(range(len(names))))
    predicted_tags = [
        [names[p] for p, label in zip(row_p, row_l, strict=True) if label != metrics.IGNORE_INDEX]
        for row_p, row_l in zip(preds, labels, strict=True)
    ]
    true_tags = [[names[label] for label in row if label != metrics.IGNORE_INDEX] for row in labels]
    entity = metrics.seqeval_scores(predicted_tags, true_tags)
    return {"token_macro_f1": token_f1, "entity_f1": entity["overall_f1"]}


def squad_predictions(
    examples: Any,
    features: Any,
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    *,
    n_best: int = 20,
    max_answer_length: int = 30,
) -> list[dict[str, str]]:
    """The best span of each example over its windows (the usual n-best decoding).

    Args:
        examples: the raw SQuAD examples (``id``, ``context``).
        features: ``bertcourse.qa.prepare_validation_features`` output (``example_id``,
            ``offset_mapping`` with ``None`` outside the context).
        start_logits, end_logits: one row per feature.

    Returns:
        ``[{"id", "prediction_text"}]`` in the order of ``examples``.
    """
    by_example: dict[str, list[int]] = collections.defaultdict(list)
    for index, example_id in enumerate(features["example_id"]):
        by_example[example_id].append(index)
    offsets_all = features["offset_mapping"]
    predictions = []
    for example in examples:
        context = example["context"]
        best_score, best_text = -np.inf, ""
        for index in by_example[example["id"]]:
            offsets = offsets_all[index]
            starts = np.argsort(start_logits[index])[::-1][:n_best]
            ends = np.argsort(end_logits[index])[::-1][:n_best]
            for s in starts:
                for e in ends:
                    if s >= len(offsets) or e >= len(offsets):
                        continue
                    if offsets[s] is None or offsets[e] is None:
                        continue
                    if e < s or e - s + 1 > max_answer_length:
                        continue
                    score = start_logits[index][s] + end_logits[index][e]
                    if score > best_score:
                        best_score = score
                        best_text = context[offsets[s][0] : offsets[e][1]]
        predictions.append({"id": example["id"], "prediction_text": best_text})
    return predictions
