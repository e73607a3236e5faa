"""Generated reading-comprehension paragraphs in the SQuAD v1.1 format.

Each paragraph describes two or three made-up towns, companies or scientists with
facts of the same kinds (a year, a person, a place, a product ...), so every answer
has distractors of its own type in the same context. Questions paraphrase the
sentence that holds the answer ("Who established ...?" for "... was founded by ..."),
and later sentences refer back with "it" / "she" / "the company", so the answer
cannot be found by matching the question's words alone. Every answer is a span:
``context[answer_start : answer_start + len(text)] == text``.
"""

from __future__ import annotations

import hashlib
import random

from datasets import Dataset, DatasetDict

from bertcourse.data.schema import TASKS

SYLLABLES = [
    "var",
    "den",
    "mor",
    "ka",
    "lis",
    "tor",
    "bren",
    "ost",
    "ael",
    "quin",
    "dra",
    "vel",
    "sun",
    "hal",
    "rim",
    "oth",
    "cal",
    "ber",
    "ny",
    "fen",
    "gar",
    "lo",
]
FIRST = [
    "Anika",
    "Tomas",
    "Helena",
    "Osric",
    "Mira",
    "Jalen",
    "Sabine",
    "Eamon",
    "Ludmila",
    "Kenji",
    "Thea",
    "Rasmus",
    "Imani",
    "Viktor",
    "Selma",
    "Arjun",
    "Noor",
    "Hugo",
]
LAST = [
    "Brest",
    "Reyel",
    "Castor",
    "Lindgren",
    "Okoro",
    "Vance",
    "Morrow",
    "Tanaka",
    "Sauer",
    "Ibarra",
    "Fitch",
    "Kaur",
    "Duval",
    "Petrov",
    "Haldane",
    "Moss",
]
INDUSTRIES = [
    "copper",
    "timber",
    "wool",
    "glass",
    "salt",
    "cheese",
    "silk",
    "paper",
    "wine",
    "ceramics",
]
PRODUCTS = [
    "electric bicycles",
    "hearing aids",
    "solar roof tiles",
    "water filters",
    "children's books",
    "garden tools",
    "weather balloons",
    "ship engines",
]
FIELDS = ["chemistry", "astronomy", "botany", "geology", "mathematics", "medicine"]
DISCOVERIES = [
    "a new species of moss",
    "a comet",
    "a copper alloy",
    "a blood protein",
    "a theorem on prime numbers",
    "an ancient riverbed",
    "a rare mineral",
]
RIVERS = ["Osk", "Lenne", "Tarra", "Vishka", "Burren", "Aldmere"]


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if word not in used:
            used.add(word)
            return word


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            return name


def _distinct(rng: random.Random, pool: list[str], used: set[str]) -> str:
    choice = rng.choice([item for item in pool if item not in used])
    used.add(choice)
    return choice


def _year(rng: random.Random, used: set[str], low: int, high: int) -> str:
    while True:
        year = str(rng.randint(low, high))
        if year not in used:
            used.add(year)
            return year


# Each fact: (sentence templates, question templates). {e} is the entity (or a pronoun
# in later sentences), {a} the answer; {E} the entity's name in questions.
TOWN_FACTS = {
    "founded": (
        ["{e} was founded in {a}.", "The settlement of {e} dates from {a}."],
        ["In what year was {E} founded?", "When was {E} established?"],
    ),
    "founder": (
        ["{e} was established by {a}.", "{a} founded {e}."],
        ["Who founded {E}?", "Which person established {E}?"],
    ),
    "river": (
        ["{e} lies on the River {a}.", "The River {a} runs through {e}."],
        ["On which river is {E} located?", "What river flows through {E}?"],
    ),
    "industry": (
        ["{e} is known for its {a}.", "The main trade of {e} is {a}."],
        ["What is {E} known for?", "What is the chief trade of {E}?"],
    ),
}
COMPANY_FACTS = {
    "founded": (
        ["{e} was set up in {a}.", "{e} started trading in {a}."],
        ["When was {E} founded?", "In which year did {E} begin?"],
    ),
    "founder": (
        ["{e} was started by {a}.", "{a} launched {e}."],
        ["Who started {E}?", "Who is the founder of {E}?"],
    ),
    "product": (
        ["{e} makes {a}.", "{e} is best known for its {a}."],
        ["What does {E} produce?", "What products is {E} known for?"],
    ),
    "hq": (
        ["{e} has its headquarters in {a}.", "{e} is based in {a}."],
        ["Where is {E} based?", "In which town are the headquarters of {E}?"],
    ),
}
SCIENTIST_FACTS = {
    "born": (
        ["{e} was born in {a}.", "{e} came into the world in {a}."],
        ["When was {E} born?", "In what year was {E} born?"],
    ),
    "field": (
        ["{e} studied {a}.", "{e} worked mainly in {a}."],
        ["What field did {E} work in?", "Which subject did {E} study?"],
    ),
    "discovery": (
        ["{e} discovered {a}.", "{e} is credited with finding {a}."],
        ["What did {E} discover?", "What is {E} credited with finding?"],
    ),
    "town": (
        ["{e} grew up in {a}.", "{e} spent a childhood in {a}."],
        ["Where did {E} grow up?", "In which town did {E} spend a childhood?"],
    ),
}


def _paragraph(rng: random.Random) -> tuple[str, str, list[tuple[str, str, str]]]:
    """(title, context, [(question, answer, answer_start)]) for one paragraph."""
    kind = rng.choice(["town", "company", "scientist"])
    used: set[str] = set()
    facts_table = {"town": TOWN_FACTS, "company": COMPANY_FACTS, "scientist": SCIENTIST_FACTS}[kind]
    entities = []
    for _ in range(rng.choice([2, 2, 3])):
        if kind == "town":
            name = _name(rng, used)
            values = {
                "founded": _year(rng, used, 1100, 1890),
                "founder": _person(rng, used),
                "river": _distinct(rng, RIVERS, used),
                "industry": _distinct(rng, INDUSTRIES, used),
            }
            pronoun = "It"
        elif kind == "company":
            name = f"{_name(rng, used)} {rng.choice(['Works', 'Limited', 'and Sons', 'Labs'])}"
            values = {
                "founded": _year(rng, used, 1850, 2015),
                "founder": _person(rng, used),
                "product": _distinct(rng, PRODUCTS, used),
                "hq": _name(rng, used),
            }
            pronoun = "The company"
        else:
            name = _person(rng, used)
            values = {
                "born": _year(rng, used, 1700, 1980),
                "field": _distinct(rng, FIELDS, used),
                "discovery": _distinct(rng, DISCOVERIES, used),
                "town": _name(rng, used),
            }
            pronoun = rng.choice(["She", "He"])
        entities.append((name, values, pronoun))

    sentences: list[tuple[str, str, str, str]] = []  # (sentence, entity, fact, answer)
    for name, values, pronoun in entities:
        keys = list(values)
        rng.shuffle(keys)
        for i, key in enumerate(keys[: rng.randint(2, 4)]):
            template = rng.choice(facts_table[key][0])
            # Later sentences about the same entity refer back to it.
            subject = name if i == 0 or rng.random() < 0.4 else pronoun
            if not template.startswith("{e}"):
                subject = name  # a pronoun reads badly in the middle of a sentence
            text = template.format(e=subject, a=values[key])
            sentences.append((text[0].upper() + text[1:], name, key, values[key]))
    context = ""
    qas = []
    for text, name, key, answer in sentences:
        start = len(context) + (1 if context else 0) + text.index(answer)
        context = f"{context} {text}" if context else text
        question = rng.choice(facts_table[key][1]).format(E=name)
        qas.append((question, answer, start))
    title = entities[0][0].replace(" ", "_")
    return title, context, qas


def build(task: str, n_train: int, n_validation: int) -> DatasetDict:
    """Seeded SQuAD-style questions (validation paragraphs are separate from training ones).

    Args:
        task: ``"squad"``.
        n_train: training questions.
        n_validation: validation questions.

    Returns:
        ``train`` and ``validation`` with ``id``, ``title``, ``context``, ``question``,
        ``answers``.
    """
    rng = random.Random(4401)
    splits = {}
    for split, size in (("train", n_train), ("validation", n_validation)):
        rows: dict[str, list] = {k: [] for k in ("id", "title", "context", "question", "answers")}
        while len(rows["id"]) < size:
            title, context, qas = _paragraph(rng)
            for question, answer, start in qas:
                if len(rows["id"]) == size:
                    break
                digest = hashlib.sha1(f"{split}|{context}|{question}".encode()).hexdigest()
                rows["id"].append(digest[:24])
                rows["title"].append(title)
                rows["context"].append(context)
                rows["question"].append(question)
                rows["answers"].append({"text": [answer], "answer_start": [start]})
        splits[split] = Dataset.from_dict(rows, features=TASKS[task].features)
    return DatasetDict(splits)
