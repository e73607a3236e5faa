"""Checks of lesson 09_pipelines: entity pairs from token-classification output, and a
text-classification pipeline run over a data set in batches.

``entity_pairs`` post-processes pipeline output: the checks feed outputs in the
pipeline's documented formats (fixed and random). ``predict_label_ids`` runs a real
``text-classification`` pipeline on a seeded tiny BERT classifier (one layer, 32 wide,
random weights; a fraction of a second) built by :data:`PIPE_HARNESS` in the worker,
which records the model's forward passes; the grader builds the same model from the same
seed and computes each text's class without a pipeline.
"""

from __future__ import annotations

from autograder import Lesson
from autograder.references import harness_scope

#: Worker and grader both run this (``references.harness_scope``).
PIPE_HARNESS = """
import numpy as np
import torch
import transformers
from datasets import Dataset
from transformers.pipelines.pt_utils import KeyDataset

from bertcourse.models import offline_encoder_path

TOKENIZER = transformers.AutoTokenizer.from_pretrained(
    str(offline_encoder_path()), local_files_only=True
)
WORDS = ("good tacos cold fries friendly staff slow service great prices never again "
         "best salsa in town rude waiter").split()


def tiny_classifier(seed, names):
    torch.manual_seed(seed)
    config = transformers.BertConfig(
        vocab_size=len(TOKENIZER), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, initializer_range=0.5,
        num_labels=len(names), id2label=dict(enumerate(names)),
        label2id={name: i for i, name in enumerate(names)},
    )
    return transformers.BertForSequenceClassification(config).eval()


def texts_for(seed, n):
    rng = np.random.default_rng(seed)
    # 1 to 11 words: batches of texts of different lengths are padded.
    return [" ".join(rng.choice(WORDS, int(rng.integers(1, 12)))) for _ in range(n)]


def plain(value):
    return int(value) if isinstance(value, (int, np.integer)) else repr(value)


def run_predict(predict, form, seed, n, batch_size, names):
    model = tiny_classifier(seed, names)
    pipe = transformers.pipeline("text-classification", model=model, tokenizer=TOKENIZER,
                                 device="cpu")
    texts = texts_for(seed, n)
    if form == "list":
        given = list(texts)
    elif form == "generator":
        given = (text for text in texts)
    else:
        given = KeyDataset(Dataset.from_dict({"text": texts}), "text")
    batches = []

    def seen(module, args, kwargs):
        batches.append(int(kwargs["input_ids"].shape[0]))

    hook = model.register_forward_pre_hook(seen, with_kwargs=True)
    try:
        got = predict(pipe, given, batch_size)
    finally:
        hook.remove()
    return {"type": type(got).__name__, "ids": [plain(x) for x in got], "batches": batches}


def reference_ids(seed, n, names):
    model = tiny_classifier(seed, names)
    with torch.no_grad():
        return [
            int(model(**TOKENIZER(text, return_tensors="pt")).logits.argmax(-1))
            for text in texts_for(seed, n)
        ]


value = {"run_predict": run_predict, "reference_ids": reference_ids}
"""

LESSON = Lesson(
    "09_pipelines",
    # The pipeline classes are imported here, so that the first check's time goes to the
    # student's code.
    setup=(
        "import bertcourse as bc\n"
        "import transformers\n"
        "transformers.BertForSequenceClassification, transformers.TextClassificationPipeline"
    ),
    run="solutions",
    fixtures={"pipes": PIPE_HARNESS},
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
# predict_label_ids (3 points)
# --------------------------------------------------------------------------------------

NAMES = ("neg", "neu", "pos")


def pipes() -> dict:
    """The harness's functions, run in the grader (the worker runs the same source)."""
    return harness_scope(PIPE_HARNESS)["value"]


def _run(student, form: str, seed: int, n: int, batch_size: int, names=NAMES) -> dict:
    return student.eval(
        f"fixtures['pipes']['run_predict'](predict_label_ids, {form!r}, {seed}, {n}, "
        f"{batch_size}, {tuple(names)!r})"
    )


def _batches(n: int, batch_size: int) -> list[int]:
    return [min(batch_size, n - start) for start in range(0, n, batch_size)]


def _right(student, form: str, seed: int, n: int, batch_size: int, names=NAMES) -> bool:
    got = _run(student, form, seed, n, batch_size, names)
    return (
        got["type"] == "list"
        and got["ids"] == pipes()["reference_ids"](seed, n, names)
        and got["batches"] == _batches(n, batch_size)
    )


@LESSON.check("predict_label_ids_tests", points=1, timeout=30)
def ids_of_a_list_in_batches(student):
    """Ten texts in a list, batch_size=4: the class ids, from three forward passes."""
    got = _run(student, "list", 0, 10, 4)
    assert got["type"] == "list", f"predict_label_ids returned a {got['type']}: return a list"
    expected = pipes()["reference_ids"](0, 10, NAMES)
    assert got["ids"] == expected, (
        f"predict_label_ids returned {got['ids']} for ten texts; the model predicts the "
        f"class ids {expected} (ints, mapped back with pipe.model.config.label2id)"
    )
    assert got["batches"] == [4, 4, 2], (
        f"the model ran on batches of {got['batches']} texts: call the pipeline once on all "
        "the texts with batch_size=4 (expected batches of [4, 4, 2])"
    )


@LESSON.check("predict_label_ids_tests", points=1, hidden=True, timeout=30)
def every_input_form_in_batches(student, rng):
    """Lists, generators and KeyDatasets at several batch sizes (partial credit)."""
    cases = [("list", 1), ("list", 3), ("generator", 2), ("generator", 5), ("dataset", 4),
             ("dataset", 8)]  # fmt: skip
    right = 0
    for seed, (form, batch_size) in enumerate(cases, start=1):
        right += _right(student, form, seed, int(rng.integers(5, 18)), batch_size)
    return right / len(cases)


@LESSON.check("predict_label_ids_tests", points=1, hidden=True, timeout=30)
def label_names_mapped_back(student):
    """Label names in no particular order, digits in them, LABEL_k out of order (partial)."""
    label_sets = [("b", "a", "c"), ("5 stars", "1 star", "3 stars", "2 star"),
                  ("LABEL_2", "LABEL_0", "LABEL_1")]  # fmt: skip
    right = 0
    for seed, names in enumerate(label_sets, start=20):
        right += _right(student, "generator", seed, 9, 3, names)
    return right / len(label_sets)


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

_CALL = "pipe(texts, batch_size=batch_size)"
for _description, _edit in (
    ("one pipeline call per text", {_CALL: "[pipe(text)[0] for text in texts]"}),
    ("batch_size not passed (batches of one)", {_CALL: "pipe(texts)"}),
    ("label names returned, not ids", {'label2id[output["label"]]': 'output["label"]'}),
    (
        "id read from the label's last character",
        {'label2id[output["label"]]': 'int(output["label"][-1])'},
    ),
    (
        "ids from the label names in sorted order",
        {'label2id[output["label"]]': 'sorted(label2id).index(output["label"])'},
    ),
    (
        "results left as the pipeline's iterator",
        {
            'return [label2id[output["label"]] for output in outputs]': (
                'return (label2id[output["label"]] for output in outputs)'
            )
        },
    ),
):
    LESSON.mutant("predict_label_ids", _description, replace=_edit)

LESSON.mutant("concept_q1", "wrong answer", replace={'"a"': '"b"'})
LESSON.mutant("concept_q2", "wrong answer", replace={'"b"': '"a"'})
