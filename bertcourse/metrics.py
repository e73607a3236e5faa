"""The course's metrics for evaluating fine-tuned models.

Each function checks its input first and raises :class:`MetricInputError` naming the
problem and the fix (mismatched lengths, empty input, ``-100`` left in, logits where
class ids belong...), so a student sees *why* a call failed rather than a NumPy trace.

- :func:`macro_f1` for sequence classification (NumPy; equals
  ``sklearn.metrics.f1_score(labels, preds, average="macro")``).
- :func:`seqeval_scores` for token classification: the output of the Hub ``seqeval``
  metric of ``evaluate``, computed through the ``seqeval`` package, offline.

What a graded exercise asks students to write is not here (issue 14): accuracy is
lesson 02's exercise and the SQuAD metrics are lesson 06's; lessons use
``sklearn.metrics.accuracy_score`` or their own function, and the grader keeps its
reference copies in ``autograder/references.py``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from bertcourse.exceptions import MetricInputError

__all__ = [
    "IGNORE_INDEX",
    "macro_f1",
    "seqeval_scores",
]

#: The label id transformers' losses skip (special tokens, sub-word continuations).
IGNORE_INDEX = -100

# --------------------------------------------------------------------------------------
# Flat classification metrics
# --------------------------------------------------------------------------------------


def _as_flat(values: Any, name: str) -> np.ndarray:
    """``values`` as a 1-D array of class ids or names, or a MetricInputError saying why not."""
    if hasattr(values, "detach"):  # a torch tensor, possibly on a GPU
        values = values.detach().cpu().numpy()
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nested lists
        raise MetricInputError(
            f"{name} is not a flat list of labels ({error}): pass one label per example"
        ) from None
    if array.ndim == 0:
        raise MetricInputError(f"{name} is a single value: pass a list with one label per example")
    if array.ndim != 1:
        raise MetricInputError(
            f"{name} has shape {array.shape} but must be 1-D, one label per example. "
            "For logits take the best class first: np.argmax(logits, axis=-1); for token "
            "labels flatten them after dropping the -100 positions."
        )
    if array.size == 0:
        raise MetricInputError(f"{name} is empty: there is nothing to score")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise MetricInputError(
                f"{name} holds non-integer numbers (e.g. {array[array != np.round(array)][:1]}): "
                "pass class ids; for logits or probabilities use np.argmax(..., axis=-1)"
            )
        array = array.astype(np.int64)
    elif array.dtype.kind not in "biuUO":
        raise MetricInputError(f"{name} has dtype {array.dtype}: pass class ids or label names")
    if array.dtype.kind in "iu" and np.any(array == IGNORE_INDEX):
        count = int(np.sum(array == IGNORE_INDEX))
        raise MetricInputError(
            f"{name} contains {count} ignored position(s) labelled {IGNORE_INDEX}: filter them "
            f"out first, e.g. keep = labels != {IGNORE_INDEX}; preds, labels = preds[keep], "
            "labels[keep]"
        )
    return array


def _paired(preds: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    pred_array = _as_flat(preds, "preds")
    label_array = _as_flat(labels, "labels")
    if len(pred_array) != len(label_array):
        raise MetricInputError(
            f"preds has {len(pred_array)} entries but labels has {len(label_array)}: "
            "they must pair up one to one"
        )
    if (pred_array.dtype.kind in "US") != (label_array.dtype.kind in "US"):
        raise MetricInputError(
            f"preds ({pred_array.dtype}) and labels ({label_array.dtype}) mix label names and "
            "class ids: convert one with id2label / label2id"
        )
    return pred_array, label_array


def macro_f1(preds: Any, labels: Any, *, classes: Sequence[Any] | None = None) -> float:
    """Unweighted mean of the per-class F1 scores.

    Same value as ``sklearn.metrics.f1_score(labels, preds, average="macro")``: the
    classes are those seen in ``labels`` or ``preds`` (a class the model never predicts
    scores F1 = 0 and still counts), unless ``classes`` lists them.

    Args:
        preds: predicted class ids (or names), one per example.
        labels: true class ids (or names), one per example.
        classes: the classes to average over (sklearn's ``labels=``); a class absent
            from both inputs scores 0.

    Returns:
        Macro F1 in [0, 1].
    """
    pred_array, label_array = _paired(preds, labels)
    if classes is None:
        class_array = np.union1d(label_array, pred_array)
    else:
        class_array = np.asarray(list(classes))
        if class_array.size == 0:
            raise MetricInputError("classes is empty: list at least one class or pass None")
    # One column per class: is this example predicted / labelled as that class?
    predicted = pred_array[:, None] == class_array[None, :]
    actual = label_array[:, None] == class_array[None, :]
    true_pos = np.sum(predicted & actual, axis=0).astype(float)
    false_pos = np.sum(predicted & ~actual, axis=0)
    false_neg = np.sum(~predicted & actual, axis=0)
    denominator = 2 * true_pos + false_pos + false_neg
    # F1 = 2PR/(P+R) = 2TP/(2TP+FP+FN); a class with no TP, FP or FN scores 0 as in sklearn.
    per_class = np.divide(
        2 * true_pos, denominator, out=np.zeros_like(true_pos), where=denominator > 0
    )
    return float(np.mean(per_class))


# --------------------------------------------------------------------------------------
# Token classification (seqeval)
# --------------------------------------------------------------------------------------

_SCHEMES = ("IOB1", "IOB2", "IOE1", "IOE2", "IOBES", "BILOU")
_BIO_TAG = re.compile(r"^(O|[BI]-.+)$")
_ANY_SCHEME_TAG = re.compile(r"^(O|[BIESLU]-.+)$")


def _as_tag_sequences(sequences: Any, name: str) -> list[list[str]]:
    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Iterable):
        raise MetricInputError(
            f"{name} must be a list of sentences, each a list of tags like 'B-PER', got "
            f"{type(sequences).__name__}"
        )
    result: list[list[str]] = []
    for index, sentence in enumerate(sequences):
        if isinstance(sentence, (str, bytes)) or not isinstance(sentence, Iterable):
            raise MetricInputError(
                f"{name}[{index}] is {sentence!r}, not a list of tags: pass one list of tags "
                "per sentence, e.g. [['B-PER', 'I-PER', 'O'], ...]"
            )
        result.append(list(sentence.tolist() if hasattr(sentence, "tolist") else sentence))
    if not result:
        raise MetricInputError(f"{name} is empty: there is nothing to score")
    return result


def _check_tags(sequences: list[list[str]], name: str, scheme: str | None) -> None:
    pattern = _BIO_TAG if scheme in (None, "IOB1", "IOB2") else _ANY_SCHEME_TAG
    for index, sentence in enumerate(sequences):
        for tag in sentence:
            if isinstance(tag, str) and pattern.match(tag):
                continue
            if not isinstance(tag, str):
                hint = (
                    f"filter out the positions labelled {IGNORE_INDEX} first"
                    if tag == IGNORE_INDEX
                    else "map class ids to tag names first, e.g. model.config.id2label[i]"
                )
                raise MetricInputError(f"{name}[{index}] holds {tag!r}, not a tag name: {hint}")
            expected = "'O' or 'B-TYPE'/'I-TYPE'" if pattern is _BIO_TAG else "'O' or 'X-TYPE'"
            raise MetricInputError(
                f"{name}[{index}] holds the tag {tag!r}, which is not a BIO/IOB tag: expected "
                f"{expected}, for example 'B-PER' (pass scheme= for IOBES or BILOU tags)"
            )


def seqeval_scores(
    predictions: Any,
    references: Any,
    *,
    scheme: str | None = None,
    mode: str | None = None,
) -> dict[str, Any]:
    """Entity-level precision, recall and F1, as the Hub ``seqeval`` metric reports them.

    Same keys and values as ``evaluate.load("seqeval").compute(...)``: one entry per
    entity type with ``precision``, ``recall``, ``f1`` and ``number`` (entities of that
    type in the references), then ``overall_precision``, ``overall_recall``,
    ``overall_f1`` (micro averages over entities) and ``overall_accuracy`` (per tag).

    Args:
        predictions: one list of predicted tags per sentence (``[["B-PER", "O"], ...]``).
        references: one list of true tags per sentence, aligned with ``predictions``.
        scheme: ``None`` (conlleval-style lenient matching) or one of ``IOB1``, ``IOB2``,
            ``IOE1``, ``IOE2``, ``IOBES``, ``BILOU``.
        mode: ``"strict"`` counts only entities whose boundaries and tags follow
            ``scheme`` exactly; ``None`` is the default lenient mode.

    Returns:
        The score dictionary (Python floats; ``number`` is an int).
    """
    from seqeval.metrics import accuracy_score, classification_report

    if scheme is not None and scheme not in _SCHEMES:
        raise MetricInputError(f"scheme={scheme!r} is unknown: use None or one of {_SCHEMES}")
    if mode not in (None, "strict"):
        raise MetricInputError(f"mode={mode!r} is unknown: use None or 'strict'")
    if mode == "strict" and scheme is None:
        raise MetricInputError("mode='strict' needs a scheme, e.g. scheme='IOB2'")
    pred_tags = _as_tag_sequences(predictions, "predictions")
    true_tags = _as_tag_sequences(references, "references")
    if len(pred_tags) != len(true_tags):
        raise MetricInputError(
            f"predictions has {len(pred_tags)} sentences but references has {len(true_tags)}"
        )
    for index, (pred, true) in enumerate(zip(pred_tags, true_tags, strict=True)):
        if len(pred) != len(true):
            raise MetricInputError(
                f"sentence {index} has {len(pred)} predicted tags but {len(true)} reference "
                "tags: keep one tag per word in both (drop the -100 positions from both)"
            )
    if not any(true_tags):
        raise MetricInputError("every sentence is empty: there is nothing to score")
    _check_tags(pred_tags, "predictions", scheme)
    _check_tags(true_tags, "references", scheme)

    scheme_class = None
    if scheme is not None:
        import seqeval.scheme

        scheme_class = getattr(seqeval.scheme, scheme)
    # zero_division=0 gives the Hub's numbers ("warn" also means 0) without the warnings;
    # with no entity at all seqeval averages an empty array (NumPy warns, the result is 0).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        report = classification_report(
            y_true=true_tags,
            y_pred=pred_tags,
            output_dict=True,
            scheme=scheme_class,
            mode=mode,
            zero_division=0,
        )
    report.pop("macro avg", None)
    report.pop("weighted avg", None)
    overall = report.pop("micro avg")
    scores: dict[str, Any] = {
        entity: {
            "precision": float(score["precision"]),
            "recall": float(score["recall"]),
            "f1": float(score["f1-score"]),
            "number": int(score["support"]),
        }
        for entity, score in report.items()
    }
    scores["overall_precision"] = float(overall["precision"])
    scores["overall_recall"] = float(overall["recall"])
    scores["overall_f1"] = float(overall["f1-score"])
    scores["overall_accuracy"] = float(accuracy_score(y_true=true_tags, y_pred=pred_tags))
    return scores
