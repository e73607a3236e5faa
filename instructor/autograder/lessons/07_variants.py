"""Checks of lesson 07_variants: parameters per component, ALBERT's savings, tokenizer stats.

Models are tiny architectures built from configurations (random weights, a fraction
of a second) in the worker through fixtures, and again here for the references:
their shapes, hence their parameter counts, do not depend on the random values.
"""

from __future__ import annotations

import functools

from autograder import Fixture, Lesson, assert_close, expect_student_error

TINY = {
    "vocab_size": 100,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "max_position_embeddings": 40,
    "num_labels": 3,
}
DISTIL = {
    "vocab_size": 100,
    "dim": 32,
    "n_layers": 2,
    "n_heads": 2,
    "hidden_dim": 64,
    "max_position_embeddings": 40,
    "num_labels": 3,
}

# name -> (AutoModel class name, model type, config fields); built the same way on both sides.
MODELS = {
    "bert": ("AutoModelForSequenceClassification", "bert", TINY),
    "distilbert": ("AutoModelForSequenceClassification", "distilbert", DISTIL),
    "roberta": ("AutoModelForSequenceClassification", "roberta", {**TINY, "pad_token_id": 1}),
    "albert": ("AutoModelForSequenceClassification", "albert", {**TINY, "embedding_size": 8}),
    # A masked-LM head ties its decoder to the word embeddings: a shared tensor.
    "bert_mlm": (
        "AutoModelForMaskedLM",
        "bert",
        {k: v for k, v in TINY.items() if k != "num_labels"},
    ),
}


def _builder_source(name: str) -> str:
    auto, model_type, fields = MODELS[name]
    return (
        "import transformers\n"
        f"value = transformers.{auto}.from_config("
        f"transformers.AutoConfig.for_model({model_type!r}, **{fields!r}))"
    )


def _unigram_source() -> str:
    return (
        "from bertcourse.variants import train_tokenizer\n"
        "value = train_tokenizer('unigram', ['the soup was warm and the staff were kind'] * 20,"
        " vocab_size=40)"
    )


LESSON = Lesson(
    "07_variants",
    # The model classes are imported here, so that building a fixture takes a fraction of a
    # second and the checks' time goes to the student's code.
    setup=(
        "import bertcourse as bc\n"
        "import transformers\n"
        "transformers.BertForSequenceClassification, transformers.AlbertModel\n"
        "transformers.DistilBertModel, transformers.RobertaModel, transformers.BertForMaskedLM\n"
        "tokenizer = bc.load_tokenizer()"
    ),
    run="solutions",
    fixtures={
        **{f"model_{name}": _builder_source(name) for name in MODELS},
        "unigram": _unigram_source(),
    },
    cell_timeout=60,
)


@functools.cache
def reference_model(name: str):
    import transformers

    auto, model_type, fields = MODELS[name]
    return getattr(transformers, auto).from_config(
        transformers.AutoConfig.for_model(model_type, **fields)
    )


def reference_parts(name: str) -> dict[str, int]:
    model = reference_model(name)
    base = model.base_model
    encoder = base.encoder if hasattr(base, "encoder") else base.transformer
    counts = {"embeddings": 0, "encoder": 0, "head": 0}
    seen: set[int] = set()
    for part, module in (("embeddings", base.embeddings), ("encoder", encoder), ("head", model)):
        for parameter in module.parameters():
            if id(parameter) not in seen:
                seen.add(id(parameter))
                counts[part] += parameter.numel()
    counts["total"] = sum(counts.values())
    return counts


def _parts_right(student, name: str) -> bool:
    got = student.count_parameters_by_component(Fixture(f"model_{name}"))
    return isinstance(got, dict) and {k: int(v) for k, v in got.items()} == reference_parts(name)


# --------------------------------------------------------------------------------------
# count_parameters_by_component (3 points)
# --------------------------------------------------------------------------------------


@LESSON.check("count_by_component_tests", points=1, timeout=30)
def components_of_a_tiny_bert(student):
    """A 2-layer BERT classifier: the keys, the split and the total."""
    got = student.count_parameters_by_component(Fixture("model_bert"))
    assert isinstance(got, dict), "return a dict"
    assert set(got) == {"embeddings", "encoder", "head", "total"}, f"keys are {sorted(got)}"
    expected = reference_parts("bert")
    assert_close(int(got["total"]), expected["total"], what="total (all parameters)")
    for part in ("embeddings", "encoder", "head"):
        assert_close(int(got[part]), expected[part], what=f"{part} parameters")


@LESSON.check("count_by_component_tests", points=1, hidden=True, timeout=30)
def components_of_other_architectures(student):
    """DistilBERT (transformer, no pooler), RoBERTa (no pooler), ALBERT (shared layers)."""
    return sum(_parts_right(student, name) for name in ("distilbert", "roberta", "albert")) / 3


@LESSON.check("count_by_component_tests", points=1, hidden=True, timeout=30)
def tied_weights_counted_once(student):
    """A masked-LM model whose decoder shares the word-embedding matrix."""
    assert _parts_right(student, "bert_mlm")


# --------------------------------------------------------------------------------------
# embedding_parameters / sharing_factor (3 points)
# --------------------------------------------------------------------------------------


@LESSON.check("albert_savings_tests", points=1)
def albert_base_numbers(student):
    """ALBERT-base: V=30000, H=768, E=128, 12 layers in one group."""
    assert_close(
        student.embedding_parameters(30000, 768), 30000 * 768, what="embedding_parameters(V, H)"
    )
    assert_close(
        student.embedding_parameters(30000, 768, 128),
        30000 * 128 + 128 * 768,
        what="embedding_parameters(V, H, E)",
    )
    assert_close(student.sharing_factor(12), 12, what="sharing_factor(12)")


@LESSON.check("albert_savings_tests", points=1, hidden=True)
def embedding_parameters_random(student, rng):
    """Random vocabulary, hidden and embedding sizes (partial credit)."""
    right = 0
    for _ in range(20):
        v, h, e = (int(x) for x in rng.integers(1, 5000, 3))
        right += student.embedding_parameters(v, h, e) == v * e + e * h
        right += student.embedding_parameters(v, h) == v * h
    return right / 40


@LESSON.check("albert_savings_tests", points=1, hidden=True)
def sharing_factor_groups(student, rng):
    """Layers shared in groups: L / G for groups that divide the layers (partial credit)."""
    cases = [(12, 1), (12, 3), (24, 24), (6, 2)]
    for _ in range(6):
        groups = int(rng.integers(1, 7))
        cases.append((groups * int(rng.integers(1, 9)), groups))
    right = sum(abs(float(student.sharing_factor(n, g)) - n / g) < 1e-9 for n, g in cases)
    return right / len(cases)


# --------------------------------------------------------------------------------------
# tokenizer_stats (3 points)
# --------------------------------------------------------------------------------------

WORD_POOL = [
    "the", "movie", "unbelievably", "photosynthesis", "overcooked", "café", "naïve",
    "☃", "😀", "EBITDA", "a", "immunohistochemistry", "waiter", "déjà", "superb", "x",
]  # fmt: skip


def reference_stats(ids_per_word: list[list[int]], unk_id: int) -> dict[str, float]:
    n = sum(len(ids) for ids in ids_per_word)
    return {
        "tokens_per_word": n / len(ids_per_word),
        "split_fraction": sum(len(ids) > 1 for ids in ids_per_word) / len(ids_per_word),
        "unk_rate": sum(i == unk_id for ids in ids_per_word for i in ids) / n if n else 0.0,
    }


def _ids_in_worker(student, fixture: str, words: list[str]) -> tuple[list[list[int]], int]:
    """The tokenizer's ids for each word, computed in the worker with the fixture itself."""
    ids = student.eval(
        f"[list(fixtures[{fixture!r}](w, add_special_tokens=False)['input_ids']) "
        f"for w in {words!r}]"
    )
    unk = student.eval(f"fixtures[{fixture!r}].unk_token_id")
    return [list(map(int, x)) for x in ids], int(unk)


def _stats_close(got, expected) -> bool:
    return isinstance(got, dict) and all(
        abs(float(got.get(key, float("nan"))) - value) < 1e-9 for key, value in expected.items()
    )


@LESSON.check("tokenizer_stats_tests", points=1, timeout=30)
def stats_on_fixed_words(student):
    """MiniLM's WordPiece on five words, one of them unknown to it."""
    words = ["the", "movie", "unbelievably", "photosynthesis", "☃"]
    got = student.tokenizer_stats(Fixture("tokenizer"), words)
    assert isinstance(got, dict), "return a dict"
    assert set(got) == {"tokens_per_word", "split_fraction", "unk_rate"}, f"keys: {sorted(got)}"
    expected = reference_stats(*_ids_in_worker(student, "tokenizer", words))
    for key, value in expected.items():
        assert_close(float(got[key]), value, what=key)


@LESSON.check("tokenizer_stats_tests", points=1, hidden=True, timeout=30)
def stats_on_random_word_lists(student, rng):
    """Random word lists with MiniLM's tokenizer (partial credit)."""
    right = 0
    for _ in range(8):
        words = [WORD_POOL[i] for i in rng.integers(0, len(WORD_POOL), int(rng.integers(1, 12)))]
        expected = reference_stats(*_ids_in_worker(student, "tokenizer", words))
        right += _stats_close(student.tokenizer_stats(Fixture("tokenizer"), words), expected)
    return right / 8


@LESSON.check("tokenizer_stats_tests", points=1, hidden=True, timeout=30)
def unigram_unknowns_and_empty_list(student):
    """A Unigram tokenizer (unknown pieces keep their text, only the id is [UNK]); [] raises."""
    words = ["the", "soup", "☃", "zebra", "kind"]
    expected = reference_stats(*_ids_in_worker(student, "unigram", words))
    assert expected["unk_rate"] > 0
    assert _stats_close(student.tokenizer_stats(Fixture("unigram"), words), expected)
    with expect_student_error("ValueError"):
        student.tokenizer_stats(Fixture("tokenizer"), [])


# --------------------------------------------------------------------------------------
# concept checks (1 point each)
# --------------------------------------------------------------------------------------

LESSON.answer_key(
    {
        "concept_q1_tests": {"ANSWER_Q1": "b"},
        "concept_q2_tests": {"ANSWER_Q2": "c"},
        "concept_q3_tests": {"ANSWER_Q3": "c"},
    }
)

# --------------------------------------------------------------------------------------
# Mutants: edits of the current solution cells
# --------------------------------------------------------------------------------------

for _description, _edit in (
    ("pooler counted with the encoder", {'("encoder", encoder)': '("encoder", base)'}),
    (
        "only knows base_model.encoder (fails on DistilBERT)",
        {'base.encoder if hasattr(base, "encoder") else base.transformer': "base.encoder"},
    ),
):
    LESSON.mutant("count_by_component", _description, replace=_edit)
# A different program: it splits by parameter name instead of by module.
LESSON.mutant(
    "count_by_component",
    "split by parameter name, shared tensors counted twice",
    """
def count_parameters_by_component(model):
    counts = {"embeddings": 0, "encoder": 0, "head": 0}
    for name, p in model.named_parameters(remove_duplicate=False):
        if "embeddings" in name:
            counts["embeddings"] += p.numel()
        elif ".encoder." in name or ".transformer." in name:
            counts["encoder"] += p.numel()
        else:
            counts["head"] += p.numel()
    counts["total"] = sum(counts.values())
    return counts
""",
)

_FACTORISED = " + embedding_size * hidden_size"
for _description, _edit in (
    ("projection bias counted (E*H + H)", {_FACTORISED: _FACTORISED + " + hidden_size"}),
    ("projection forgotten (V*E only)", {_FACTORISED: ""}),
    (
        "sharing factor upside down (G / L)",
        {"return num_layers / num_hidden_groups": "return num_hidden_groups / num_layers"},
    ),
):
    LESSON.mutant("albert_savings", _description, replace=_edit)

# A different program: it counts token strings from tokenizer.tokenize(), not ids.
LESSON.mutant(
    "tokenizer_stats",
    "unknown tokens found by string, not id",
    """
def tokenizer_stats(tokenizer, words):
    words = list(words)
    if not words:
        raise ValueError("no words")
    toks = [tokenizer.tokenize(w) for w in words]
    n = sum(len(t) for t in toks)
    return {"tokens_per_word": n / len(words),
            "split_fraction": sum(len(t) > 1 for t in toks) / len(words),
            "unk_rate": sum(x == tokenizer.unk_token for t in toks for x in t) / n}
""",
)
for _description, _edit in (
    (
        "special tokens counted ([CLS], [SEP])",
        {"add_special_tokens=False": "add_special_tokens=True"},
    ),
    (
        "unknown rate per word instead of per token",
        {"n_unknown / n_tokens if n_tokens else 0.0": "n_unknown / len(words)"},
    ),
):
    LESSON.mutant("tokenizer_stats", _description, replace=_edit)

LESSON.mutant("concept_q1", "wrong answer", replace={'"b"': '"a"'})
LESSON.mutant("concept_q2", "wrong answer", replace={'"c"': '"a"'})
LESSON.mutant("concept_q3", "wrong answer", replace={'"c"': '"a"'})
