"""Extractive question answering (SQuAD): evaluation features, a pipeline, a span plot.

Lesson 06 has students write the training-feature preparation, the span decoder and
the SQuAD metrics; this module holds the rest:

- :func:`prepare_validation_features` turns examples into model inputs that remember
  which example they came from (``example_id``) and where each context token lies in
  the context (``offset_mapping``, ``None`` outside the context), for decoding;
- :class:`ExtractiveQAPipeline` / :func:`question_answering_pipeline` answer new
  questions with a fine-tuned model. transformers 5.3 removed its ``question-answering``
  pipeline (it now points to chat models); this one keeps its call and its output
  (``{"score", "start", "end", "answer"}``) for encoder models such as BERT;
- :func:`plot_span_scores` draws the start and end scores over a context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from transformers import Pipeline

from bertcourse.exceptions import QAInputError

__all__ = [
    "CONTEXT_SEQUENCE_ID",
    "ExtractiveQAPipeline",
    "check_window",
    "plot_span_scores",
    "prepare_validation_features",
    "question_answering_pipeline",
]

#: ``encoding.sequence_ids(i)`` marks the context (the second text) with 1.
CONTEXT_SEQUENCE_ID = 1


def check_window(max_length: int, stride: int) -> None:
    """Reject window settings the tokenizer would fail on later, with the fix.

    Args:
        max_length: tokens per feature (question + context + special tokens).
        stride: tokens shared by two consecutive windows of the same context.

    Raises:
        QAInputError: when ``stride`` is negative or not smaller than ``max_length``.
    """
    if max_length < 8:
        raise QAInputError(f"max_length={max_length} leaves no room for a question and a context")
    if not 0 <= stride < max_length // 2:
        raise QAInputError(
            f"stride={stride} with max_length={max_length}: the overlap must be at least 0 and "
            "well under half a window, e.g. stride = max_length // 4"
        )


def _require_fast(tokenizer: Any) -> None:
    if not getattr(tokenizer, "is_fast", False):
        raise QAInputError(
            f"{type(tokenizer).__name__} is a slow tokenizer without offset mappings: load a "
            "fast one, e.g. AutoTokenizer.from_pretrained(name) or bc.load_tokenizer(name)"
        )


def prepare_validation_features(
    examples: Mapping[str, Sequence[Any]],
    tokenizer: Any,
    *,
    max_length: int = 384,
    stride: int = 128,
) -> Any:
    """Tokenise SQuAD examples into overlapping windows that can be decoded back to text.

    Meant for ``dataset.map(..., batched=True, remove_columns=dataset.column_names)``.

    Args:
        examples: a batch with ``id``, ``question`` and ``context`` lists.
        tokenizer: a fast tokenizer (it provides offset mappings).
        max_length: tokens per feature; long contexts are split into several features.
        stride: tokens that two consecutive windows of one context share.

    Returns:
        The tokenizer's ``BatchEncoding`` with one row per feature and two extra
        columns: ``example_id`` (the ``id`` of the example the feature comes from) and
        ``offset_mapping``, the character span of each token in the context, ``None``
        for tokens that are not context (question, special tokens).
    """
    _require_fast(tokenizer)
    check_window(max_length, stride)
    # Some SQuAD questions start with spaces; stripping them keeps the windows comparable.
    questions = [question.strip() for question in examples["question"]]
    encoded = tokenizer(
        questions,
        list(examples["context"]),
        truncation="only_second",
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    sample_map = encoded.pop("overflow_to_sample_mapping")
    example_ids = []
    for index, offsets in enumerate(encoded["offset_mapping"]):
        sequence_ids = encoded.sequence_ids(index)
        example_ids.append(examples["id"][sample_map[index]])
        encoded["offset_mapping"][index] = [
            tuple(offset) if sequence_ids[position] == CONTEXT_SEQUENCE_ID else None
            for position, offset in enumerate(offsets)
        ]
    encoded["example_id"] = example_ids
    return encoded


# --------------------------------------------------------------------------------------
# Decoding for the pipeline
# --------------------------------------------------------------------------------------


def _softmax(values: np.ndarray) -> np.ndarray:
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros_like(values)
    shifted = np.where(finite, values - values[finite].max(), -np.inf)
    exp = np.exp(shifted)
    return exp / exp.sum()


def _feature_spans(
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    context_mask: np.ndarray,
    max_answer_length: int,
    top_k: int,
) -> list[tuple[float, int, int]]:
    """The ``top_k`` most probable valid spans of one feature: (probability, start, end).

    Valid: start and end inside the context, start <= end, at most ``max_answer_length``
    tokens. Probabilities are softmaxes over the context tokens, multiplied, as in the
    question-answering pipeline of transformers 4.
    """
    start_p = _softmax(np.where(context_mask, start_logits, -np.inf))
    end_p = _softmax(np.where(context_mask, end_logits, -np.inf))
    scores = np.outer(start_p, end_p)
    length = len(start_p)
    starts, ends = np.indices((length, length))
    valid = (ends >= starts) & (ends - starts < max_answer_length)
    valid &= context_mask[:, None] & context_mask[None, :]
    scores = np.where(valid, scores, -1.0)
    flat = np.argsort(-scores, axis=None)[:top_k]
    return [
        (float(scores.flat[i]), int(i // length), int(i % length))
        for i in flat
        if scores.flat[i] >= 0
    ]


class ExtractiveQAPipeline(Pipeline):
    """Answer questions with a span of a context, like transformers 4's QA pipeline.

    Call it with ``question=`` and ``context=`` (strings, or lists of the same length),
    or with ``{"question": ..., "context": ...}`` dicts. Options (at construction or per
    call): ``top_k`` (answers per question, default 1), ``max_answer_length`` (tokens,
    default 30), ``max_length`` and ``stride`` (the windows long contexts are split
    into; default 384 and 128).

    Returns, per question, ``{"score", "start", "end", "answer"}`` (a list of
    ``top_k`` of them when ``top_k > 1``): ``answer == context[start:end]``; ``score`` is
    the probability of the start times that of the end within the window.
    """

    def _sanitize_parameters(
        self,
        top_k: int | None = None,
        max_answer_length: int | None = None,
        max_length: int | None = None,
        stride: int | None = None,
        **unused: Any,
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        if unused:
            raise QAInputError(
                f"unknown option(s) {', '.join(sorted(unused))}: use top_k, max_answer_length, "
                "max_length or stride"
            )
        preprocess: dict[str, Any] = {}
        if max_length is not None:
            preprocess["max_length"] = int(max_length)
        if stride is not None:
            preprocess["stride"] = int(stride)
        postprocess: dict[str, Any] = {}
        if top_k is not None:
            if int(top_k) < 1:
                raise QAInputError(f"top_k={top_k}: ask for at least one answer")
            postprocess["top_k"] = int(top_k)
        if max_answer_length is not None:
            if int(max_answer_length) < 1:
                raise QAInputError(f"max_answer_length={max_answer_length}: allow >= 1 token")
            postprocess["max_answer_length"] = int(max_answer_length)
        return preprocess, {}, postprocess

    def __call__(  # type: ignore[override]
        self,
        inputs: Any = None,
        *,
        question: str | Sequence[str] | None = None,
        context: str | Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        if inputs is None:
            if question is None or context is None:
                raise QAInputError("give both question= and context=")
            if isinstance(question, str) and isinstance(context, str):
                inputs = {"question": question, "context": context}
            elif isinstance(question, str) or isinstance(context, str):
                raise QAInputError("question and context must both be strings or both be lists")
            else:
                if len(question) != len(context):
                    raise QAInputError(
                        f"{len(question)} questions for {len(context)} contexts: pair them up"
                    )
                inputs = [
                    {"question": q, "context": c} for q, c in zip(question, context, strict=True)
                ]
        if isinstance(inputs, (list, tuple)):
            return [super(ExtractiveQAPipeline, self).__call__(item, **kwargs) for item in inputs]
        return super().__call__(inputs, **kwargs)

    def preprocess(
        self, inputs: Mapping[str, str], max_length: int = 384, stride: int = 128
    ) -> dict[str, Any]:
        if not isinstance(inputs, Mapping) or not {"question", "context"} <= set(inputs):
            raise QAInputError(
                f"expected {{'question': ..., 'context': ...}}, got {type(inputs).__name__}"
            )
        question, context = inputs["question"], inputs["context"]
        if not isinstance(question, str) or not question.strip():
            raise QAInputError("the question is empty: ask something")
        if not isinstance(context, str) or not context.strip():
            raise QAInputError("the context is empty: give a text that holds the answer")
        _require_fast(self.tokenizer)
        max_length = min(max_length, self.tokenizer.model_max_length)
        check_window(max_length, stride)
        encoded = self.tokenizer(
            question.strip(),
            context,
            truncation="only_second",
            max_length=max_length,
            stride=stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=True,
            return_tensors="pt",
        )
        names = set(self.tokenizer.model_input_names)
        model_inputs = {key: value for key, value in encoded.items() if key in names}
        context_masks = [
            [sequence_id == CONTEXT_SEQUENCE_ID for sequence_id in encoded.sequence_ids(i)]
            for i in range(len(encoded["input_ids"]))
        ]
        return {
            "model_inputs": model_inputs,
            "offset_mapping": encoded["offset_mapping"].tolist(),
            "context_masks": context_masks,
            "context": context,
        }

    def _forward(self, inputs: dict[str, Any]) -> dict[str, Any]:
        output = self.model(**inputs["model_inputs"])
        return {
            "start_logits": output.start_logits,
            "end_logits": output.end_logits,
            "offset_mapping": inputs["offset_mapping"],
            "context_masks": inputs["context_masks"],
            "context": inputs["context"],
        }

    def postprocess(
        self, outputs: dict[str, Any], top_k: int = 1, max_answer_length: int = 30
    ) -> Any:
        context = outputs["context"]
        start_logits = outputs["start_logits"].float().numpy()
        end_logits = outputs["end_logits"].float().numpy()
        best: dict[tuple[int, int], float] = {}
        for feature, offsets in enumerate(outputs["offset_mapping"]):
            mask = np.asarray(outputs["context_masks"][feature], dtype=bool)
            spans = _feature_spans(
                start_logits[feature], end_logits[feature], mask, max_answer_length, top_k
            )
            for score, start, end in spans:
                key = (int(offsets[start][0]), int(offsets[end][1]))
                # Windows overlap: the same span can come from two features; keep its best.
                best[key] = max(score, best.get(key, -1.0))
        ranked = sorted(best.items(), key=lambda item: -item[1])[:top_k]
        answers = [
            {"score": score, "start": start, "end": end, "answer": context[start:end]}
            for (start, end), score in ranked
        ]
        if not answers:  # only possible with a context of special tokens only
            answers = [{"score": 0.0, "start": 0, "end": 0, "answer": ""}]
        return answers[0] if top_k == 1 else answers


def question_answering_pipeline(
    model: Any = None, tokenizer: Any = None, **options: Any
) -> ExtractiveQAPipeline:
    """An extractive question-answering pipeline on a fine-tuned model.

    Args:
        model: a model with a QA head, or a folder / Hub name to load one from
            (``bc.load_model(..., task="question-answering")``); ``None`` loads the
            mode's model, whose QA head is untrained (answers are then meaningless).
        tokenizer: its tokenizer; ``None`` loads the one saved with ``model`` (or the
            mode's).
        **options: ``top_k``, ``max_answer_length``, ``max_length``, ``stride`` defaults.

    Returns:
        An :class:`ExtractiveQAPipeline`, on the course's device.
    """
    from bertcourse.config import settings
    from bertcourse.models import load_model, load_tokenizer

    name = str(model) if isinstance(model, (str, Path)) else None
    if model is None or name is not None:
        model = load_model(name, task="question-answering")
    if tokenizer is None:
        tokenizer = load_tokenizer(name)
    if not hasattr(model, "config") or not type(model).__name__.endswith("ForQuestionAnswering"):
        raise QAInputError(
            f"{type(model).__name__} has no question-answering head: load the model with "
            "bc.load_model(name, task='question-answering')"
        )
    device = options.pop("device", settings().device)
    return ExtractiveQAPipeline(
        model=model, tokenizer=tokenizer, task="question-answering", device=device, **options
    )


# --------------------------------------------------------------------------------------
# Plot
# --------------------------------------------------------------------------------------


def plot_span_scores(
    tokens: Sequence[str],
    start_logits: Any,
    end_logits: Any,
    *,
    predicted: tuple[int, int] | None = None,
    gold: tuple[int, int] | None = None,
    window: tuple[int, int] | None = None,
    title: str | None = None,
) -> Any:
    """Bar charts of the start and end scores of one feature's tokens.

    Args:
        tokens: the feature's tokens (``tokenizer.convert_ids_to_tokens(input_ids)``).
        start_logits, end_logits: the model's scores, one per token (extra entries, such
            as batch padding, are ignored).
        predicted: the predicted (start, end) token span, shaded green.
        gold: the true (start, end) token span, outlined in orange.
        window: (first, last) token positions to draw; ``None`` draws them all.
        title: the figure title.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    starts = np.asarray(start_logits, dtype=float)[: len(tokens)]
    ends = np.asarray(end_logits, dtype=float)[: len(tokens)]
    if len(starts) != len(tokens) or len(ends) != len(tokens):
        raise QAInputError(
            f"{len(tokens)} tokens but {len(starts)} start and {len(ends)} end scores: pass the "
            "scores of the same feature"
        )
    first, last = window if window is not None else (0, len(tokens) - 1)
    first, last = max(0, first), min(len(tokens) - 1, last)
    positions = np.arange(first, last + 1)
    figure, axes = plt.subplots(2, 1, figsize=(max(8.0, 0.28 * len(positions)), 5), sharex=True)
    for axis, values, name in ((axes[0], starts, "start score"), (axes[1], ends, "end score")):
        axis.bar(positions, values[first : last + 1], color="tab:blue")
        axis.set_ylabel(name)
        for span, style in (
            (predicted, {"color": "tab:green", "alpha": 0.25, "label": "predicted"}),
            (gold, {"facecolor": "none", "edgecolor": "tab:orange", "lw": 2, "label": "gold"}),
        ):
            if span is not None:
                axis.axvspan(span[0] - 0.5, span[1] + 0.5, **style)
    axes[1].set_xticks(positions, [tokens[i] for i in positions], rotation=90, fontsize=8)
    axes[0].legend(loc="upper right")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
