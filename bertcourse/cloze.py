"""A small cloze probe: does a fill-mask model put a sensible word in the blank?

The prompts were written for the course (they are not taken from any data set) and
cover the kinds of blanks the zero-shot lesson asks a model to fill: food and
restaurants, sentiment words, reviews, common knowledge and grammar (function
words). Each prompt has a set of accepted answers; a prompt counts as a top-k hit when
any accepted answer is among the model's k most likely tokens for the blank.

Prompts are written with ``[MASK]``; :func:`evaluate_cloze` swaps in the tokenizer's
own mask token, so models with ``<mask>`` (RoBERTa) work too. Answers are lower-case
single WordPiece tokens of the uncased BERT vocabulary; predictions are compared
lower-cased, so cased models are scored fairly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bertcourse.exceptions import BertCourseError

PLACEHOLDER = "[MASK]"


@dataclass(frozen=True)
class ClozePrompt:
    """One probe sentence with exactly one blank.

    Attributes:
        text: the sentence, with ``[MASK]`` where the missing word goes.
        answers: accepted fillers (lower-case, one token each).
        category: ``food``, ``sentiment``, ``review``, ``knowledge`` or ``grammar``.
    """

    text: str
    answers: frozenset[str]
    category: str


def _p(category: str, text: str, answers: str) -> ClozePrompt:
    return ClozePrompt(text, frozenset(answers.split()), category)


CLOZE_PROBE: tuple[ClozePrompt, ...] = (
    # food and restaurants
    _p("food", "We ordered a large [MASK] with extra cheese.", "pizza sandwich burger pasta salad"),
    _p("food", "I drink a cup of [MASK] every morning.", "coffee tea milk water juice"),
    _p("food", "The waiter brought us the [MASK] so we could pay.", "bill check receipt"),
    _p("food", "For dessert she had a slice of chocolate [MASK].", "cake pie pudding"),
    _p(
        "food",
        "The soup was too [MASK], so I added some water.",
        "salty hot thick spicy rich strong sweet",
    ),
    _p("food", "You eat soup with a [MASK].", "spoon bowl fork"),
    _p(
        "food",
        "The restaurant was so [MASK] that we could not hear each other.",
        "loud noisy crowded busy full packed",
    ),
    _p("food", "He cut the bread with a sharp [MASK].", "knife blade"),
    # sentiment words
    _p(
        "sentiment",
        "What a [MASK] movie, I loved every minute of it!",
        "great wonderful beautiful fantastic good fun lovely brilliant amazing excellent nice "
        "funny awesome perfect",
    ),
    _p(
        "sentiment",
        "The movie was so [MASK] that I fell asleep.",
        "boring long dull slow bad",
    ),
    _p(
        "sentiment",
        "She was [MASK] when she heard the good news.",
        "happy excited thrilled delighted glad pleased relieved surprised",
    ),
    _p(
        "sentiment",
        "He cried because he felt so [MASK].",
        "sad lonely bad guilty hurt alone helpless unhappy miserable depressed upset sorry "
        "ashamed angry",
    ),
    _p(
        "sentiment",
        "I hated it: the worst [MASK] I have ever seen.",
        "movie film show play thing game performance",
    ),
    _p(
        "sentiment",
        "It was a [MASK] day, everything went wrong.",
        "bad terrible horrible awful long rough hard tough sad",
    ),
    # reviews
    _p(
        "review",
        "The food was [MASK] and the staff were friendly.",
        "good great delicious excellent amazing fantastic wonderful fine nice fresh superb "
        "perfect awesome",
    ),
    _p(
        "review",
        "The service was slow and the waiter was [MASK].",
        "rude slow late absent drunk terrible awful horrible bad lazy angry",
    ),
    _p(
        "review",
        "I would [MASK] recommend this hotel to my friends.",
        "definitely highly strongly certainly not never absolutely gladly happily",
    ),
    _p(
        "review",
        "Overall this was a [MASK] experience and we will come back.",
        "great good wonderful pleasant fantastic lovely positive nice fun excellent memorable "
        "amazing enjoyable fine",
    ),
    _p(
        "review",
        "The room was clean and the bed was very [MASK].",
        "comfortable soft nice big large cozy clean good warm spacious",
    ),
    _p(
        "review",
        "The pizza arrived cold and the delivery took two [MASK].",
        "hours days weeks minutes",
    ),
    _p(
        "review",
        "The prices were too [MASK] for such small portions.",
        "high much expensive steep",
    ),
    _p(
        "review",
        "Terrible service, I will never [MASK] here again.",
        "eat come go return stay be shop",
    ),
    _p(
        "review",
        "The view from our room was [MASK], we could see the whole bay.",
        "beautiful amazing great stunning spectacular wonderful lovely gorgeous fantastic "
        "incredible perfect excellent good nice",
    ),
    # common knowledge and geography
    _p("knowledge", "Paris is the capital of [MASK].", "france"),
    _p("knowledge", "The sun rises in the [MASK].", "east morning"),
    _p("knowledge", "There are seven days in a [MASK].", "week"),
    _p("knowledge", "Tokyo is the largest city in [MASK].", "japan asia"),
    _p("knowledge", "The Nile is the longest [MASK] in Africa.", "river"),
    _p("knowledge", "Birds can [MASK] but fish cannot.", "fly sing walk"),
    _p("knowledge", "The opposite of hot is [MASK].", "cold cool"),
    _p("knowledge", "A year has twelve [MASK].", "months"),
    _p("knowledge", "Water boils at one hundred [MASK].", "degrees"),
    # grammar and function words
    _p("grammar", "She went [MASK] the store to buy some bread.", "to into"),
    _p("grammar", "I have lived here [MASK] ten years.", "for about over nearly almost"),
    _p("grammar", "They [MASK] playing football when it started to rain.", "were"),
    _p("grammar", "He is much taller [MASK] his brother.", "than"),
    _p(
        "grammar",
        "If it rains tomorrow, we [MASK] stay at home.",
        "will would should can could might must shall may",
    ),
    _p("grammar", "This is the book [MASK] I told you about.", "that which"),
    _p("grammar", "My sister and [MASK] went to the cinema.", "i"),
    _p("grammar", "The keys are [MASK] the table.", "on under at by beside near"),
)


@dataclass(frozen=True)
class PromptResult:
    """How one probe prompt went.

    Attributes:
        prompt: the probe prompt.
        top5: the model's five most likely fillers, best first (lower-cased).
        rank: 1-based rank of the best accepted answer among the top five, or ``None``.
    """

    prompt: ClozePrompt
    top5: tuple[str, ...]
    rank: int | None


@dataclass(frozen=True)
class ClozeResult:
    """Hit rates of a model on the probe.

    Attributes:
        n: number of prompts.
        top1: share of prompts whose best filler is an accepted answer.
        top5: share with an accepted answer among the five best fillers.
        per_prompt: one :class:`PromptResult` per prompt.
    """

    n: int
    top1: float
    top5: float
    per_prompt: tuple[PromptResult, ...] = field(repr=False, default=())

    def by_category(self) -> dict[str, tuple[int, float, float]]:
        """``category -> (n, top1, top5)`` for a finer look at where a model fails."""
        out: dict[str, tuple[int, float, float]] = {}
        for category in sorted({r.prompt.category for r in self.per_prompt}):
            rows = [r for r in self.per_prompt if r.prompt.category == category]
            out[category] = (
                len(rows),
                sum(r.rank == 1 for r in rows) / len(rows),
                sum(r.rank is not None for r in rows) / len(rows),
            )
        return out


def _normalise(token: str) -> str:
    # WordPiece continuation marks and the byte-level BPE space mark are not part of the word.
    return token.removeprefix("##").removeprefix("Ġ").removeprefix("▁").strip().lower()


def evaluate_cloze(
    pipe_or_model: Any,
    tokenizer: Any = None,
    *,
    prompts: tuple[ClozePrompt, ...] = CLOZE_PROBE,
    batch_size: int = 16,
) -> ClozeResult:
    """Score a fill-mask model on the cloze probe.

    Args:
        pipe_or_model: a transformers ``fill-mask`` pipeline, or a masked-LM model.
        tokenizer: the model's tokenizer; taken from the pipeline when one is given, and
            required with a bare model.
        prompts: the prompts to score (the course probe by default).
        batch_size: prompts per forward pass.

    Returns:
        A :class:`ClozeResult` with top-1 and top-5 hit rates and per-prompt detail.

    Raises:
        BertCourseError: no tokenizer, a tokenizer without a mask token, or no prompts.
    """
    import torch

    model = getattr(pipe_or_model, "model", pipe_or_model)
    if tokenizer is None:
        tokenizer = getattr(pipe_or_model, "tokenizer", None)
    if tokenizer is None:
        raise BertCourseError(
            "evaluate_cloze needs a tokenizer with a bare model: pass tokenizer=, "
            "or hand it a fill-mask pipeline"
        )
    if tokenizer.mask_token is None:
        raise BertCourseError(
            f"{type(tokenizer).__name__} has no mask token: use a masked-LM tokenizer"
        )
    if not prompts:
        raise BertCourseError("no prompts to score: pass at least one ClozePrompt")

    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    results: list[PromptResult] = []
    try:
        for start in range(0, len(prompts), batch_size):
            chunk = prompts[start : start + batch_size]
            texts = [p.text.replace(PLACEHOLDER, tokenizer.mask_token) for p in chunk]
            enc = tokenizer(texts, return_tensors="pt", padding=True).to(device)
            with torch.no_grad():
                logits = model(**enc).logits
            rows, cols = (enc["input_ids"] == tokenizer.mask_token_id).nonzero(as_tuple=True)
            if len(rows) != len(chunk):
                raise BertCourseError(
                    "each cloze prompt must contain exactly one [MASK]: check the prompts"
                )
            top = logits[rows, cols].topk(5, dim=-1).indices.tolist()
            for prompt, ids in zip(chunk, top, strict=True):
                words = tuple(_normalise(w) for w in tokenizer.convert_ids_to_tokens(ids))
                rank = next((i + 1 for i, w in enumerate(words) if w in prompt.answers), None)
                results.append(PromptResult(prompt, words, rank))
    finally:
        model.train(was_training)

    n = len(results)
    return ClozeResult(
        n=n,
        top1=sum(r.rank == 1 for r in results) / n,
        top5=sum(r.rank is not None for r in results) / n,
        per_prompt=tuple(results),
    )
