"""Checks of lesson 06_question_answering: training features, span decoding, SQuAD metrics,
unanswerable questions (null score against the best span, choosing the threshold).

References are computed here, in the grader: the answer's token span from the offline
tokenizer's offsets (both usual conventions are accepted; they differ only when an
answer starts or ends on whitespace), a brute-force span decoder, and
``autograder.references`` (the official SQuAD v1.1 logic) for the metrics. Contexts are
generated from a word list; no data set or model is loaded, nothing is trained.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder import Fixture, Lesson, assert_close
from autograder import references as ref
from autograder.references import reference_tokenizer

LESSON = Lesson(
    "06_question_answering",
    setup="import numpy as np\nimport bertcourse as bc\ntokenizer = bc.load_tokenizer()",
    run="solutions",
)

TOKENIZER = Fixture("tokenizer")

#: Words for generated contexts: plain words, numbers with commas, pieces of
#: hyphenated names and words that WordPiece splits.
WORDS = [
    "railway", "climbs", "from", "Kleine", "Scheidegg", "to", "the", "Jungfraujoch", "station",
    "highest", "in", "Europe", "construction", "began", "1896", "line", "opened", "1912",
    "tunnel", "through", "Eiger", "and", "Monch", "3,454", "metres", "Guyer-Zeller",
    "industrialist", "glacier", "viewpoint", "visitors", "summit", "electric", "cogwheel",
    "Grindelwald", "snow",
]  # fmt: skip

TOY_CONTEXT = (
    "The Jungfrau railway climbs from Kleine Scheidegg to the Jungfraujoch, the highest "
    "railway station in Europe. Construction began in 1896 and the line opened in 1912. "
    "Most of the line runs inside a tunnel through the Eiger and the Monch."
)


# --------------------------------------------------------------------------------------
# prepare_train_features (3 points)
# --------------------------------------------------------------------------------------


def random_examples(rng: np.random.Generator, n: int) -> dict[str, list[Any]]:
    """SQuAD-shaped examples: word-list contexts, answers of 1-4 whole words."""
    examples: dict[str, list[Any]] = {"id": [], "question": [], "context": [], "answers": []}
    for index in range(n):
        words = [str(w) for w in rng.choice(WORDS, size=int(rng.integers(8, 70)))]
        for cut in range(7, len(words), 9):  # sentences, so punctuation sits next to words
            words[cut] += "."
        context = " ".join(words)
        first = int(rng.integers(0, len(words)))
        last = min(len(words) - 1, first + int(rng.integers(0, 4)))
        start = len(" ".join(words[:first])) + (1 if first else 0)
        text = " ".join(words[first : last + 1]).rstrip(".")
        assert context[start : start + len(text)] == text
        examples["id"].append(f"r{index}")
        examples["question"].append(f"What about {rng.choice(WORDS)} {rng.choice(WORDS)}?")
        examples["context"].append(context)
        examples["answers"].append({"text": [text], "answer_start": [start]})
    return examples


def reference_spans(
    examples: dict[str, list[Any]], max_length: int, stride: int
) -> tuple[list[list[int]], list[set[tuple[int, int]]]]:
    """Input ids of every feature and the accepted (start, end) labels of each."""
    tokenizer = reference_tokenizer()
    encoded = tokenizer(
        [q.strip() for q in examples["question"]],
        examples["context"],
        truncation="only_second",
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    accepted: list[set[tuple[int, int]]] = []
    for i, offsets in enumerate(encoded["offset_mapping"]):
        answers = examples["answers"][encoded["overflow_to_sample_mapping"][i]]
        first_char = answers["answer_start"][0]
        end_char = first_char + len(answers["text"][0])
        context = [k for k, s in enumerate(encoded.sequence_ids(i)) if s == 1]
        if offsets[context[0]][0] > first_char or offsets[context[-1]][1] < end_char:
            accepted.append({(0, 0)})
            continue
        # The Hugging Face course's convention and the tightest covering span.
        course = (
            max(k for k in context if offsets[k][0] <= first_char),
            min(k for k in context if offsets[k][1] >= end_char),
        )
        tight = (
            min(k for k in context if offsets[k][1] > first_char),
            max(k for k in context if offsets[k][0] < end_char),
        )
        accepted.append({course, tight})
    return [list(ids) for ids in encoded["input_ids"]], accepted


def _features(output: Any) -> tuple[list[list[int]], list[tuple[int, int]]]:
    assert isinstance(output, dict), "return the tokenizer's output (a dict-like BatchEncoding)"
    for key in ("input_ids", "start_positions", "end_positions"):
        assert key in output, f"the output has no {key!r}"
    ids = [[int(t) for t in row] for row in output["input_ids"]]
    pairs = [
        (int(s), int(e))
        for s, e in zip(output["start_positions"], output["end_positions"], strict=True)
    ]
    assert len(pairs) == len(ids), "one start and one end position per feature"
    return ids, pairs


def _fraction_right(student, examples, max_length: int, stride: int) -> float:
    expected_ids, accepted = reference_spans(examples, max_length, stride)
    got_ids, pairs = _features(
        student.prepare_train_features(examples, TOKENIZER, max_length=max_length, stride=stride)
    )
    assert got_ids == expected_ids, (
        "the features differ from the tokenizer's windows (truncation='only_second', "
        "max_length, stride, return_overflowing_tokens=True, no padding)"
    )
    return sum(pair in ok for pair, ok in zip(pairs, accepted, strict=True)) / len(accepted)


def _toy(answer: str, start: int | None = None) -> dict[str, list[Any]]:
    start = TOY_CONTEXT.index(answer) if start is None else start
    return {
        "id": ["toy"],
        "question": ["When did the line open?"],
        "context": [TOY_CONTEXT],
        "answers": [{"text": [answer], "answer_start": [start]}],
    }


# The first check that needs the tokenizer builds it in the worker and here: allow for that.
@LESSON.check("prepare_train_features_tests", points=0.75, timeout=30)
def train_features_on_the_notebook_example(student):
    """The notebook's example: one window at 384 tokens, several at 32, all labelled right."""
    assert _fraction_right(student, _toy("1912"), 384, 128) == 1.0, "wrong span at max_length=384"
    assert _fraction_right(student, _toy("1912"), 32, 8) == 1.0, "wrong span in a 32-token window"


@LESSON.check("prepare_train_features_tests", points=1.5, hidden=True, timeout=20)
def train_features_on_random_contexts(student, rng):
    """Partial credit: the fraction of features labelled right over several window sizes."""
    examples = random_examples(rng, 24)
    fractions = [_fraction_right(student, examples, m, s) for m, s in ((32, 8), (48, 16), (96, 24))]
    return float(np.mean(fractions))


@LESSON.check("prepare_train_features_tests", points=0.5, hidden=True)
def train_features_at_the_edges_of_the_context(student):
    """Answers at the very start and the very end of the context, and across a window edge."""
    edge = {key: _toy("The Jungfrau", 0)[key] + _toy("Monch.")[key] for key in _toy("x", 0)}
    assert _fraction_right(student, edge, 384, 128) == 1.0
    assert _fraction_right(student, _toy("Kleine Scheidegg to the Jungfraujoch"), 24, 4) == 1.0


@LESSON.check("prepare_train_features_tests", points=0.25, hidden=True)
def train_features_drop_what_the_model_cannot_take(student):
    """offset_mapping and overflow_to_sample_mapping are removed from the output."""
    output = student.prepare_train_features(_toy("1912"), TOKENIZER, max_length=32, stride=8)
    assert "offset_mapping" not in output and "overflow_to_sample_mapping" not in output


# --------------------------------------------------------------------------------------
# decode_answer (3 points)
# --------------------------------------------------------------------------------------

TOY_TEXT = "Marie Curie won two Nobel prizes"
TOY_OFFSETS = [
    None,
    None,
    None,
    None,
    (0, 5),
    (6, 11),
    (12, 15),
    (16, 19),
    (20, 25),
    (26, 32),
    None,
]
TOY_START = [0.0, 9.0, 0.0, 0.0, 1.0, 0.5, 0.2, 3.0, 0.1, 0.0, 8.0]
TOY_END = [0.0, 0.0, 9.0, 0.0, 0.2, 4.0, 0.0, 0.3, 0.5, 2.5, 8.0]


def brute_force_span(
    starts: np.ndarray, ends: np.ndarray, offsets: list, max_answer_length: int
) -> tuple[float, int, int] | None:
    """(score, start_char, end_char) of the best valid pair, over all pairs."""
    best = None
    for a in range(len(offsets)):
        for b in range(a, min(len(offsets), a + max_answer_length)):
            if offsets[a] is None or offsets[b] is None:
                continue
            score = float(starts[a] + ends[b])
            if best is None or score > best[0]:
                best = (score, offsets[a][0], offsets[b][1])
    return best


def random_feature(rng: np.random.Generator) -> tuple[str, list, np.ndarray, np.ndarray]:
    """A feature: question tokens (None), context words, [SEP], then batch padding."""
    n_words = int(rng.integers(2, 30))
    words = [f"w{k}" for k in range(n_words)]
    text = " ".join(words)
    offsets: list = [None] * int(rng.integers(2, 6))
    position = 0
    for word in words:
        offsets.append((position, position + len(word)))
        position += len(word) + 1
    offsets.append(None)
    padding = int(rng.integers(0, 4))
    starts = rng.normal(size=len(offsets) + padding)
    ends = rng.normal(size=len(offsets) + padding)
    return text, offsets, starts, ends


def _span_of(answer: Any) -> tuple[str, int, int, float]:
    assert isinstance(answer, dict), "decode_answer returns a dict (or None)"
    return str(answer["answer"]), int(answer["start"]), int(answer["end"]), float(answer["score"])


@LESSON.check("decode_answer_tests", points=0.75)
def decode_answer_on_the_notebook_example(student):
    """The notebook's example: 'two Nobel prizes', not the question's argmax."""
    got = student.decode_answer(TOY_START, TOY_END, TOY_OFFSETS, TOY_TEXT)
    assert got is not None, "there are valid spans: decode_answer returned None"
    text, start, end, score = _span_of(got)
    assert text == "two Nobel prizes", f"expected 'two Nobel prizes', got {text!r}"
    assert (start, end) == (16, 32), f"expected start/end characters (16, 32), got {(start, end)}"
    assert_close(score, 5.5, what="the score (start logit + end logit)")


@LESSON.check("decode_answer_tests", points=1.25, hidden=True, timeout=20)
def decode_answer_on_random_features(student, rng):
    """Partial credit: the best valid span of random features (n_best covers every token)."""
    right = 0
    for _ in range(20):
        text, offsets, starts, ends = random_feature(rng)
        max_length = int(rng.integers(1, 8))
        expected = brute_force_span(starts, ends, offsets, max_length)
        got = student.decode_answer(
            starts.tolist(),
            ends.tolist(),
            offsets,
            text,
            n_best=len(starts),
            max_answer_length=max_length,
        )
        if got is None or expected is None:
            right += got is None and expected is None
            continue
        answer, start, end, score = _span_of(got)
        right += (
            (start, end) == expected[1:]
            and answer == text[start:end]
            and abs(score - expected[0]) < 1e-6
        )
    return right / 20


@LESSON.check("decode_answer_tests", points=0.5, hidden=True)
def decode_answer_ignores_positions_past_the_feature(student):
    """Scores past the end of offset_mapping (batch padding) are never part of an answer."""
    offsets = [None, (0, 1), (2, 3), None]
    got = student.decode_answer(
        [0, 1.0, 0.5, 0, 50.0, 50.0], [0, 0.2, 1.0, 0, 50.0, 50.0], offsets, "a b"
    )
    text, start, end, _ = _span_of(got)
    assert (text, start, end) == ("a b", 0, 3)


@LESSON.check("decode_answer_tests", points=0.5, hidden=True)
def decode_answer_uses_n_best_and_none(student):
    """n_best limits the candidates; no valid pair gives None; max_answer_length holds."""
    offsets = [None, (0, 1), (2, 3), (4, 5), (6, 7), None]
    starts, ends = [0, 0.0, 1.0, 5.0, 0.5, 0], [0, 9.0, 0.2, -1.0, 0.1, 0]
    assert student.decode_answer(starts, ends, offsets, "a b c d", n_best=1) is None
    assert _span_of(student.decode_answer(starts, ends, offsets, "a b c d", n_best=2))[0] == "b"
    assert _span_of(student.decode_answer(starts, ends, offsets, "a b c d", n_best=3))[0] == "c d"
    assert student.decode_answer(TOY_START, TOY_END, [None] * 11, TOY_TEXT) is None
    short = student.decode_answer(TOY_START, TOY_END, TOY_OFFSETS, TOY_TEXT, max_answer_length=2)
    assert _span_of(short)[0] == "Marie Curie"


# --------------------------------------------------------------------------------------
# postprocess_predictions (2 points)
# --------------------------------------------------------------------------------------


def reference_decode(starts, ends, offsets, context, n_best=20, max_answer_length=30):
    """The lesson's decoder (top n_best starts x top n_best ends, valid pairs)."""
    n = len(offsets)
    starts, ends = np.asarray(starts)[:n], np.asarray(ends)[:n]
    best = None
    for a in np.argsort(starts)[::-1][:n_best]:
        for b in np.argsort(ends)[::-1][:n_best]:
            if offsets[a] is None or offsets[b] is None or b < a or b - a + 1 > max_answer_length:
                continue
            score = float(starts[a] + ends[b])
            if best is None or score > best[0]:
                best = (score, context[offsets[a][0] : offsets[b][1]])
    return best


def random_split_examples(
    rng: np.random.Generator, n: int
) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    """Examples of several overlapping features each, features shuffled."""
    ids = [f"e{k}" for k in range(n)]
    contexts = [" ".join(f"t{k}x{j}" for j in range(int(rng.integers(3, 14)))) for k in range(n)]
    feature_ids, feature_offsets = [], []
    for example_id, context in zip(ids, contexts, strict=True):
        spans, position = [], 0
        for word in context.split():
            spans.append((position, position + len(word)))
            position += len(word) + 1
        for _ in range(int(rng.integers(1, 4))):
            first = int(rng.integers(0, len(spans)))
            feature_ids.append(example_id)
            feature_offsets.append([None, None, *spans[first : first + 8], None])
    width = max(len(o) for o in feature_offsets) + 2
    starts = rng.normal(size=(len(feature_ids), width))
    ends = rng.normal(size=(len(feature_ids), width))
    order = rng.permutation(len(feature_ids))
    features = {
        "example_id": [feature_ids[k] for k in order],
        "offset_mapping": [feature_offsets[k] for k in order],
    }
    return {"id": ids, "context": contexts}, features, starts[order], ends[order]


def expected_predictions(student, examples, features, starts, ends, max_answer_length) -> dict:
    """Best answer per example from the student's own decode_answer (so a decoder
    mistake is not counted twice), or from the reference decoder if it fails."""
    decoded = []
    for k, offsets in enumerate(features["offset_mapping"]):
        context = examples["context"][examples["id"].index(features["example_id"][k])]
        try:
            got = student.decode_answer(starts[k], ends[k], offsets, context, 20, max_answer_length)
            decoded.append(None if got is None else (float(got["score"]), str(got["answer"])))
        except Exception:  # noqa: BLE001 - the student's decoder is broken: fall back to the reference
            decoded.append(
                reference_decode(starts[k], ends[k], offsets, context, 20, max_answer_length)
            )
    best: dict[str, Any] = dict.fromkeys(examples["id"])
    for k, candidate in enumerate(decoded):
        example_id = features["example_id"][k]
        if candidate is not None and (
            best[example_id] is None or candidate[0] > best[example_id][0]
        ):
            best[example_id] = candidate
    return {key: value[1] if value else "" for key, value in best.items()}


@LESSON.check("postprocess_predictions_tests", points=0.5)
def postprocess_on_the_notebook_example(student):
    """The notebook's example: the best window wins, an example without context gets ''."""
    examples = {"id": ["q1", "q2"], "context": ["alpha beta gamma delta", "one two"]}
    features = {
        "example_id": ["q1", "q1", "q2"],
        "offset_mapping": [
            [None, (0, 5), (6, 10), (11, 16), None],
            [None, (6, 10), (11, 16), (17, 22), None],
            [None, None, None, None, None],
        ],
    }
    starts = [[0, 2.0, 0, 0, 0], [0, 0, 0, 6.0, 0], [9.0] * 5]
    ends = [[0, 0, 2.0, 0, 0], [0, 0, 0, 5.0, 0], [9.0] * 5]
    got = student.postprocess_predictions(examples, features, np.array(starts), np.array(ends))
    assert got == {"q1": "delta", "q2": ""}, f"expected {{'q1': 'delta', 'q2': ''}}, got {got}"


@LESSON.check("postprocess_predictions_tests", points=1.0, hidden=True, timeout=20)
def postprocess_on_random_examples(student, rng):
    """Partial credit: examples split into shuffled features; the best candidate wins."""
    examples, features, starts, ends = random_split_examples(rng, 12)
    expected = expected_predictions(student, examples, features, starts, ends, 5)
    got = student.postprocess_predictions(examples, features, starts, ends, max_answer_length=5)
    assert isinstance(got, dict), "postprocess_predictions returns a dict {example id: answer}"
    return sum(got.get(key) == value for key, value in expected.items()) / len(expected)


@LESSON.check("postprocess_predictions_tests", points=0.5, hidden=True, timeout=20)
def postprocess_on_datasets(student, rng):
    """The same with 🤗 Datasets for examples and features (as in the notebook)."""
    import datasets

    examples, features, starts, ends = random_split_examples(rng, 8)
    expected = expected_predictions(student, examples, features, starts, ends, 30)
    got = student.postprocess_predictions(
        datasets.Dataset.from_dict(examples), datasets.Dataset.from_dict(features), starts, ends
    )
    assert got == expected


# --------------------------------------------------------------------------------------
# squad metrics (3 points)
# --------------------------------------------------------------------------------------

PHRASE_WORDS = [
    "the", "a", "an", "The", "An", "Denver", "broncos", "Broncos,", "1912", "Eiger", "(and)",
    "theory", "an-d", "anthem", "A.", "mont-blanc", "!", "über", "x", "3,454", "aN", "then",
]  # fmt: skip


def random_phrase(rng: np.random.Generator) -> str:
    words = [str(w) for w in rng.choice(PHRASE_WORDS, size=int(rng.integers(0, 6)))]
    return (" " * int(rng.integers(1, 3))).join(words)


@LESSON.check("squad_metrics_tests", points=0.5)
def metrics_on_the_notebook_examples(student):
    """The notebook's examples: normalisation, EM, F1 and the averaged scores."""
    assert student.normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert student.exact_match_score("the Denver Broncos", "Denver Broncos.") == 1.0
    assert_close(student.f1_score("Denver Broncos defence", "the Denver Broncos"), 0.8, what="F1")
    predictions = [
        {"id": "a", "prediction_text": "in 1912"},
        {"id": "b", "prediction_text": "Eiger"},
    ]
    references = [
        {"id": "a", "answers": {"text": ["1912", "in 1912"], "answer_start": [0, 0]}},
        {"id": "b", "answers": {"text": ["the Eiger and the Monch"], "answer_start": [0]}},
    ]
    assert_close(
        student.squad_em_f1(predictions, references),
        ref.squad_scores(predictions, references),
        what="squad_em_f1(...)",
    )


@LESSON.check("squad_metrics_tests", points=0.75, hidden=True, timeout=20)
def normalize_answer_on_random_phrases(student, rng):
    """Partial credit: official normalisation (case, punctuation, articles, whitespace)."""
    phrases = [random_phrase(rng) for _ in range(60)]
    return sum(student.normalize_answer(p) == ref.normalize_answer(p) for p in phrases) / 60


@LESSON.check("squad_metrics_tests", points=0.5, hidden=True, timeout=20)
def exact_match_on_random_phrases(student, rng):
    """Partial credit: exact match after normalisation."""
    pairs = [(random_phrase(rng), random_phrase(rng)) for _ in range(40)]
    pairs += [(p, p.upper() + " .") for p, _ in pairs[:20]]
    right = sum(
        float(student.exact_match_score(p, t)) == ref.exact_match_score(p, t) for p, t in pairs
    )
    return right / len(pairs)


@LESSON.check("squad_metrics_tests", points=0.75, hidden=True, timeout=20)
def f1_on_random_phrases(student, rng):
    """Partial credit: token F1 on random phrases (half) and on repeated / empty answers."""

    def right(pairs: list[tuple[str, str]]) -> float:
        return sum(
            abs(float(student.f1_score(p, t)) - ref.f1_score_tokens(p, t)) < 1e-9 for p, t in pairs
        ) / len(pairs)

    random_pairs = [(random_phrase(rng), random_phrase(rng)) for _ in range(50)]
    special = [
        ("Broncos Broncos", "Broncos Broncos Denver"),  # a repeated word counts twice
        ("1912 1912", "1912 1912"),
        ("Eiger Eiger Monch", "Eiger Eiger"),
        ("", ""),  # no shared word, even when both are empty: 0
        ("the", "a"),
    ]
    return 0.5 * right(random_pairs) + 0.5 * right(special)


@LESSON.check("squad_metrics_tests", points=0.5, hidden=True, timeout=20)
def squad_em_f1_on_random_questions(student, rng):
    """Several references per question, predictions in another order."""
    predictions, references = [], []
    for k in range(40):
        predictions.append({"id": str(k), "prediction_text": random_phrase(rng)})
        texts = [random_phrase(rng) or "x" for _ in range(int(rng.integers(1, 4)))]
        references.append(
            {"id": str(k), "answers": {"text": texts, "answer_start": [0] * len(texts)}}
        )
    shuffled = [predictions[k] for k in rng.permutation(40)]
    assert_close(
        student.squad_em_f1(shuffled, references),
        ref.squad_scores(predictions, references),
        what="squad_em_f1(...)",
    )


# --------------------------------------------------------------------------------------
# answer_or_abstain (3 points): SQuAD 2.0's null score against the best span
# --------------------------------------------------------------------------------------

ABSTAIN_EXAMPLES = {
    "id": ["q1", "q2", "q3"],
    "context": ["alpha beta gamma delta", "one two", "x y"],
}
ABSTAIN_FEATURES = {
    "example_id": ["q1", "q1", "q2", "q3"],
    "offset_mapping": [
        [None, (0, 5), (6, 10), (11, 16), None],
        [None, (6, 10), (11, 16), (17, 22), None],
        [None, (0, 3), (4, 7), None, None],
        [None, None, None, None, None],
    ],
}
ABSTAIN_START = [[4.0, 2.0, 0, 0, 0], [1.0, 0, 0, 6.0, 0], [9.0, 1.0, 0, 0, 0], [0.0] * 5]
ABSTAIN_END = [[4.0, 0, 2.0, 0, 0], [0.5, 0, 0, 5.0, 0], [9.0, 0, 1.0, 0, 0], [0.0] * 5]


def _decisions(got: Any, ids: list[str]) -> dict[str, tuple[str, float]]:
    assert isinstance(got, dict), "answer_or_abstain returns a dict {example id: {...}}"
    assert set(got) == set(ids), f"one entry per example: expected {sorted(ids)}, got {sorted(got)}"
    out = {}
    for key, value in got.items():
        assert isinstance(value, dict) and {"answer", "score_diff"} <= set(value), (
            f"the entry of {key!r} must be a dict with 'answer' and 'score_diff'"
        )
        out[key] = (str(value["answer"]), float(value["score_diff"]))
    return out


def _same_decision(got: tuple[str, float], expected: tuple[str, float]) -> bool:
    if got[0] != expected[0]:
        return False
    if np.isinf(expected[1]):
        return bool(np.isinf(got[1]) and got[1] > 0)
    return abs(got[1] - expected[1]) < 1e-6


def expected_decisions(
    student, examples, features, starts, ends, threshold: float, max_answer_length: int = 30
) -> dict[str, tuple[str, float]]:
    """(answer, score_diff) per example, from the student's own decode_answer (so a decoder
    mistake is not counted twice), or from the reference decoder if it fails."""
    null: dict[str, float] = {}
    best: dict[str, tuple[float, str] | None] = dict.fromkeys(examples["id"])
    for k, offsets in enumerate(features["offset_mapping"]):
        example_id = features["example_id"][k]
        context = examples["context"][examples["id"].index(example_id)]
        null[example_id] = min(null.get(example_id, np.inf), float(starts[k][0] + ends[k][0]))
        try:
            got = student.decode_answer(starts[k], ends[k], offsets, context, 20, max_answer_length)
            candidate = None if got is None else (float(got["score"]), str(got["answer"]))
        except Exception:  # noqa: BLE001 - the student's decoder is broken: use the reference
            candidate = reference_decode(
                starts[k], ends[k], offsets, context, 20, max_answer_length
            )
        if candidate is not None and (
            best[example_id] is None or candidate[0] > best[example_id][0]
        ):
            best[example_id] = candidate
    out = {}
    for example_id, candidate in best.items():
        if candidate is None:
            out[example_id] = ("", float("inf"))
            continue
        diff = null[example_id] - candidate[0]
        out[example_id] = ("" if diff > threshold else candidate[1], diff)
    return out


@LESSON.check("answer_or_abstain_tests", points=1.0)
def abstain_on_the_notebook_example(student):
    """The notebook's example: the lowest null score, abstain only when diff > threshold."""
    starts, ends = np.array(ABSTAIN_START), np.array(ABSTAIN_END)
    ids = ABSTAIN_EXAMPLES["id"]
    got = _decisions(
        student.answer_or_abstain(ABSTAIN_EXAMPLES, ABSTAIN_FEATURES, starts, ends, threshold=0.0),
        ids,
    )
    assert got["q1"][0] == "delta", f"q1: the best span 'delta' wins (diff -9.5), got {got['q1']}"
    assert_close(got["q1"][1], -9.5, what="q1's score_diff (lowest null score 1.5 - span 11.0)")
    assert got["q2"] == ("", 16.0), (
        f"q2: null 18.0 beats the span 2.0 by 16.0: abstain, got {got['q2']}"
    )
    assert got["q3"] == ("", float("inf")), f"q3 has no valid span: ('', inf), got {got['q3']}"
    never = _decisions(
        student.answer_or_abstain(
            ABSTAIN_EXAMPLES, ABSTAIN_FEATURES, starts, ends, threshold=float("inf")
        ),
        ids,
    )
    assert never["q2"][0] == "one two", "threshold=inf must never abstain"


@LESSON.check("answer_or_abstain_tests", points=1.5, hidden=True, timeout=20)
def abstain_on_random_examples(student, rng):
    """Partial credit: examples in shuffled features, thresholds around the differences."""
    right = total = 0
    for _ in range(4):
        examples, features, starts, ends = random_split_examples(rng, 8)
        starts, ends = starts * 3, ends * 3  # null and span scores of comparable size
        threshold = float(rng.normal())
        expected = expected_decisions(student, examples, features, starts, ends, threshold, 5)
        got = _decisions(
            student.answer_or_abstain(
                examples, features, starts, ends, threshold=threshold, max_answer_length=5
            ),
            examples["id"],
        )
        right += sum(_same_decision(got[key], value) for key, value in expected.items())
        total += len(expected)
    return right / total


@LESSON.check("answer_or_abstain_tests", points=0.5, hidden=True, timeout=20)
def abstain_at_the_threshold(student):
    """A difference equal to the threshold answers; one just above it abstains."""
    starts, ends = np.array(ABSTAIN_START), np.array(ABSTAIN_END)
    at = student.answer_or_abstain(ABSTAIN_EXAMPLES, ABSTAIN_FEATURES, starts, ends, threshold=16.0)
    above = student.answer_or_abstain(
        ABSTAIN_EXAMPLES, ABSTAIN_FEATURES, starts, ends, threshold=15.99
    )
    assert _decisions(at, ABSTAIN_EXAMPLES["id"])["q2"][0] == "one two"
    assert _decisions(above, ABSTAIN_EXAMPLES["id"])["q2"][0] == ""


# --------------------------------------------------------------------------------------
# choose_threshold (2 points)
# --------------------------------------------------------------------------------------


def mean_v2_f1(threshold: float, diffs, f1s, answerable) -> float:
    """SQuAD 2.0 mean F1 of abstaining when diff > threshold."""
    return float(
        np.mean(
            [
                (0.0 if has else 1.0) if diff > threshold else (f1 if has else 0.0)
                for diff, f1, has in zip(diffs, f1s, answerable, strict=True)
            ]
        )
    )


def best_mean_v2_f1(diffs, f1s, answerable) -> float:
    return max(mean_v2_f1(t, diffs, f1s, answerable) for t in [float("-inf"), *diffs])


def _threshold_is_best(student, diffs, f1s, answerable) -> bool:
    chosen = float(student.choose_threshold(diffs, f1s, answerable))
    return (
        abs(mean_v2_f1(chosen, diffs, f1s, answerable) - best_mean_v2_f1(diffs, f1s, answerable))
        < 1e-9
    )


@LESSON.check("choose_threshold_tests", points=0.5)
def threshold_on_the_notebook_example(student):
    """The notebook's example: best mean F1 0.7."""
    diffs, f1s = [-3.0, -1.0, 0.5, 2.0, 4.0], [1.0, 0.5, 0.0, 1.0, 0.0]
    answerable = [True, True, False, True, False]
    chosen = float(student.choose_threshold(diffs, f1s, answerable))
    reached = mean_v2_f1(chosen, diffs, f1s, answerable)
    assert abs(reached - 0.7) < 1e-9, (
        f"threshold {chosen} reaches mean F1 {reached}, the best is 0.7"
    )


@LESSON.check("choose_threshold_tests", points=1.0, hidden=True, timeout=20)
def threshold_on_random_questions(student, rng):
    """Partial credit: the best reachable mean F1 on random questions (ties in diffs too)."""
    right = 0
    for _ in range(20):
        n = int(rng.integers(1, 30))
        diffs = np.round(rng.normal(size=n) * 3, 1).tolist()
        f1s = rng.choice([0.0, 0.25, 0.5, 1.0], size=n).tolist()
        answerable = (rng.random(n) < rng.uniform(0.2, 0.8)).tolist()
        right += _threshold_is_best(student, diffs, f1s, answerable)
    return right / 20


@LESSON.check("choose_threshold_tests", points=0.5, hidden=True)
def threshold_at_the_extremes(student):
    """Nothing to answer: abstain on all; everything answerable with F1 > 0: answer all."""
    assert _threshold_is_best(student, [1.0, 2.0, -4.0], [0.3, 0.9, 1.0], [False, False, False])
    assert _threshold_is_best(student, [1.0, 2.0, -4.0], [0.3, 0.9, 1.0], [True, True, True])
    assert _threshold_is_best(student, [0.5], [1.0], [True])


# --------------------------------------------------------------------------------------
# concept checks (1 point each)
# --------------------------------------------------------------------------------------

LESSON.answer_key(
    {
        "answer_q1_tests": {"ANSWER_Q1": "b"},
        "answer_q2_tests": {"ANSWER_Q2": "c"},
        "answer_q3_tests": {"ANSWER_Q3": "d"},
    }
)


# --------------------------------------------------------------------------------------
# Mutants: edits of the current solution cells
# --------------------------------------------------------------------------------------

_SPAN = "start_positions.append(start - 1)\n        end_positions.append(end + 1)"
for _description, _edit in (
    (
        "end position one token too far",
        {"end_positions.append(end + 1)": "end_positions.append(end + 2)"},
    ),
    (
        "start position one token too early",
        {"start_positions.append(start - 1)": "start_positions.append(start - 2)"},
    ),
    (
        "windows without the answer clamped to the context instead of [CLS]",
        {
            "            start_positions.append(0)  # the answer is not (wholly) in this window\n"
            "            end_positions.append(0)\n"
            "            continue\n": "            pass\n",
            _SPAN: "start_positions.append(max(context_start, start - 1))\n"
            "        end_positions.append(min(context_end, max(context_start, end + 1)))",
        },
    ),
    (
        "token positions counted from the start of the context",
        {
            _SPAN: "start_positions.append(start - 1 - context_start)\n"
            "        end_positions.append(end + 1 - context_start)"
        },
    ),
):
    LESSON.mutant("prepare_train_features", _description, replace=_edit)
# A different program: one truncated window per example, spans found by overlap.
LESSON.mutant(
    "prepare_train_features",
    "no windows: long contexts truncated",
    """
def prepare_train_features(examples, tokenizer, max_length=384, stride=128):
    encoded = tokenizer(examples["question"], examples["context"], truncation="only_second",
                        max_length=max_length, return_offsets_mapping=True)
    starts, ends = [], []
    for i, offsets in enumerate(encoded.pop("offset_mapping")):
        answers = examples["answers"][i]
        a0 = answers["answer_start"][0]
        a1 = a0 + len(answers["text"][0])
        seq = encoded.sequence_ids(i)
        ctx = [k for k, v in enumerate(seq) if v == 1]
        inside = [k for k in ctx if offsets[k][0] < a1 and offsets[k][1] > a0]
        starts.append(inside[0] if inside else 0)
        ends.append(inside[-1] if inside else 0)
    encoded["start_positions"] = starts
    encoded["end_positions"] = ends
    return encoded
""",
)

# A different program: no search over start/end pairs at all.
LESSON.mutant(
    "decode_answer",
    "independent argmax of start and end",
    """
import numpy as np
def decode_answer(start_logits, end_logits, offset_mapping, context, n_best=20,
                  max_answer_length=30):
    n = len(offset_mapping)
    s = int(np.argmax(np.asarray(start_logits)[:n]))
    e = int(np.argmax(np.asarray(end_logits)[:n]))
    if offset_mapping[s] is None or offset_mapping[e] is None or e < s:
        return None
    a, b = offset_mapping[s][0], offset_mapping[e][1]
    score = float(start_logits[s] + end_logits[e])
    return {"answer": context[a:b], "score": score, "start": a, "end": b}
""",
)
_LIMIT = "if end < start or end - start + 1 > max_answer_length:"
for _description, _edit in (
    ("no limit on the answer length", {_LIMIT: "if end < start:"}),
    (
        "max_answer_length off by one (one token too many)",
        {_LIMIT: "if end < start or end - start > max_answer_length:"},
    ),
    (
        "end before start allowed (answers read backwards are empty)",
        {_LIMIT: "if abs(end - start) >= max_answer_length:"},
    ),
    (
        "answer text one character short",
        {"context[start_char:end_char]": "context[start_char:end_char - 1]"},
    ),
):
    LESSON.mutant("decode_answer", _description, replace=_edit)

for _description, _edit in (
    (
        "the first feature of each example only",
        {"for index in features_of[example_id]:": "for index in features_of[example_id][:1]:"},
    ),
    (
        "the last feature's candidate wins, not the best",
        {'(best is None or candidate["score"] > best["score"])': "True"},
    ),
):
    LESSON.mutant("postprocess_predictions", _description, replace=_edit)

_ARTICLES = 'text = re.sub(r"\\b(a|an|the)\\b", " ", text)'
for _description, _edit in (
    ("articles kept", {f"    {_ARTICLES}\n": ""}),
    (
        "articles removed before lower-casing",
        {
            f"    {_ARTICLES}\n": "",
            "    text = text.lower()\n": f"    {_ARTICLES}\n    text = text.lower()\n",
        },
    ),
    (
        "F1 over sets of words (repeats ignored)",
        {
            "sum((Counter(predicted_words) & Counter(true_words)).values())": (
                "len(set(predicted_words) & set(true_words))"
            )
        },
    ),
    (
        "scores against the first reference answer only",
        {
            "max(exact_match_score(text, truth) for truth in truths)": (
                "exact_match_score(text, truths[0])"
            ),
            "max(f1_score(text, truth) for truth in truths)": "f1_score(text, truths[0])",
        },
    ),
    (
        "fractions instead of percentages",
        {'"exact_match": 100 * exact': '"exact_match": exact', '"f1": 100 * f1': '"f1": f1'},
    ),
):
    LESSON.mutant("squad_metrics", _description, replace=_edit)

# answer_or_abstain and choose_threshold mutants are whole programs built from one
# template each, so every mutant differs from the others in one place.
_ABSTAIN = """
from collections import defaultdict
def answer_or_abstain(examples, features, start_logits, end_logits, threshold=0.0, n_best=20,
                      max_answer_length=30):
    features_of = defaultdict(list)
    for index, example_id in enumerate(features["example_id"]):
        features_of[example_id].append(index)
    offsets = list(features["offset_mapping"])
    out = {}
    for example_id, context in zip(examples["id"], examples["context"]):
        nulls, best = [], None
        for i in features_of[example_id]:
            nulls.append(float(start_logits[i][0] + end_logits[i][0]))
            got = decode_answer(start_logits[i], end_logits[i], offsets[i], context, n_best,
                                max_answer_length)
            if got is not None and (best is None or got["score"] > best["score"]):
                best = got
        if best is None:
            out[example_id] = {"answer": "", "score_diff": float("inf")}
            continue
        diff = NULL - best["score"]
        out[example_id] = {"answer": "" if ABSTAIN else best["answer"], "score_diff": diff}
    return out
"""
LESSON.mutant(
    "answer_or_abstain",
    "the highest null score over the features instead of the lowest",
    _ABSTAIN.replace("NULL", "max(nulls)").replace("ABSTAIN", "diff > threshold"),
)
LESSON.mutant(
    "answer_or_abstain",
    "the null score of the first feature only",
    _ABSTAIN.replace("NULL", "nulls[0]").replace("ABSTAIN", "diff > threshold"),
)
LESSON.mutant(
    "answer_or_abstain",
    "abstains when the difference equals the threshold",
    _ABSTAIN.replace("NULL", "min(nulls)").replace("ABSTAIN", "diff >= threshold"),
)
LESSON.mutant(
    "answer_or_abstain",
    "the difference the wrong way round (best span - null)",
    _ABSTAIN.replace("NULL - best", "best")
    .replace('best["score"]\n        out', 'best["score"] - min(nulls)\n        out')
    .replace("ABSTAIN", "diff < -threshold"),
)
LESSON.mutant(
    "answer_or_abstain",
    "an example without a valid span gets score_diff 0",
    _ABSTAIN.replace('"score_diff": float("inf")', '"score_diff": 0.0')
    .replace("NULL", "min(nulls)")
    .replace("ABSTAIN", "diff > threshold"),
)

_CHOOSE = """
def choose_threshold(score_diffs, answer_f1s, answerable):
    def mean_f1(threshold):
        total = 0.0
        for diff, f1, has_answer in zip(score_diffs, answer_f1s, answerable):
            if ABSTAIN:
                total += NO_ANSWER
            else:
                total += f1 if has_answer else 0.0
        return total / len(score_diffs)
    candidates = CANDIDATES
    return max(candidates, key=mean_f1)
"""
_RIGHT_CANDIDATES = '[float("-inf"), *sorted(set(float(d) for d in score_diffs))]'
LESSON.mutant(
    "choose_threshold",
    "never considers abstaining on every question (no -inf candidate)",
    _CHOOSE.replace("ABSTAIN", "diff > threshold")
    .replace("NO_ANSWER", "0.0 if has_answer else 1.0")
    .replace("CANDIDATES", "sorted(set(float(d) for d in score_diffs))"),
)
LESSON.mutant(
    "choose_threshold",
    "tuned on the questions with an answer only (abstaining earns nothing)",
    _CHOOSE.replace("ABSTAIN", "diff > threshold")
    .replace("NO_ANSWER", "0.0")
    .replace("CANDIDATES", _RIGHT_CANDIDATES),
)
LESSON.mutant(
    "choose_threshold",
    "tuned with >= but applied with > (a threshold one question off)",
    _CHOOSE.replace("ABSTAIN", "diff >= threshold")
    .replace("NO_ANSWER", "0.0 if has_answer else 1.0")
    .replace("CANDIDATES", _RIGHT_CANDIDATES),
)
LESSON.mutant(
    "choose_threshold",
    "the median difference, whatever the F1",
    """
import numpy as np
def choose_threshold(score_diffs, answer_f1s, answerable):
    return float(np.median(score_diffs))
""",
)
LESSON.mutant("answer_q1", "wrong concept answer", replace={'"b"': '"a"'})
LESSON.mutant("answer_q2", "wrong concept answer", replace={'"c"': '"a"'})
LESSON.mutant("answer_q3", "wrong concept answer", replace={'"d"': '"b"'})
