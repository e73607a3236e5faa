"""Generated named-entity sentences in the CoNLL-2003 style (news, sport, business).

Names come from pools made up for the course. What makes the set worth training on:

* entities of several tokens ("Maren Okafor-Lind", "Dunmore Rail Holdings",
  "University of Calloway", "North Varenthia");
* the same word as different types: a city is a LOC in "arrived in Calloway" but an ORG
  as a sports team in "Calloway beat Drenmouth 2-1" (as in CoNLL-2003); some surnames
  are also place names; some first names are ordinary words ("Hunter", "Rose");
* capitalised words that are not entities (weekdays, months, sentence starts);
* validation sentences use names held out of training half of the time, so a model has
  to read the context instead of memorising names.

POS tags come from a small lexicon (names are NNP) and chunk tags follow from them:
simple but valid tags from the Hub's tag sets.
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

# Templates: entity slots in braces; every other token needs a POS in LEXICON or falls
# back to the rules in _pos. Tokens are separated by spaces, as in CoNLL files.
TEMPLATES = [
    "{PER} , chief executive of {ORG} , said on {DAY} that profits would rise .",
    "{ORG} shares rose 3 percent in {CITY} after the {NAT} government approved the deal .",
    "{TEAM} beat {TEAM} {SCORE} in the {MISC_EVENT} on {DAY} .",
    "{TEAM} drew {SCORE} with {TEAM} at home .",
    "{PER} scored twice as {TEAM} won {SCORE} .",
    "{PER} , who was born in {CITY} , joined {ORG} in {MONTH} .",
    "The {NAT} minister {PER} will visit {COUNTRY} next week .",
    "{PER} told reporters in {CITY} that {ORG} had cut 200 jobs .",
    "Police in {CITY} said the {RIVER} had flooded parts of {REGION} .",
    "{PER} of the {PARTY} won the election in {REGION} .",
    "{ORG} will launch the {PRODUCT} in {COUNTRY} in {MONTH} .",
    "Heavy rain closed roads between {CITY} and {CITY} on {DAY} .",
    "{PER} won the {MISC_EVENT} ahead of {PER} .",
    "The {NAT} side will face {TEAM} in the final .",
    "{PER} studied at the {UNIVERSITY} before joining {ORG} .",
    "Talks between {COUNTRY} and {COUNTRY} ended without agreement , {ACRONYM} reported .",
    "{ORG} said it had bought a stake in {ORG} for 40 million dollars .",
    "{LASTNAME} , 31 , has played for {TEAM} since {MONTH} .",
    "{PER} speaks {LANGUAGE} and English .",
    "Shares in {ORG} fell after {PER} resigned .",
    "The {MISC_EVENT} will be held in {CITY} for the first time .",
    "{PER} , a spokesman for {ACRONYM} , declined to comment .",
    "Fans in {CITY} celebrated as {TEAM} reached the final .",
    "{REGION} reported record temperatures on {DAY} .",
    "Mr {LASTNAME} said {ORG} would open an office in {CITY} .",
    "A court in {CITY} fined {ORG} for breaking {NAT} competition rules .",
]

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
}

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "March", "April", "June", "August", "October", "November"]


def _pos(token: str) -> str:
    if token in LEXICON:
        return LEXICON[token]
    if token in DAYS or token in MONTHS:
        return "NNP"
    if any(ch.isdigit() for ch in token):
        return "CD"
    return "NN"


def _chunk(pos_tags: list[str], entity: list[bool]) -> list[str]:
    """Chunk tags from POS: NP for nominal runs, VP for verbal, PP for prepositions."""
    kinds = []
    for tag, is_entity in zip(pos_tags, entity, strict=True):
        if is_entity or tag in {"DT", "JJ", "NN", "NNS", "NNP", "CD", "PRP"}:
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


class _Pools:
    """Name pools; ``held_out`` names appear only in validation."""

    def __init__(self, rng: random.Random) -> None:
        self.parts: dict[str, tuple[list[str], list[str]]] = {}
        for key, pool in (
            ("first", FIRST),
            ("last", LAST),
            ("city", CITY),
            ("stem", ORG_STEM),
            ("country", COUNTRY),
            ("product", PRODUCT),
            ("river", RIVER),
        ):
            shuffled = sorted(pool)
            rng.shuffle(shuffled)
            cut = max(1, len(shuffled) // 4)
            self.parts[key] = (shuffled[cut:], shuffled[:cut])  # (seen, held out)

    def pick(self, rng: random.Random, key: str, validation: bool) -> str:
        seen, held = self.parts[key]
        if validation and rng.random() < 0.5:
            return rng.choice(held)
        return rng.choice(seen)


def _entity(rng: random.Random, slot: str, pools: _Pools, val: bool) -> tuple[str, str]:
    """(text, type) for a slot; type "O" for non-entities (days, scores)."""
    pick = lambda key: pools.pick(rng, key, val)  # noqa: E731
    if slot == "PER":
        first, last = pick("first"), pick("last")
        return (last if rng.random() < 0.1 else f"{first} {last}"), "PER"
    if slot == "LASTNAME":
        return pick("last"), "PER"
    if slot == "ORG":
        form = rng.random()
        if form < 0.6:
            return f"{pick('stem')} {rng.choice(ORG_SUFFIX)}", "ORG"
        if form < 0.8:
            return f"{pick('city')} {rng.choice(['Bank', 'Airways', 'Council', 'Rail'])}", "ORG"
        return rng.choice(ACRONYM), "ORG"
    if slot == "TEAM":  # clubs are named after cities: the same words as a LOC elsewhere
        city = pick("city")
        return (city if rng.random() < 0.6 else f"{city} {rng.choice(['United', 'Rovers'])}"), "ORG"
    if slot == "CITY":
        return pick("city"), "LOC"
    if slot == "UNIVERSITY":  # the whole name is the ORG, the city inside it too
        return f"University of {pick('city')}", "ORG"
    if slot == "COUNTRY":
        return pick("country"), "LOC"
    if slot == "REGION":
        return f"{rng.choice(REGION_PREFIX)} {pick('country').replace('the ', '')}", "LOC"
    if slot == "RIVER":
        name = pick("river")
        return (f"River {name}" if rng.random() < 0.5 else f"{name} River"), "LOC"
    if slot == "NAT":
        return NATIONALITY[pick("country")], "MISC"
    if slot == "MISC_EVENT":
        return f"{pick('city')} {rng.choice(EVENT)}", "MISC"
    if slot == "PRODUCT":
        return pick("product"), "MISC"
    if slot == "LANGUAGE":
        return rng.choice(LANGUAGE), "MISC"
    if slot == "ACRONYM":
        return rng.choice(ACRONYM), "ORG"
    if slot == "PARTY":
        return rng.choice(PARTY), "ORG"
    if slot == "DAY":
        return rng.choice(DAYS), "O"
    if slot == "MONTH":
        return rng.choice(MONTHS), "O"
    if slot == "SCORE":
        return f"{rng.randint(0, 4)}-{rng.randint(0, 3)}", "O"
    raise KeyError(slot)


def sentence(rng: random.Random, pools: _Pools, validation: bool) -> tuple[list[str], ...]:
    """One sentence: (tokens, POS tags, chunk tags, NER tags)."""
    tokens: list[str] = []
    ner: list[str] = []
    for piece in rng.choice(TEMPLATES).split(" "):
        if piece.startswith("{"):
            text, kind = _entity(rng, piece[1:-1], pools, validation)
            words = text.split(" ")
            # "the" in "the Sevran Republic" stays outside the entity, as in CoNLL.
            if words[0] == "the":
                tokens.append("the")
                ner.append("O")
                words = words[1:]
            for i, word in enumerate(words):
                tokens.append(word)
                ner.append("O" if kind == "O" else f"{'B' if i == 0 else 'I'}-{kind}")
        else:
            tokens.append(piece)
            ner.append("O")
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
