"""Checks of lesson 07_variants: parameters per component, ALBERT's two savings as modules,
tokenizer stats, and tokenisation across languages.

Models are tiny architectures built from configurations (random weights, a fraction
of a second) in the worker through fixtures, and again here for the references:
their shapes, hence their parameter counts, do not depend on the random values.
ALBERT's modules (exercise 2) are run through :data:`ALBERT_HARNESS`, the same source in
the worker and in the grader: the student's classes meet a seeded tiny ALBERT there, and
the grader computes ALBERT's own outputs from the same seed.
"""

from __future__ import annotations

import functools

import numpy as np

from autograder import Fixture, Lesson, assert_close, expect_student_error
from autograder.references import harness_scope

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


#: Worker and grader both run this (``references.harness_scope``): seeded tiny ALBERTs and
#: layers, and drivers that run the student's classes and return plain data.
ALBERT_HARNESS = """
import torch
import transformers


def count(module):
    return sum(p.numel() for p in module.parameters())


def tiny_albert(vocab_size, embedding_size, hidden_size, seed):
    torch.manual_seed(seed)
    config = transformers.AlbertConfig(
        vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size,
        num_hidden_layers=1, num_attention_heads=1, intermediate_size=8,
        max_position_embeddings=16,
    )
    return transformers.AlbertModel(config).eval()


def random_ids(vocab_size, seed, shape=(3, 7)):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab_size, shape, generator=generator)


def describe_embedding(cls, vocab_size, embedding_size, hidden_size):
    module = cls(vocab_size, embedding_size, hidden_size)
    with torch.no_grad():
        output = module(random_ids(vocab_size, 0, (2, 5)))
    return {
        "shape": list(output.shape),
        "parameters": count(module),
        "state": {key: list(value.shape) for key, value in module.state_dict().items()},
    }


def embed_with_albert_weights(cls, vocab_size, embedding_size, hidden_size, seed):
    albert = tiny_albert(vocab_size, embedding_size, hidden_size, seed)
    module = cls(vocab_size, embedding_size, hidden_size)
    module.load_state_dict({
        "word_embeddings.weight": albert.embeddings.word_embeddings.weight,
        "projection.weight": albert.encoder.embedding_hidden_mapping_in.weight,
        "projection.bias": albert.encoder.embedding_hidden_mapping_in.bias,
    })
    with torch.no_grad():
        return module(random_ids(vocab_size, seed)).numpy()


def albert_embedding(vocab_size, embedding_size, hidden_size, seed):
    albert = tiny_albert(vocab_size, embedding_size, hidden_size, seed)
    with torch.no_grad():
        words = albert.embeddings.word_embeddings(random_ids(vocab_size, seed))
        return albert.encoder.embedding_hidden_mapping_in(words).numpy()


def tiny_layer(width, seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.Tanh())


def layer_input(width, seed):
    return torch.randn(2, 3, width, generator=torch.Generator().manual_seed(seed))


def run_stack(cls, width, num_layers, seed):
    layer = tiny_layer(width, seed)
    stack = cls(layer, num_layers)
    with torch.no_grad():
        output = stack(layer_input(width, seed))
    return {"output": output.numpy(), "parameters": count(stack), "layer": count(layer)}


def stacked(width, num_layers, seed):
    layer, hidden = tiny_layer(width, seed), layer_input(width, seed)
    with torch.no_grad():
        for _ in range(num_layers):
            hidden = layer(hidden)
    return hidden.numpy()


value = {
    "describe_embedding": describe_embedding,
    "embed_with_albert_weights": embed_with_albert_weights,
    "albert_embedding": albert_embedding,
    "run_stack": run_stack,
    "stacked": stacked,
}
"""


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
        "transformers.AlbertConfig\n"
        "tokenizer = bc.load_tokenizer()"
    ),
    run="solutions",
    fixtures={
        **{f"model_{name}": _builder_source(name) for name in MODELS},
        "unigram": _unigram_source(),
        "albert_harness": ALBERT_HARNESS,
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
# FactorisedEmbedding / SharedStack (3 points)
# --------------------------------------------------------------------------------------


def albert_harness() -> dict:
    """The harness's functions, run in the grader (the worker runs the same source)."""
    return harness_scope(ALBERT_HARNESS)["value"]


def _in_harness(student, helper: str, class_name: str, *arguments: int) -> object:
    """``helper(<the student's class>, *arguments)``, run by the harness in the worker."""
    listed = ", ".join([class_name, *(repr(argument) for argument in arguments)])
    return student.eval(f"fixtures['albert_harness'][{helper!r}]({listed})")


def _embedding_like_albert(student, sizes: tuple[int, int, int], seed: int) -> bool:
    got = _in_harness(student, "embed_with_albert_weights", "FactorisedEmbedding", *sizes, seed)
    expected = albert_harness()["albert_embedding"](*sizes, seed)
    got = np.asarray(got)
    return got.shape == expected.shape and bool(np.allclose(got, expected, atol=1e-5))


def _stack_right(student, width: int, num_layers: int, seed: int) -> bool:
    got = _in_harness(student, "run_stack", "SharedStack", width, num_layers, seed)
    expected = albert_harness()["stacked"](width, num_layers, seed)
    output = np.asarray(got["output"])
    return (
        output.shape == expected.shape
        and bool(np.allclose(output, expected, atol=1e-5))
        and got["parameters"] == got["layer"]
    )


@LESSON.check("albert_modules_tests", points=1, timeout=30)
def modules_at_tiny_sizes(student):
    """FactorisedEmbedding(100, 8, 32): shapes, parameters, names; SharedStack of 3 layers."""
    described = _in_harness(student, "describe_embedding", "FactorisedEmbedding", 100, 8, 32)
    assert described["shape"] == [2, 5, 32], (
        f"FactorisedEmbedding(100, 8, 32) on ids of shape (2, 5) returned shape "
        f"{tuple(described['shape'])}, expected (2, 5, 32)"
    )
    expected_state = {
        "word_embeddings.weight": [100, 8],
        "projection.weight": [32, 8],
        "projection.bias": [32],
    }
    assert described["state"] == expected_state, (
        f"FactorisedEmbedding(100, 8, 32) holds {described['state']}: expected "
        f"{expected_state} (an nn.Embedding named word_embeddings, an nn.Linear with its bias "
        "named projection)"
    )
    assert described["parameters"] == 100 * 8 + 8 * 32 + 32
    got = _in_harness(student, "run_stack", "SharedStack", 4, 3, 0)
    expected = albert_harness()["stacked"](4, 3, 0)
    assert np.allclose(np.asarray(got["output"]), expected, atol=1e-5), (
        "SharedStack(layer, 3) must apply layer three times in a row"
    )
    assert got["parameters"] == got["layer"], (
        f"SharedStack(layer, 3) has {got['parameters']} parameters, the layer {got['layer']}: "
        "keep the one layer, do not copy it"
    )


@LESSON.check("albert_modules_tests", points=1, hidden=True, timeout=30)
def embedding_with_albert_weights(student, rng):
    """ALBERT's own weights loaded into the student's module: the same outputs (partial)."""
    cases = [(30, 4, 8), (200, 16, 48)]
    for _ in range(3):
        cases.append(tuple(int(x) for x in (rng.integers(5, 300), rng.integers(2, 17),
                                             rng.integers(2, 65))))  # fmt: skip
    right = 0
    for seed, sizes in enumerate(cases):
        try:
            right += _embedding_like_albert(student, sizes, seed)
        except Exception:  # noqa: BLE001 - a wrong structure fails this case only
            pass
    return right / len(cases)


@LESSON.check("albert_modules_tests", points=1, hidden=True, timeout=30)
def stack_of_shared_layers(student, rng):
    """One layer applied 1, 2, 5, 12 and random times; its parameters once (partial)."""
    cases = [(4, 1), (8, 2), (3, 5), (6, 12)]
    cases += [(int(rng.integers(1, 10)), int(rng.integers(1, 8))) for _ in range(4)]
    right = 0
    for seed, (width, n) in enumerate(cases, start=1):
        try:
            right += _stack_right(student, width, n, seed)
        except Exception:  # noqa: BLE001 - a failing case loses its share only
            pass
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
# fertility_by_language (3 points)
# --------------------------------------------------------------------------------------


def reference_fertility(
    ids: dict[str, list[list[int]]], sentences: dict[str, list[str]], unk_id: int, reference: str
) -> dict[str, dict[str, float]]:
    """Tokens per word, unknown rate and premium from each sentence's ids."""
    tokens = {language: sum(len(x) for x in ids[language]) for language in ids}
    out = {}
    for language, per_sentence in ids.items():
        n = tokens[language]
        out[language] = {
            "tokens_per_word": n / sum(len(s.split()) for s in sentences[language]),
            "unk_rate": sum(i == unk_id for x in per_sentence for i in x) / n if n else 0.0,
            "premium": n / tokens[reference],
        }
    return out


def _sentence_ids(student, fixture: str, sentences: dict[str, list[str]]):
    """Each sentence's ids, computed in the worker with the fixture itself, and its unk id."""
    ids = student.eval(
        f"{{language: [list(fixtures[{fixture!r}](s, add_special_tokens=False)['input_ids']) "
        f"for s in texts] for language, texts in {sentences!r}.items()}}"
    )
    unk = student.eval(f"fixtures[{fixture!r}].unk_token_id")
    return {k: [list(map(int, x)) for x in v] for k, v in ids.items()}, int(unk)


def _fertility_right(student, fixture: str, sentences, reference: str) -> bool:
    ids, unk = _sentence_ids(student, fixture, sentences)
    expected = reference_fertility(ids, sentences, unk, reference)
    got = student.fertility_by_language(Fixture(fixture), sentences, reference=reference)
    return (
        isinstance(got, dict)
        and set(got) == set(expected)
        and all(_stats_close(got[language], expected[language]) for language in expected)
    )


def random_parallel(rng) -> tuple[dict[str, list[str]], str]:
    """Some languages of the course's parallel sentences, some sentences, a reference."""
    from bertcourse.multilingual import PARALLEL_SENTENCES

    languages = list(rng.choice(list(PARALLEL_SENTENCES), int(rng.integers(2, 5)), replace=False))
    n = len(PARALLEL_SENTENCES["en"])
    rows = sorted(int(i) for i in rng.choice(n, int(rng.integers(1, 5)), replace=False))
    sentences = {str(k): [PARALLEL_SENTENCES[k][i] for i in rows] for k in languages}
    return sentences, str(rng.choice(languages))


@LESSON.check("fertility_by_language_tests", points=1, timeout=30)
def fertility_of_two_languages(student):
    """MiniLM on two English and two German sentences: every measure, per language."""
    sentences = {
        "en": ["the soup was warm", "a cold pizza"],
        "de": ["die suppe war warm", "eine kalte pizza"],
    }
    got = student.fertility_by_language(Fixture("tokenizer"), sentences)
    assert isinstance(got, dict) and set(got) == {"en", "de"}, "one entry per language"
    ids, unk = _sentence_ids(student, "tokenizer", sentences)
    expected = reference_fertility(ids, sentences, unk, "en")
    for language, stats in expected.items():
        assert set(got[language]) == set(stats), f"{language}: keys {sorted(got[language])}"
        for key, value in stats.items():
            assert_close(float(got[language][key]), value, what=f"{language} {key}")


@LESSON.check("fertility_by_language_tests", points=1, hidden=True, timeout=30)
def fertility_on_the_course_sentences(student, rng):
    """Random languages, sentences and references; MiniLM and a Unigram (partial credit)."""
    right = 0
    for k in range(8):
        sentences, reference = random_parallel(rng)
        fixture = "unigram" if k % 2 else "tokenizer"
        right += _fertility_right(student, fixture, sentences, reference)
    return right / 8


@LESSON.check("fertility_by_language_tests", points=1, hidden=True, timeout=30)
def fertility_needs_parallel_text(student):
    """The reference need not come first; no reference or unequal lists raise (partial)."""
    sentences = {"fr": ["le film est long"], "de": ["der Film ist lang"], "en": ["the film"]}
    right = _fertility_right(student, "tokenizer", sentences, "de")
    for bad, reference in (
        ({"en": ["a b"], "de": ["c d", "e f"]}, "en"),
        ({"fr": ["le film"], "de": ["der Film"]}, "en"),
    ):
        try:
            with expect_student_error("ValueError"):
                student.fertility_by_language(Fixture("tokenizer"), bad, reference=reference)
            right += 1
        except AssertionError:
            pass
    return right / 3


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

_LOOP = "        for _ in range(self.num_layers):\n            hidden = self.layer(hidden)\n"
for _description, _edit in (
    (
        "projection without its bias",
        {"hidden_size)\n": "hidden_size, bias=False)\n"},
    ),
    (
        "not factorised: V x H embeddings, then an H x H projection",
        {
            "nn.Embedding(vocab_size, embedding_size)": "nn.Embedding(vocab_size, hidden_size)",
            "nn.Linear(embedding_size, hidden_size)": "nn.Linear(hidden_size, hidden_size)",
        },
    ),
    (
        "projection skipped in forward",
        {
            "return self.projection(self.word_embeddings(input_ids))": (
                "return self.word_embeddings(input_ids)"
            )
        },
    ),
    (
        "the layer copied for every step (the same outputs, num_layers times the parameters)",
        {
            "from torch import nn": "import copy\nfrom torch import nn",
            "self.layer = layer": (
                "self.layers = nn.ModuleList(copy.deepcopy(layer) for _ in range(num_layers))"
            ),
            _LOOP: "        for layer in self.layers:\n            hidden = layer(hidden)\n",
        },
    ),
    ("one step short", {"range(self.num_layers)": "range(self.num_layers - 1)"}),
    ("the layer applied once", {_LOOP: "        hidden = self.layer(hidden)\n"}),
):
    LESSON.mutant("albert_modules", _description, replace=_edit)

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

for _description, _edit in (
    ("special tokens counted", {"add_special_tokens=False": "add_special_tokens=True"}),
    (
        "premium the wrong way round (reference / language)",
        {'"premium": n_tokens / reference_tokens': '"premium": reference_tokens / n_tokens'},
    ),
    (
        "the first language is the reference",
        {
            "reference_tokens = counts[reference][0]": (
                "reference_tokens = next(iter(counts.values()))[0]"
            )
        },
    ),
    (
        "unknown rate per word instead of per token",
        {"n_unknown / n_tokens if n_tokens else 0.0": "n_unknown / n_words"},
    ),
    (
        "unknown tokens found by string, not id",
        {
            "n_unknown += sum(i == tokenizer.unk_token_id for i in ids)": (
                "n_unknown += tokenizer.tokenize(text).count(tokenizer.unk_token)"
            )
        },
    ),
    (
        "lists of different lengths accepted",
        {"if len(texts) != n_sentences:": "if False:"},
    ),
):
    LESSON.mutant("fertility_by_language", _description, replace=_edit)

LESSON.mutant("concept_q1", "wrong answer", replace={'"b"': '"a"'})
LESSON.mutant("concept_q2", "wrong answer", replace={'"c"': '"a"'})
LESSON.mutant("concept_q3", "wrong answer", replace={'"c"': '"a"'})
