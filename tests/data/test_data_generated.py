"""The generated course sets: schema, sizes, determinism, validity, difficulty."""

from __future__ import annotations

import collections
import random

import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from bertcourse.data import features_for
from bertcourse.data.generate import generate
from bertcourse.data.generate import ner as ner_module
from bertcourse.data.generate import nli as nli_module
from bertcourse.data.generate import reviews as reviews_module
from bertcourse.data.schema import TASKS

ALL = list(TASKS)
CLASSIFICATION = ["yelp_review_full", "sst5", "multi_nli", "snli"]


@pytest.mark.parametrize("task", ALL)
def test_schema_and_sizes(task):
    dd = generate(task)
    assert set(dd) == {"train", "validation"}
    for split in dd.values():
        assert split.features == features_for(task)
    assert dd["train"].num_rows >= 2000
    assert dd["validation"].num_rows >= 300


@pytest.mark.parametrize(
    "module, task",
    [
        (reviews_module, "yelp_review_full"),
        (reviews_module, "sst5"),
        (nli_module, "snli"),
        (nli_module, "multi_nli"),
        (ner_module, "conll2003"),
    ],
)
def test_same_seed_same_data(module, task):
    a = module.build(task, 200, 50)
    b = module.build(task, 200, 50)
    assert a["train"].to_dict() == b["train"].to_dict()
    assert a["validation"].to_dict() == b["validation"].to_dict()


def test_squad_same_seed_same_data():
    from bertcourse.data.generate import squad

    assert squad.build("squad", 100, 20)["validation"].to_dict() == (
        squad.build("squad", 100, 20)["validation"].to_dict()
    )


def test_sst5_and_yelp_differ_and_snli_and_mnli_differ():
    assert set(generate("sst5")["train"]["text"]).isdisjoint(
        generate("yelp_review_full")["train"]["text"]
    )
    snli_rows = generate("snli")["train"]
    snli = set(zip(snli_rows["premise"], snli_rows["hypothesis"], strict=True))
    mnli = generate("multi_nli")["train"]
    assert len(snli & set(zip(mnli["premise"], mnli["hypothesis"], strict=True))) < 50


@pytest.mark.parametrize("task", CLASSIFICATION)
def test_labels_balanced_and_no_leak(task):
    dd = generate(task)
    text = "text" if "text" in dd["train"].column_names else "premise"
    n_classes = dd["train"].features["label"].num_classes
    for split in ("train", "validation"):
        counts = collections.Counter(label for label in dd[split]["label"] if label >= 0)
        assert len(counts) == n_classes
        assert max(counts.values()) - min(counts.values()) <= 1
    if text == "text":
        assert set(dd["train"]["text"]).isdisjoint(dd["validation"]["text"])


@pytest.mark.parametrize("task", ["snli", "multi_nli"])
def test_nli_has_unlabelled_training_pairs_only(task):
    dd = generate(task)
    assert 0 < list(dd["train"]["label"]).count(-1) < 0.05 * dd["train"].num_rows
    assert -1 not in dd["validation"]["label"]


def _bow_accuracy(task: str) -> tuple[float, float]:
    """(majority-class accuracy, bag-of-words logistic regression accuracy) on validation."""
    dd = generate(task)
    train = [row for row in dd["train"] if row["label"] >= 0]
    val = list(dd["validation"])

    def text(row: dict) -> str:
        if "text" in row:
            return row["text"]
        # Premise and hypothesis words as separate features, so the model can compare.
        return row["premise"] + " " + " ".join("h_" + w for w in row["hypothesis"].split())

    vectorizer = CountVectorizer()
    x_train = vectorizer.fit_transform([text(r) for r in train])
    clf = LogisticRegression(max_iter=2000).fit(x_train, [r["label"] for r in train])
    bow = clf.score(vectorizer.transform([text(r) for r in val]), [r["label"] for r in val])
    majority = collections.Counter(r["label"] for r in train).most_common(1)[0][0]
    baseline = sum(r["label"] == majority for r in val) / len(val)
    return baseline, bow


@pytest.mark.parametrize("task", CLASSIFICATION)
def test_bag_of_words_learns_something_but_not_everything(task):
    majority, bow = _bow_accuracy(task)
    chance = 1 / generate(task)["train"].features["label"].num_classes
    assert majority < chance + 0.05  # balanced: no free lunch from the prior
    assert bow > chance + 0.15  # learnable from the text
    assert bow < 0.9  # but a bag of words does not solve it


@pytest.mark.parametrize("task", ["snli", "multi_nli"])
def test_nli_words_alone_give_little_away(task):
    # Real SNLI: 0.57 from hypothesis words alone, 0.52 from premise and hypothesis words.
    dd = generate(task)
    train = dd["train"].filter(lambda row: row["label"] >= 0)
    vectorizer = CountVectorizer()
    x_train = vectorizer.fit_transform(train["hypothesis"])
    clf = LogisticRegression(max_iter=2000).fit(x_train, train["label"])
    val = dd["validation"]
    assert clf.score(vectorizer.transform(val["hypothesis"]), val["label"]) < 0.5
    assert _bow_accuracy(task)[1] < 0.62


@pytest.mark.parametrize("task", ["snli", "multi_nli"])
def test_nli_cue_words_occur_under_every_label(task):
    # "not" denies an incompatible activity (entailment), a compatible one (neutral) or the
    # premise's own (contradiction); so do "who is not <feeling>", place words, quantifiers.
    rows = generate(task)["train"].filter(lambda row: row["label"] >= 0)
    for cue in ("not", "who", "outdoors", "some"):
        counts = collections.Counter(
            label
            for text, label in zip(rows["hypothesis"], rows["label"], strict=True)
            if cue in text.lower().rstrip(".").split()
        )
        assert min(counts[k] for k in range(3)) >= 0.2 * counts.total(), (cue, counts)


def test_nli_labels_follow_from_the_parts_of_the_sentences():
    from dataclasses import replace

    ent, neu, con = nli_module.ENTAILMENT, nli_module.NEUTRAL, nli_module.CONTRADICTION
    scenes, news = nli_module.SCENES, nli_module.WORKPLACE
    scene = nli_module.Frame(
        ("n", 3), "man", None, "energetic", None, "stroll", None, "in a park", None, None
    )
    decision = nli_module.Frame(
        ("n", 1), "senator", None, None, None, "approve", "budget", None, "in March", None
    )
    assert nli_module._render(scene, scenes) == "Three energetic men are strolling in a park."
    assert nli_module._render(decision, news) == "A senator approved the budget in March."
    cases = [
        (scene, {"quantity": ("more than", 2), "subject": "person"}, ent),
        (scene, {"quantity": ("at least", 4)}, con),
        (scene, {"activity": "walk", "place": "outdoors"}, ent),
        (scene, {"activity": "jog", "negated": True}, ent),  # can't walk and jog at once
        (scene, {"activity": "talk", "negated": True}, neu),  # can walk and talk
        (scene, {"negated": True}, con),
        (scene, {"activity": "sit"}, con),
        (scene, {"feeling": "tired", "feeling_negated": True}, ent),
        (scene, {"feeling": "energetic", "feeling_negated": True}, con),
        (scene, {"feeling": "sad", "feeling_negated": True}, neu),
        (scene, {"subject": "woman"}, con),
        (scene, {"subject": "surgeon"}, neu),
        (scene, {"place": "indoors"}, con),
        (scene, {"place": "in a city"}, neu),
        (scene, {"adjective": "tall", "place": "indoors"}, con),
        (decision, {"activity": "reject", "negated": True}, ent),
        (decision, {"activity": "decide", "obj": "plan"}, ent),
        (decision, {"activity": "praise"}, neu),
        (decision, {"time": "in the spring", "subject": "politician"}, ent),
        (decision, {"time": "in April"}, con),
        # unclear readings are not made
        (scene, {"quantity": ("n", 2), "place": "outdoors"}, None),
        (scene, {"quantity": ("fewer than", 4), "activity": "sit"}, None),
        (scene, {"subject": "surgeon", "place": "indoors"}, None),
        (scene, {"negated": True, "activity": "jog", "place": "in a city"}, None),
        (decision, {"quantity": ("n", 2)}, None),
        (decision, {"subject": "mayor"}, None),
    ]
    for premise, changes, expected in cases:
        vocab = scenes if premise is scene else news
        hypothesis = replace(premise, **changes)
        got = nli_module._label(vocab, premise, hypothesis)
        assert got == expected, (nli_module._render(hypothesis, vocab), got, expected)


def test_ner_tags_are_valid_bio_and_types_all_present():
    dd = generate("conll2003")
    names = dd["train"].features["ner_tags"].feature.names
    types = collections.Counter()
    for split in dd.values():
        for row in split:
            tags = [names[t] for t in row["ner_tags"]]
            assert len(tags) == len(row["tokens"]) == len(row["pos_tags"]) == len(row["chunk_tags"])
            for prev, tag in zip(["O", *tags], tags, strict=False):
                if tag.startswith("I-"):
                    assert prev[2:] == tag[2:], (row["tokens"], tags)
                if tag.startswith("B-"):
                    types[tag[2:]] += 1
    assert set(types) == {"PER", "ORG", "LOC", "MISC"}


def test_ner_same_word_takes_different_types_and_validation_has_unseen_names():
    dd = generate("conll2003")
    names = dd["train"].features["ner_tags"].feature.names
    by_word: dict[str, set[str]] = collections.defaultdict(set)
    train_entities = set()
    for row in dd["train"]:
        for token, tag in zip(row["tokens"], row["ner_tags"], strict=True):
            if names[tag] != "O":
                by_word[token].add(names[tag][2:])
                train_entities.add(token)
    assert sum(len(kinds) > 1 for kinds in by_word.values()) >= 5
    val_entities = [
        token
        for row in dd["validation"]
        for token, tag in zip(row["tokens"], row["ner_tags"], strict=True)
        if names[tag] != "O"
    ]
    unseen = sum(token not in train_entities for token in val_entities) / len(val_entities)
    assert 0.15 < unseen < 0.8


def test_ner_memorising_names_is_not_enough():
    """A tagger that gives each word its most frequent training tag is far from perfect."""
    dd = generate("conll2003")
    memory: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for row in dd["train"]:
        for token, tag in zip(row["tokens"], row["ner_tags"], strict=True):
            memory[token][tag] += 1
    correct = total = 0
    for row in dd["validation"]:
        for token, tag in zip(row["tokens"], row["ner_tags"], strict=True):
            if tag != 0:
                guess = memory[token].most_common(1)[0][0] if token in memory else 0
                correct += guess == tag
                total += 1
    assert correct / total < 0.8


def test_ner_sentences_are_many_frames_not_a_few_templates():
    """With entities replaced by their type and numbers by #, the training sentences still
    take hundreds of shapes, and no shape is common enough to learn the set from."""
    dd = generate("conll2003")
    names = dd["train"].features["ner_tags"].feature.names

    def shape(row: dict) -> str:
        words = []
        for token, tag in zip(row["tokens"], row["ner_tags"], strict=True):
            label = names[tag]
            if label.startswith("I-"):
                continue
            digit = any(ch.isdigit() for ch in token)
            words.append(label[2:] if label != "O" else "#" if digit else token.lower())
        return " ".join(words)

    shapes = collections.Counter(shape(row) for row in dd["train"])
    assert len(shapes) > 0.4 * dd["train"].num_rows
    assert shapes.most_common(1)[0][1] < 0.05 * dd["train"].num_rows


def test_squad_answers_are_spans_with_same_type_distractors():
    dd = generate("squad")
    for split in dd.values():
        for row in split:
            answers = row["answers"]
            assert len(answers["text"]) == len(answers["answer_start"]) == 1
            start, text = answers["answer_start"][0], answers["text"][0]
            assert row["context"][start : start + len(text)] == text
            assert row["context"].count(text) == 1, "exactly one span holds the answer"
            assert row["question"].endswith("?")
    assert set(dd["train"]["context"]).isdisjoint(dd["validation"]["context"])


def test_squad_first_candidate_of_the_type_is_often_wrong():
    """Answering with the first year in the context usually fails: the context holds other
    years, of other entities, of other relations and in filler sentences."""
    import re

    dd = generate("squad")
    year_questions = [
        row for row in dd["validation"] if re.fullmatch(r"\d{4}", row["answers"]["text"][0])
    ]
    assert len(year_questions) > 30
    first_year_right = sum(
        re.search(r"\b\d{4}\b", row["context"]).group() == row["answers"]["text"][0]
        for row in year_questions
    )
    assert first_year_right / len(year_questions) < 0.4


def _squad_candidates(context: str, answer: str) -> set[str] | None:
    """The years, or the people, in ``context`` if ``answer`` is one (else None)."""
    import re

    from bertcourse.data.generate.squad import FIRST

    if re.fullmatch(r"\d{4}", answer):
        return set(re.findall(r"\b\d{4}\b", context))
    if answer.split()[0] in FIRST:
        return set(re.findall(rf"\b(?:{'|'.join(FIRST)}) [A-Z][a-z]+", context))
    return None


def test_squad_questions_have_several_candidates_of_the_answer_type():
    """A typical year or person question has other years / people in its context."""
    dd = generate("squad")
    counts = []
    for row in dd["validation"]:
        candidates = _squad_candidates(row["context"], row["answers"]["text"][0])
        if candidates is not None:
            assert row["answers"]["text"][0] in candidates
            counts.append(len(candidates))
    assert len(counts) > 100
    assert sum(n >= 2 for n in counts) / len(counts) > 0.95
    assert sorted(counts)[len(counts) // 2] >= 4  # the median question has 3+ distractors


def test_squad_entity_and_answer_type_are_not_enough():
    """The first year after the question's entity is named is often another relation's
    (an entity has several years: founded, charter, bridge, fire ...)."""
    import re

    dd = generate("squad")
    right = total = 0
    for row in dd["validation"]:
        answer, context = row["answers"]["text"][0], row["context"]
        if not re.fullmatch(r"\d{4}", answer):
            continue
        names = re.findall(r"[A-Z][a-z]+(?: (?:and )?[A-Z][a-z]+)*", row["question"])
        entity = max((n for n in names if n in context), key=len)
        found = re.search(r"\b\d{4}\b", context[context.index(entity) :])
        right += found is not None and found.group() == answer
        total += 1
    assert total > 30 and right / total < 0.6


def test_reviews_rating_follows_the_rules():
    """Negation, intensifiers and 'but' change the score the way the module says."""
    assert reviews_module._negated(2) < 0 < reviews_module._negated(-2)
    rng = random.Random(0)
    scores = [
        reviews_module._opinion(rng, reviews_module.RESTAURANT, "the soup", True)
        for _ in range(500)
    ]
    negated = [o for o in scores if " not " in o.phrase]
    assert negated and all(abs(o.score) <= 1 for o in negated)
