"""Checks of lesson 02_zero_shot: prompt template, length filter, star predictor, accuracy,
calibrated scoring of a prompt design (with a stand-in pipeline) and the design's validity.

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
# make_prompt (1 point)
# --------------------------------------------------------------------------------------


@LESSON.check("make_prompt_tests", points=0.25)
def make_prompt_documented_example(student):
    """make_prompt("Great  food\\n", "[MASK]") is "Great food. Overall, it was [MASK]."."""
    assert_close(
        student.make_prompt("Great  food\n", "[MASK]"),
        "Great food. Overall, it was [MASK].",
        what='make_prompt("Great  food\\n", "[MASK]")',
    )


@LESSON.check("make_prompt_tests", points=0.25, hidden=True)
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


@LESSON.check("make_prompt_tests", points=0.5, timeout=20)
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
# prompt_fits (1 point). Judged against the student's own make_prompt, so a mistake
# in the template exercise is not counted twice.
# --------------------------------------------------------------------------------------


def _prompt_tokens(student, review: str) -> int:
    tokenizer = reference_tokenizer()
    return len(tokenizer(student.make_prompt(review, tokenizer.mask_token))["input_ids"])


# The first check that builds the reference tokenizer (a transformers import): more time.
@LESSON.check("prompt_fits_tests", points=0.5, timeout=30)
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


@LESSON.check("prompt_fits_tests", points=0.5, hidden=True, timeout=30)
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
# predict_stars (1 point)
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


@LESSON.check("predict_stars_tests", points=0.25)
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


@LESSON.check("predict_stars_tests", points=0.5, hidden=True, timeout=20)
def predict_stars_random_order(student, rng):
    """40 shuffled outputs, some words with a leading space (partial credit)."""
    right = 0
    for _ in range(40):
        scores = rng.random(len(TARGET_WORDS))
        got = student.predict_stars(_candidates(rng, TARGET_WORDS, scores), STAR_OF_WORD)
        right += got == int(scores.argmax())
    return right / 40


@LESSON.check("predict_stars_tests", points=0.25, hidden=True)
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
# accuracy (1 point)
# --------------------------------------------------------------------------------------


@LESSON.check("accuracy_tests", points=0.25)
def accuracy_fixed_example(student):
    """accuracy([0, 1, 2, 2], [0, 1, 1, 2]) is 0.75."""
    assert_close(student.accuracy([0, 1, 2, 2], [0, 1, 1, 2]), 0.75, what="accuracy")


@LESSON.check("accuracy_tests", points=0.5, timeout=20)
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


@LESSON.check("accuracy_tests", points=0.125, hidden=True)
def accuracy_rejects_different_lengths(student):
    """Different lengths raise ValueError."""
    with expect_student_error("ValueError", "MetricInputError"):
        student.accuracy([0, 1, 2], [0, 1])
    with expect_student_error("ValueError", "MetricInputError"):
        student.accuracy([0, 1], [0, 1, 1, 1])


@LESSON.check("accuracy_tests", points=0.125, hidden=True)
def accuracy_rejects_empty_input(student):
    """Empty input raises ValueError."""
    with expect_student_error("ValueError", "MetricInputError"):
        student.accuracy([], [])


# --------------------------------------------------------------------------------------
# calibrated_predictions (2 points): judged with a stand-in pipeline, not a model
# --------------------------------------------------------------------------------------

#: A fill-mask pipeline stand-in, built in the worker (fixture) and here (reference): a
#: word's score grows with how often the prompt says it, times a fixed prior per word, so
#: calibration (dividing by the "N/A" prompt's scores) changes the winner. It records
#: every prompt it is given.
FAKE_FILL_MASK = """
class FakeFillMask:
    class tokenizer:
        mask_token = "[MASK]"

    def __init__(self):
        self.prompts = []

    def one(self, prompt, targets):
        self.prompts.append(prompt)
        words = [w.strip(".,!?") for w in prompt.lower().split()]
        out = []
        for target in targets:
            prior = 1.0 + sum(map(ord, target)) % 7
            out.append({"score": prior * (1 + words.count(target)) / 1000.0, "token": 0,
                        "token_str": target, "sequence": prompt})
        return sorted(out, key=lambda c: -c["score"])

    def __call__(self, inputs, targets=None, top_k=5, **kwargs):
        if isinstance(inputs, str):
            return self.one(inputs, targets)[:top_k]
        return [self.one(text, targets)[:top_k] for text in inputs]


value = FakeFillMask()
"""
LESSON.fixtures["fill_mask"] = FAKE_FILL_MASK
FILL_MASK = Fixture("fill_mask")
DESIGN_WORDS = ["awful", "poor", "fine", "nice", "excellent", "bad", "great", "okay"]


def fake_fill_mask():
    namespace: dict = {}
    exec(FAKE_FILL_MASK, namespace)  # the module's own constant
    return namespace["value"]


def reference_calibrated(reviews, template, label_words) -> list[int]:
    pipe = fake_fill_mask()

    def row(prompt: str) -> list[float]:
        scores = {c["token_str"]: c["score"] for c in pipe(prompt, targets=label_words)}
        return [scores[word] for word in label_words]

    prior = row(reference_make_prompt("N/A", "[MASK]", template))
    out = []
    for review in reviews:
        scores = row(reference_make_prompt(review, "[MASK]", template))
        ratios = [s / p for s, p in zip(scores, prior, strict=True)]
        out.append(max(range(len(ratios)), key=ratios.__getitem__))
    return out


def _random_design_review(rng, label_words) -> str:
    words = [str(w) for w in rng.choice(WORDS + list(label_words), size=int(rng.integers(2, 15)))]
    return " ".join(words) + str(rng.choice(["", ".", "!"]))


def _predictions(got, n: int) -> list[int]:
    got = list(got)
    assert len(got) == n, f"one label id per review: {n} reviews, {len(got)} predictions"
    return [int(g) for g in got]


@LESSON.check("calibrated_predictions_tests", points=0.75, timeout=60)
def calibrated_predictions_on_a_stand_in(student):
    """Four reviews with the lesson's template and words, calibrated on "N/A"."""
    reviews = ["The food was great, great, great.", "Bad service, okay food.", "Meh", "good!"]
    got = student.calibrated_predictions(FILL_MASK, reviews, TEMPLATE, TARGET_WORDS)
    expected = reference_calibrated(reviews, TEMPLATE, TARGET_WORDS)
    assert _predictions(got, 4) == expected, (
        f"with a stand-in pipeline whose scores are (prior of the word) x (1 + times the "
        f"prompt says it), calibration should give {expected}, got {got}"
    )


@LESSON.check("calibrated_predictions_tests", points=0.75, hidden=True, timeout=60)
def calibrated_predictions_random_designs(student, rng):
    """Partial credit: random reviews, templates and label-word lists."""
    right = total = 0
    for _ in range(4):
        words = [str(w) for w in rng.choice(DESIGN_WORDS, size=5, replace=False)]
        template = str(rng.choice(TEMPLATES))
        reviews = [_random_design_review(rng, words) for _ in range(8)]
        got = _predictions(student.calibrated_predictions(FILL_MASK, reviews, template, words), 8)
        expected = reference_calibrated(reviews, template, words)
        right += sum(g == e for g, e in zip(got, expected, strict=True))
        total += len(expected)
    return right / total


@LESSON.check("calibrated_predictions_tests", points=0.5, hidden=True, timeout=60)
def calibrated_predictions_prompts(student):
    """The prompts given to the pipeline: make_prompt with the template, and "N/A"."""
    reviews, template = ["Fine food", "Rude staff!"], "It was {mask}."
    student.calibrated_predictions(FILL_MASK, ["x"], template, ["awful"])  # builds the fixture
    student.eval("fixtures['fill_mask'].prompts.clear()")
    student.calibrated_predictions(FILL_MASK, reviews, template, ["awful", "bad", "okay"])
    prompts = set(student.eval("fixtures['fill_mask'].prompts"))
    expected = {student.make_prompt(r, "[MASK]", template) for r in [*reviews, "N/A"]}
    assert prompts == expected


# --------------------------------------------------------------------------------------
# the student's design (2 points): valid, not good (accuracy depends on the model)
# --------------------------------------------------------------------------------------


@LESSON.check("design_tests", points=0.75)
def design_template_has_one_slot(student):
    """MY_TEMPLATE is a template with exactly one {mask} slot that make_prompt can fill."""
    template = student.value("MY_TEMPLATE")
    assert isinstance(template, str), "MY_TEMPLATE must be a string"
    assert template.count("{mask}") == 1, "MY_TEMPLATE needs exactly one {mask} slot"
    prompt = student.make_prompt("Nice.", "[MASK]", template)
    assert prompt.count("[MASK]") == 1, f"make_prompt with MY_TEMPLATE gives {prompt!r}"


@LESSON.check("design_tests", points=0.75, timeout=30)
def design_words_are_five_single_tokens(student):
    """Five different label words, each one token of the tokenizer."""
    words = list(student.value("MY_LABEL_WORDS"))
    assert len(words) == 5, f"five label words, one per rating; got {len(words)}"
    assert all(isinstance(w, str) for w in words), "the label words must be strings"
    assert len({w.strip().lower() for w in words}) == 5, "the five words must differ"
    tokenizer = reference_tokenizer()
    for word in words:
        pieces = tokenizer.tokenize(word)
        assert len(pieces) == 1 and pieces != [tokenizer.unk_token], (
            f"{word!r} is {pieces}: one blank holds one token, pick a one-token word"
        )


@LESSON.check("design_tests", points=0.5)
def design_differs_from_the_lesson(student):
    """The design is not the lesson's template with the lesson's words."""
    template, words = student.value("MY_TEMPLATE"), list(student.value("MY_LABEL_WORDS"))
    assert (template, words) != (TEMPLATE, TARGET_WORDS), (
        "design your own template or label words (or both)"
    )


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


# calibrated_predictions mutants are whole programs: the solution cell reads the
# pipeline in a way one edit cannot turn into each of these mistakes.
_CALIBRATED = """
import numpy as np
from bertcourse.zeroshot import run_pipeline
def calibrated_predictions(fill_mask, reviews, template, label_words):
    mask = fill_mask.tokenizer.mask_token
    k = len(label_words)
    def row(candidates):
        r = np.zeros(k)
        for c in candidates:
            r[label_words.index(c["token_str"].strip())] = c["score"]
        return r
    prior_prompt = make_prompt(PRIOR_TEXT, mask, TEMPLATE_USED)
    prior = row(fill_mask(prior_prompt, targets=label_words, top_k=k))
    prompts = [make_prompt(r, mask, TEMPLATE_USED) for r in reviews]
    out = run_pipeline(fill_mask, prompts, targets=label_words, top_k=k, progress=False)
    scores = np.array([row(c) for c in out]).reshape(len(prompts), k)
    return (RATIO).argmax(axis=1).tolist()
"""


def _calibrated(
    prior_text: str = '"N/A"', template: str = "template", ratio: str = "scores / prior"
):
    return (
        _CALIBRATED.replace("PRIOR_TEXT", prior_text)
        .replace("TEMPLATE_USED", template)
        .replace("RATIO", ratio)
    )


LESSON.mutant("calibrated_predictions", "not calibrated", _calibrated(ratio="scores"))
LESSON.mutant(
    "calibrated_predictions", "prior from the first review", _calibrated(prior_text="reviews[0]")
)
LESSON.mutant(
    "calibrated_predictions", "template argument ignored", _calibrated(template="TEMPLATE")
)
LESSON.mutant(
    "calibrated_predictions", "multiplied by the prior", _calibrated(ratio="scores * prior")
)
LESSON.mutant(
    "design",
    "template without a slot",
    'MY_TEMPLATE = "All in all, a good place."\n'
    'MY_LABEL_WORDS = ["awful", "poor", "fine", "nice", "excellent"]',
)
LESSON.mutant(
    "design",
    "a label word of several tokens",
    'MY_TEMPLATE = "It was {mask}."\n'
    'MY_LABEL_WORDS = ["awful", "poor", "tiramisu", "nice", "excellent"]',
)
LESSON.mutant(
    "design",
    "four label words",
    'MY_TEMPLATE = "It was {mask}."\nMY_LABEL_WORDS = ["awful", "poor", "nice", "excellent"]',
)
LESSON.mutant(
    "design",
    "the lesson's design copied",
    'MY_TEMPLATE = "Overall, it was {mask}."\n'
    'MY_LABEL_WORDS = ["terrible", "bad", "okay", "good", "great"]',
)
LESSON.mutant(
    "concept_answers",
    "wrong answers",
    replace={'Q1 = "a"': 'Q1 = "b"', 'Q2 = "b"': 'Q2 = "c"', 'Q3 = "b"': 'Q3 = "a"'},
)
