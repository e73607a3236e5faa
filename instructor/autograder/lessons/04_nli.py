"""Checks of lesson 04_nli: the pair encoder that keeps the hypothesis whole
(``only_first``, with its fallback), the measurement of what an encoding kept
(``kept_tokens``), and compute_metrics with one F1 per class.

References are computed here, in the grader: the encodings with the packaged tokenizer
(what the worker's ``Fixture("pair_tokenizer")`` loads), the metrics with scikit-learn.
No model is loaded or trained.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from autograder import Fixture, Lesson, StudentError, assert_close
from autograder.references import reference_tokenizer

#: The lesson's label order (the ClassLabel of multi_nli and snli), for the default
#: argument ``compute_metrics(eval_pred, label_names=LABEL_NAMES)``.
NLI_LABELS = ["entailment", "neutral", "contradiction"]

LESSON = Lesson(
    "04_nli",
    setup=f"import numpy as np\nimport bertcourse as bc\nLABEL_NAMES = {NLI_LABELS!r}",
    run="solutions",
    # The packaged encoder's tokenizer whatever the mode, so the worker and the grader's
    # reference (``reference_tokenizer``) tokenise identically.
    fixtures={
        "pair_tokenizer": "import bertcourse as bc\nvalue = bc.load_tokenizer(bc.OFFLINE_ENCODER)"
    },
)

TOKENIZER = Fixture("pair_tokenizer")
KEYS = ("input_ids", "token_type_ids", "attention_mask")
SPECIAL = 3  # [CLS] premise [SEP] hypothesis [SEP]

#: One word piece each with the packaged (uncased) tokenizer.
SINGLE = (
    "a man woman child dog plays reads sells opens closes the red old new car house "
    "book river city market quickly never not in on at near"
).split()
#: Several word pieces each: a text with one of them has fewer words than pieces.
MULTI = ("unbelievably", "scrumptious", "tiramisu", "skateboarding", "windsurfer")


@functools.lru_cache(maxsize=64)
def _word_pieces(word: str) -> int:
    return len(reference_tokenizer().tokenize(word))


def _pieces(text: str) -> int:
    return len(reference_tokenizer()(text, add_special_tokens=False)["input_ids"])


def _text(rng: np.random.Generator, n_pieces: int, *, multi: bool = False) -> str:
    """A lowercase text of exactly ``n_pieces`` word pieces; with ``multi``, it starts with
    a word of several pieces when one fits."""
    words: list[str] = []
    count = 0
    if multi:
        fitting = [word for word in MULTI if _word_pieces(word) <= n_pieces]
        if fitting:
            words.append(str(rng.choice(fitting)))
            count = _word_pieces(words[0])
    while count < n_pieces:
        words.append(str(rng.choice(SINGLE)))
        count += 1
    text = " ".join(words)
    assert _pieces(text) == n_pieces, f"the check's text has {_pieces(text)} pieces"
    return text


def reference_encode(premises: list[str], hypotheses: list[str], max_length: int) -> dict:
    """The reference answer of exercise 1: ``only_first`` unless the hypothesis leaves no
    room for a premise token, then ``longest_first``; no padding."""
    tokenizer = reference_tokenizer()
    out: dict[str, list[list[int]]] = {key: [] for key in KEYS}
    for premise, hypothesis in zip(premises, hypotheses, strict=True):
        fits = _pieces(hypothesis) + SPECIAL < max_length
        encoded = tokenizer(
            premise,
            hypothesis,
            truncation="only_first" if fits else "longest_first",
            max_length=max_length,
        )
        for key in KEYS:
            out[key].append(list(encoded[key]))
    return out


def _row(got: Any, key: str, index: int) -> list[int] | None:
    try:
        return [int(value) for value in got[key][index]]
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _row_right(got: Any, want: dict, index: int) -> bool:
    return all(_row(got, key, index) == want[key][index] for key in KEYS)


def _batch(premises: list[str], hypotheses: list[str]) -> dict[str, list]:
    return {"premise": premises, "hypothesis": hypotheses, "label": [0] * len(premises)}


# --------------------------------------------------------------------------------------
# Exercise 1: encode_pairs (3 points)
# --------------------------------------------------------------------------------------

LONG_PREMISE = "a man in a red jacket plays the guitar on a busy street corner at night"
SHORT_HYPOTHESIS = "a man is playing a guitar indoors"
LONG_HYPOTHESIS = "a man in a red jacket is playing a guitar on a corner of a busy street"


# The first check that names the tokenizer fixture builds it in the worker (imports
# transformers, reads the tokenizer files): a generous timeout for that one-off cost.
@LESSON.check("encode_pairs_tests", points=0.75, timeout=60)
def encode_pairs_keeps_the_hypothesis_whole(student):
    """A long premise is cut and its short hypothesis kept whole; a short pair is neither
    cut nor padded (max_length 16)."""
    premises, hypotheses = [LONG_PREMISE, "a dog sleeps"], [SHORT_HYPOTHESIS, "a dog rests"]
    try:
        got = student.encode_pairs(_batch(premises, hypotheses), TOKENIZER, 16)
    except StudentError as error:
        raise AssertionError(
            f"encode_pairs raised {error.type_name} ({error.message}) on a long premise "
            "with a short hypothesis and max_length=16: cut the premise only "
            "(truncation='only_first')"
        ) from None
    want = reference_encode(premises, hypotheses, 16)
    assert isinstance(got, dict) and all(key in got for key in KEYS), (
        "encode_pairs must return the tokenizer's output (input_ids, token_type_ids, "
        "attention_mask)"
    )
    ids, types = _row(got, "input_ids", 0), _row(got, "token_type_ids", 0)
    assert ids is not None and types is not None, "one row of ids per pair of the batch"
    assert len(ids) <= 16, f"pair 0 has {len(ids)} tokens with max_length=16"
    assert 1 in types, (
        "no token has token_type_id 1: pass the premise and the hypothesis as two "
        "arguments, tokenizer(premises, hypotheses, ...), so they become two segments"
    )
    n_hypothesis = _pieces(SHORT_HYPOTHESIS)
    assert types.count(1) - 1 == n_hypothesis, (
        f"pair 0 keeps {types.count(1) - 1} of its {n_hypothesis} hypothesis tokens: cut "
        "the premise only (truncation='only_first')"
    )
    assert ids == want["input_ids"][0], (
        "pair 0 differs from tokenizer(premise, hypothesis, truncation='only_first', max_length=16)"
    )
    assert _row_right(got, want, 1), "a pair that fits must be neither cut nor padded"


@LESSON.check("encode_pairs_tests", points=0.5)
def encode_pairs_falls_back_when_the_hypothesis_cannot_fit(student):
    """A hypothesis with n + 3 >= max_length: that pair is cut longest_first, the others
    only_first, without an error."""
    premises = [LONG_PREMISE, LONG_PREMISE]
    hypotheses = [LONG_HYPOTHESIS, SHORT_HYPOTHESIS]
    n = _pieces(LONG_HYPOTHESIS)
    try:
        got = student.encode_pairs(_batch(premises, hypotheses), TOKENIZER, 16)
    except StudentError as error:
        raise AssertionError(
            f"encode_pairs raised {error.type_name} on a batch with a hypothesis of {n} "
            "tokens and max_length=16: fall back to truncation='longest_first' for it"
        ) from None
    want = reference_encode(premises, hypotheses, 16)
    assert _row_right(got, want, 0), (
        f"the hypothesis of {n} tokens leaves no room for the premise at max_length=16: "
        "that pair should be tokenizer(premise, hypothesis, truncation='longest_first', "
        "max_length=16)"
    )
    assert _row_right(got, want, 1), "the other pair of the batch should still be cut only_first"


@LESSON.check("encode_pairs_tests", points=1.25, hidden=True, timeout=30)
def encode_pairs_on_random_batches(student, rng):
    """Partial credit: the share of pairs encoded right, over random batches of long and
    short premises, hypotheses short or around the budget, some words of several pieces.
    A batch that raises counts its pairs wrong."""
    right = total = 0
    for _ in range(8):
        max_length = int(rng.integers(12, 48))
        size = int(rng.integers(1, 6))
        premises = [
            _text(rng, int(rng.integers(1, 2 * max_length)), multi=bool(rng.random() < 0.3))
            for _ in range(size)
        ]
        hypotheses = [
            _text(
                rng,
                int(rng.integers(1, max_length // 2))
                if rng.random() < 0.7
                else int(rng.integers(max_length - 6, max_length + 2)),
                multi=bool(rng.random() < 0.3),
            )
            for _ in range(size)
        ]
        want = reference_encode(premises, hypotheses, max_length)
        total += size
        try:
            got = student.encode_pairs(_batch(premises, hypotheses), TOKENIZER, max_length)
        except StudentError:
            continue
        right += sum(_row_right(got, want, index) for index in range(size))
    return right / total


@LESSON.check("encode_pairs_tests", points=0.5, hidden=True, timeout=30)
def encode_pairs_at_the_budget(student, rng):
    """Partial credit: long premises with hypotheses of max_length - 5 to max_length - 2
    pieces (half of them with a word of several pieces): only_first while n + 3 <
    max_length, longest_first from n + 3 == max_length."""
    right = total = 0
    for max_length in (14, 23, 31):
        for n in range(max_length - 5, max_length - 1):
            for multi in (False, True):
                premise, hypothesis = _text(rng, max_length), _text(rng, n, multi=multi)
                want = reference_encode([premise], [hypothesis], max_length)
                total += 1
                try:
                    got = student.encode_pairs(
                        _batch([premise], [hypothesis]), TOKENIZER, max_length
                    )
                except StudentError:
                    continue
                right += _row_right(got, want, 0)
    return right / total


# --------------------------------------------------------------------------------------
# Exercise 2: kept_tokens (2 points)
# --------------------------------------------------------------------------------------


def reference_kept(input_ids: list[list[int]]) -> list[tuple[int, int]]:
    sep = reference_tokenizer().sep_token_id
    kept = []
    for ids in input_ids:
        seps = [i for i, token in enumerate(ids) if token == sep]
        kept.append((seps[0] - 1, seps[-1] - seps[0] - 1 if len(seps) > 1 else 0))
    return kept


def _plain(encoded: Any) -> dict[str, list[list[int]]]:
    """A BatchEncoding as the plain dict of lists the student's function receives."""
    return {key: [list(map(int, row)) for row in encoded[key]] for key in KEYS}


def _pairs(premises, hypotheses, max_length=None, truncation=True, padding=False) -> dict:
    return _plain(
        reference_tokenizer()(
            premises,
            hypotheses,
            truncation=truncation if max_length else False,
            max_length=max_length,
            padding=padding,
        )
    )


def _glued(premises, hypotheses, max_length=None, padding=False) -> dict:
    tokenizer = reference_tokenizer()
    texts = [f"{p} {tokenizer.sep_token} {h}" for p, h in zip(premises, hypotheses, strict=True)]
    return _plain(
        tokenizer(texts, truncation=bool(max_length), max_length=max_length, padding=padding)
    )


def _kept(got: Any) -> list[tuple[int, int]] | None:
    try:
        return [(int(premise), int(hypothesis)) for premise, hypothesis in got]
    except (TypeError, ValueError):
        return None


KEPT_PREMISES = ["the old man reads a book in the park near the river", "a dog runs"]
KEPT_HYPOTHESES = ["the man is not reading", "an animal moves"]


@LESSON.check("kept_tokens_tests", points=0.5, timeout=60)
def kept_tokens_of_pairs(student):
    """Pairs cut only_first and longest_first (max_length 12), and uncut."""
    for truncation, max_length in (("only_first", 12), ("longest_first", 12), (True, None)):
        encoded = _pairs(KEPT_PREMISES, KEPT_HYPOTHESES, max_length, truncation)
        got = _kept(student.kept_tokens(encoded, TOKENIZER))
        want = reference_kept(encoded["input_ids"])
        what = "uncut" if max_length is None else f"cut {truncation} to {max_length}"
        assert got == want, f"kept_tokens of pairs {what}: got {got}, expected {want}"


@LESSON.check("kept_tokens_tests", points=0.5)
def kept_tokens_of_glued_strings(student):
    """Glued strings: uncut, cut inside the hypothesis, right after the literal [SEP], and
    inside the premise (one [SEP] left)."""
    cases = {None: "uncut", 16: "cut inside the hypothesis", 15: "cut right after the "
             "literal [SEP]", 12: "cut inside the premise"}  # fmt: skip
    for max_length, what in cases.items():
        encoded = _glued(KEPT_PREMISES, KEPT_HYPOTHESES, max_length)
        got = _kept(student.kept_tokens(encoded, TOKENIZER))
        want = reference_kept(encoded["input_ids"])
        assert got == want, f"glued strings {what}: got {got}, expected {want}"


@LESSON.check("kept_tokens_tests", points=0.75, hidden=True, timeout=30)
def kept_tokens_on_random_encodings(student, rng):
    """Partial credit: random batches of pairs (every strategy) and glued strings, cut to
    random lengths, padded or not."""
    right = total = 0
    for case in range(12):
        size = int(rng.integers(1, 6))
        max_length = int(rng.integers(8, 40))
        premises = [_text(rng, int(rng.integers(1, 30))) for _ in range(size)]
        hypotheses = [_text(rng, int(rng.integers(1, 20))) for _ in range(size)]
        padding = bool(case % 3 == 0)
        if case % 2:
            encoded = _glued(premises, hypotheses, max_length, padding)
        else:
            # only_first / only_second raise when they cannot fit: longest_first then.
            strategy = str(rng.choice(["longest_first", "only_first", "only_second"]))
            try:
                encoded = _pairs(premises, hypotheses, max_length, strategy, padding)
            except Exception:  # noqa: BLE001 - the tokenizer's plain Exception
                encoded = _pairs(premises, hypotheses, max_length, "longest_first", padding)
        want = reference_kept(encoded["input_ids"])
        got = _kept(student.kept_tokens(encoded, TOKENIZER))
        total += size
        if got is not None and len(got) == size:
            right += sum(g == w for g, w in zip(got, want, strict=True))
    return right / total


@LESSON.check("kept_tokens_tests", points=0.25, hidden=True)
def kept_tokens_ignore_padding(student):
    """Pairs and glued strings padded to the longest of the batch: [PAD] does not count."""
    for encoded in (
        _pairs(KEPT_PREMISES, KEPT_HYPOTHESES, padding=True),
        _glued(KEPT_PREMISES, KEPT_HYPOTHESES, 16, padding=True),
    ):
        assert _kept(student.kept_tokens(encoded, TOKENIZER)) == reference_kept(
            encoded["input_ids"]
        )


# --------------------------------------------------------------------------------------
# Exercise 3: compute_metrics with one F1 per class (2 points)
# --------------------------------------------------------------------------------------


def _eval_prediction(logits: np.ndarray, labels: np.ndarray) -> Any:
    from transformers import EvalPrediction

    return EvalPrediction(predictions=logits, label_ids=labels)


def reference_metrics(logits, labels, label_names) -> dict[str, float]:
    predictions = np.asarray(logits).argmax(axis=-1)
    per_class = f1_score(
        labels,
        predictions,
        labels=list(range(len(label_names))),
        average=None,
        zero_division=0,
    )
    return {
        "accuracy": float(accuracy_score(labels, predictions)),
        "macro_f1": float(np.mean(per_class)),
        **{f"f1_{name}": float(f1) for name, f1 in zip(label_names, per_class, strict=True)},
    }


def _same_metrics(got: Any, want: dict[str, float]) -> bool:
    try:
        return set(got) == set(want) and all(
            abs(float(got[key]) - value) < 1e-6 for key, value in want.items()
        )
    except (TypeError, ValueError):
        return False


def _random_case(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Logits and labels with every class among the gold labels, skewed; sometimes a class
    the model never predicts."""
    n = int(rng.integers(k + 3, 80))
    rest = rng.choice(k, size=n - k, p=rng.dirichlet(np.ones(k) * 0.7))
    labels = rng.permutation(np.concatenate([np.arange(k), rest]))
    logits = rng.normal(size=(n, k)).astype(np.float32)
    if rng.random() < 0.3:
        logits[:, int(rng.integers(k))] -= 10.0  # never predicted: its F1 is 0
    return logits, labels


def _call(student, logits, labels, label_names, case: int):
    """compute_metrics on an EvalPrediction (odd cases) or a (logits, labels) tuple; the
    default label_names when ``label_names`` is None. None when it raises."""
    argument = _eval_prediction(logits, labels) if case % 2 else (logits, labels)
    try:
        if label_names is None:
            return student.compute_metrics(argument)
        return student.compute_metrics(argument, label_names)
    except StudentError:
        return None


# Unpickling the EvalPrediction imports transformers in the worker if nothing did yet.
@LESSON.check("compute_metrics_tests", points=0.5, timeout=60)
def compute_metrics_on_the_notebook_example(student):
    """The notebook's example: an EvalPrediction, the default LABEL_NAMES."""
    logits = np.array(
        [[2.0, 0.1, 0.0], [0.0, 3.0, 1.0], [0.2, 0.1, 0.9], [1.0, 0.0, 0.5], [0.1, 0.2, 3.0]]
    )
    labels = np.array([0, 1, 1, 2, 2])
    got = student.compute_metrics(_eval_prediction(logits, labels))
    want = reference_metrics(logits, labels, NLI_LABELS)
    assert isinstance(got, dict), "compute_metrics must return a dict"
    assert set(got) == set(want), f"the keys are {sorted(got)}, expected {sorted(want)}"
    for key, value in want.items():
        assert_close(got[key], value, what=f"compute_metrics(eval_pred)[{key!r}]")


@LESSON.check("compute_metrics_tests", points=0.75, hidden=True, timeout=20)
def compute_metrics_on_random_nli_logits(student, rng):
    """Partial credit: random 3-class cases, as EvalPrediction or tuple, default names."""
    right = 0
    for case in range(10):
        logits, labels = _random_case(rng, 3)
        got = _call(student, logits, labels, None, case)
        right += _same_metrics(got, reference_metrics(logits, labels, NLI_LABELS))
    return right / 10


LABEL_SETS = (
    ["no", "yes"],
    ["contradiction", "entailment", "neutral"],
    ["neutral", "contradiction", "entailment"],
    ["A", "B", "C", "D"],
    ["very negative", "negative", "neutral", "positive", "very positive"],
)


@LESSON.check("compute_metrics_tests", points=0.75, hidden=True, timeout=20)
def compute_metrics_with_other_label_names(student, rng):
    """Partial credit: 2 to 5 classes, other names and orders, both input forms."""
    right = total = 0
    for case in range(10):
        names = LABEL_SETS[case % len(LABEL_SETS)]
        logits, labels = _random_case(rng, len(names))
        got = _call(student, logits, labels, list(names), case // len(LABEL_SETS))
        right += _same_metrics(got, reference_metrics(logits, labels, names))
        total += 1
    return right / total


# --------------------------------------------------------------------------------------
# Concept checks
# --------------------------------------------------------------------------------------

LESSON.answer_key(
    {
        "concept_q1": {"ANSWER_Q1": "b"},
        "concept_q2": {"ANSWER_Q2": "c"},
        "concept_q3": {"ANSWER_Q3": "b"},
    }
)

# --------------------------------------------------------------------------------------
# Mutants: edits of the current solution cells
# --------------------------------------------------------------------------------------

_STRATEGY = '"only_first" if fits else "longest_first"'
_CALL = "tokenizer(premise, hypothesis, truncation=strategy, max_length=max_length)"
for _description, _edit in (
    ("truncation=True for every pair (longest_first cuts hypotheses)", {_STRATEGY: "True"}),
    ("only_second: the hypothesis is cut", {'"only_first" if': '"only_second" if'}),
    (
        "only_first for every pair: no fallback, raises on a long hypothesis",
        {_STRATEGY: '"only_first"'},
    ),
    ("no truncation", {"truncation=strategy, max_length=max_length": "truncation=False"}),
    (
        "glued around a literal [SEP] (one segment)",
        {"tokenizer(premise, hypothesis,": 'tokenizer(f"{premise} [SEP] {hypothesis}",'},
    ),
    (
        "off by one at the budget (n + 3 <= max_length)",
        {"+ special < max_length": "+ special <= max_length"},
    ),
    (
        "the special tokens not counted",
        {"len(ids) + special < max_length": "len(ids) < max_length"},
    ),
    (
        "the hypothesis counted with its own [CLS] and [SEP]",
        {
            'tokenizer(batch["hypothesis"], add_special_tokens=False)': (
                'tokenizer(batch["hypothesis"])'
            )
        },
    ),
    (
        "the hypothesis counted in words, not word pieces",
        {"fits = len(ids)": "fits = len(hypothesis.split())"},
    ),
    ("padded every pair to max_length", {_CALL: _CALL[:-1] + ', padding="max_length")'}),
    (
        "premise and hypothesis swapped",
        {"tokenizer(premise, hypothesis,": "tokenizer(hypothesis, premise,"},
    ),
):
    LESSON.mutant("encode_pairs", _description, replace=_edit)

_HYPOTHESIS = "hypothesis = seps[-1] - seps[0] - 1 if len(seps) > 1 else 0"
for _description, _edit in (
    (
        "the hypothesis found by token_type_id 1 (glued strings have none)",
        {_HYPOTHESIS: 'hypothesis = list(encoded["token_type_ids"][len(kept)]).count(1) - 1'},
    ),
    (
        "the last [SEP] counted in the hypothesis",
        {"seps[-1] - seps[0] - 1 if": "seps[-1] - seps[0] if"},
    ),
    ("[CLS] counted in the premise", {"premise = seps[0] - 1": "premise = seps[0]"}),
    (
        "a single [SEP] (glued, cut in the premise) gives hypothesis -1",
        {" if len(seps) > 1 else 0": ""},
    ),
    (
        "the hypothesis runs to the end of the ids (padding counted)",
        {"seps[-1] - seps[0] - 1 if": "len(ids) - seps[0] - 2 if"},
    ),
):
    LESSON.mutant("kept_tokens", _description, replace=_edit)

_PER_CLASS = "f1_score(labels, predictions, labels=classes, average=None, zero_division=0)"
_IMPORT = "from sklearn.metrics import f1_score\n"
for _description, _edit in (
    (
        "per-class names in alphabetical order",
        {"zip(label_names, per_class": "zip(sorted(label_names), per_class"},
    ),
    (
        "per-class names hard-coded for NLI",
        {
            "zip(label_names, per_class, strict=True)": (
                'zip(["entailment", "neutral", "contradiction"], per_class)'
            )
        },
    ),
    ("three classes hard-coded", {"list(range(len(label_names)))": "[0, 1, 2]"}),
    (
        "per-class precision instead of F1",
        {
            _IMPORT: "from sklearn.metrics import f1_score, precision_score\n",
            _PER_CLASS: _PER_CLASS.replace("f1_score(", "precision_score("),
        },
    ),
    (
        "per-class recall instead of F1",
        {
            _IMPORT: "from sklearn.metrics import f1_score, recall_score\n",
            _PER_CLASS: _PER_CLASS.replace("f1_score(", "recall_score("),
        },
    ),
    (
        "weighted instead of macro F1",
        {"float(np.mean(per_class))": 'float(f1_score(labels, predictions, average="weighted"))'},
    ),
    (
        "micro instead of macro F1",
        {"float(np.mean(per_class))": 'float(f1_score(labels, predictions, average="micro"))'},
    ),
    ("argmax over the wrong axis", {"argmax(axis=-1)": "argmax(axis=0)"}),
    ("per-class keys without the f1_ prefix", {'f"f1_{name}"': 'f"{name}"'}),
    (
        "right on an EvalPrediction, fails on a (logits, labels) tuple",
        {
            "logits, labels = eval_pred  #": (
                "logits, labels = eval_pred.predictions, eval_pred.label_ids  #"
            )
        },
    ),
):
    LESSON.mutant("compute_metrics", _description, replace=_edit)

LESSON.mutant(
    "concept_answers",
    "every answer wrong",
    replace={'Q1 = "b"': 'Q1 = "a"', 'Q2 = "c"': 'Q2 = "a"', 'Q3 = "b"': 'Q3 = "a"'},
)
