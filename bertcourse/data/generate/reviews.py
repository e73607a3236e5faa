"""Generated reviews for 5-class sentiment: restaurant reviews (yelp) and film snippets (sst5).

A review's rating is computed from what it says, not drawn at random:

* each opinion is an aspect ("the pasta", "our waiter") with a graded adjective
  (-2 .. +2), possibly intensified ("really", x1.5), softened ("a bit", x0.5) or
  negated ("not great" is mildly negative, "not bad" mildly positive);
* in "X, but Y" and "although X, Y" the second clause weighs more than the first;
* asides about things other than the place or film ("after an awful week") carry
  sentiment words but count for nothing;
* a closing verdict ("I would never come back") counts like an opinion.

The summed score is cut into five bands, and rows are drawn until every band has
the same number, so classes are balanced. Several cues interact, so a bag of words
reaches only part of the accuracy a model that reads the sentence can.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from datasets import Dataset, DatasetDict

from bertcourse.data.schema import TASKS


@dataclass(frozen=True)
class Domain:
    """The words of one kind of review."""

    aspects: dict[str, list[str]]  # aspect -> noun phrases (singular subjects)
    adjectives: dict[int, list[str]]  # grade -> adjectives that fit any aspect
    asides: list[str]  # sentences with sentiment words that are not about the subject
    lead_ins: list[str]  # opening clauses of that kind ("After a superb dinner,")
    fillers: list[str]  # neutral sentences
    verdicts: dict[int, list[str]]  # grade -> closing sentences
    openers: list[str]
    sentences: tuple[int, int]  # how many opinions a review has (min, max)
    thresholds: tuple[float, float, float, float]  # score bands for the 5 labels


RESTAURANT = Domain(
    aspects={
        "food": [
            "the pasta",
            "the burger",
            "the soup",
            "the curry",
            "the fish",
            "the pizza",
            "the salad",
            "the steak",
            "the dumplings",
            "the risotto",
            "the bread",
        ],
        "service": [
            "the service",
            "our waiter",
            "the staff",
            "our server",
            "the hostess",
            "the bartender",
        ],
        "price": ["the bill", "the price", "the value for money", "the wine list"],
        "place": [
            "the dining room",
            "the patio",
            "the music",
            "the atmosphere",
            "the decor",
            "the bathroom",
        ],
        "wait": ["the wait", "the booking process", "the delivery", "the takeaway counter"],
        "dessert": ["the cheesecake", "the ice cream", "the tart", "the coffee", "the cocktail"],
    },
    adjectives={
        2: ["outstanding", "superb", "excellent", "fantastic", "wonderful", "flawless"],
        1: ["good", "decent", "pleasant", "solid", "nice", "enjoyable"],
        0: ["okay", "average", "ordinary", "fine", "unremarkable", "standard"],
        -1: ["disappointing", "mediocre", "underwhelming", "poor", "lacklustre", "tired"],
        -2: ["terrible", "awful", "dreadful", "horrible", "appalling", "abysmal"],
    },
    asides=[
        "After a terrible week at work I really needed a night out.",
        "My cousin had warned me that the traffic would be awful.",
        "The weather outside was fantastic, so we walked there.",
        "We had a wonderful time at the museum before dinner.",
        "Parking in that part of town is horrible on Fridays.",
        "My friend had an excellent job interview that morning, so we were celebrating.",
        "The film we saw before was dreadful, which put us in a bad mood.",
        "It was a lovely sunny afternoon and the park nearby was great.",
    ],
    lead_ins=[],
    fillers=[
        "We came on a Tuesday evening.",
        "I visited with two colleagues.",
        "It is a short walk from the station.",
        "We sat near the window.",
        "They open at noon every day.",
        "We ordered three dishes to share.",
        "The menu changes every season.",
        "It was my second visit this year.",
    ],
    verdicts={
        2: [
            "I will definitely be back.",
            "Easily one of my favourite places in town.",
            "I would recommend it to anyone.",
        ],
        1: ["I would probably come back.", "Worth a visit if you are nearby."],
        0: ["I am not sure I would go again.", "It was neither here nor there."],
        -1: ["I doubt I will return.", "There are better options on this street."],
        -2: ["I will never go back.", "Avoid this place.", "A complete waste of money."],
    },
    openers=[
        "Stopped by for dinner.",
        "First time here.",
        "Came for lunch with my family.",
        "Booked a table for a birthday.",
        "",
    ],
    sentences=(2, 4),
    thresholds=(-1.6, -0.45, 0.45, 1.6),
)

FILM = Domain(
    aspects={
        "story": ["the plot", "the story", "the script", "the ending", "the premise"],
        "acting": [
            "the acting",
            "the lead performance",
            "the supporting cast",
            "the villain",
            "the dialogue",
        ],
        "craft": [
            "the camera work",
            "the editing",
            "the soundtrack",
            "the score",
            "the production design",
            "the visual work",
        ],
        "pace": ["the pacing", "the second half", "the opening hour", "the climax"],
    },
    adjectives={
        2: ["brilliant", "masterful", "dazzling", "gripping", "superb", "extraordinary"],
        1: ["engaging", "charming", "solid", "likeable", "competent", "pleasing"],
        0: ["serviceable", "conventional", "ordinary", "passable", "middling", "familiar"],
        -1: ["flat", "clumsy", "uneven", "forgettable", "thin", "sluggish"],
        -2: ["dreadful", "unbearable", "incoherent", "lifeless", "painful", "atrocious"],
    },
    asides=[
        "The director's previous film was brilliant.",
        "The trailer before it was dreadful.",
        "The popcorn at my cinema was awful.",
        "The book it adapts is a superb read.",
    ],
    lead_ins=[
        "Having sat through a dreadful trailer,",
        "Even with awful seats,",
        "After a superb dinner,",
        "Coming from a brilliant studio,",
    ],
    fillers=[
        "It runs just under two hours.",
        "It is a remake of a quieter original.",
        "It opens in a small coastal town.",
    ],
    verdicts={
        2: ["a must-see.", "one of the year's best."],
        1: ["worth a look.", "a pleasant evening."],
        0: ["fine for a rainy day.", "neither a hit nor a miss."],
        -1: ["a missed chance.", "easy to forget."],
        -2: ["a complete waste of time.", "skip it."],
    },
    openers=[""],
    sentences=(1, 3),
    thresholds=(-1.2, -0.35, 0.35, 1.2),
)

INTENSIFIERS = ["really", "truly", "incredibly", "extremely", "remarkably"]
SOFTENERS = ["a bit", "somewhat", "slightly", "fairly", "rather"]


def _negated(grade: int) -> float:
    """What "not <adjective>" is worth: "not great" -0.5, "not good" -1, "not bad" +0.5."""
    return {2: -0.5, 1: -1.0, 0: -1.0, -1: 0.5, -2: 0.5}[grade]


@dataclass
class Opinion:
    phrase: str  # "the pasta was not really good"
    score: float


def _opinion(rng: random.Random, domain: Domain, subject: str, past: bool) -> Opinion:
    grade = rng.choice([-2, -1, 0, 1, 2])
    adjective = rng.choice(domain.adjectives[grade])
    verb = "was" if past else "is"
    roll = rng.random()
    if roll < 0.22:
        phrase, score = f"{verb} not {adjective}", _negated(grade)
    elif roll < 0.45 and abs(grade) == 1:
        # "really good" is nearly as strong as "excellent", but not quite.
        phrase, score = f"{verb} {rng.choice(INTENSIFIERS)} {adjective}", grade * 1.75
    elif roll < 0.62 and grade != 0:
        phrase, score = f"{verb} {rng.choice(SOFTENERS)} {adjective}", grade * 0.5
    else:
        phrase, score = f"{verb} {adjective}", float(grade)
    return Opinion(f"{subject} {phrase}", score)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _review(rng: random.Random, domain: Domain, past: bool) -> tuple[str, float]:
    aspect_names = list(domain.aspects)
    n = rng.randint(*domain.sentences)
    parts: list[str] = []
    total = 0.0
    opener = rng.choice(domain.openers)
    if opener:
        parts.append(opener)
    if rng.random() < 0.35:
        parts.append(rng.choice(domain.asides))  # sentiment words that count for nothing
    for _ in range(n):
        first = _opinion(rng, domain, rng.choice(domain.aspects[rng.choice(aspect_names)]), past)
        form = rng.random()
        if form < 0.3:
            second = _opinion(
                rng, domain, rng.choice(domain.aspects[rng.choice(aspect_names)]), past
            )
            # The clause after "but" is what the writer stresses.
            parts.append(f"{_capital(first.phrase)}, but {second.phrase}.")
            total += 0.5 * first.score + 1.5 * second.score
        elif form < 0.45:
            second = _opinion(
                rng, domain, rng.choice(domain.aspects[rng.choice(aspect_names)]), past
            )
            parts.append(f"Although {first.phrase}, {second.phrase}.")
            total += 0.5 * first.score + 1.5 * second.score
        else:
            parts.append(f"{_capital(first.phrase)}.")
            total += first.score
        if rng.random() < 0.2:
            parts.append(rng.choice(domain.fillers))
    if rng.random() < 0.5:
        grade = rng.choice([-2, -1, 0, 1, 2])
        parts.append(_capital(rng.choice(domain.verdicts[grade])))
        total += grade
    return " ".join(parts), total / max(1.0, n**0.5)


def _film(rng: random.Random, domain: Domain) -> tuple[str, float]:
    """A short film verdict in the style of a critic's one-liner."""
    text, score = _review(rng, domain, past=False)
    if domain.lead_ins and rng.random() < 0.25:
        # A leading aside, as in "After a superb dinner, the plot is thin."
        aside = rng.choice(domain.lead_ins)
        text = f"{aside} {text[:1].lower()}{text[1:]}"
    return text, score


def _band(score: float, thresholds: tuple[float, ...]) -> int:
    return sum(score > t for t in thresholds)


def build(task: str, n_train: int, n_validation: int) -> DatasetDict:
    """Balanced, seeded reviews for ``yelp_review_full`` or ``sst5``.

    Args:
        task: ``"yelp_review_full"`` (restaurants) or ``"sst5"`` (films).
        n_train: training rows (a multiple of 5 keeps classes exactly even).
        n_validation: validation rows.

    Returns:
        ``train`` and ``validation`` with ``text`` and ``label``.
    """
    film = task == "sst5"
    domain = FILM if film else RESTAURANT
    rng = random.Random(1401 if film else 1402)
    splits = {}
    seen: set[str] = set()  # no text in two places (train/validation leakage)
    for split, size in (("train", n_train), ("validation", n_validation)):
        quota = [size // 5 + (1 if k < size % 5 else 0) for k in range(5)]
        texts: list[str] = []
        labels: list[int] = []
        while len(texts) < size:
            text, score = _film(rng, domain) if film else _review(rng, domain, past=True)
            label = _band(score, domain.thresholds)
            if quota[label] == 0 or text in seen:
                continue
            quota[label] -= 1
            seen.add(text)
            texts.append(text)
            labels.append(label)
        splits[split] = Dataset.from_dict(
            {"text": texts, "label": labels}, features=TASKS[task].features
        )
    return DatasetDict(splits)
