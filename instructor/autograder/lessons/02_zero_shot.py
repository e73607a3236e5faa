"""Checks of lesson 02_zero_shot: prompt template, length filter, star predictor, accuracy.

References live here (the template function) or come from scikit-learn; the grader's
tokenizer is the packaged offline one, the same the worker's ``Fixture("tokenizer")``
loads (the worker always runs offline in fast mode).
"""

from __future__ import annotations

from sklearn.metrics import accuracy_score

from autograder import Fixture, Lesson, assert_close, expect_student_error
from autograder.counterexample import aligned, score_cases
from autograder.references import reference_tokenizer

LESSON = Lesson(
    "02_zero_shot",
    # Only the solution cells run: no pipeline, no model, so grading stays fast.
    setup="import bertcourse as bc\ntokenizer = bc.load_tokenizer()",
    run="solutions",
    cell_timeout=30,
)

TEMPLATE = "Overall, it was {mask}."
TARGET_WORDS = ["terrible", "bad", "okay", "good", "great"]
STAR_OF_WORD = {word: label for label, word in enumerate(TARGET_WORDS)}
MASK_TOKENS = ["[MASK]", "<mask>", "<extra_id_0>"]
TEMPLATES = [TEMPLATE, "It was {mask}.", "{mask}!", "All in all, a {mask} place."]
WORDS = [
    "the", "pasta", "was", "cold", "and", "waiter", "unbelievably", "scrumptious",
    "tiramisu", "we'll", "be", "back", "service", "okay", "$5", "happy", "hour",
]  # fmt: skip


def reference_make_prompt(review: str, mask_token: str, template: str = TEMPLATE) -> str:
    text = " ".join(review.split())
    if not text.endswith((".", "!", "?")):
        text += "."
    return f"{text} {template.format(mask=mask_token)}"


def random_review(rng, max_words: int = 30) -> str:
    """Words joined by random whitespace, with a random ending (or none)."""
    n = int(rng.integers(1, max_words + 1))
    words = [WORDS[i] for i in rng.integers(0, len(WORDS), n)]
    gaps = [str(rng.choice([" ", "  ", "\n", "\t", " \n "])) for _ in range(n)]
    text = "".join(word + gap for word, gap in zip(words, gaps, strict=True)).rstrip()
    text += str(rng.choice(["", ".", "!", "?", "!!", ",", "..."]))
    return str(rng.choice(["", " ", "\n"])) + text + str(rng.choice(["", " ", "\n\n"]))


# --------------------------------------------------------------------------------------
# make_prompt (2 points)
# --------------------------------------------------------------------------------------


@LESSON.check("make_prompt_tests", points=0.5)
def make_prompt_documented_example(student):
    """make_prompt("Great  food\\n", "[MASK]") is "Great food. Overall, it was [MASK]."."""
    assert_close(
        student.make_prompt("Great  food\n", "[MASK]"),
        "Great food. Overall, it was [MASK].",
        what='make_prompt("Great  food\\n", "[MASK]")',
    )


@LESSON.check("make_prompt_tests", points=0.5, hidden=True)
def make_prompt_uses_the_given_mask_and_template(student):
    """Other mask tokens and templates, ending punctuation kept."""
    assert student.make_prompt("Loved it!", "<mask>") == "Loved it! Overall, it was <mask>."
    assert student.make_prompt(" Meh? ", "[M]", "It was {mask}.") == "Meh? It was [M]."


def _sensible_prompt_case(case: tuple[str, str, str]) -> bool:
    """A review with a word in it, a real mask token, a template with one ``{mask}`` slot."""
    review, mask, template = case
    rest = template.replace("{mask}", "", 1)
    return (
        bool(review.strip())
        and mask in MASK_TOKENS
        and "{mask}" in template
        and not {"{", "}"} & set(rest)
    )


@LESSON.check("make_prompt_tests", points=1, timeout=20)
def make_prompt_random_reviews(student, rng):
    """40 random reviews, masks and templates (partial credit)."""
    cases = [
        (random_review(rng), str(rng.choice(MASK_TOKENS)), str(rng.choice(TEMPLATES)))
        for _ in range(40)
    ]
    return score_cases(
        student.make_prompt,
        cases,
        lambda case, got: got == reference_make_prompt(*case),
        valid=_sensible_prompt_case,
    )


# --------------------------------------------------------------------------------------
# prompt_fits (2 points). Judged against the student's own make_prompt, so a mistake
# in the template exercise is not counted twice.
# --------------------------------------------------------------------------------------


def _prompt_tokens(student, review: str) -> int:
    tokenizer = reference_tokenizer()
    return len(tokenizer(student.make_prompt(review, tokenizer.mask_token))["input_ids"])


# The first check that builds the reference tokenizer (a transformers import): more time.
@LESSON.check("prompt_fits_tests", points=1, timeout=30)
def prompt_fits_counts_template_and_special_tokens(student):
    """A prompt of exactly max_length tokens fits; one token less does not."""
    n = _prompt_tokens(student, "good food")
    assert student.prompt_fits("good food", Fixture("tokenizer"), n), (
        f"the prompt for 'good food' has {n} tokens ([CLS] and [SEP] included) and should "
        f"fit in max_length={n}"
    )
    assert not student.prompt_fits("good food", Fixture("tokenizer"), n - 1), (
        "count the template and the special tokens: the prompt should not fit in "
        f"max_length={n - 1}"
    )


@LESSON.check("prompt_fits_tests", points=1, hidden=True, timeout=30)
def prompt_fits_random_reviews(student, rng):
    """12 random reviews, each right only if right at, near and well below its length."""
    right = 0
    for _ in range(12):
        review = random_review(rng, max_words=200)
        n = _prompt_tokens(student, review)
        answers = [
            student.prompt_fits(review, Fixture("tokenizer"), max_length)
            for max_length in (n // 2, n - 1, n, n + 1)
        ]
        right += answers == [False, False, True, True]
    return right / 12


# --------------------------------------------------------------------------------------
# predict_stars (2 points)
# --------------------------------------------------------------------------------------


def _candidates(rng, words, scores, *, spaces=True):
    out = [
        {
            "score": float(score),
            "token": int(rng.integers(0, 30000)),
            "token_str": (str(rng.choice(["", " "])) if spaces else "") + word,
            "sequence": f"... it was {word}.",
        }
        for word, score in zip(words, scores, strict=True)
    ]
    rng.shuffle(out)
    return out


@LESSON.check("predict_stars_tests", points=0.5)
def predict_stars_pipeline_order(student):
    """The pipeline's own output (best first) gives the best word's label id."""
    out = [
        {"score": 0.5, "token": 2204, "token_str": "good", "sequence": "it was good."},
        {"score": 0.3, "token": 2307, "token_str": "great", "sequence": "it was great."},
        {"score": 0.1, "token": 2919, "token_str": "bad", "sequence": "it was bad."},
        {"score": 0.06, "token": 3100, "token_str": "okay", "sequence": "it was okay."},
        {"score": 0.04, "token": 6659, "token_str": "terrible", "sequence": "it was terrible."},
    ]
    assert_close(student.predict_stars(out, STAR_OF_WORD), 3, what="predict_stars(...)")


@LESSON.check("predict_stars_tests", points=1, hidden=True, timeout=20)
def predict_stars_random_order(student, rng):
    """40 shuffled outputs, some words with a leading space (partial credit)."""
    right = 0
    for _ in range(40):
        scores = rng.random(len(TARGET_WORDS))
        got = student.predict_stars(_candidates(rng, TARGET_WORDS, scores), STAR_OF_WORD)
        right += got == int(scores.argmax())
    return right / 40


@LESSON.check("predict_stars_tests", points=0.5, hidden=True)
def predict_stars_other_mappings(student, rng):
    """The mapping passed in is used, not a fixed word list."""
    mapping = {"no": 0, "yes": 1}
    got = student.predict_stars(_candidates(rng, ["yes", "no"], [0.9, 0.1]), mapping)
    assert got == 1
    mapping = {"awful": 0, "superb": 4, "fine": 2}
    scores = [0.2, 0.5, 0.3]
    got = student.predict_stars(_candidates(rng, ["awful", "superb", "fine"], scores), mapping)
    assert got == 4


# --------------------------------------------------------------------------------------
# accuracy (2 points)
# --------------------------------------------------------------------------------------


@LESSON.check("accuracy_tests", points=0.5)
def accuracy_fixed_example(student):
    """accuracy([0, 1, 2, 2], [0, 1, 1, 2]) is 0.75."""
    assert_close(student.accuracy([0, 1, 2, 2], [0, 1, 1, 2]), 0.75, what="accuracy")


@LESSON.check("accuracy_tests", points=1, timeout=20)
def accuracy_random_inputs(student, rng):
    """Lists and NumPy arrays against scikit-learn (partial credit)."""
    cases = []
    for case in range(30):
        n = int(rng.integers(1, 120))
        preds, labels = rng.integers(0, 5, n), rng.integers(0, 5, n)
        cases.append(
            aligned(preds, labels) if case % 2 else aligned(preds.tolist(), labels.tolist())
        )

    def is_right(case, got):
        preds, labels = case
        expected = accuracy_score(list(labels), list(preds))
        return isinstance(got, float | int) and abs(got - expected) < 1e-9

    return score_cases(student.accuracy, cases, is_right, valid=lambda case: len(case[0]) > 0)


@LESSON.check("accuracy_tests", points=0.25, hidden=True)
def accuracy_rejects_different_lengths(student):
    """Different lengths raise ValueError."""
    with expect_student_error("ValueError", "MetricInputError"):
        student.accuracy([0, 1, 2], [0, 1])
    with expect_student_error("ValueError", "MetricInputError"):
        student.accuracy([0, 1], [0, 1, 1, 1])


@LESSON.check("accuracy_tests", points=0.25, hidden=True)
def accuracy_rejects_empty_input(student):
    """Empty input raises ValueError."""
    with expect_student_error("ValueError", "MetricInputError"):
        student.accuracy([], [])


# --------------------------------------------------------------------------------------
# concept checks (3 points, one per question)
# --------------------------------------------------------------------------------------

LESSON.answer_key({"concept_tests": {"ANSWER_Q1": "a", "ANSWER_Q2": "b", "ANSWER_Q3": "b"}})


# --------------------------------------------------------------------------------------
# Mutants: plausible mistakes that must lose points, as edits of the current solution cells.
# --------------------------------------------------------------------------------------

_ENDS = '    if not text.endswith((".", "!", "?")):\n        text += "."\n'
for _description, _edit in (
    (
        "hard-coded [MASK] instead of the tokenizer's mask token",
        {"template.format(mask=mask_token)": "template.format(mask='[MASK]')"},
    ),
    ("no full stop added", {_ENDS: ""}),
    (
        "inner whitespace not collapsed",
        {'text = " ".join(review.split())': "text = review.strip()"},
    ),
    (
        "template argument ignored",
        {"{template.format(mask=mask_token)}": "{TEMPLATE.format(mask=mask_token)}"},
    ),
):
    LESSON.mutant("make_prompt", _description, replace=_edit)

_COUNT = 'len(tokenizer(prompt)["input_ids"]) <= max_length'
for _description, _edit in (
    (
        "special tokens not counted (off by two)",
        {_COUNT: 'len(tokenizer(prompt, add_special_tokens=False)["input_ids"]) <= max_length'},
    ),
    ("words counted instead of tokens", {_COUNT: "len(prompt.split()) <= max_length"}),
    ("template not counted", {_COUNT: 'len(tokenizer(review)["input_ids"]) <= max_length'}),
    ("strict comparison (off by one)", {"<= max_length": "< max_length"}),
):
    LESSON.mutant("prompt_fits", _description, replace=_edit)

_BEST = 'best = max(target_scores, key=lambda candidate: candidate["score"])'
_STAR = 'return star_of_word[best["token_str"].strip()]'
for _description, _edit in (
    ("first candidate taken (assumes sorted output)", {_BEST: "best = target_scores[0]"}),
    ("lowest score instead of highest", {"best = max(": "best = min("}),
    ("star count (1-5) instead of label id (0-4)", {_STAR: _STAR + " + 1"}),
    (
        "fixed word list instead of the mapping",
        {
            _STAR: 'return ["terrible", "bad", "okay", "good", "great"].index('
            'best["token_str"].strip())'
        },
    ),
):
    LESSON.mutant("predict_stars", _description, replace=_edit)

_SUM = "sum(int(p == y) for p, y in zip(predictions, labels))"
for _description, _edit in (
    ("number right instead of the fraction", {f"{_SUM} / len(labels)": _SUM}),
    (
        "no length check (zip drops the tail)",
        {
            "    if len(predictions) != len(labels):\n        raise ValueError(": (
                "    if False:\n        raise ValueError("
            ),
            f"{_SUM} / len(labels)": f"{_SUM} / min(len(labels), len(predictions))",
        },
    ),
    ("error rate instead of accuracy", {"int(p == y)": "int(p != y)"}),
):
    LESSON.mutant("accuracy", _description, replace=_edit)

LESSON.mutant(
    "concept_answers",
    "wrong answers",
    replace={'Q1 = "a"': 'Q1 = "b"', 'Q2 = "b"': 'Q2 = "c"', 'Q3 = "b"': 'Q3 = "a"'},
)
