"""Training data for the quick stand-ins of :mod:`bertcourse.artifacts`, prepared in
ways that are NOT the graded exercises of lessons 05 and 06 (issue 14).

Lessons 08 and 09 need a named-entity tagger and a question-answering model; when
lessons 05 and 06 saved none, :func:`bertcourse.artifacts.train_stand_in` trains
one. Its data preparation must not be a copy of what those lessons ask students to
write (the label alignments of lesson 05, ``prepare_train_features`` of lesson 06),
so it takes other, published routes:

- **NER: IOB1 tags on every sub-token** (:func:`iob1_tags`, :func:`piece_labels`).
  The original CoNLL-2003 files use IOB1: ``I-X`` for every word of an entity and
  ``B-X`` only where an entity directly follows another of the same type. Every
  sub-token of a word gets its word's IOB1 tag. The pipeline's ``simple``,
  ``first``, ``average`` and ``max`` aggregations all decode it to the right words,
  since a ``B-`` tag still opens a new entity.
- **QA: windows built around the answer** (:func:`qa_features_around_answers`).
  The text before the answer, the answer and the text after it are tokenised
  separately and joined, so the answer's token span is known by construction: no
  offset mapping is searched, every example gives exactly one window that holds its
  answer, and examples whose answer does not fit are skipped.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from bertcourse.exceptions import StandInDataError

__all__ = ["StandInDataError", "iob1_tags", "piece_labels", "qa_features_around_answers"]

#: The label id transformers' losses skip.
IGNORE_INDEX = -100


def iob1_tags(word_tags: Sequence[int], label_names: Sequence[str]) -> list[int]:
    """Rewrite one sentence's IOB2 tag ids (CoNLL-2003 on the Hub) as IOB1 tag ids.

    Args:
        word_tags: one tag id per word, IOB2 (every entity starts with ``B-``).
        label_names: the tag names, e.g. ``["O", "B-PER", "I-PER", ...]``.

    Returns:
        One tag id per word: ``B-X`` only where the previous word is part of another
        ``X`` entity, ``I-X`` otherwise.

    Raises:
        StandInDataError: a ``B-X`` tag whose ``I-X`` is not among ``label_names``.
    """
    ids = {name: index for index, name in enumerate(label_names)}
    result = []
    previous_type = None
    for tag in word_tags:
        name = label_names[tag]
        prefix, _, kind = name.partition("-")
        if prefix == "B" and kind != previous_type:
            inside = f"I-{kind}"
            if inside not in ids:
                raise StandInDataError(
                    f"tag {name!r} has no {inside!r} among the labels {list(label_names)}: "
                    "IOB1 needs both"
                )
            tag = ids[inside]
        result.append(tag)
        previous_type = kind if prefix in ("B", "I") else None
    return result


def piece_labels(word_ids: Sequence[int | None], word_tags: Sequence[int]) -> list[int]:
    """Every sub-token gets its word's tag; special tokens get -100.

    Args:
        word_ids: ``encoding.word_ids(i)`` of one sentence.
        word_tags: one tag id per word (IOB1, from :func:`iob1_tags`).

    Returns:
        One label id per token.
    """
    return [IGNORE_INDEX if word is None else word_tags[word] for word in word_ids]


def _check_pair_layout(tokenizer: Any) -> None:
    """Fail clearly unless the tokenizer joins a pair as ``[CLS] a [SEP] b [SEP]`` (BERT)."""
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    first, second = tokenizer(["question", "context"], add_special_tokens=False)["input_ids"]
    pair = tokenizer("question", "context")
    expected = [cls, *first, sep, *second, sep]
    types = [0] * (len(first) + 2) + [1] * (len(second) + 1)
    if (
        cls is None
        or sep is None
        or pair["input_ids"] != expected
        or ("token_type_ids" in pair and pair["token_type_ids"] != types)
    ):
        raise StandInDataError(
            f"{type(tokenizer).__name__} does not lay out a question-context pair as "
            "[CLS] question [SEP] context [SEP]: train the stand-in with a BERT-like tokenizer"
        )


def qa_features_around_answers(
    dataset: Any, tokenizer: Any, max_length: int, *, seed: int = 0
) -> Any:
    """SQuAD examples -> one training window per example, built around its first answer.

    The context left of the answer, the answer and the context right of it are
    tokenised on their own and joined; the window keeps as much context on each side
    as ``max_length`` allows (a seeded random share when it must cut).

    Args:
        dataset: a ``datasets.Dataset`` with ``question``, ``context`` and ``answers``.
        tokenizer: a BERT-like tokenizer.
        max_length: tokens per window, special tokens included.
        seed: seeds the choice of how much context to keep left of the answer.

    Returns:
        A dataset with ``input_ids``, ``token_type_ids``, ``attention_mask``,
        ``start_positions`` and ``end_positions``; examples whose question and answer
        alone do not fit are left out.
    """
    _check_pair_layout(tokenizer)
    rng = random.Random(seed)

    def pieces(texts: list[str]) -> list[list[int]]:
        return tokenizer(texts, add_special_tokens=False)["input_ids"]

    def build(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        starts = [int(a["answer_start"][0]) for a in batch["answers"]]
        ends = [s + len(a["text"][0]) for s, a in zip(starts, batch["answers"], strict=True)]
        contexts = batch["context"]
        questions = pieces([q.strip() for q in batch["question"]])
        lefts = pieces([c[:s] for c, s in zip(contexts, starts, strict=True)])
        answers = pieces([c[s:e] for c, s, e in zip(contexts, starts, ends, strict=True)])
        rights = pieces([c[e:] for c, e in zip(contexts, ends, strict=True)])
        out: dict[str, list[Any]] = {
            key: []
            for key in (
                "input_ids",
                "token_type_ids",
                "attention_mask",
                "start_positions",
                "end_positions",
            )
        }
        cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
        for question, left, answer, right in zip(questions, lefts, answers, rights, strict=True):
            offset = len(question) + 2  # [CLS] question [SEP]
            room = max_length - offset - 1  # the closing [SEP]
            spare = room - len(answer)
            if not answer or spare < 0:
                continue
            if len(left) + len(right) <= spare:
                keep_left = len(left)
            else:  # some context must go: vary how much of it is left of the answer
                keep_left = rng.randint(max(0, spare - len(right)), min(len(left), spare))
            keep_right = min(len(right), spare - keep_left)
            context = left[len(left) - keep_left :] + answer + right[:keep_right]
            ids = [cls, *question, sep, *context, sep]
            out["input_ids"].append(ids)
            out["token_type_ids"].append([0] * offset + [1] * (len(context) + 1))
            out["attention_mask"].append([1] * len(ids))
            out["start_positions"].append(offset + keep_left)
            out["end_positions"].append(offset + keep_left + len(answer) - 1)
        return out

    return dataset.map(build, batched=True, remove_columns=dataset.column_names)
