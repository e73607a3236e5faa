"""Generated named-entity sentences in the CoNLL-2003 style (news, sport, business).

Names come from pools written or coined for the course. What makes the set worth
training on:

* sentences come from a small phrase grammar (GRAMMAR), not from a list of templates:
  clauses from four domains combine with openings, reporting frames ("..., police
  said"), appositives ("X , chief executive of Y ,") and times, so an entity slot
  appears in thousands of different contexts, and lines that are not sentences
  (results, rankings, datelines, headlines in capitals) come as in CoNLL-2003;
* most names are coined words ("Velbarcor"), so the model cannot know them from
  pre-training: a bare "Velbarcor" is a company, a town or a person depending on the
  words around it;
* the same word as different types: a town is a LOC in "arrived in Calloway" but an
  ORG as a sports team in "Calloway beat Drenmouth 2-1" (as in CoNLL-2003), part of a
  MISC in "the Calloway Open", and some coined surnames are also towns;
* entities of several tokens ("Maren Okafor-Lind", "Dunmore Rail Holdings",
  "University of Calloway", "North Varenthia") and capitalised words that are not
  entities (weekdays, months, titles, sentence starts);
* a quarter of every name pool is held out of training: validation sentences use
  those names half of the time.

POS tags come from a small lexicon and suffix rules (names are NNP) and chunk tags
follow from them: simple but valid tags from the Hub's tag sets.
"""

from __future__ import annotations

import random

from datasets import Dataset, DatasetDict

from bertcourse.data.schema import TASKS

FIRST = [
    "Maren",
    "Tobias",
    "Ilse",
    "Kofi",
    "Anouk",
    "Ravi",
    "Greta",
    "Soren",
    "Leila",
    "Jonas",
    "Hunter",
    "Rose",
    "Mateo",
    "Yara",
    "Piet",
    "Odile",
    "Bram",
    "Nadia",
    "Emeka",
    "Linnea",
    "Grace",
    "Dov",
    "Suki",
    "Alvar",
    "Petra",
    "Casimir",
    "Ines",
    "Farid",
    "Wren",
    "Teodor",
]
LAST = [
    "Holloway",
    "Quell",
    "Okafor-Lind",
    "Brandt",
    "Castellan",
    "Mirov",
    "Ashby",
    "Drummond",
    "Vasquez",
    "Tennant",
    "Oyelaran",
    "Feld",
    "Harrow",
    "Lindqvist",
    "Moreau",
    "Calloway",
    "Petrakis",
    "Sandoval",
    "Whitcombe",
    "Nakashima",
    "Ferreira",
    "Kowal",
    "Abernathy",
    "Strand",
    "Delacroix",
    "Baker",
    "Underhill",
    "Osei",
    "Rainer",
    "Marsh",
]
CITY = [
    "Calloway",
    "Drenmouth",
    "Ostrava Vale",
    "Kelmar",
    "Brannock",
    "Tessaly",
    "Port Aubin",
    "Vellmore",
    "Harrow",
    "Ashby",
    "Quintara",
    "Lisk",
    "New Ardent",
    "Sorrel Bay",
    "Mirefield",
    "Talvik",
    "Orrin",
    "San Ceyla",
    "Marsh",
    "Holt Cross",
]
COUNTRY = [
    "Varenthia",
    "Kelmaria",
    "Ostland",
    "the Sevran Republic",
    "Lusatra",
    "Norvay",
    "Adurin",
    "Tesland",
    "Belcaro",
    "Quorra",
]
NATIONALITY = {
    "Varenthia": "Varenthian",
    "Kelmaria": "Kelmarian",
    "Ostland": "Ostlandic",
    "the Sevran Republic": "Sevran",
    "Lusatra": "Lusatran",
    "Norvay": "Norvegan",
    "Adurin": "Adurine",
    "Tesland": "Teslander",
    "Belcaro": "Belcaran",
    "Quorra": "Quorran",
}
REGION_PREFIX = ["North", "South", "East", "West", "Upper", "Lower"]
RIVER = ["Tamsel", "Orla", "Veyne", "Brisk", "Callen", "Ossa"]
ORG_STEM = [
    "Dunmore",
    "Vantage",
    "Helix",
    "Corvane",
    "Bluewater",
    "Sterling",
    "Arkwright",
    "Nordlight",
    "Pellman",
    "Trevane",
    "Halcyon",
    "Ironbridge",
    "Meridian",
    "Quarry Hill",
]
ORG_SUFFIX = [
    "Holdings",
    "Group",
    "Bank",
    "Rail",
    "Airways",
    "Pharma",
    "Motors",
    "Energy",
    "Insurance",
    "Media",
    "Foods",
    "Mining Corporation",
]
ACRONYM = ["KTV", "BNR", "OLA", "VMB", "SRT", "FCN", "DPA", "HLX"]
PARTY = ["Liberal Union", "Green Front", "People's Alliance", "Reform Party", "Labour League"]
EVENT = ["Open", "Cup", "Marathon", "Grand Prix", "Classic", "Masters"]
PRODUCT = ["Orbis 7", "Nimbus", "Kestrel X", "Solace", "Tundra Pro", "Arrow 3"]
LANGUAGE = ["Varenthian", "Kelmarian", "Lusatran", "Adurine"]

SYLLABLES = [
    "bar",
    "vel",
    "dor",
    "ka",
    "lin",
    "mos",
    "tre",
    "quen",
    "sa",
    "rold",
    "fen",
    "or",
    "gal",
    "wen",
    "ith",
    "ros",
    "tam",
    "cor",
    "ny",
    "hel",
    "ba",
    "zan",
    "ul",
    "mer",
    "dra",
    "pol",
    "ves",
    "ti",
    "arn",
    "lo",
    "cas",
    "bri",
]
CITY_SHAPES = ["{w}", "{w}", "{w}", "{w}ford", "{w}by", "Port {w}", "{w} Bay", "New {w}", "San {w}"]
COUNTRY_ENDINGS = {"ia": "ian", "land": "lander", "ar": "ari", "o": "an"}

# A small phrase grammar instead of a list of sentence templates: a name in braces is
# either a rule of GRAMMAR (expanded recursively) or an entity slot of _entity. A rule
# picks one of its alternatives at random, so the same clause appears with and without
# an opening, a reporting frame, an appositive or a time, and the entity slots land in
# many different contexts. Clauses start in lower case; the first word of a sentence is
# capitalised at the end, as a newspaper would.
GRAMMAR: dict[str, list[str]] = {
    "SENTENCE": [
        "{CLAUSE} .",
        "{CLAUSE} {WHEN} .",
        "{OPENING} , {CLAUSE} .",
        "{REPORT} .",
        "{REPORT} .",
        "{CLAUSE} and {CLAUSE} .",
        "{CLAUSE} , {SOURCE} said .",
        "{LINE}",
    ],
    "OPENING": [
        "on {DAY}",
        "in {MONTH}",
        "earlier",
        "in {CITY}",
        "in {COUNTRY}",
        "after talks in {CITY}",
        "speaking in {CITY}",
        "on {DAY} in {REGION}",
    ],
    "WHEN": ["on {DAY}", "in {MONTH}", "last week", "on {DAY} night", "in {MONTH} {YEAR}"],
    "REPORT": [
        "{SOURCE} said {CLAUSE}",
        "{SOURCE} said on {DAY} that {CLAUSE}",
        "according to {SOURCE} , {CLAUSE}",
        "{PER} , {ROLE} , said {CLAUSE}",
        "{PER} told reporters in {CITY} that {CLAUSE}",
    ],
    "SOURCE": [
        "{PER}",
        "{PER}",
        "{SURNAME}",
        "{AGENCY}",
        "officials in {CITY}",
        "police",
        "the {NAT} news agency {AGENCY}",
        "a spokesman for {ORG}",
        "{ORG}",
    ],
    "PERSON": ["{PER}", "{PER}", "{SURNAME}", "{PER} , {ROLE} ,", "{TITLE} {PER}"],
    "ROLE": [
        "chief executive of {ORG}",
        "a spokesman for {ORG}",
        "a spokeswoman for {ORG}",
        "the {NAT} foreign minister",
        "coach of {TEAM}",
        "a lawyer from {CITY}",
        "head of the {PARTY}",
        "an analyst at {ORG}",
        "{NUM}",
    ],
    "TITLE": ["president", "minister", "coach", "judge", "general", "mayor"],
    "CLAUSE": ["{BUSINESS}", "{POLITICS}", "{SPORT}", "{NEWS}"],
    "BUSINESS": [
        "{ORG} reported a {NUM} percent rise in profits",
        "{ORG} agreed to buy {ORG} for {NUM} million dollars",
        "shares in {ORG} fell {NUM} percent in {CITY}",
        "{ORG} will open a plant near {CITY}",
        "{ORG} named {PER} as its new chief executive",
        "{PERSON} resigned from {ORG}",
        "the {NAT} carmaker {ORG} recalled {NUM} cars",
        "{ORG} launched the {PRODUCT} in {COUNTRY}",
        "{ORG} moved its headquarters from {CITY} to {CITY}",
        "regulators in {COUNTRY} fined {ORG}",
        "{ORG} , based in {CITY} , cut {NUM} jobs",
        "analysts at {ORG} expect the {NAT} economy to grow",
        "{ORG} signed a deal with {ORG} to sell the {PRODUCT} in {REGION}",
        "{PERSON} sold his stake in {ORG}",
        "{ORG} and {ORG} will merge",
        "{ORG} won a contract to build a bridge over the {RIVER}",
    ],
    "POLITICS": [
        "the {NAT} prime minister {PER} arrived in {CITY} for talks",
        "{PER} of the {PARTY} won the vote in {REGION}",
        "{COUNTRY} and {COUNTRY} signed a trade agreement in {CITY}",
        "{PERSON} met {PER} in {CITY}",
        "the {PARTY} called for new elections in {COUNTRY}",
        "{COUNTRY} recalled its ambassador from {COUNTRY}",
        "{PER} will visit {COUNTRY} next week",
        "the parliament in {CITY} passed the law",
        "{PER} resigned as mayor of {CITY}",
        "{PER} was elected leader of the {PARTY}",
        "troops from {COUNTRY} crossed into {REGION}",
        "{SURNAME} said the {NAT} government would not resign",
        "the {NAT} embassy in {CITY} said {PER} was safe",
        "{PERSON} criticised the {PARTY}",
    ],
    "SPORT": [
        "{TEAM} beat {TEAM} {SCORE}",
        "{TEAM} drew {SCORE} with {TEAM} in {CITY}",
        "{PER} scored twice for {TEAM}",
        "{PER} won the {EVENT}",
        "{PER} of {COUNTRY} finished second behind {PER}",
        "{TEAM} signed {PER} from {TEAM}",
        "{SURNAME} has played for {TEAM} since {MONTH}",
        "{PER} will miss the {EVENT} with a knee injury",
        "{TEAM} coach {PER} was sent off",
        "the {NAT} team arrived in {CITY} for the {EVENT}",
        "{PER} beat {PER} {SCORE} {SCORE}",
        "{TEAM} lost at home to {TEAM}",
        "fans in {CITY} celebrated as {TEAM} reached the final",
        "the {EVENT} will be held in {CITY} in {MONTH}",
    ],
    "NEWS": [
        "police in {CITY} arrested {NUM} people",
        "a court in {CITY} sentenced {PER} to {NUM} years",
        "{PERSON} was charged with fraud in {CITY}",
        "floods along the {RIVER} forced {NUM} people from their homes in {REGION}",
        "an earthquake hit {REGION}",
        "{PER} studied at {UNIVERSITY} before joining {ORG}",
        "{PER} speaks {LANGUAGE} and {LANGUAGE}",
        "{AGENCY} said {NUM} people were injured in {CITY}",
        "{PER} was born in {CITY} in {YEAR}",
        "{PERSON} flew from {CITY} to {CITY}",
        "heavy rain closed roads between {CITY} and {CITY}",
        "{UNIVERSITY} awarded {PER} a prize",
        "the {RIVER} burst its banks near {CITY}",
        "{REGION} reported record temperatures",
    ],
    # Lines that are not sentences, as in CoNLL-2003: results, rankings, datelines.
    "LINE": [
        "{TEAM} {GOALS} {TEAM} {GOALS}",
        "{RANK} . {PER} ( {COUNTRY} ) {NUM}",
        "{RANK} . {PER} ( {TEAM} ) {NUM}",
        "{CITY} {DATE}",
        "{HEADLINE}",
    ],
    "HEADLINE": [
        "soccer - {TEAM} beat {TEAM}",
        "tennis - {PER} wins {EVENT}",
        "{COUNTRY} says talks with {COUNTRY} failed",
        "{ORG} profits rise",
    ],
}

LEXICON = {
    ",": ",",
    ".": ".",
    "the": "DT",
    "The": "DT",
    "a": "DT",
    "A": "DT",
    "of": "IN",
    "in": "IN",
    "on": "IN",
    "at": "IN",
    "for": "IN",
    "after": "IN",
    "ahead": "RB",
    "between": "IN",
    "with": "IN",
    "since": "IN",
    "before": "IN",
    "without": "IN",
    "as": "IN",
    "that": "IN",
    "and": "CC",
    "who": "WP",
    "it": "PRP",
    "he": "PRP",
    "will": "MD",
    "would": "MD",
    "has": "VBZ",
    "had": "VBD",
    "was": "VBD",
    "be": "VB",
    "is": "VBZ",
    "to": "TO",
    "said": "VBD",
    "told": "VBD",
    "won": "VBD",
    "beat": "VBD",
    "drew": "VBD",
    "rose": "VBD",
    "fell": "VBD",
    "joined": "VBD",
    "joining": "VBG",
    "scored": "VBD",
    "visit": "VB",
    "face": "VB",
    "launch": "VB",
    "open": "VB",
    "cut": "VBN",
    "bought": "VBN",
    "held": "VBN",
    "played": "VBN",
    "reached": "VBD",
    "resigned": "VBD",
    "speaks": "VBZ",
    "studied": "VBD",
    "declined": "VBD",
    "comment": "VB",
    "celebrated": "VBD",
    "reported": "VBD",
    "approved": "VBD",
    "flooded": "VBN",
    "closed": "VBD",
    "ended": "VBD",
    "fined": "VBD",
    "breaking": "VBG",
    "rise": "VB",
    "twice": "RB",
    "home": "NN",
    "next": "JJ",
    "first": "JJ",
    "final": "NN",
    "record": "NN",
    "heavy": "JJ",
    "Heavy": "JJ",
    "Mr": "NNP",
    "English": "NNP",
    "Police": "NNS",
    "Fans": "NNS",
    "Shares": "NNS",
    "shares": "NNS",
    "Talks": "NNS",
    "profits": "NNS",
    "jobs": "NNS",
    "roads": "NNS",
    "parts": "NNS",
    "reporters": "NNS",
    "dollars": "NNS",
    "temperatures": "NNS",
    "rules": "NNS",
    "million": "CD",
    "percent": "NN",
    "University": "NNP",
    "court": "NN",
    "an": "DT",
    "office": "NN",
    "stake": "NN",
    "spokesman": "NN",
    "minister": "NN",
    "side": "NN",
    "election": "NN",
    "week": "NN",
    "time": "NN",
    "government": "NN",
    "deal": "NN",
    "chief": "JJ",
    "executive": "NN",
    "agreement": "NN",
    "competition": "NN",
    "rain": "NN",
    "born": "VBN",
    "(": "(",
    ")": ")",
    "-": ":",
    "according": "VBG",
    "along": "IN",
    "behind": "IN",
    "from": "IN",
    "into": "IN",
    "near": "IN",
    "over": "IN",
    "off": "RP",
    "not": "RB",
    "earlier": "RB",
    "last": "JJ",
    "new": "JJ",
    "foreign": "JJ",
    "prime": "JJ",
    "second": "JJ",
    "safe": "JJ",
    "general": "NN",
    "his": "PRP$",
    "its": "PRP$",
    "their": "PRP$",
    "were": "VBD",
    "build": "VB",
    "buy": "VB",
    "sell": "VB",
    "grow": "VB",
    "merge": "VB",
    "miss": "VB",
    "resign": "VB",
    "expect": "VBP",
    "flew": "VBD",
    "hit": "VBD",
    "lost": "VBD",
    "met": "VBD",
    "sold": "VBD",
    "sent": "VBN",
    "burst": "VBD",
    "based": "VBN",
    "injured": "VBN",
    "charged": "VBN",
    "elected": "VBN",
    "says": "VBZ",
    "wins": "VBZ",
    "failed": "VBD",
    "talks": "NNS",
    "news": "NN",
    "people": "NNS",
    "police": "NNS",
    "headquarters": "NN",
    "soccer": "NN",
    "tennis": "NN",
}


DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "March", "April", "June", "August", "October", "November"]


def _pos(token: str) -> str:
    if token in LEXICON:
        return LEXICON[token]
    if token.lower() in LEXICON:  # a sentence start or a headline in capitals
        return LEXICON[token.lower()]
    if token in DAYS or token in MONTHS:
        return "NNP"
    if any(ch.isdigit() for ch in token):
        return "CD"
    word = token.lower()
    if word.endswith("ed"):
        return "VBD"
    if word.endswith("ing"):
        return "VBG"
    if word.endswith("s") and not word.endswith("ss"):
        return "NNS"
    return "NN"


def _chunk(pos_tags: list[str], entity: list[bool]) -> list[str]:
    """Chunk tags from POS: NP for nominal runs, VP for verbal, PP for prepositions."""
    kinds = []
    for tag, is_entity in zip(pos_tags, entity, strict=True):
        if is_entity or tag in {"DT", "JJ", "NN", "NNS", "NNP", "CD", "PRP", "PRP$"}:
            kinds.append("NP")
        elif tag.startswith("VB") or tag in {"MD", "TO"}:
            kinds.append("VP")
        elif tag == "IN":
            kinds.append("PP")
        elif tag == "RB":
            kinds.append("ADVP")
        else:
            kinds.append("O")
    tags = []
    for i, kind in enumerate(kinds):
        if kind == "O":
            tags.append("O")
        elif i > 0 and kinds[i - 1] == kind and kind in {"NP", "VP"}:
            tags.append(f"I-{kind}")
        else:
            tags.append(f"B-{kind}")
    return tags


def _coin(rng: random.Random, taken: set[str]) -> str:
    """A made-up capitalised word of two or three syllables, not coined before."""
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice([2, 2, 3]))).capitalize()
        if word not in taken:
            taken.add(word)
            return word


def _nationality(country: str) -> str:
    if country in NATIONALITY:
        return NATIONALITY[country]
    for ending, adjective in COUNTRY_ENDINGS.items():
        if country.endswith(ending):
            return country[: -len(ending)] + adjective
    return country + "ese"


class _Pools:
    """Name pools: the course's hand-written names plus coined ones.

    Coined words are shared between pools on purpose (a surname that is also a town,
    a town whose club is an ORG), so a word's type has to be read from its context.
    A quarter of every pool is ``held out``: those names appear only in validation.
    """

    def __init__(self, rng: random.Random) -> None:
        taken = set(FIRST + LAST + CITY + ORG_STEM + RIVER)
        shared = [_coin(rng, taken) for _ in range(60)]  # surnames *and* towns
        last = LAST + [_coin(rng, taken) for _ in range(160)] + shared
        towns = [rng.choice(CITY_SHAPES).format(w=_coin(rng, taken)) for _ in range(100)]
        city = CITY + towns + shared
        stems = ORG_STEM + [_coin(rng, taken) for _ in range(120)]
        first = FIRST + [_coin(rng, taken) for _ in range(40)]
        countries = COUNTRY + [
            _coin(rng, taken) + rng.choice(list(COUNTRY_ENDINGS)) for _ in range(25)
        ]
        acronyms = ACRONYM + [
            "".join(rng.choice("BCDFGHKLMNPRSTVWZ") for _ in range(3)) for _ in range(20)
        ]
        products = PRODUCT + [
            f"{_coin(rng, taken)} {rng.choice(['', 'X', 'Pro', '2', '5'])}".strip()
            for _ in range(30)
        ]
        rivers = RIVER + [_coin(rng, taken) for _ in range(20)]
        self.parts: dict[str, tuple[list[str], list[str]]] = {}
        for key, pool in (
            ("first", first),
            ("last", last),
            ("city", city),
            ("stem", stems),
            ("country", countries),
            ("product", products),
            ("river", rivers),
            ("acronym", acronyms),
        ):
            shuffled = sorted(set(pool))
            rng.shuffle(shuffled)
            cut = max(1, len(shuffled) // 4)
            self.parts[key] = (shuffled[cut:], shuffled[:cut])  # (seen, held out)

    def pick(self, rng: random.Random, key: str, validation: bool) -> str:
        seen, held = self.parts[key]
        if validation and rng.random() < 0.5:
            return rng.choice(held)
        return rng.choice(seen)


def _entity(rng: random.Random, slot: str, pools: _Pools, val: bool) -> tuple[str, str]:
    """(text, type) for an entity slot; type "O" for non-entities (days, scores)."""
    pick = lambda key: pools.pick(rng, key, val)  # noqa: E731
    if slot == "PER":
        first, last = pick("first"), pick("last")
        form = rng.random()
        if form < 0.15:
            return last, "PER"
        if form < 0.25:
            return f"{first[0]}. {last}", "PER"
        return f"{first} {last}", "PER"
    if slot == "SURNAME":
        return pick("last"), "PER"
    if slot == "ORG":
        form = rng.random()
        if form < 0.35:  # a bare name: only the context says it is a company
            return pick("stem"), "ORG"
        if form < 0.75:
            return f"{pick('stem')} {rng.choice(ORG_SUFFIX)}", "ORG"
        if form < 0.9:
            return f"{pick('city')} {rng.choice(['Bank', 'Airways', 'Council', 'Rail'])}", "ORG"
        return pick("acronym"), "ORG"
    if slot == "AGENCY":
        return pick("acronym"), "ORG"
    if slot == "TEAM":  # clubs are named after towns: the same words as a LOC elsewhere
        city = pick("city")
        return (city if rng.random() < 0.6 else f"{city} {rng.choice(['United', 'Rovers'])}"), "ORG"
    if slot == "CITY":
        return pick("city"), "LOC"
    if slot == "UNIVERSITY":  # the whole name is the ORG, the town inside it too
        return f"University of {pick('city')}", "ORG"
    if slot == "COUNTRY":
        return pick("country"), "LOC"
    if slot == "REGION":
        return f"{rng.choice(REGION_PREFIX)} {pick('country').replace('the ', '')}", "LOC"
    if slot == "RIVER":
        name = pick("river")
        return (f"River {name}" if rng.random() < 0.5 else f"{name} River"), "LOC"
    if slot == "NAT":
        return _nationality(pick("country")), "MISC"
    if slot == "EVENT":
        host = pick("city") if rng.random() < 0.7 else _nationality(pick("country"))
        return f"{host} {rng.choice(EVENT)}", "MISC"
    if slot == "PRODUCT":
        return pick("product"), "MISC"
    if slot == "LANGUAGE":
        return (
            rng.choice(LANGUAGE) if rng.random() < 0.5 else _nationality(pick("country"))
        ), "MISC"
    if slot == "PARTY":
        return rng.choice(PARTY), "ORG"
    if slot == "DAY":
        return rng.choice(DAYS), "O"
    if slot == "MONTH":
        return rng.choice(MONTHS), "O"
    if slot == "YEAR":
        return str(rng.randint(1950, 1996)), "O"
    if slot == "DATE":
        return f"1996-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "O"
    if slot == "SCORE":
        return f"{rng.randint(0, 6)}-{rng.randint(0, 4)}", "O"
    if slot == "GOALS":
        return str(rng.randint(0, 5)), "O"
    if slot == "RANK":
        return str(rng.randint(1, 20)), "O"
    if slot == "NUM":
        return str(rng.choice([rng.randint(2, 99), rng.randint(100, 5000)])), "O"
    raise KeyError(slot)


def _expand(
    rng: random.Random, symbol: str, pools: _Pools, val: bool, out: list[tuple[str, str]]
) -> None:
    """Append (token, BIO tag) pairs for ``symbol``: a GRAMMAR rule or an entity slot."""
    if symbol not in GRAMMAR:
        text, kind = _entity(rng, symbol, pools, val)
        words = text.split(" ")
        # "the" in "the Sevran Republic" stays outside the entity, as in CoNLL.
        if words[0] == "the":
            out.append(("the", "O"))
            words = words[1:]
        for i, word in enumerate(words):
            out.append((word, "O" if kind == "O" else f"{'B' if i == 0 else 'I'}-{kind}"))
        return
    start = len(out)
    for piece in rng.choice(GRAMMAR[symbol]).split(" "):
        if piece.startswith("{"):
            _expand(rng, piece[1:-1], pools, val, out)
        else:
            out.append((piece, "O"))
    if symbol == "HEADLINE":  # headlines are in capitals, as in the CoNLL-2003 files
        out[start:] = [(token.upper(), tag) for token, tag in out[start:]]


def sentence(rng: random.Random, pools: _Pools, validation: bool) -> tuple[list[str], ...]:
    """One sentence or line: (tokens, POS tags, chunk tags, NER tags)."""
    pairs: list[tuple[str, str]] = []
    _expand(rng, "SENTENCE", pools, validation, pairs)
    tokens = [token for token, _ in pairs]
    ner = [tag for _, tag in pairs]
    if ner[0] == "O" and tokens[0].isalpha():
        tokens[0] = tokens[0][0].upper() + tokens[0][1:]
    entity = [tag != "O" for tag in ner]
    pos = ["NNP" if is_entity else _pos(tok) for tok, is_entity in zip(tokens, entity, strict=True)]
    return tokens, pos, _chunk(pos, entity), ner


def build(task: str, n_train: int, n_validation: int) -> DatasetDict:
    """Seeded CoNLL-2003-style sentences.

    Args:
        task: ``"conll2003"``.
        n_train: training sentences.
        n_validation: validation sentences (half their names unseen in training).

    Returns:
        ``train`` and ``validation`` with ``id``, ``tokens``, ``pos_tags``, ``chunk_tags``,
        ``ner_tags``.
    """
    rng = random.Random(3301)
    pools = _Pools(rng)
    splits = {}
    for split, size in (("train", n_train), ("validation", n_validation)):
        columns: dict[str, list] = {
            k: [] for k in ("id", "tokens", "pos_tags", "chunk_tags", "ner_tags")
        }
        for i in range(size):
            tokens, pos, chunk, ner = sentence(rng, pools, split == "validation")
            columns["id"].append(str(i))
            columns["tokens"].append(tokens)
            columns["pos_tags"].append(pos)
            columns["chunk_tags"].append(chunk)
            columns["ner_tags"].append(ner)
        splits[split] = Dataset.from_dict(columns, features=TASKS[task].features)
    return DatasetDict(splits)
