"""Reference answers the grader compares student code with: instructor-only.

The student library (``bertcourse``) must not hold a function that answers a graded
exercise (issue 14), so the grader's own copies live here:

- the SQuAD v1.1 metrics of lesson 06 (:func:`normalize_answer`,
  :func:`exact_match_score`, :func:`f1_score_tokens`, :func:`squad_scores`: the
  official evaluation script's logic, with input checks);
- lesson 05's first-sub-token label alignment (:func:`align_labels_first_subtoken`)
  and lesson 06's training features (:func:`prepare_train_features`), which the
  benchmarks use to measure the lessons' own recipes.

``tests/test_student_library_answers.py`` checks that no copy of a graded solution
finds its way back into ``bertcourse``.
"""

from __future__ import annotations

import functools
import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from bertcourse.exceptions import MetricInputError

__all__ = [
    "align_labels_first_subtoken",
    "reference_tokenizer",
    "exact_match_score",
    "f1_score_tokens",
    "normalize_answer",
    "prepare_train_features",
    "squad_scores",
]


@functools.lru_cache(maxsize=1)
def reference_tokenizer() -> Any:
    """The tokenizer ``Fixture("tokenizer")`` builds in the worker: the packaged offline
    encoder's, whatever the mode (the checks' references must not depend on the Hub).

    Returns:
        A ``transformers`` fast tokenizer, built once per grader process.
    """
    from transformers import AutoTokenizer

    from bertcourse.models import offline_encoder_path

    return AutoTokenizer.from_pretrained(str(offline_encoder_path()), local_files_only=True)


#: The label id transformers' losses skip (special tokens, sub-word continuations).
IGNORE_INDEX = -100

# --------------------------------------------------------------------------------------
# Extractive question answering (SQuAD v1.1)
# --------------------------------------------------------------------------------------

_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


@functools.lru_cache(maxsize=8)
def harness_scope(source: str) -> dict[str, Any]:
    """Run a lesson's harness ``source`` once in the grader and return its namespace.

    The same source is the worker's ``Fixture("harness")``: the grader computes its
    reference results with exactly the code the student's function meets (lessons 03, 10).
    """
    scope: dict[str, Any] = {}
    exec(compile(source, "<harness>", "exec"), scope)
    return scope


def normalize_answer(text: str) -> str:
    """SQuAD v1.1 normalisation: lower-case, drop punctuation, articles and extra spaces.

    Args:
        text: an answer string.

    Returns:
        The normalised answer, e.g. ``"The Eiffel Tower!"`` -> ``"eiffel tower"``.
    """
    # Same order as the official script: lower, punctuation, articles, whitespace.
    text = text.lower()
    text = "".join(char for char in text if char not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match_score(prediction: str, ground_truth: str) -> float:
    """1.0 if the two answers are equal after :func:`normalize_answer`, else 0.0."""
    return float(normalize_answer(prediction) == normalize_answer(ground_truth))


def f1_score_tokens(prediction: str, ground_truth: str) -> float:
    """F1 over the bag of normalised words that the two answers share (SQuAD v1.1).

    Args:
        prediction: the predicted answer.
        ground_truth: one reference answer.

    Returns:
        F1 in [0, 1]; 0 when no word is shared (including when either side is empty).
    """
    pred_tokens = normalize_answer(prediction).split()
    true_tokens = normalize_answer(ground_truth).split()
    shared = sum((Counter(pred_tokens) & Counter(true_tokens)).values())
    if shared == 0:
        return 0.0
    precision = shared / len(pred_tokens)
    recall = shared / len(true_tokens)
    return 2 * precision * recall / (precision + recall)


def _field(entry: Any, key: str, name: str, index: int) -> Any:
    if not isinstance(entry, Mapping) or key not in entry:
        raise MetricInputError(
            f"{name}[{index}] has no {key!r} key: predictions look like "
            "{'id': ..., 'prediction_text': ...}, references like "
            "{'id': ..., 'answers': {'text': [...], 'answer_start': [...]}}"
        )
    return entry[key]


def _answer_texts(answers: Any, index: int) -> list[str]:
    if isinstance(answers, Mapping):
        texts = answers.get("text")
    elif isinstance(answers, Sequence) and not isinstance(answers, str):
        # The official JSON layout: a list of {"text": ..., "answer_start": ...}.
        texts = [a.get("text") if isinstance(a, Mapping) else a for a in answers]
    else:
        texts = None
    if texts is None or isinstance(texts, str):
        raise MetricInputError(
            f"references[{index}]['answers'] must be {{'text': [...], 'answer_start': [...]}}, "
            f"got {answers!r}"
        )
    texts = list(texts)
    if not texts:
        raise MetricInputError(
            f"references[{index}] has no answer text: SQuAD v1.1 needs at least one answer "
            "per question (unanswerable questions belong to SQuAD v2)"
        )
    if not all(isinstance(text, str) for text in texts):
        raise MetricInputError(f"references[{index}]['answers']['text'] must hold strings")
    return texts


def squad_scores(
    predictions: Sequence[Mapping[str, Any]], references: Sequence[Mapping[str, Any]]
) -> dict[str, float]:
    """Exact match and token F1 (0-100), as the Hub ``squad`` metric computes them.

    Each prediction is scored against every reference answer of its question and keeps
    the best score (questions have up to three crowd-sourced answers); the scores are
    averaged over the references.

    Args:
        predictions: ``[{"id": ..., "prediction_text": ...}, ...]``.
        references: ``[{"id": ..., "answers": {"text": [...], "answer_start": [...]}}, ...]``.

    Returns:
        ``{"exact_match": ..., "f1": ...}``, both percentages.
    """
    for value, name in ((predictions, "predictions"), (references, "references")):
        if isinstance(value, (str, Mapping)) or not isinstance(value, Sequence):
            raise MetricInputError(
                f"{name} must be a list of dicts (one per question), got {type(value).__name__}"
            )
        if len(value) == 0:
            raise MetricInputError(f"{name} is empty: there is nothing to score")
    if len(predictions) != len(references):
        raise MetricInputError(
            f"predictions has {len(predictions)} entries but references has {len(references)}: "
            "give one prediction per question"
        )
    predicted: dict[Any, str] = {}
    for index, entry in enumerate(predictions):
        question_id = _field(entry, "id", "predictions", index)
        text = _field(entry, "prediction_text", "predictions", index)
        if not isinstance(text, str):
            raise MetricInputError(
                f"predictions[{index}]['prediction_text'] is {type(text).__name__}: pass the "
                "answer string (an empty string for no answer)"
            )
        if question_id in predicted:
            raise MetricInputError(f"prediction id {question_id!r} appears more than once")
        predicted[question_id] = text
    gold = [
        (
            _field(entry, "id", "references", index),
            _answer_texts(_field(entry, "answers", "references", index), index),
        )
        for index, entry in enumerate(references)
    ]
    gold_ids = {question_id for question_id, _ in gold}
    missing = [question_id for question_id in predicted if question_id not in gold_ids]
    if missing:
        raise MetricInputError(
            f"{len(missing)} prediction id(s) are not in the references, e.g. {missing[0]!r}: "
            "pair each prediction with the reference of the same question"
        )
    exact = f1 = 0.0
    # Like the official script, a reference without a prediction scores 0 (it can only
    # happen here when reference ids repeat).
    for question_id, truths in gold:
        text = predicted.get(question_id)
        if text is None:
            continue
        exact += max(exact_match_score(text, truth) for truth in truths)
        f1 += max(f1_score_tokens(text, truth) for truth in truths)
    total = len(references)
    return {"exact_match": 100.0 * exact / total, "f1": 100.0 * f1 / total}


# --------------------------------------------------------------------------------------
# Lesson 05 and 06 preprocessing (the lessons' recipes, for the benchmarks)
# --------------------------------------------------------------------------------------


def align_labels_first_subtoken(
    word_ids: Sequence[int | None], word_labels: Sequence[int]
) -> list[int]:
    """Lesson 05: the word's label on its first sub-token, -100 on the others and on specials.

    Args:
        word_ids: ``encoding.word_ids(i)`` of one example.
        word_labels: one label id per word.

    Returns:
        One label per token.
    """
    labels = []
    previous = None
    for word in word_ids:
        labels.append(IGNORE_INDEX if word is None or word == previous else word_labels[word])
        previous = word
    return labels


def _answer_token_span(
    offsets: Sequence[tuple[int, int]],
    sequence_ids: Sequence[int | None],
    answer_start: int,
    answer_end: int,
) -> tuple[int, int]:
    """Inclusive token span of a character span in one feature's context; (0, 0) if outside."""
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


def prepare_train_features(
    dataset: Any, tokenizer: Any, max_length: int, stride: int | None = None, padding: Any = False
) -> Any:
    """Lesson 06: SQuAD examples -> overlapping windows labelled with the answer's token span.

    Args:
        dataset: a ``datasets.Dataset`` with ``question``, ``context`` and ``answers``.
        tokenizer: a fast tokenizer (offsets are needed).
        max_length: tokens per window.
        stride: tokens shared by consecutive windows (default a quarter of ``max_length``).
        padding: passed to the tokenizer (``False``: the collator pads each batch).

    Returns:
        One feature per window; an answer not wholly inside a window points at (0, 0).
    """
    stride = max_length // 4 if stride is None else stride

    def tokenize(batch: dict[str, list[Any]]) -> Any:
        encoded = tokenizer(
            [q.strip() for q in batch["question"]],
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
            start, end = _answer_token_span(offsets, encoded.sequence_ids(i), start_char, end_char)
            starts.append(start)
            ends.append(end)
        encoded["start_positions"] = starts
        encoded["end_positions"] = ends
        return encoded

    return dataset.map(tokenize, batched=True, remove_columns=dataset.column_names)
