"""Generated natural-language-inference pairs (snli: everyday scenes; multi_nli: scenes and
workplace news), each hypothesis made from its premise by a real transformation:

* entailment: generalise a noun ("surgeon" -> "doctor"), drop a modifier or the place,
  weaken a number ("three" -> "some"), or deny an incompatible activity
  ("running" -> "not sleeping");
* contradiction: an incompatible activity, negation of the premise's activity, a
  changed number, a clashing subject ("man" -> "woman") or an incompatible place;
* neutral: specialise a generic noun ("person" -> "nurse"), or add a detail the premise
  cannot confirm (a purpose, a feeling, a time).

Surface cues are spread across labels on purpose: "not" occurs in entailments and
contradictions, new words in all three, generic and specific nouns in both
directions. A model has to compare the two sentences. About 2% of the training pairs
carry label -1 (no gold label), as in the Hub's SNLI, so lessons must filter them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from datasets import Dataset, DatasetDict

from bertcourse.data.schema import TASKS

ENTAILMENT, NEUTRAL, CONTRADICTION, UNLABELLED = 0, 1, 2, -1


@dataclass(frozen=True)
class Noun:
    singular: str
    plural: str
    general: str | None = None  # a hypernym (a key of the same table)
    clash: str | None = None  # a noun the same individual cannot also be


@dataclass(frozen=True)
class Activity:
    ing: str  # "riding {obj}"
    base: str
    past: str
    objects: tuple[str, ...]  # object nouns (keys of the noun table), may be empty
    opposite: str  # key of an activity that cannot happen at the same time


@dataclass(frozen=True)
class Vocabulary:
    nouns: dict[str, Noun]
    subjects: tuple[str, ...]  # specific subject nouns
    adjectives: tuple[str, ...]
    activities: dict[str, Activity]
    places: dict[str, tuple[str, str]]  # place -> (its general phrase, the clashing one)
    details: tuple[str, ...]  # unverifiable additions, appended after the place
    feelings: tuple[str, ...]  # unverifiable adjectives for the subject
    past_tense: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _nouns(*rows: tuple[str, str, str | None, str | None]) -> dict[str, Noun]:
    return {row[0]: Noun(*row) for row in rows}


SCENES = Vocabulary(
    nouns=_nouns(
        ("person", "people", None, None),
        ("man", "men", "person", "woman"),
        ("woman", "women", "person", "man"),
        ("boy", "boys", "child", "girl"),
        ("girl", "girls", "child", "boy"),
        ("child", "children", "person", "adult"),
        ("adult", "adults", "person", "child"),
        ("surgeon", "surgeons", "doctor", None),
        ("doctor", "doctors", "person", None),
        ("fisherman", "fishermen", "worker", None),
        ("carpenter", "carpenters", "worker", None),
        ("worker", "workers", "person", None),
        ("cyclist", "cyclists", "athlete", None),
        ("swimmer", "swimmers", "athlete", None),
        ("athlete", "athletes", "person", None),
        ("bicycle", "bicycles", "vehicle", None),
        ("scooter", "scooters", "vehicle", None),
        ("vehicle", "vehicles", None, None),
        ("guitar", "guitars", "instrument", None),
        ("violin", "violins", "instrument", None),
        ("instrument", "instruments", None, None),
        ("sandwich", "sandwiches", "meal", None),
        ("bowl of noodles", "bowls of noodles", "meal", None),
        ("meal", "meals", None, None),
        ("kite", "kites", "toy", None),
        ("ball", "balls", "toy", None),
        ("toy", "toys", None, None),
        ("novel", "novels", "book", None),
        ("book", "books", None, None),
    ),
    subjects=(
        "man",
        "woman",
        "boy",
        "girl",
        "surgeon",
        "fisherman",
        "carpenter",
        "cyclist",
        "swimmer",
        "adult",
        "child",
    ),
    adjectives=("tall", "young", "elderly", "bearded", "smiling", "barefoot", "red-haired"),
    activities={
        "ride": Activity("riding", "ride", "rode", ("bicycle", "scooter"), "sleep"),
        "play": Activity("playing", "play", "played", ("guitar", "violin"), "sleep"),
        "eat": Activity("eating", "eat", "ate", ("sandwich", "bowl of noodles"), "swim"),
        "fly": Activity("flying", "fly", "flew", ("kite",), "sit"),
        "throw": Activity("throwing", "throw", "threw", ("ball",), "sleep"),
        "read": Activity("reading", "read", "read", ("novel",), "run"),
        "run": Activity("running", "run", "ran", (), "sit"),
        "sleep": Activity("sleeping", "sleep", "slept", (), "run"),
        "sit": Activity("sitting", "sit", "sat", (), "run"),
        "swim": Activity("swimming", "swim", "swam", (), "eat"),
    },
    places={
        "in a park": ("outdoors", "indoors"),
        "on a beach": ("outdoors", "indoors"),
        "in a forest": ("outdoors", "indoors"),
        "in a kitchen": ("indoors", "outdoors"),
        "in a crowded station": ("indoors", "outdoors"),
        "in a classroom": ("indoors", "outdoors"),
        "on a busy street": ("in a city", "in the countryside"),
        "in a small village": ("in the countryside", "in a city"),
    },
    details=(
        "to win a bet",
        "for a television show",
        "before breakfast",
        "on their birthday",
        "for the first time",
        "while waiting for a friend",
    ),
    feelings=("tired", "happy", "nervous", "famous", "lonely", "bored"),
)

WORKPLACE = Vocabulary(
    nouns=_nouns(
        ("official", "officials", None, None),
        ("senator", "senators", "politician", None),
        ("mayor", "mayors", "politician", None),
        ("politician", "politicians", "official", None),
        ("auditor", "auditors", "accountant", None),
        ("accountant", "accountants", "employee", None),
        ("engineer", "engineers", "employee", None),
        ("employee", "employees", None, None),
        ("manager", "managers", "employee", "intern"),
        ("intern", "interns", "employee", "manager"),
        ("reporter", "reporters", "journalist", None),
        ("journalist", "journalists", "writer", None),
        ("writer", "writers", None, None),
        ("budget", "budgets", "plan", None),
        ("merger", "mergers", "plan", None),
        ("plan", "plans", None, None),
        ("report", "reports", "document", None),
        ("contract", "contracts", "document", None),
        ("document", "documents", None, None),
        ("factory", "factories", "building", None),
        ("clinic", "clinics", "building", None),
        ("building", "buildings", None, None),
    ),
    subjects=("senator", "mayor", "auditor", "engineer", "manager", "intern", "reporter"),
    adjectives=("senior", "junior", "newly elected", "retired", "local", "foreign"),
    activities={
        "approve": Activity("approving", "approve", "approved", ("budget", "merger"), "reject"),
        "reject": Activity("rejecting", "reject", "rejected", ("budget", "merger"), "approve"),
        "sign": Activity("signing", "sign", "signed", ("contract", "report"), "shred"),
        "shred": Activity("shredding", "shred", "shredded", ("contract", "report"), "sign"),
        "open": Activity("opening", "open", "opened", ("factory", "clinic"), "close"),
        "close": Activity("closing", "close", "closed", ("factory", "clinic"), "open"),
        "praise": Activity("praising", "praise", "praised", ("report", "merger"), "criticise"),
        "criticise": Activity(
            "criticising", "criticise", "criticised", ("report", "merger"), "praise"
        ),
    },
    places={
        "in the capital": ("in a city", "in the countryside"),
        "in a small village": ("in the countryside", "in a city"),
        "at the annual meeting": ("in public", "in secret"),
        "at a press conference": ("in public", "in secret"),
        "behind closed doors": ("in secret", "in public"),
        "in a private email": ("in secret", "in public"),
    },
    details=(
        "after months of debate",
        "to please investors",
        "despite strong protests",
        "before the election",
        "under pressure from the unions",
    ),
    feelings=("reluctant", "exhausted", "ambitious", "popular", "nervous"),
    past_tense=True,
)

NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


@dataclass
class Frame:
    """The content of a sentence: who, how many, doing what, where, plus extras."""

    count: int  # 1 .. 5
    subject: str
    adjective: str | None
    activity: str
    obj: str | None
    place: str | None
    place_phrase: str | None = None  # overrides the place text (generalised, clashing)
    negated: bool = False
    quantifier: str | None = None  # "some", replaces the number
    extra: str | None = None  # trailing detail
    feeling: str | None = None


def _render(frame: Frame, vocab: Vocabulary) -> str:
    noun = vocab.nouns[frame.subject]
    plural = frame.count > 1
    head = noun.plural if plural else noun.singular
    adjectives = " ".join(a for a in (frame.feeling, frame.adjective) if a)
    if frame.quantifier:
        determiner = frame.quantifier
    elif plural:
        determiner = NUMBERS[frame.count]
    else:
        determiner = "an" if (adjectives or head)[0] in "aeiou" else "a"
    subject = " ".join(w for w in (determiner, adjectives, head) if w)
    act = vocab.activities[frame.activity]
    if vocab.past_tense:
        verb = f"did not {act.base}" if frame.negated else act.past
    else:
        be = "are" if plural else "is"
        verb = f"{be} not {act.ing}" if frame.negated else f"{be} {act.ing}"
    words = [subject, verb]
    if frame.obj:
        obj = vocab.nouns[frame.obj].singular
        words.append(f"{'an' if obj[0] in 'aeiou' else 'a'} {obj}")
    place = frame.place_phrase or frame.place
    if place:
        words.append(place)
    if frame.extra:
        words.append(frame.extra)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _premise(rng: random.Random, vocab: Vocabulary) -> Frame:
    subject = rng.choice(vocab.subjects)
    # Sometimes the premise is generic, so a hypothesis can specialise it (neutral).
    if rng.random() < 0.25 and vocab.nouns[subject].general:
        subject = vocab.nouns[subject].general
    activity = rng.choice(list(vocab.activities))
    objects = vocab.activities[activity].objects
    obj = rng.choice(objects) if objects else None
    if obj and rng.random() < 0.25:
        obj = vocab.nouns[obj].general
    count = rng.choice([1, 1, 2, 3, 4, 5])
    return Frame(
        count=count,
        subject=subject,
        adjective=rng.choice(vocab.adjectives) if rng.random() < 0.5 else None,
        activity=activity,
        obj=obj,
        place=rng.choice(list(vocab.places)) if rng.random() < 0.85 else None,
        # Details and feelings occur in premises too, so their presence is no cue.
        extra=rng.choice(vocab.details) if rng.random() < 0.3 else None,
        feeling=rng.choice(vocab.feelings) if rng.random() < 0.25 else None,
        quantifier="some" if count > 1 and rng.random() < 0.2 else None,
    )


def _specifics(vocab: Vocabulary, general: str) -> list[str]:
    return [key for key, noun in vocab.nouns.items() if noun.general == general]


def _generalise(
    rng: random.Random, vocab: Vocabulary, h: Frame, keep: set[str] | None = None
) -> bool:
    """One entailment-preserving change (none of the kinds in ``keep``); False if none applies."""
    options = []
    if vocab.nouns[h.subject].general:
        options.append("subject")
    if h.obj and vocab.nouns[h.obj].general:
        options.append("object")
    if h.adjective:
        options.append("adjective")
    if h.extra:
        options.append("extra")
    if h.feeling:
        options.append("feeling")
    if h.place:
        options += ["place", "drop place"]
    if h.count > 1 and not h.quantifier:
        options.append("number")
    options = [option for option in options if option not in (keep or set())]
    if not options:
        return False
    choice = rng.choice(options)
    if choice == "subject":
        h.subject = vocab.nouns[h.subject].general or h.subject
    elif choice == "object" and h.obj:
        h.obj = vocab.nouns[h.obj].general
    elif choice == "adjective":
        h.adjective = None
    elif choice == "extra":
        h.extra = None
    elif choice == "feeling":
        h.feeling = None
    elif choice == "place" and h.place and not h.place_phrase:
        h.place_phrase = vocab.places[h.place][0]
    elif choice == "drop place":
        h.place = None
    else:
        h.quantifier = "some"
    return True


def _hypothesis(rng: random.Random, vocab: Vocabulary, p: Frame, label: int) -> Frame | None:
    h = Frame(**vars(p))
    if label == ENTAILMENT:
        if rng.random() < 0.25:
            # Denying an incompatible activity follows from the premise.
            h.activity, h.negated, h.obj = vocab.activities[p.activity].opposite, True, None
            h.place = h.place if rng.random() < 0.5 else None
        elif not _generalise(rng, vocab, h):
            return None
        if rng.random() < 0.5:
            _generalise(rng, vocab, h)
        return h
    if label == CONTRADICTION:
        options = ["opposite"]
        if p.count > 1 and not p.quantifier:
            options.append("number")
        if vocab.nouns[p.subject].clash and p.count == 1:
            options.append("clash")
        if p.place:
            options.append("place")
        # "not" is as frequent here as in entailments (denied opposites).
        choice = "negate" if rng.random() < 0.3 else rng.choice(options)
        if choice == "opposite":
            h.activity, h.obj = vocab.activities[p.activity].opposite, None
        elif choice == "negate":
            h.negated = True
        elif choice == "number":
            h.count = rng.choice([n for n in range(2, 6) if n != p.count])
        elif choice == "clash":
            h.subject = vocab.nouns[p.subject].clash or h.subject
        elif p.place:
            clash = vocab.places[p.place][1]
            others = [k for k, (general, _) in vocab.places.items() if general == clash]
            h.place_phrase = rng.choice(others) if others and rng.random() < 0.6 else clash
        if rng.random() < 0.4 and choice not in ("number", "negate"):
            # A contradiction survives generalising another part.
            _generalise(rng, vocab, h, keep={"place", "drop place"} if choice == "place" else set())
            if choice == "clash" and h.subject != vocab.nouns[p.subject].clash:
                return None
        return h
    # NEUTRAL
    options = [
        kind for kind, present in (("detail", p.extra), ("feeling", p.feeling)) if not present
    ]
    if _specifics(vocab, p.subject):
        options += ["specialise subject", "specialise subject"]
    if p.obj and _specifics(vocab, p.obj):
        options.append("specialise object")
    if not p.place:
        options.append("place")
    if not options:
        return None
    choice = rng.choice(options)
    if choice == "detail":
        h.extra = rng.choice(vocab.details)
    elif choice == "feeling":
        h.feeling = rng.choice(vocab.feelings)
    elif choice == "specialise subject":
        h.subject = rng.choice(_specifics(vocab, p.subject))
    elif choice == "specialise object" and p.obj:
        h.obj = rng.choice(_specifics(vocab, p.obj))
    elif choice == "place":
        h.place = rng.choice(list(vocab.places))
        if rng.random() < 0.4:
            h.place_phrase = vocab.places[h.place][0]  # "outdoors" can be neutral too
    else:
        return None
    if rng.random() < 0.4:
        # Generalising another part keeps the pair neutral, and hides the cue.
        before = (h.subject, h.obj)
        _generalise(rng, vocab, h, keep={"place", "drop place"} if choice == "place" else set())
        if choice.startswith("specialise") and (h.subject, h.obj) != before:
            return None  # that undid the specialisation
    return h


def build(task: str, n_train: int, n_validation: int) -> DatasetDict:
    """Seeded, label-balanced NLI pairs for ``snli`` or ``multi_nli``.

    Args:
        task: ``"snli"`` (scenes) or ``"multi_nli"`` (scenes and workplace news).
        n_train: training pairs (2% of them unlabelled, -1).
        n_validation: validation pairs (all labelled).

    Returns:
        ``train`` and ``validation`` with ``premise``, ``hypothesis``, ``label``.
    """
    rng = random.Random(2201 if task == "snli" else 2202)
    vocabularies = [SCENES] if task == "snli" else [SCENES, WORKPLACE, WORKPLACE]
    seen: set[tuple[str, str]] = set()
    splits = {}
    for split, size in (("train", n_train), ("validation", n_validation)):
        rows: dict[str, list] = {"premise": [], "hypothesis": [], "label": []}
        unlabelled = size // 50 if split == "train" else 0
        quota = [(size - unlabelled) // 3 + (k < (size - unlabelled) % 3) for k in range(3)]
        while len(rows["label"]) < size:
            vocab = rng.choice(vocabularies)
            premise = _premise(rng, vocab)
            label = min(range(3), key=lambda k: (-quota[k], rng.random()))
            hyp = _hypothesis(rng, vocab, premise, label)
            if hyp is None:
                continue
            pair = (_render(premise, vocab), _render(hyp, vocab))
            if pair[0] == pair[1] or pair in seen:
                continue
            seen.add(pair)
            if quota[label] > 0:
                quota[label] -= 1
            elif unlabelled > 0:
                unlabelled -= 1
                label = UNLABELLED  # kept, label withheld (as SNLI's "-" pairs)
            else:
                continue
            rows["premise"].append(pair[0])
            rows["hypothesis"].append(pair[1])
            rows["label"].append(label)
        order = list(range(size))
        rng.shuffle(order)
        splits[split] = Dataset.from_dict(
            {key: [values[i] for i in order] for key, values in rows.items()},
            features=TASKS[task].features,
        )
    return DatasetDict(splits)
