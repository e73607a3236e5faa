"""Checks of lesson 03_sequence_classification: tokenize_function, compute_metrics,
make_training_arguments and build_trainer.

References: the packaged offline tokenizer (what the worker's ``Fixture("tokenizer")``
loads) and scikit-learn. No cell of the lesson that loads or trains a model runs while
grading. The training set-up (exercises 3 and 4) is graded on the objects and on a short
real run of a tiny seeded BERT built by :data:`HARNESS` (2 layers, 32 wide, a dozen
reviews, a few steps), which runs in the worker and, with the reference answers, in the
grader.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from autograder import Fixture, Lesson, assert_close
from autograder.references import harness_scope, reference_tokenizer

#: The TrainingArguments fields exercise 3 sets (read back as plain values).
ARGUMENT_FIELDS = (
    "learning_rate",
    "per_device_train_batch_size",
    "per_device_eval_batch_size",
    "num_train_epochs",
    "warmup_steps",
    "weight_decay",
    "eval_strategy",
    "logging_strategy",
    "save_strategy",
    "report_to",
    "seed",
)

#: Worker and grader both run this: the same tiny model, data and driver on both sides.
HARNESS = f"""
import tempfile

import numpy as np
import torch
import transformers
from datasets import Dataset

from bertcourse.models import offline_encoder_path

FIELDS = {ARGUMENT_FIELDS!r}
WORDS = ("good tacos cold fries friendly staff slow service great prices never again "
         "best salsa in town rude waiter").split()
TOKENIZER = transformers.AutoTokenizer.from_pretrained(
    str(offline_encoder_path()), local_files_only=True
)


def plain(value):
    value = getattr(value, "value", value)  # enums such as IntervalStrategy
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def describe_arguments(make, **recipe):
    args = make(tempfile.mkdtemp(prefix="args-"), **recipe)
    described = {{name: plain(getattr(args, name, None)) for name in FIELDS}}
    described["is_training_arguments"] = isinstance(args, transformers.TrainingArguments)
    return described


def tiny_model(seed):
    torch.manual_seed(seed)
    config = transformers.BertConfig(
        vocab_size=len(TOKENIZER), hidden_size=32, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64,
        num_labels=3,
    )
    return transformers.BertForSequenceClassification(config)


def tiny_split(seed, n):
    rng = np.random.default_rng(seed)
    # Lengths from 2 to 30 words: a batch padded to its longest differs from the others.
    texts = [" ".join(rng.choice(WORDS, int(rng.integers(2, 31)))) for _ in range(n)]
    encoded = TOKENIZER(texts, truncation=True, max_length=48)
    return Dataset.from_dict({{**encoded, "label": [int(x) for x in rng.integers(0, 3, n)]}})


def reference_arguments(**changes):
    fields = dict(
        per_device_train_batch_size=4, per_device_eval_batch_size=4, num_train_epochs=2,
        learning_rate=0.01, eval_strategy="epoch", logging_strategy="epoch",
        save_strategy="no", report_to="none", seed=0,
    )
    fields.update(changes)
    return transformers.TrainingArguments(
        output_dir=tempfile.mkdtemp(prefix="run-"), use_cpu=True, disable_tqdm=True,
        dataloader_num_workers=0, dataloader_pin_memory=False, **fields
    )


class Recorder(transformers.TrainerCallback):
    def __init__(self):
        self.rates = []

    def on_step_begin(self, args, state, control, lr_scheduler=None, **kwargs):
        self.rates.append(float(lr_scheduler.get_last_lr()[0]))


def run(trainer, model):
    batches = []

    def seen(module, args, kwargs):
        ids, mask = kwargs["input_ids"], kwargs["attention_mask"]
        batches.append((bool(module.training), list(ids.shape),
                        int(mask.sum(dim=1).max())))

    before = {{n: p.detach().clone() for n, p in model.named_parameters()}}
    recorder = Recorder()
    trainer.add_callback(recorder)
    # No printed log dictionaries or bars in the grader's output.
    trainer.remove_callback(transformers.PrinterCallback)
    trainer.remove_callback(transformers.ProgressCallback)
    hook = model.register_forward_pre_hook(seen, with_kwargs=True)
    try:
        trainer.train()
    finally:
        hook.remove()
    moved = sum(
        not torch.equal(before[n], p.detach()) for n, p in trainer.model.named_parameters()
    )
    history = trainer.state.log_history
    return {{
        "steps": int(trainer.state.global_step),
        "rates": recorder.rates,
        "batches": batches,
        "moved": moved / len(before),
        "train_logs": [round(float(e["epoch"]), 3) for e in history if "loss" in e],
        "eval_logs": [round(float(e["epoch"]), 3) for e in history if "eval_loss" in e],
        "eval_keys": sorted({{k for e in history if "eval_loss" in e for k in e}}),
    }}


def run_arguments(make, seed):
    recipe = dict(learning_rate=0.01, batch_size=4, epochs=2, warmup_fraction=0.25,
                  weight_decay=0.1, seed=seed)
    args = make(tempfile.mkdtemp(prefix="args-"), **recipe)
    # A quiet CPU run whatever the machine (the student's values of these are not graded).
    args.use_cpu, args.disable_tqdm = True, True
    args.dataloader_num_workers, args.dataloader_pin_memory = 0, False
    model = tiny_model(seed)
    trainer = transformers.Trainer(
        model=model, args=args, processing_class=TOKENIZER,
        data_collator=transformers.DataCollatorWithPadding(TOKENIZER),
        train_dataset=tiny_split(seed, 12), eval_dataset=tiny_split(seed + 1, 6),
        compute_metrics=lambda p: {{"probe": 1.0}},
    )
    return run(trainer, model)


def parts_of_trainer(build, seed):
    model, args = tiny_model(seed), reference_arguments()
    train, evaluation = tiny_split(seed, 12), tiny_split(seed + 1, 6)

    def metrics(prediction):
        return {{"probe": 1.0}}

    trainer = build(model, args, TOKENIZER, train, evaluation, metrics)
    collator = getattr(trainer, "data_collator", None)
    return {{
        "is_trainer": isinstance(trainer, transformers.Trainer),
        "model": getattr(trainer, "model", None) is model,
        "args": getattr(trainer, "args", None) is args,
        "processing_class": getattr(trainer, "processing_class", None) is TOKENIZER,
        "collator": type(collator).__name__,
        "collator_tokenizer": getattr(collator, "tokenizer", None) is TOKENIZER,
        "collator_padding": plain(getattr(collator, "padding", None)),
        "train_dataset": getattr(trainer, "train_dataset", None) is train,
        "eval_dataset": getattr(trainer, "eval_dataset", None) is evaluation,
        "compute_metrics": getattr(trainer, "compute_metrics", None) is metrics,
    }}


def run_trainer(build, seed):
    model, args = tiny_model(seed), reference_arguments(seed=seed)
    calls = []

    def metrics(prediction):
        calls.append(len(prediction.label_ids))
        return {{"probe": float(len(calls))}}

    trainer = build(model, args, TOKENIZER, tiny_split(seed, 12), tiny_split(seed + 1, 6),
                    metrics)
    result = run(trainer, model)
    result["metric_calls"] = calls
    return result


value = {{
    "describe_arguments": describe_arguments,
    "run_arguments": run_arguments,
    "parts_of_trainer": parts_of_trainer,
    "run_trainer": run_trainer,
}}
"""

LESSON = Lesson(
    "03_sequence_classification",
    setup="import bertcourse as bc\ntokenizer = bc.load_tokenizer()",
    run="solutions",
    fixtures={"harness": HARNESS},
    cell_timeout=30,
)

WORDS = [
    "the", "tacos", "were", "cold", "and", "waiter", "unbelievably", "scrumptious",
    "tiramisu", "we'll", "be", "back", "service", "okay", "$5", "happy", "hour", "!",
]  # fmt: skip


def random_texts(rng, n: int, max_words: int) -> list[str]:
    return [
        " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), int(rng.integers(1, max_words))))
        for _ in range(n)
    ]


def _ids(output) -> list[list[int]]:
    assert isinstance(output, dict) and "input_ids" in output, (
        "return the tokenizer's output (a dict-like object with 'input_ids')"
    )
    return [list(map(int, ids)) for ids in output["input_ids"]]


# --------------------------------------------------------------------------------------
# tokenize_function (2 points)
# --------------------------------------------------------------------------------------


@LESSON.check("tokenize_function_tests", points=0.5)
def tokenize_function_matches_the_tokenizer(student):
    """tokenize_function gives the tokenizer's ids, truncated to max_length, unpadded."""
    texts = ["Great tacos.", "word " * 1000, "Too salty, but friendly staff."]
    out = student.tokenize_function({"text": texts, "label": [4, 0, 2]}, Fixture("tokenizer"), 32)
    expected = reference_tokenizer()(texts, truncation=True, max_length=32)["input_ids"]
    got = _ids(out)
    assert [len(ids) for ids in got] == [len(ids) for ids in expected], (
        f"lengths {[len(ids) for ids in got]}, expected {[len(ids) for ids in expected]}: "
        "truncate to max_length and do not pad"
    )
    assert got == expected, "the input_ids differ from tokenizer(batch['text'], ...)"


@LESSON.check("tokenize_function_tests", points=1, hidden=True, timeout=30)
def tokenize_function_random_batches(student, rng):
    """20 random batches and max_length values (partial credit)."""
    tokenizer = reference_tokenizer()
    right = 0
    for _ in range(20):
        texts = random_texts(rng, int(rng.integers(1, 9)), 80)
        max_length = int(rng.integers(8, 70))
        out = student.tokenize_function(
            {"text": texts, "label": [0] * len(texts)}, Fixture("tokenizer"), max_length
        )
        expected = tokenizer(texts, truncation=True, max_length=max_length)
        try:
            ok = (
                _ids(out) == expected["input_ids"]
                and [list(map(int, mask)) for mask in out["attention_mask"]]
                == expected["attention_mask"]
            )
        except (AssertionError, KeyError, TypeError):
            ok = False
        right += ok
    return right / 20


@LESSON.check("tokenize_function_tests", points=0.5, hidden=True)
def tokenize_function_does_not_pad(student):
    """A short and a long text keep different lengths; the long one is max_length long."""
    out = student.tokenize_function(
        {"text": ["short", "x " * 300], "label": [0, 1]}, Fixture("tokenizer"), 200
    )
    short = len(reference_tokenizer()("short")["input_ids"])
    assert [len(ids) for ids in _ids(out)] == [short, 200]


# --------------------------------------------------------------------------------------
# compute_metrics (3 points)
# --------------------------------------------------------------------------------------


def _eval_prediction(logits, labels):
    from transformers import EvalPrediction

    return EvalPrediction(predictions=logits, label_ids=labels)


def _reference(logits, labels) -> dict[str, float]:
    preds = np.asarray(logits).argmax(axis=-1)
    return {
        "accuracy": float(accuracy_score(labels, preds)),
        "macro_f1": float(f1_score(labels, preds, average="macro")),
    }


@LESSON.check("compute_metrics_tests", points=0.5)
def compute_metrics_fixed_example(student):
    """compute_metrics on 4 examples returns the keys accuracy and macro_f1, rightly."""
    logits = np.array(
        [[2.0, 0.1, 0, 0, 0], [0, 0, 3.0, 0, 0], [0, 1.0, 0, 0, 0.5], [0, 0, 0, 0, 9]]
    )
    labels = np.array([0, 2, 4, 4])
    got = student.compute_metrics(_eval_prediction(logits, labels))
    assert isinstance(got, dict) and set(got) == {"accuracy", "macro_f1"}, (
        f"return a dict with exactly the keys 'accuracy' and 'macro_f1', got {got!r}"
    )
    assert_close(got, _reference(logits, labels), what="compute_metrics(eval_pred)")


@LESSON.check("compute_metrics_tests", points=1.5, hidden=True, timeout=30)
def compute_metrics_random_logits(student, rng):
    """25 random logits/labels, as EvalPrediction or tuple (partial credit)."""
    right = 0
    for case in range(25):
        n, k = int(rng.integers(2, 80)), int(rng.integers(2, 7))
        logits = rng.normal(size=(n, k)).astype(np.float32)
        labels = rng.integers(0, k, n)
        arg = _eval_prediction(logits, labels) if case % 2 else (logits, labels)
        got = student.compute_metrics(arg)
        expected = _reference(logits, labels)
        right += (
            isinstance(got, dict)
            and set(got) == set(expected)
            and all(abs(float(got[key]) - expected[key]) < 1e-6 for key in expected)
        )
    return right / 25


@LESSON.check("compute_metrics_tests", points=1, hidden=True)
def compute_metrics_unbalanced_classes(student):
    """Macro-F1 on unbalanced labels with a rating never predicted, square logits."""
    labels = np.array([4] * 8 + [0, 1, 2, 3, 3])
    logits = np.zeros((len(labels), 5), dtype=np.float32)
    # predicts 4 everywhere except one right 0 and one wrong 2 (true 3)
    logits[:, 4] = 1.0
    logits[8, 0] = 5.0
    logits[12, 2] = 5.0
    assert_close(
        student.compute_metrics((logits, labels)), _reference(logits, labels), what="metrics"
    )
    square = np.eye(5, dtype=np.float32)[[1, 2, 3, 4, 0]] + 0.01
    labels = np.array([1, 2, 3, 0, 0])
    assert_close(
        student.compute_metrics((square, labels)), _reference(square, labels), what="metrics"
    )


# --------------------------------------------------------------------------------------
# make_training_arguments (3 points) and build_trainer (3 points)
# --------------------------------------------------------------------------------------

# The reference answers: the grader runs them through the same harness, and the mutants
# below are edits of them, so every mutant stays one bug away from the reference.
_MAKE_TRAINING_ARGUMENTS = """
from transformers import TrainingArguments
def make_training_arguments(output_dir, *, learning_rate, batch_size, epochs,
                            warmup_fraction, weight_decay, seed):
    return TrainingArguments(
        output_dir=output_dir,
        learning_rate=learning_rate,
        per_device_train_batch_size=batch_size,
        per_device_eval_batch_size=2 * batch_size,
        num_train_epochs=epochs,
        warmup_steps=warmup_fraction,
        weight_decay=weight_decay,
        eval_strategy="epoch",
        logging_strategy="epoch",
        save_strategy="no",
        report_to="none",
        seed=seed,
    )
"""

_BUILD_TRAINER = """
from transformers import DataCollatorWithPadding, Trainer
def build_trainer(model, args, tokenizer, train_dataset, eval_dataset, compute_metrics):
    return Trainer(
        model=model,
        args=args,
        processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer),
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        compute_metrics=compute_metrics,
    )
"""

FIXED_RECIPE = {
    "learning_rate": 3e-4,
    "batch_size": 8,
    "epochs": 3,
    "warmup_fraction": 0.2,
    "weight_decay": 0.05,
    "seed": 7,
}


def harness() -> dict[str, Any]:
    """The harness's functions, run in the grader (``references.harness_scope``)."""
    return harness_scope(HARNESS)["value"]


@functools.lru_cache(maxsize=4)
def _reference_function(source: str, name: str) -> Any:
    scope: dict[str, Any] = {}
    exec(compile(source, f"<reference {name}>", "exec"), scope)
    return scope[name]


def _call(student: Any, helper: str, function: str, **arguments: Any) -> Any:
    keywords = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
    return student.eval(f"fixtures['harness'][{helper!r}]({function}, {keywords})")


def _expected_arguments(recipe: dict[str, Any]) -> dict[str, Any]:
    reference = _reference_function(_MAKE_TRAINING_ARGUMENTS, "make_training_arguments")
    return harness()["describe_arguments"](reference, **recipe)


def _field_problems(got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """One line per TrainingArguments field that differs from the reference."""
    if not got.get("is_training_arguments"):
        return ["make_training_arguments must return a transformers.TrainingArguments"]
    problems = []
    for name in ARGUMENT_FIELDS:
        value, right = got.get(name), expected[name]
        if name == "per_device_eval_batch_size":
            # Any evaluation batch at least as large as the training batch is right.
            train_batch = expected["per_device_train_batch_size"]
            if not isinstance(value, int) or value < train_batch:
                problems.append(f"{name} is {value!r}, expected at least {train_batch}")
        elif isinstance(right, float):
            if not isinstance(value, (int, float)) or abs(value - right) > 1e-9 * abs(right):
                problems.append(f"{name} is {value!r}, expected {right!r}")
        elif value != right:
            problems.append(f"{name} is {value!r}, expected {right!r}")
    return problems


@functools.lru_cache(maxsize=2)
def _reference_run(seed: int) -> dict[str, Any]:
    """The reference arguments' run (once per grader process: deterministic on CPU)."""
    reference = _reference_function(_MAKE_TRAINING_ARGUMENTS, "make_training_arguments")
    return harness()["run_arguments"](reference, seed=seed)


# The first check to run builds the harness in the worker (imports the Trainer): time.
@LESSON.check("make_training_arguments_tests", points=1, timeout=60)
def training_arguments_of_a_fixed_recipe(student):
    """Every field of TrainingArguments for one recipe (lr 3e-4, batch 8, 3 epochs...)."""
    got = _call(student, "describe_arguments", "make_training_arguments", **FIXED_RECIPE)
    problems = _field_problems(got, _expected_arguments(FIXED_RECIPE))
    assert not problems, "; ".join(problems)


@LESSON.check("make_training_arguments_tests", points=1, hidden=True, timeout=30)
def training_arguments_of_random_recipes(student, rng):
    """4 random recipes: partial credit per field."""
    right = total = 0
    for _ in range(4):
        recipe = {
            "learning_rate": float(rng.choice([1e-5, 3e-5, 1e-4, 2e-4, 5e-4])),
            "batch_size": int(rng.choice([4, 8, 12, 32])),
            "epochs": int(rng.integers(1, 6)),
            "warmup_fraction": float(rng.choice([0.0, 0.05, 0.1, 0.3])),
            "weight_decay": float(rng.choice([0.0, 0.01, 0.1])),
            "seed": int(rng.integers(0, 1000)),
        }
        got = _call(student, "describe_arguments", "make_training_arguments", **recipe)
        if got.get("is_training_arguments"):
            right += len(ARGUMENT_FIELDS) - len(_field_problems(got, _expected_arguments(recipe)))
        total += len(ARGUMENT_FIELDS)
    return right / total


@LESSON.check("make_training_arguments_tests", points=1, hidden=True, timeout=30)
def training_arguments_drive_a_real_run(student):
    """A tiny BERT, 12 reviews, 2 epochs of 3 steps: schedule, logs, evaluations, batches."""
    got = _call(student, "run_arguments", "make_training_arguments", seed=5)
    expected = _reference_run(5)
    train_batches = [shape[0] for training, shape, _ in got["batches"] if training]
    aspects = [
        got["steps"] == expected["steps"]
        and np.allclose(got["rates"], expected["rates"], rtol=1e-6, atol=1e-12),
        got["train_logs"] == expected["train_logs"],
        got["eval_logs"] == expected["eval_logs"],
        train_batches == [shape[0] for training, shape, _ in expected["batches"] if training],
    ]
    return sum(aspects) / len(aspects)


@LESSON.check("build_trainer_tests", points=1, timeout=60)
def trainer_holds_its_parts(student):
    """The Trainer holds the model, args, datasets, metrics, tokenizer and collator."""
    got = _call(student, "parts_of_trainer", "build_trainer", seed=0)
    assert got["is_trainer"], "build_trainer must return a transformers.Trainer"
    problems = [
        f"trainer.{name} is not the {name} given to build_trainer"
        for name in ("model", "args", "train_dataset", "eval_dataset", "compute_metrics")
        if not got[name]
    ]
    if not got["processing_class"]:
        problems.append("pass the tokenizer as processing_class=tokenizer")
    if got["collator"] != "DataCollatorWithPadding" or not got["collator_tokenizer"]:
        problems.append(
            f"the data collator is a {got['collator']}: use DataCollatorWithPadding(tokenizer)"
        )
    elif got["collator_padding"] not in (True, "longest"):
        problems.append(
            f"the collator pads with padding={got['collator_padding']!r}: pad each batch "
            "to its longest example (the default)"
        )
    assert not problems, "; ".join(problems)


@LESSON.check("build_trainer_tests", points=1, timeout=30)
def trainer_trains_and_evaluates_each_epoch(student):
    """2 epochs on a tiny BERT: the weights move, compute_metrics runs after each epoch."""
    got = _call(student, "run_trainer", "build_trainer", seed=1)
    assert got["steps"] == 6, f"the trainer made {got['steps']} steps, expected 2 epochs of 3"
    assert got["moved"] > 0.5, "training left most weights unchanged"
    assert got["metric_calls"] == [6, 6], (
        f"compute_metrics ran {len(got['metric_calls'])} times on "
        f"{got['metric_calls']} examples: expected once per epoch on the 6 evaluation examples"
    )
    assert "eval_probe" in got["eval_keys"], "the evaluations do not report compute_metrics"


@LESSON.check("build_trainer_tests", points=1, hidden=True, timeout=30)
def trainer_pads_each_batch_to_its_longest(student):
    """Every batch, training and evaluation, is padded to its own longest example."""
    got = _call(student, "run_trainer", "build_trainer", seed=2)
    batches = got["batches"]
    assert batches and all(shape[1] == longest for _, shape, longest in batches)
    assert len({shape[1] for _, shape, _ in batches}) > 1


# --------------------------------------------------------------------------------------
# concept checks (4 points, one per question)
# --------------------------------------------------------------------------------------

LESSON.answer_key(
    {"concept_tests": {"ANSWER_Q1": "b", "ANSWER_Q2": "c", "ANSWER_Q3": "b", "ANSWER_Q4": "c"}}
)


# --------------------------------------------------------------------------------------
# Mutants: edits of the current solution cells
# --------------------------------------------------------------------------------------

_TRUNCATE = "truncation=True, max_length=max_length)"
LESSON.mutant(
    "tokenize_function",
    "padded to max_length",
    replace={_TRUNCATE: 'truncation=True, max_length=max_length, padding="max_length")'},
)
LESSON.mutant(
    "tokenize_function",
    "padded to the longest of the batch",
    replace={_TRUNCATE: "truncation=True, max_length=max_length, padding=True)"},
)
LESSON.mutant("tokenize_function", "no truncation", replace={f", {_TRUNCATE}": ")"})
LESSON.mutant(
    "tokenize_function",
    "truncation at the model's 512, max_length ignored",
    replace={_TRUNCATE: "truncation=True)"},
)
LESSON.mutant(
    "tokenize_function",
    "off by one",
    replace={_TRUNCATE: "truncation=True, max_length=max_length - 1)"},
)
LESSON.mutant(
    "compute_metrics", "micro instead of macro F1", replace={'average="macro"': 'average="micro"'}
)
LESSON.mutant(
    "compute_metrics",
    "weighted instead of macro F1",
    replace={'average="macro"': 'average="weighted"'},
)
LESSON.mutant("compute_metrics", "argmax over the examples axis", replace={"axis=-1": "axis=0"})
LESSON.mutant(
    "compute_metrics",
    "F1 over the classes present in the labels only",
    replace={'average="macro"': 'average="macro", labels=np.unique(labels)'},
)
LESSON.mutant("compute_metrics", "wrong key name", replace={'"macro_f1":': '"f1":'})


_ARGUMENT_BUGS = [
    ("evaluation every 500 steps", 'eval_strategy="epoch"', 'eval_strategy="steps"'),
    ("loss logged every 500 steps", 'logging_strategy="epoch"', 'logging_strategy="steps"'),
    ("no warm-up", "warmup_steps=warmup_fraction,", ""),
    (
        "warm-up in steps (100 x the fraction) instead of a fraction",
        "warmup_steps=warmup_fraction",
        "warmup_steps=int(100 * warmup_fraction)",
    ),
    (
        "training and evaluation batch sizes swapped",
        "per_device_train_batch_size=batch_size,\n"
        "        per_device_eval_batch_size=2 * batch_size,",
        "per_device_train_batch_size=2 * batch_size,\n"
        "        per_device_eval_batch_size=batch_size,",
    ),
    ("learning rate ignored (the default 5e-5)", "learning_rate=learning_rate,", ""),
    ("weight decay ignored", "weight_decay=weight_decay,", ""),
    ("checkpoints saved", 'save_strategy="no",', ""),
    ("seed ignored", "seed=seed,", ""),
]
for _description, _old, _new in _ARGUMENT_BUGS:
    LESSON.mutant(
        "make_training_arguments",
        _description,
        replace={_old: _new},
    )

_TRAINER_BUGS = [
    (
        "tokenizer= (removed in transformers 5) instead of processing_class=",
        "processing_class=tokenizer",
        "tokenizer=tokenizer",
    ),
    (
        "collator pads every batch to max_length",
        "DataCollatorWithPadding(tokenizer)",
        'DataCollatorWithPadding(tokenizer, padding="max_length", max_length=48)',
    ),
    (
        "no collator and no processing_class (examples of different lengths cannot be stacked)",
        "processing_class=tokenizer,\n        data_collator=DataCollatorWithPadding(tokenizer),",
        "",
    ),
    ("compute_metrics dropped", "compute_metrics=compute_metrics,", ""),
    (
        "training and evaluation sets swapped",
        "train_dataset=train_dataset,\n        eval_dataset=eval_dataset,",
        "train_dataset=eval_dataset,\n        eval_dataset=train_dataset,",
    ),
]
for _description, _old, _new in _TRAINER_BUGS:
    LESSON.mutant("build_trainer", _description, replace={_old: _new})

LESSON.mutant(
    "concept_answers",
    "wrong answers",
    replace={
        'Q1 = "b"': 'Q1 = "a"',
        'Q2 = "c"': 'Q2 = "a"',
        'Q3 = "b"': 'Q3 = "a"',
        'Q4 = "c"': 'Q4 = "a"',
    },
)
