"""Checks of lesson 09_pipelines: entity pairs from token-classification output, best answer.

Both exercises post-process pipeline output, so no model runs while grading: the
checks feed outputs in the pipelines' documented formats (fixed and random) and a
stand-in question-answering callable built in the worker.
"""

from __future__ import annotations

from autograder import Fixture, Lesson, assert_close, expect_student_error

FAKE_QA = '''
class FakeQA:
    """Answers with the context's first word; the score is the context's length / 100."""

    def __call__(self, question=None, context=None):
        word = context.split()[0]
        return {"answer": word, "score": len(context) / 100, "start": 0, "end": len(word)}

value = FakeQA()
'''
QUESTION_AWARE_QA = '''
class KeywordQA:
    """Scores a context by how many of its words are in the question."""

    def __call__(self, question=None, context=None):
        words = set(question.lower().split())
        score = sum(w in words for w in context.lower().split()) / 10
        return {"answer": context.split()[-1], "score": score, "start": 0, "end": 1}

value = KeywordQA()
'''

LESSON = Lesson(
    "09_pipelines",
    setup="import bertcourse as bc",
    run="solutions",
    fixtures={"fake_qa": FAKE_QA, "keyword_qa": QUESTION_AWARE_QA},
    cell_timeout=30,
)

TYPES = ["PER", "ORG", "LOC", "MISC"]


def reference_entity_pairs(predictions: list[dict], text: str) -> list[tuple[str, str]]:
    if predictions and "entity_group" in predictions[0]:
        return [(text[p["start"] : p["end"]], p["entity_group"]) for p in predictions]
    pairs: list[tuple[str, str]] = []
    current: list | None = None
    for p in predictions:
        prefix, _, kind = p["entity"].partition("-")
        if (
            current is not None
            and prefix == "I"
            and kind == current[0]
            and p["index"] == current[3] + 1
        ):
            current[2], current[3] = p["end"], p["index"]
            continue
        if current is not None:
            pairs.append((text[current[1] : current[2]], current[0]))
        current = [kind, p["start"], p["end"], p["index"]]
    if current is not None:
        pairs.append((text[current[1] : current[2]], current[0]))
    return pairs


def random_token_output(rng) -> tuple[list[dict], str]:
    """A text of random words and the token-level pipeline output for some of its tokens."""
    n = int(rng.integers(1, 16))
    words = ["w" + "x" * int(rng.integers(0, 6)) + str(i) for i in range(n)]
    text = " ".join(words)
    predictions, start = [], 0
    for index, word in enumerate(words, start=1):
        if rng.random() < 0.7:
            tag = f"{rng.choice(['B', 'I'])}-{rng.choice(TYPES)}"
            predictions.append(
                {
                    "entity": tag,
                    "score": float(rng.random()),
                    "index": index,
                    "word": word,
                    "start": start,
                    "end": start + len(word),
                }
            )
        start += len(word) + 1
    return predictions, text


def _pairs(got) -> list[tuple[str, str]]:
    return [tuple(pair) for pair in got]


# --------------------------------------------------------------------------------------
# entity_pairs (3 points)
# --------------------------------------------------------------------------------------


@LESSON.check("entity_pairs_tests", points=1)
def documented_examples(student):
    """Sub-word tokens merged into one person; aggregated output mapped directly."""
    text = "Ada Lovelace visited Paris"
    tokens = [
        {"entity": "B-PER", "index": 1, "start": 0, "end": 3, "word": "ada", "score": 0.9},
        {"entity": "I-PER", "index": 2, "start": 4, "end": 8, "word": "love", "score": 0.9},
        {"entity": "I-PER", "index": 3, "start": 8, "end": 12, "word": "##lace", "score": 0.9},
        {"entity": "B-LOC", "index": 5, "start": 21, "end": 26, "word": "paris", "score": 0.9},
    ]
    got = _pairs(student.entity_pairs(tokens, text))
    expected = [("Ada Lovelace", "PER"), ("Paris", "LOC")]
    assert got == expected, f"entity_pairs(token output) returned {got}, expected {expected}"
    groups = [{"entity_group": "ORG", "start": 13, "end": 26, "word": "x", "score": 0.5}]
    got = _pairs(student.entity_pairs(groups, text))
    assert got == [("visited Paris", "ORG")], (
        f"entity_pairs(aggregated output) returned {got}, expected [('visited Paris', 'ORG')]"
    )


@LESSON.check("entity_pairs_tests", points=1, hidden=True, timeout=20)
def random_token_outputs(student, rng):
    """Random B-/I- tags, types and gaps (partial credit)."""
    right = 0
    for _ in range(30):
        predictions, text = random_token_output(rng)
        right += _pairs(student.entity_pairs(predictions, text)) == reference_entity_pairs(
            predictions, text
        )
    return right / 30


@LESSON.check("entity_pairs_tests", points=1, hidden=True)
def boundaries(student):
    """B- after B-, I- after a gap, I- of another type, empty output, aggregated spans."""
    text = "Bob and Ann met IBM staff"
    cases = [
        [{"entity": "B-PER", "index": 1, "start": 0, "end": 3},
         {"entity": "B-PER", "index": 2, "start": 4, "end": 7},
         {"entity": "I-LOC", "index": 3, "start": 8, "end": 11}],
        [{"entity": "I-ORG", "index": 5, "start": 16, "end": 19},
         {"entity": "I-ORG", "index": 6, "start": 20, "end": 25}],
        [{"entity": "B-MISC", "index": 1, "start": 0, "end": 3},
         {"entity": "I-MISC", "index": 3, "start": 8, "end": 11}],
        [],
        [{"entity_group": "PER", "start": 0, "end": 3},
         {"entity_group": "ORG", "start": 16, "end": 25}],
    ]  # fmt: skip
    for case in cases:
        assert _pairs(student.entity_pairs(case, text)) == reference_entity_pairs(case, text)


# --------------------------------------------------------------------------------------
# best_answer (3 points)
# --------------------------------------------------------------------------------------


@LESSON.check("best_answer_tests", points=1)
def best_of_three_contexts(student):
    """The longest context wins with the stand-in QA; the result's keys and types."""
    got = student.best_answer(
        Fixture("fake_qa"), "which?", ["short one", "the longest context here", "middle one"]
    )
    assert isinstance(got, dict), "return a dict"
    assert set(got) == {"answer", "score", "context_index"}, f"keys: {sorted(got)}"
    assert got["answer"] == "the" and got["context_index"] == 1
    assert_close(float(got["score"]), 0.24, what="score")


@LESSON.check("best_answer_tests", points=1, hidden=True, timeout=20)
def random_contexts(student, rng):
    """Random contexts and questions: the question is passed on (partial credit)."""
    vocabulary = ["red", "cat", "sat", "on", "mat", "blue", "dog", "ran", "far", "home"]
    right = 0
    for _ in range(15):
        question = " ".join(rng.choice(vocabulary, 3))
        contexts = [" ".join(rng.choice(vocabulary, int(rng.integers(2, 9))))
                    for _ in range(int(rng.integers(1, 6)))]  # fmt: skip
        words = set(question.split())
        scores = [sum(w in words for w in c.split()) / 10 for c in contexts]
        got = student.best_answer(Fixture("keyword_qa"), question, contexts)
        index = int(got["context_index"])
        # Ties: any context with the highest score is right.
        right += (
            0 <= index < len(contexts)
            and scores[index] == max(scores)
            and got["answer"] == contexts[index].split()[-1]
            and abs(float(got["score"]) - max(scores)) < 1e-9
        )
    return right / 15


@LESSON.check("best_answer_tests", points=1, hidden=True)
def one_context_a_generator_and_none(student):
    """One context; contexts given as a generator; no context raises ValueError."""
    assert student.best_answer(Fixture("fake_qa"), "q", ["only"])["context_index"] == 0
    got = student.eval('best_answer(fixtures["fake_qa"], "q", (c for c in ["aa bb", "cc"]))')
    assert got["answer"] == "aa"
    with expect_student_error("ValueError"):
        student.best_answer(Fixture("fake_qa"), "q", [])


# --------------------------------------------------------------------------------------
# concept checks (1 point each)
# --------------------------------------------------------------------------------------

LESSON.answer_key({"concept_q1_tests": {"ANSWER_Q1": "a"}, "concept_q2_tests": {"ANSWER_Q2": "b"}})

# --------------------------------------------------------------------------------------
# Mutants: edits of the current solution cells
# --------------------------------------------------------------------------------------

for _description, _edit in (
    ("index gaps ignored", {'\n                     and p["index"] == current[3] + 1)': ")"}),
    ("merged by type only (B- does not start a new entity)", {'prefix == "I" and ': ""}),
    (
        "last entity dropped",
        {
            "    if current is not None:\n        pairs.append((text[current[1]:current[2]], "
            "current[0]))\n    return pairs": "    return pairs"
        },
    ),
):
    LESSON.mutant("entity_pairs", _description, replace=_edit)
# A different program: it builds the entities from the pipeline's words, not from offsets.
LESSON.mutant(
    "entity_pairs",
    "words joined instead of slicing the text",
    """
def entity_pairs(predictions, text):
    if predictions and "entity_group" in predictions[0]:
        return [(p["word"], p["entity_group"]) for p in predictions]
    pairs, current = [], None
    for p in predictions:
        prefix, _, kind = p["entity"].partition("-")
        follows = current is not None and p["index"] == current[2] + 1
        if follows and prefix == "I" and kind == current[0]:
            current[1] += " " + p["word"]
            current[2] = p["index"]
            continue
        if current is not None:
            pairs.append((current[1], current[0]))
        current = [kind, p["word"], p["index"]]
    if current is not None:
        pairs.append((current[1], current[0]))
    return pairs
""",
)

_BETTER = 'if best is None or result["score"] > best["score"]:'
for _description, _edit in (
    ("first context returned", {_BETTER: "if best is None:"}),
    ("lowest score", {_BETTER: 'if best is None or result["score"] < best["score"]:'}),
    (
        "empty input not refused",
        {
            'raise ValueError("best_answer needs at least one context")': (
                'return {"answer": "", "score": 0.0, "context_index": -1}'
            )
        },
    ),
):
    LESSON.mutant("best_answer", _description, replace=_edit)

LESSON.mutant("concept_q1", "wrong answer", replace={'"a"': '"b"'})
LESSON.mutant("concept_q2", "wrong answer", replace={'"b"': '"a"'})
