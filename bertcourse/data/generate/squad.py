"""Generated reading-comprehension paragraphs in the SQuAD v1.1 format.

Each paragraph describes three or four made-up towns, companies or scientists of one
kind, and every entity has several relations with the same answer type: a town has a
founding year, a charter year, the year its bridge opened and the year of a great fire,
and a founder, a mayor and the architect of its town hall; a company has a founder, a
chief executive and a chief engineer, and a founding, a first-factory and a listing
year; a scientist was born, took a doctorate, won a medal and died in four different
years. A paragraph states two or three facts of each entity, at least two of them of
one answer type, so knowing the answer type and the entity is not enough: a model has
to find the sentence that states the relation asked about. What else makes it hard:

* many paraphrases per relation, in the context and in the questions, with lexical gaps
  ("Who established X?" for "... set up X", "When did X go public?" for "X was listed on
  the stock exchange in ..."), passive and active forms and fronted clauses ("In 1802,
  ...", "Born in 1802, she ...");
* sentences that state two facts of one entity ("X was founded by A in 1210.") or the
  same relation for two entities ("X was founded in 1210, while Y dates from 1315.");
* filler sentences with distractor values of the answer's type that answer no question,
  some close in wording to a real fact ("A second bridge for X was proposed in 1911 but
  never built.", "B turned down an offer to lead X."), some naming two entities;
* later sentences refer back with "it" / "she" / "the company".

An untrained MiniLM scores exact match 0; fine-tuned (batch 16, warm-up) it reaches
about 13 after 75 steps and about 98 after 450 (3 epochs of 2,400 questions), see
``benchmarks/generated_sets.py``.

Every value is used once per paragraph, so each question has exactly one correct span:
``context[answer_start : answer_start + len(text)] == text``.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

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
FIRST = [  # alternately women's and men's names (scientists are "she" / "he")
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
    "Greta",
    "Pavel",
    "Ines",
    "Bruno",
    "Farah",
    "Lukas",
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
    "Quist",
    "Abara",
    "Novak",
    "Pryce",
]
POOLS = {
    "river": [
        "Osk",
        "Lenne",
        "Tarra",
        "Vishka",
        "Burren",
        "Aldmere",
        "Sell",
        "Wendle",
        "Kessa",
        "Orrin",
        "Maddle",
        "Fane",
    ],
    "industry": [
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
        "leather",
        "clocks",
    ],
    "product": [
        "electric bicycles",
        "hearing aids",
        "solar roof tiles",
        "water filters",
        "children's books",
        "garden tools",
        "weather balloons",
        "ship engines",
        "sewing machines",
        "pocket radios",
        "climbing ropes",
        "kitchen scales",
    ],
    "field": [
        "chemistry",
        "astronomy",
        "botany",
        "geology",
        "mathematics",
        "medicine",
        "zoology",
        "optics",
        "metallurgy",
        "genetics",
    ],
    "discovery": [
        "a new species of moss",
        "a comet",
        "a copper alloy",
        "a blood protein",
        "a theorem on prime numbers",
        "an ancient riverbed",
        "a rare mineral",
        "a cure for sleeping sickness",
        "a moon of Saturn",
        "a fossil fern",
        "a cheap dye",
    ],
}
COMPANY_SUFFIXES = ["Works", "Limited", "and Sons", "Labs", "Group"]


@dataclass(frozen=True)
class Relation:
    """One kind of fact: its answer type and how the context and the questions say it.

    ``sentences`` use ``{e}`` (the entity, or a pronoun after a sentence about it) and
    ``{a}`` (the answer); ``questions`` use ``{E}`` (its name); ``fillers`` use ``{e}``
    and ``{d}``, a value of the same type that answers no
    question. ``years`` is the range of a year relative to the entity's first year (0, 0:
    it is that year), ``filler_years`` the range of a filler's year (default ``years``).
    """

    type: str
    sentences: tuple[str, ...]
    questions: tuple[str, ...]
    fillers: tuple[str, ...] = ()
    years: tuple[int, int] = (0, 0)
    filler_years: tuple[int, int] | None = None  # for ``{d}``; default ``years``


@dataclass(frozen=True)
class Kind:
    """A kind of entity: its relations, how it is named and referred back to, and the
    sentences that combine two of its facts (``combos``, slots named by relation) or
    name two entities and a distractor ``{d}`` of type ``links[i][1]``."""

    relations: dict[str, Relation]
    entity_type: str  # the answer type its names share ("" if none)
    pronouns: tuple[str, ...]  # subject pronouns
    first_year: tuple[int, int]
    combos: tuple[str, ...]
    links: tuple[tuple[str, str], ...]


TOWN = Kind(
    relations={
        "founded": Relation(
            "year",
            (
                "{e} was founded in {a}.",
                "{e} dates from {a}.",
                "In {a}, settlers founded {e}.",
                "The first houses of {e} were built in {a}.",
                "{e} has existed since {a}.",
                "{e} was first settled in {a}.",
            ),
            (
                "In what year was {E} founded?",
                "When was {E} established?",
                "When did people first settle in {E}?",
                "What year does {E} date from?",
                "Since when has {E} existed?",
                "When were the first houses of {E} built?",
            ),
            (
                "{e} celebrated its anniversary with a great fair in {d}.",
                "Plans for a canal to {e} were drawn up in {d} but dropped.",
            ),
            filler_years=(100, 400),
        ),
        "charter": Relation(
            "year",
            (
                "{e} received its town charter in {a}.",
                "In {a}, {e} was granted town rights.",
                "The king granted {e} a charter in {a}.",
                "{e} became a chartered town in {a}.",
            ),
            (
                "When did {E} receive its charter?",
                "In which year was {E} granted town rights?",
                "When did {E} become a chartered town?",
                "What year did the king give {E} a charter?",
            ),
            ("{e} asked the king for a charter in {d} but was refused.",),
            (15, 200),
            (5, 14),
        ),
        "bridge": Relation(
            "year",
            (
                "The stone bridge of {e} opened in {a}.",
                "In {a}, a bridge was opened in {e}.",
                "{e} got its first bridge in {a}.",
                "A bridge across the river at {e} was completed in {a}.",
            ),
            (
                "When did the bridge in {E} open?",
                "In what year was the first bridge of {E} completed?",
                "When was the bridge at {E} opened?",
                "What year did {E} get a bridge?",
            ),
            (
                "A second bridge for {e} was proposed in {d} but never built.",
                "The bridge of {e} was repainted in {d}.",
            ),
            (120, 330),
            (335, 380),
        ),
        "fire": Relation(
            "year",
            (
                "A great fire destroyed much of {e} in {a}.",
                "In {a}, a fire burned down half of {e}.",
                "{e} was badly damaged by fire in {a}.",
                "Much of {e} burned in the great fire of {a}.",
            ),
            (
                "When did the great fire of {E} happen?",
                "In which year did fire destroy much of {E}?",
                "When was {E} damaged by a fire?",
                "What year did {E} burn?",
            ),
            ("{e} bought its first fire engine in {d}.",),
            (40, 300),
        ),
        "founder": Relation(
            "person",
            (
                "{e} was founded by {a}.",
                "{a} set up {e}.",
                "The founder of {e} was {a}.",
                "{a} established {e}.",
                "{e} owes its existence to {a}.",
            ),
            (
                "Who founded {E}?",
                "Who established {E}?",
                "Which person set up {E}?",
                "Who was the founder of {E}?",
                "Who first settled {E}?",
            ),
            ("A statue of {d} stands in the square of {e}.",),
        ),
        "mayor": Relation(
            "person",
            (
                "{a} is the mayor of {e}.",
                "{e} is governed by mayor {a}.",
                "The current mayor of {e} is {a}.",
                "{a} was elected mayor of {e}.",
                "{e} elected {a} as its mayor.",
            ),
            (
                "Who is the mayor of {E}?",
                "Who governs {E}?",
                "Who was elected mayor of {E}?",
                "Who leads the town council of {E}?",
            ),
            ("{d} lost the election for mayor of {e} by a few votes.",),
        ),
        "architect": Relation(
            "person",
            (
                "The town hall of {e} was designed by {a}.",
                "{a} designed the town hall of {e}.",
                "The town hall of {e} is the work of the architect {a}.",
                "The architect {a} drew the plans for the town hall in {e}.",
            ),
            (
                "Who designed the town hall of {E}?",
                "Who was the architect of the town hall in {E}?",
                "Whose plans were used for the town hall of {E}?",
                "Which architect built the town hall of {E}?",
            ),
            ("{d} painted the ceiling of the town hall in {e}.",),
        ),
        "river": Relation(
            "river",
            (
                "{e} lies on the River {a}.",
                "The River {a} runs through {e}.",
                "{e} was built on the banks of the River {a}.",
                "{e} stands where the River {a} bends.",
            ),
            (
                "On which river is {E} located?",
                "What river flows through {E}?",
                "Which river does {E} stand on?",
                "On the banks of which river was {E} built?",
            ),
            ("A canal links {e} to the River {d}.",),
        ),
        "twin": Relation(
            "place",
            (
                "{e} is twinned with {a}.",
                "{e} and the town of {a} are twin towns.",
                "{e} has a twin town, {a}.",
            ),
            (
                "Which town is {E} twinned with?",
                "What is the twin town of {E}?",
                "With which town does {E} have a partnership?",
            ),
            ("{e} holds a yearly football match against {d}.",),
        ),
        "industry": Relation(
            "industry",
            (
                "{e} is known for its {a}.",
                "The main trade of {e} is {a}.",
                "Most people in {e} make a living from {a}.",
                "{e} grew rich on {a}.",
            ),
            (
                "What is {E} known for?",
                "What is the chief trade of {E}?",
                "How do most people in {E} earn a living?",
                "What made {E} wealthy?",
            ),
            ("An attempt to bring the {d} trade to {e} failed.",),
        ),
    },
    entity_type="place",
    pronouns=("it",),
    first_year=(1150, 1620),
    combos=(
        "{e} was founded by {founder} in {founded}.",
        "In {founded}, {founder} founded {e}.",
        "{e} was founded in {founded} on the banks of the River {river}.",
        "The town hall of {e}, designed by {architect}, was rebuilt after the great fire "
        "of {fire}.",
        "{mayor}, the mayor of {e}, reopened the bridge, which first opened in {bridge}.",
    ),
    links=(
        ("Trade between {e1} and {e2} grew quickly after {d}.", "year"),
        ("A road linking {e1} and {e2} was paved in {d}.", "year"),
        ("{d} drew the first map showing both {e1} and {e2}.", "person"),
    ),
)

COMPANY = Kind(
    relations={
        "founded": Relation(
            "year",
            (
                "{e} was set up in {a}.",
                "{e} started trading in {a}.",
                "{e} was founded in {a}.",
                "In {a}, {e} opened for business.",
                "{e} has been in business since {a}.",
            ),
            (
                "When was {E} founded?",
                "In which year did {E} begin trading?",
                "When was {E} set up?",
                "Since what year has {E} been in business?",
                "What year was {E} established?",
            ),
            (
                "{e} nearly went bankrupt in {d}.",
                "{e} moved to larger offices in {d}.",
            ),
            filler_years=(2, 35),
        ),
        "listed": Relation(
            "year",
            (
                "{e} was listed on the stock exchange in {a}.",
                "In {a}, {e} sold its first shares to the public.",
                "Shares of {e} have traded publicly since {a}.",
                "{e} went public in {a}.",
            ),
            (
                "When was {E} listed on the stock exchange?",
                "In what year did {E} go public?",
                "When did {E} first sell shares to the public?",
                "Since when have shares in {E} been traded publicly?",
            ),
            ("{e} first planned to sell shares in {d} but waited.",),
            (6, 30),
            (3, 5),
        ),
        "factory": Relation(
            "year",
            (
                "{e} opened its first factory in {a}.",
                "The first factory of {e} opened in {a}.",
                "In {a}, {e} began production in its first factory.",
                "{e} built its first plant in {a}.",
            ),
            (
                "When did {E} open its first factory?",
                "In what year did {E} start production in a factory?",
                "When did {E} build its first plant?",
            ),
            ("{e} closed its oldest factory in {d}.",),
            (1, 5),
            (20, 38),
        ),
        "founder": Relation(
            "person",
            (
                "{e} was started by {a}.",
                "{a} launched {e}.",
                "{e} was founded by {a}.",
                "{a} set up {e} with a small loan.",
            ),
            (
                "Who started {E}?",
                "Who is the founder of {E}?",
                "Who set up {E}?",
                "Who established {E}?",
                "Which person launched {E}?",
            ),
            ("{d} lent money to {e} in its first year.",),
        ),
        "ceo": Relation(
            "person",
            (
                "{a} is the chief executive of {e}.",
                "{e} is run by {a}.",
                "{e} is led by its chief executive, {a}.",
                "{a} took over as head of {e}.",
                "{e} appointed {a} as chief executive.",
            ),
            (
                "Who is the chief executive of {E}?",
                "Who runs {E}?",
                "Who is the head of {E}?",
                "Whom did {E} appoint as chief executive?",
            ),
            (
                "{d} turned down an offer to lead {e}.",
                "{d} sits on the board of {e}.",
            ),
        ),
        "engineer": Relation(
            "person",
            (
                "{a} is the chief engineer at {e}.",
                "The products of {e} are designed by {a}.",
                "{e} hired {a} as its chief engineer.",
                "{a} is in charge of design at {e}.",
            ),
            (
                "Who is the chief engineer of {E}?",
                "Who designs the products of {E}?",
                "Whom did {E} hire as chief engineer?",
                "Who is responsible for design at {E}?",
            ),
        ),
        "hq": Relation(
            "place",
            (
                "{e} has its headquarters in {a}.",
                "{e} is based in {a}.",
                "The head office of {e} is in {a}.",
            ),
            (
                "Where is {E} based?",
                "In which town are the headquarters of {E}?",
                "Where is the head office of {E}?",
                "Where does {E} have its main office?",
            ),
            (
                "{e} once considered moving to {d}.",
                "{e} sells its goods as far away as {d}.",
            ),
        ),
        "plant": Relation(
            "place",
            (
                "{e} makes most of its goods at a plant in {a}.",
                "The main factory of {e} is in {a}.",
                "{e} runs a large factory in {a}.",
            ),
            (
                "Where is the main factory of {E}?",
                "In which town does {E} make most of its goods?",
                "Where does {E} run a large factory?",
            ),
        ),
        "product": Relation(
            "product",
            (
                "{e} makes {a}.",
                "{e} is best known for its {a}.",
                "{e} produces {a}.",
            ),
            (
                "What does {E} produce?",
                "What products is {E} known for?",
                "What does {E} make?",
                "What does {E} sell?",
            ),
            ("{e} stopped making {d} long ago.",),
        ),
    },
    entity_type="",
    pronouns=("the company",),
    first_year=(1850, 1985),
    combos=(
        "{founder} set up {e} in {founded}.",
        "{e}, founded by {founder} in {founded}, is now run by {ceo}.",
        "{e} makes {product} at its main factory in {plant}.",
        "{e} went public in {listed} and is based in {hq}.",
    ),
    links=(
        ("{e1} bought a small stake in {e2} in {d}.", "year"),
        ("{e1} and {e2} went to court over a patent in {d}.", "year"),
        ("{d} worked for both {e1} and {e2}.", "person"),
    ),
)

SCIENTIST = Kind(
    relations={
        "born": Relation(
            "year",
            (
                "{e} was born in {a}.",
                "{e} came into the world in {a}.",
                "The year {a} saw the birth of {e}.",
            ),
            (
                "When was {E} born?",
                "In what year was {E} born?",
                "What is the birth year of {E}?",
                "In which year did {E} come into the world?",
            ),
        ),
        "doctorate": Relation(
            "year",
            (
                "{e} earned a doctorate in {a}.",
                "{e} completed a doctorate in {a}.",
                "In {a}, {e} received a doctorate.",
            ),
            (
                "When did {E} earn a doctorate?",
                "In which year did {E} finish a doctorate?",
                "When did {E} get a doctoral degree?",
            ),
            ("{e} gave up a first attempt at a doctorate in {d}.",),
            (23, 31),
            (19, 22),
        ),
        "prize": Relation(
            "year",
            (
                "{e} won the academy's gold medal in {a}.",
                "In {a}, {e} was awarded a gold medal.",
                "{e} was honoured with the academy's medal in {a}.",
            ),
            (
                "When did {E} win a gold medal?",
                "In what year was {E} awarded the medal?",
                "When was {E} honoured by the academy?",
            ),
            ("{e} was nominated for the academy's medal in {d} but did not win.",),
            (32, 55),
        ),
        "died": Relation(
            "year",
            (
                "{e} died in {a}.",
                "{e} passed away in {a}.",
                "In {a}, {e} died.",
            ),
            (
                "When did {E} die?",
                "In what year did {E} pass away?",
                "What year did {E} die?",
            ),
            ("{e} retired in {d}.",),
            (60, 92),
            (55, 59),
        ),
        "teacher": Relation(
            "person",
            (
                "{e} studied under {a}.",
                "{e} was a student of {a}.",
                "{a} taught {e}.",
                "{a} supervised the doctorate of {e}.",
            ),
            (
                "Who taught {E}?",
                "Under whom did {E} study?",
                "Who was the teacher of {E}?",
                "Whose student was {E}?",
            ),
        ),
        "partner": Relation(
            "person",
            (
                "{e} worked closely with {a}.",
                "{e} and {a} published many papers together.",
                "{a} was the closest collaborator of {e}.",
                "{e} shared a laboratory with {a}.",
            ),
            (
                "Who did {E} work with?",
                "Who was the closest collaborator of {E}?",
                "With whom did {E} publish many papers?",
                "Who shared a laboratory with {E}?",
            ),
            (
                "{e} quarrelled with {d} for years.",
                "{e} once met {d} at a dinner.",
            ),
        ),
        "hometown": Relation(
            "place",
            (
                "{e} grew up in {a}.",
                "{e} was raised in {a}.",
                "{e} spent a childhood in {a}.",
                "{e} comes from the town of {a}.",
            ),
            (
                "Where did {E} grow up?",
                "In which town was {E} raised?",
                "Where did {E} spend a childhood?",
                "What is the home town of {E}?",
            ),
        ),
        "university": Relation(
            "place",
            (
                "{e} taught at the university in {a}.",
                "{e} held a chair at the university of {a}.",
                "The university of {a} employed {e} as a professor.",
                "{e} became a professor in {a}.",
            ),
            (
                "Where did {E} teach?",
                "At the university of which town did {E} hold a chair?",
                "Where was {E} a professor?",
                "Which town's university employed {E}?",
            ),
            (
                "{e} turned down a post in {d}.",
                "{e} gave a famous lecture in {d}.",
            ),
        ),
        "field": Relation(
            "field",
            (
                "{e} worked mainly in {a}.",
                "{e} was an expert in {a}.",
                "{e} made a name in {a}.",
                "{e} devoted a whole career to {a}.",
            ),
            (
                "What field did {E} work in?",
                "Which subject did {E} specialise in?",
                "What was {E} an expert in?",
                "In what field did {E} make a name?",
            ),
            ("{e} also dabbled in {d} but published nothing on it.",),
        ),
        "discovery": Relation(
            "discovery",
            (
                "{e} discovered {a}.",
                "{e} is credited with finding {a}.",
                "{a} was first described by {e}.",
                "{e} is remembered for discovering {a}.",
            ),
            (
                "What did {E} discover?",
                "What is {E} credited with finding?",
                "What did {E} first describe?",
                "What discovery is {E} remembered for?",
            ),
            ("{e} searched for {d} for years without success.",),
        ),
    },
    entity_type="person",
    pronouns=("she", "he"),  # by FIRST's position
    first_year=(1750, 1930),
    combos=(
        "Born in {born}, {e} grew up in {hometown}.",
        "{e} studied under {teacher} and earned a doctorate in {doctorate}.",
        "{e} discovered {discovery} while teaching at the university in {university}.",
        "{e} was born in {born} and died in {died}.",
    ),
    links=(
        ("{e1} and {e2} first met in {d}.", "year"),
        ("{e1} and {e2} met at a conference in {d}.", "place"),
    ),
)

KINDS = {"town": TOWN, "company": COMPANY, "scientist": SCIENTIST}

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass
class _Entity:
    name: str
    pronoun: str
    first_year: int
    values: dict[str, str]


@dataclass
class _Unit:
    """A sentence to write: its template, the entity behind each slot, and the facts
    (entity index, relation) it states."""

    template: str
    entities: dict[str, int]  # slot ("e", "e1", ...) -> entity index
    values: dict[str, str]  # answer / distractor slot -> text
    facts: dict[str, tuple[int, str]]  # answer slot -> (entity index, relation)
    crowded: bool = False  # names something that a later pronoun could be mistaken for


def _fresh(candidate: str, used: set[str]) -> bool:
    """Not used, and neither contains nor is contained in a used value (one span each)."""
    return not any(candidate in u or u in candidate for u in used)


def _value(
    rng: random.Random, kind: str, used: set[str], year_range: tuple[int, int] = (0, 0)
) -> str:
    """A new value of answer type ``kind`` (a year within ``year_range``)."""
    for attempt in range(1000):
        if kind == "year":  # a narrow range that is used up widens a little
            value = str(rng.randint(year_range[0], year_range[1] + attempt // 10))
        elif kind == "person":
            value = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        elif kind == "place":
            value = "".join(rng.sample(SYLLABLES, rng.randint(2, 3))).capitalize()
        else:
            value = rng.choice(POOLS[kind])
        if _fresh(value, used):
            used.add(value)
            return value
    raise RuntimeError(f"no fresh {kind} value left")


def _year_range(entity: _Entity, relation: Relation, filler: bool = False) -> tuple[int, int]:
    low, high = (relation.filler_years or relation.years) if filler else relation.years
    return entity.first_year + low, entity.first_year + high


def _entity(rng: random.Random, kind: Kind, used: set[str]) -> _Entity:
    if kind is COMPANY:
        name = f"{_value(rng, 'place', used)} {rng.choice(COMPANY_SUFFIXES)}"
    else:
        name = _value(rng, kind.entity_type, used)
    first_year = int(_value(rng, "year", used, kind.first_year))
    pronoun = kind.pronouns[FIRST.index(name.split()[0]) % 2 if kind is SCIENTIST else 0]
    entity = _Entity(name, pronoun, first_year, {})
    for key, relation in kind.relations.items():
        if relation.type == "year" and relation.years == (0, 0):
            entity.values[key] = str(first_year)
        else:
            entity.values[key] = _value(rng, relation.type, used, _year_range(entity, relation))
    return entity


def _choose_facts(rng: random.Random, kind: Kind, n: int) -> list[str]:
    """``n`` relations to state, two of them of the same answer type."""
    by_type: dict[str, list[str]] = {}
    for key, relation in kind.relations.items():
        by_type.setdefault(relation.type, []).append(key)
    shared = rng.choice([keys for keys in by_type.values() if len(keys) > 1])
    chosen = rng.sample(shared, 2)
    rest = [key for key in kind.relations if key not in chosen]
    chosen += rng.sample(rest, n - 2)
    rng.shuffle(chosen)
    return chosen


def _units(rng: random.Random, kind: Kind, entities: list[_Entity], used: set[str]) -> list[_Unit]:
    """The paragraph's sentences, in order."""
    n = len(entities)
    per_entity = {3: (2, 3), 4: (2, 2)}[n]
    chosen = [_choose_facts(rng, kind, rng.randint(*per_entity)) for _ in entities]
    blocks: list[list[_Unit]] = [[] for _ in entities]
    between: list[list[_Unit]] = [[] for _ in entities]  # after block i

    def crowded(relation_types: list[str]) -> bool:
        return kind.entity_type in relation_types

    # The same relation for two entities in one sentence.
    if rng.random() < 0.6:
        options = [
            (key, i, j)
            for key in kind.relations
            for i in range(n)
            for j in range(i + 1, n)
            if key in chosen[i] and key in chosen[j]
        ]
        if options:
            key, i, j = rng.choice(options)
            if rng.random() < 0.5:
                i, j = j, i
            chosen[i].remove(key)
            chosen[j].remove(key)
            relation = kind.relations[key]
            first, second = rng.sample(relation.sentences, 2)
            second = second if second.startswith("{") else second[0].lower() + second[1:]
            second = second.replace("{e}", "{e2}").replace("{a}", "{a2}")
            template = f"{first[:-1]}, {rng.choice(['while', 'and', 'whereas'])} {second}"
            values = {"a": entities[i].values[key], "a2": entities[j].values[key]}
            between[min(i, j)].append(
                _Unit(
                    template.replace("{e}", "{e1}"),
                    {"e1": i, "e2": j},
                    values,
                    {"a": (i, key), "a2": (j, key)},
                    True,
                )
            )

    for i, entity in enumerate(entities):
        # Two facts of one entity in one sentence.
        combos = [c for c in kind.combos if set(_SLOT.findall(c)) - {"e"} <= set(chosen[i])]
        if combos and rng.random() < 0.6:
            combo = rng.choice(combos)
            keys = [k for k in _SLOT.findall(combo) if k != "e"]
            for key in keys:
                chosen[i].remove(key)
            types = [kind.relations[k].type for k in keys]
            blocks[i].append(
                _Unit(
                    combo,
                    {"e": i},
                    {k: entity.values[k] for k in keys},
                    {k: (i, k) for k in keys},
                    crowded(types),
                )
            )
        for key in chosen[i]:
            relation = kind.relations[key]
            blocks[i].append(
                _Unit(
                    rng.choice(relation.sentences),
                    {"e": i},
                    {"a": entity.values[key]},
                    {"a": (i, key)},
                    crowded([relation.type]),
                )
            )
        rng.shuffle(blocks[i])

    # Distractors: a value of a relation's type in a sentence that answers nothing.
    with_fillers = [key for key, relation in kind.relations.items() if relation.fillers]
    for _ in range(rng.choice([1, 1, 2])):
        i = rng.randrange(n)
        relation = kind.relations[rng.choice(with_fillers)]
        d = _value(rng, relation.type, used, _year_range(entities[i], relation, filler=True))
        unit = _Unit(rng.choice(relation.fillers), {"e": i}, {"d": d}, {}, crowded([relation.type]))
        blocks[i].insert(rng.randint(0, len(blocks[i])), unit)
    if rng.random() < 0.4:
        template, d_type = rng.choice(kind.links)
        i, j = rng.sample(range(n), 2)
        low = min(e.first_year for e in entities)
        d = _value(rng, d_type, used, (low + 10, low + 120))
        between[rng.randrange(n)].append(_Unit(template, {"e1": i, "e2": j}, {"d": d}, {}, True))

    units: list[_Unit] = []
    for i in range(n):
        units += blocks[i] + between[i]
    return units


def _write(
    rng: random.Random, units: list[_Unit], entities: list[_Entity]
) -> tuple[str, list[tuple[int, str, str, int]]]:
    """(context, [(entity index, relation, answer, answer_start)])."""
    context = ""
    facts = []
    previous: int | None = None  # the entity the last sentence was only about
    for unit in units:
        start = len(context) + (1 if context else 0)
        # A pronoun only as the subject (at the start, or after a fronted clause) of a
        # sentence that follows one about the same entity alone.
        subject = re.match(r"(?:[^,]*, )?\{e\}", unit.template)
        pronoun = (
            subject is not None
            and set(unit.entities) == {"e"}
            and unit.entities["e"] == previous
            and rng.random() < 0.6
        )
        pieces: list[str] = []
        offsets: dict[str, int] = {}
        last = 0
        for match in _SLOT.finditer(unit.template):
            pieces.append(unit.template[last : match.start()])
            slot = match.group(1)
            if slot in unit.values:
                text = unit.values[slot]
            else:
                entity = entities[unit.entities[slot]]
                text = entity.name
                if pronoun and match.end() == subject.end():
                    text = entity.pronoun
                    if match.start() == 0:
                        text = text[0].upper() + text[1:]
            offsets[slot] = start + sum(len(p) for p in pieces)
            pieces.append(text)
            last = match.end()
        pieces.append(unit.template[last:])
        sentence = "".join(pieces)
        context = f"{context} {sentence}" if context else sentence
        for slot, (i, key) in unit.facts.items():
            facts.append((i, key, unit.values[slot], offsets[slot]))
        alone = set(unit.entities) == {"e"} and not unit.crowded
        previous = unit.entities["e"] if alone else None
    return context, facts


def _paragraph(rng: random.Random) -> tuple[str, str, list[tuple[str, str, int]]]:
    """(title, context, [(question, answer, answer_start)]) for one paragraph."""
    kind = KINDS[rng.choice(list(KINDS))]
    used: set[str] = set()
    entities = [_entity(rng, kind, used) for _ in range(rng.choice([3, 3, 4]))]
    context, facts = _write(rng, _units(rng, kind, entities, used), entities)
    # A few questions per paragraph, so that there are many different contexts.
    facts = sorted(rng.sample(facts, min(len(facts), 6)), key=lambda fact: fact[3])
    qas = []
    for i, key, answer, start in facts:
        question = rng.choice(kind.relations[key].questions).format(E=entities[i].name)
        qas.append((question, answer, start))
    title = entities[0].name.replace(" ", "_")
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
    seen: set[str] = set()
    for split, size in (("train", n_train), ("validation", n_validation)):
        rows: dict[str, list] = {k: [] for k in ("id", "title", "context", "question", "answers")}
        while len(rows["id"]) < size:
            title, context, qas = _paragraph(rng)
            if context in seen:
                continue
            seen.add(context)
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
