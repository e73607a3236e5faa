"""Training arguments, collators and Trainer assembly (transformers 5)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import bertcourse as bc
from bertcourse.exceptions import UnknownTaskError
from bertcourse.training import (
    LOG_POINTS,
    REMOVED_ARGUMENTS,
    RemovedArgumentError,
    attach_course_callbacks,
    collator_for,
    describe_arguments,
    make_trainer,
    training_arguments,
)


@pytest.fixture
def fast_cpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Fast mode on CPU, offline, artifacts in a temporary folder."""
    monkeypatch.setenv("BERTCOURSE_MODE", "fast")
    monkeypatch.setenv("BERTCOURSE_DEVICE", "cpu")
    monkeypatch.setenv("BERTCOURSE_OFFLINE", "1")
    monkeypatch.setenv("BERTCOURSE_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.delenv("BERTCOURSE_PROGRESS", raising=False)
    yield bc.reset()
    monkeypatch.undo()
    bc.reset()


@pytest.fixture(scope="module")
def tokenizer():
    bc.configure(offline=True)
    try:
        return bc.load_tokenizer()
    finally:
        bc.reset()


# ------------------------------------------------------------------ training_arguments


def test_training_arguments_follow_the_mode(fast_cpu, tmp_path: Path) -> None:
    args = training_arguments()
    budget = fast_cpu.budget
    assert args.num_train_epochs == budget.epochs
    assert args.per_device_train_batch_size == budget.batch_size
    assert args.learning_rate == fast_cpu.learning_rate()
    assert args.eval_strategy == "epoch"
    assert args.train_sampling_strategy == "group_by_length"
    assert args.warmup_steps == pytest.approx(0.1)
    assert args.weight_decay == pytest.approx(0.01)
    assert args.report_to in ("none", [], ["none"])
    assert args.save_strategy == "no"
    assert args.use_cpu is True
    assert args.logging_strategy == "steps"
    assert args.logging_steps == pytest.approx(1 / LOG_POINTS)
    assert args.seed == fast_cpu.seed
    assert args.dataloader_num_workers == 0
    assert args.disable_tqdm is False
    assert Path(args.output_dir).parent == tmp_path / "artifacts" / "runs"


def test_training_arguments_learning_rate_follows_the_model(fast_cpu) -> None:
    assert training_arguments(model_name="bert-base-cased").learning_rate == 5e-5
    small = training_arguments(model_name=bc.OFFLINE_ENCODER).learning_rate
    assert small == bc.settings().learning_rate(bc.OFFLINE_ENCODER) != 5e-5


def test_training_arguments_full_mode_budget(fast_cpu) -> None:
    current = bc.configure(mode="full")
    args = training_arguments()
    assert args.num_train_epochs == current.budget.epochs
    assert args.learning_rate == current.learning_rate()


def test_overrides_win(fast_cpu, tmp_path: Path) -> None:
    args = training_arguments(
        str(tmp_path / "out"), num_train_epochs=1, learning_rate=1e-3, eval_strategy="no"
    )
    assert args.output_dir == str(tmp_path / "out")
    assert (args.num_train_epochs, args.learning_rate, args.eval_strategy) == (1, 1e-3, "no")


def test_progress_switch_turns_the_bar_off(fast_cpu, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BERTCOURSE_PROGRESS", "0")
    assert training_arguments().disable_tqdm is True


@pytest.mark.parametrize("name", sorted(REMOVED_ARGUMENTS))
def test_removed_transformers4_names_name_the_replacement(fast_cpu, name: str) -> None:
    with pytest.raises(RemovedArgumentError, match=f"{name}= was removed in transformers 5"):
        training_arguments(**{name: True})


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        ("evaluation_strategy", "eval_strategy"),
        ("group_by_length", 'train_sampling_strategy="group_by_length"'),
        ("warmup_ratio", "warmup_steps=0.1"),
    ],
)
def test_make_trainer_rejects_removed_names(fast_cpu, tokenizer, name, replacement) -> None:
    with pytest.raises(RemovedArgumentError, match=replacement):
        make_trainer(None, tokenizer, [], task="sequence-classification", **{name: "x"})


# ------------------------------------------------------------------------- collators


def test_sequence_classification_collator_pads_per_batch(tokenizer) -> None:
    features = [
        {**tokenizer("a short one"), "label": 1},
        {**tokenizer("a somewhat longer sentence than the first one"), "label": 0},
    ]
    batch = collator_for("sequence-classification", tokenizer)(features)
    longest = max(len(f["input_ids"]) for f in features)
    assert batch["input_ids"].shape == (2, longest)
    assert batch["labels"].tolist() == [1, 0]
    assert batch["attention_mask"][0].sum().item() == len(features[0]["input_ids"])


def test_token_classification_collator_pads_labels_with_ignore_index(tokenizer) -> None:
    short = tokenizer("paris")
    long = tokenizer("paris is big")
    features = [
        {**short, "labels": [-100] + [1] * (len(short["input_ids"]) - 2) + [-100]},
        {**long, "labels": [-100] + [0] * (len(long["input_ids"]) - 2) + [-100]},
    ]
    batch = collator_for("token-classification", tokenizer)(features)
    assert batch["labels"].shape == batch["input_ids"].shape
    padding = len(long["input_ids"]) - len(short["input_ids"])
    assert batch["labels"][0, -padding:].tolist() == [-100] * padding


def test_question_answering_collator_keeps_positions(tokenizer) -> None:
    features = [
        {**tokenizer("who?", "bob went home"), "start_positions": 3, "end_positions": 3},
        {**tokenizer("where?", "bob went to the market"), "start_positions": 6, "end_positions": 7},
    ]
    batch = collator_for("question-answering", tokenizer)(features)
    assert batch["start_positions"].tolist() == [3, 6]
    assert batch["end_positions"].tolist() == [3, 7]
    assert batch["input_ids"].shape[0] == 2


def test_masked_lm_collator_masks_and_labels_only_masked_tokens(tokenizer) -> None:
    import torch

    torch.manual_seed(0)
    text = " ".join(["the cat sat on the mat"] * 20)
    features = [tokenizer(text) for _ in range(4)]
    batch = collator_for("masked-lm", tokenizer)(features)
    labels = batch["labels"]
    chosen = labels != -100
    share = chosen.float().mean().item()
    assert 0.05 < share < 0.3  # about 15 % of the tokens are picked
    original = torch.tensor([f["input_ids"] for f in features])
    assert torch.equal(labels[chosen], original[chosen])
    assert (batch["input_ids"][chosen] == tokenizer.mask_token_id).any()
    assert torch.equal(batch["input_ids"][~chosen], original[~chosen])


def test_unknown_task_is_rejected(tokenizer) -> None:
    with pytest.raises(UnknownTaskError, match="sequence-classification"):
        collator_for("summarization", tokenizer)


# ---------------------------------------------------------------- make_trainer (real)

_POSITIVE = ["good", "great", "lovely", "excellent", "wonderful"]
_NEGATIVE = ["bad", "awful", "terrible", "poor", "horrible"]
_FILLER = ["the", "movie", "was", "food", "it", "really", "quite", "service"]


def _sentiment_dataset(tokenizer, n: int, seed: int):
    from datasets import Dataset

    rng = random.Random(seed)
    rows = []
    for index in range(n):
        label = index % 2
        words = rng.sample(_FILLER, 3) + [rng.choice(_POSITIVE if label else _NEGATIVE)]
        rng.shuffle(words)
        rows.append({"text": " ".join(words), "label": label})
    dataset = Dataset.from_list(rows)
    return dataset.map(lambda b: tokenizer(b["text"]), batched=True, remove_columns=["text"])


_PEOPLE = ["alice", "bob", "carol", "dave"]
_PLACES = ["paris", "london", "berlin", "rome"]
_WORDS = ["met", "in", "visited", "went", "to", "with", "and", "yesterday"]
_NER_LABELS = ["O", "B-PER", "B-LOC"]


def _ner_dataset(tokenizer, n: int, seed: int):
    from datasets import Dataset

    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        words, tags = [], []
        for _ in range(rng.randint(4, 7)):
            kind = rng.choice(["O", "O", "B-PER", "B-LOC"])
            pool = {"O": _WORDS, "B-PER": _PEOPLE, "B-LOC": _PLACES}[kind]
            words.append(rng.choice(pool))
            tags.append(_NER_LABELS.index(kind))
        rows.append({"tokens": words, "ner_tags": tags})

    def align(batch):
        encoded = tokenizer(batch["tokens"], is_split_into_words=True)
        labels = []
        for index, tags in enumerate(batch["ner_tags"]):
            previous, row = None, []
            for word in encoded.word_ids(index):
                # Label the first sub-token of each word; skip specials and continuations.
                row.append(-100 if word is None or word == previous else tags[word])
                previous = word
            labels.append(row)
        encoded["labels"] = labels
        return encoded

    return Dataset.from_list(rows).map(align, batched=True, remove_columns=["tokens", "ner_tags"])


@pytest.mark.slow
def test_sequence_classification_fine_tunes(fast_cpu, tokenizer, capsys) -> None:
    import numpy as np
    from sklearn.metrics import accuracy_score

    bc.seed_everything()
    model = bc.load_model(task="sequence-classification", num_labels=2)
    train = _sentiment_dataset(tokenizer, 48, seed=1)
    held_out = _sentiment_dataset(tokenizer, 16, seed=2)

    def compute_metrics(prediction):
        return {
            "accuracy": accuracy_score(prediction.label_ids, np.argmax(prediction.predictions, -1))
        }

    trainer = make_trainer(
        model,
        tokenizer,
        train,
        held_out,
        task="sequence-classification",
        compute_metrics=compute_metrics,
        num_train_epochs=2,
        per_device_train_batch_size=8,
    )
    assert trainer.args.learning_rate == bc.settings().learning_rate()  # chosen from the model
    assert trainer.processing_class is tokenizer
    before = trainer.evaluate()["eval_loss"]
    trainer.train()
    history = trainer.state.log_history
    after = [entry for entry in history if "eval_loss" in entry][-1]
    assert after["eval_loss"] < before
    losses = [entry["loss"] for entry in history if "loss" in entry]
    assert len(losses) >= 6  # enough points for a training curve
    assert np.mean(losses[-3:]) < np.mean(losses[:3])
    assert "eval_accuracy" in after
    output = capsys.readouterr().out
    assert "[bertcourse] trained 12 steps" in output
    assert "epoch 2: eval_loss" in output


@pytest.mark.slow
def test_token_classification_fine_tunes(fast_cpu, tokenizer) -> None:
    import numpy as np

    bc.seed_everything()
    model = bc.load_model(
        task="token-classification",
        num_labels=len(_NER_LABELS),
        id2label=dict(enumerate(_NER_LABELS)),
        label2id={label: i for i, label in enumerate(_NER_LABELS)},
    )
    train = _ner_dataset(tokenizer, 48, seed=1)
    held_out = _ner_dataset(tokenizer, 16, seed=2)
    trainer = make_trainer(
        model,
        tokenizer,
        train,
        held_out,
        task="token-classification",
        num_train_epochs=2,
        per_device_train_batch_size=8,
    )
    before = trainer.evaluate()["eval_loss"]
    trainer.train()
    history = trainer.state.log_history
    after = [entry["eval_loss"] for entry in history if "eval_loss" in entry][-1]
    assert after < before
    losses = [entry["loss"] for entry in history if "loss" in entry]
    assert np.mean(losses[-3:]) < np.mean(losses[:3])


def test_make_trainer_without_eval_set_skips_evaluation(fast_cpu, tokenizer) -> None:
    from transformers import ProgressCallback

    from bertcourse.progress import CourseProgressCallback, SummaryCallback

    model = bc.load_model(task="sequence-classification", num_labels=2)
    train = _sentiment_dataset(tokenizer, 4, seed=0)
    trainer = make_trainer(model, tokenizer, train, task="sequence-classification")
    assert trainer.args.eval_strategy == "no"
    kinds = [type(callback) for callback in trainer.callback_handler.callbacks]
    assert CourseProgressCallback in kinds and SummaryCallback in kinds
    assert ProgressCallback not in kinds  # the default bar is replaced, not doubled
    assert type(trainer.data_collator).__name__ == "DataCollatorWithPadding"


def test_make_trainer_routes_overrides(fast_cpu, tokenizer) -> None:
    from transformers import DataCollatorWithPadding

    model = bc.load_model(task="sequence-classification", num_labels=2)
    train = _sentiment_dataset(tokenizer, 4, seed=0)
    collator = DataCollatorWithPadding(tokenizer, pad_to_multiple_of=8)
    args = training_arguments(eval_strategy="no")
    trainer = make_trainer(
        model,
        tokenizer,
        train,
        task="sequence-classification",
        args=args,
        data_collator=collator,  # a Trainer argument
        num_train_epochs=5,  # a TrainingArguments field
    )
    assert trainer.data_collator is collator
    assert trainer.args.num_train_epochs == 5
    assert trainer.args.learning_rate == args.learning_rate


def test_make_trainer_without_bar(fast_cpu, tokenizer, monkeypatch) -> None:
    from bertcourse.progress import CourseProgressCallback

    monkeypatch.setenv("BERTCOURSE_PROGRESS", "0")
    model = bc.load_model(task="sequence-classification", num_labels=2)
    train = _sentiment_dataset(tokenizer, 4, seed=0)
    trainer = make_trainer(model, tokenizer, train, task="sequence-classification")
    kinds = [type(callback).__name__ for callback in trainer.callback_handler.callbacks]
    assert CourseProgressCallback.__name__ not in kinds
    assert "PrinterCallback" not in kinds  # no log dictionaries printed instead


def test_predict_keeps_the_dataset_order(fast_cpu, tokenizer) -> None:
    """Predictions pair with dataset rows although training batches are length-grouped.

    transformers 5 also length-groups evaluation batches under
    train_sampling_strategy="group_by_length"; make_trainer must undo that for
    evaluation, or QA decoding and error tables pair predictions with the wrong rows.
    """
    import numpy as np
    from datasets import Dataset

    # Lengths vary a lot and are not sorted, so a length-grouped order would differ.
    texts = [" ".join(["word"] * n) for n in (3, 40, 7, 25, 1, 33, 12, 5, 48, 2, 19, 9)] * 3
    data = Dataset.from_dict({"text": texts, "label": [0] * len(texts)})
    data = data.map(lambda b: tokenizer(b["text"]), batched=True, remove_columns=["text"])
    model = bc.load_model(task="sequence-classification", num_labels=2)
    trainer = make_trainer(
        model, tokenizer, data, task="sequence-classification", per_device_eval_batch_size=4
    )
    assert trainer.args.train_sampling_strategy == "group_by_length"
    sampler = trainer._get_eval_sampler(data)
    assert list(sampler) == list(range(len(data)))
    # And end to end: each row's prediction equals that row predicted on its own.
    output = trainer.predict(data)
    import torch

    model.eval()
    for index in (0, 1, 8, 20, 35):
        row = {k: torch.tensor([v]) for k, v in data[index].items() if k != "label"}
        with torch.no_grad():
            alone = model(**row).logits[0].numpy()
        np.testing.assert_allclose(output.predictions[index], alone, atol=1e-4)


# ------------------------------------------------ make_trainer is lesson 03's set-up

LESSON_03 = (
    Path(__file__).resolve().parents[1]
    / "solutions"
    / "03_sequence_classification"
    / "03_sequence_classification.ipynb"
)

#: TrainingArguments fields where bc.make_trainer's arguments may differ from those of
#: lesson 03's exercise 3, and why (the lesson and make_trainer's docstring say so too).
BEYOND_LESSON_03 = {
    "output_dir": "a temporary folder under the artifacts",
    "train_sampling_strategy": "length-grouped batches pad less: faster on CPU",
    "logging_strategy": "about LOG_POINTS loss logs per run, for the training curve",
    "logging_steps": "idem",
    "logging_first_step": "idem",
    "use_cpu": "the course's device setting",
    "dataloader_pin_memory": "only useful (and warning-free) on CUDA",
    "disable_tqdm": "the course's progress switch (BERTCOURSE_PROGRESS)",
}


def _lesson_03_solution(grade_id: str, name: str):
    """A function of lesson 03's solution cell ``grade_id`` (the source the grader uses)."""
    import json

    cells = json.loads(LESSON_03.read_text(encoding="utf-8"))["cells"]
    source = next(
        "".join(cell["source"])
        for cell in cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id
    )
    scope: dict = {}
    exec(compile(source, f"<{LESSON_03.name}:{grade_id}>", "exec"), scope)
    return scope[name]


@pytest.mark.parametrize("mode", ["fast", "full"])
def test_make_trainer_arguments_are_those_of_lesson_03(fast_cpu, tmp_path, mode) -> None:
    """Exercise 3's solution with the recipe's values = training_arguments() on every field
    but the documented few (BEYOND_LESSON_03)."""
    import dataclasses

    current = bc.configure(mode=mode)
    course = training_arguments()
    make = _lesson_03_solution("make_training_arguments", "make_training_arguments")
    lesson = make(
        str(tmp_path / "lesson"),
        learning_rate=current.learning_rate(),
        batch_size=current.budget.batch_size,
        epochs=current.budget.epochs,
        warmup_fraction=course.warmup_steps,
        weight_decay=course.weight_decay,
        seed=current.seed,
    )
    # The recipe reached both: the budget and the rate are not copied from `course`.
    assert course.learning_rate == current.learning_rate()
    assert course.per_device_train_batch_size == current.budget.batch_size
    assert course.num_train_epochs == current.budget.epochs
    differ = {
        field.name
        for field in dataclasses.fields(course)
        if getattr(course, field.name) != getattr(lesson, field.name)
    }
    assert differ <= set(BEYOND_LESSON_03), sorted(differ - set(BEYOND_LESSON_03))
    # The fields that carry the recipe are among the equal ones, not the excused ones.
    assert {"learning_rate", "per_device_train_batch_size", "num_train_epochs"} - differ


def test_make_trainer_trainer_is_that_of_lesson_03(fast_cpu, tokenizer, capsys) -> None:
    """Exercise 4's solution and make_trainer hold the same kind of parts."""
    build = _lesson_03_solution("build_trainer", "build_trainer")
    model = bc.load_model(task="sequence-classification", num_labels=2)
    train = _sentiment_dataset(tokenizer, 4, seed=0)
    evaluation = _sentiment_dataset(tokenizer, 4, seed=1)

    def metrics(prediction):
        return {"accuracy": 0.0}

    course = make_trainer(
        model, tokenizer, train, evaluation, task="sequence-classification",
        compute_metrics=metrics,
    )  # fmt: skip
    printed = capsys.readouterr().out
    lesson = build(model, course.args, tokenizer, train, evaluation, metrics)
    for trainer in (course, lesson):
        assert trainer.processing_class is tokenizer
        assert type(trainer.data_collator).__name__ == "DataCollatorWithPadding"
        assert trainer.data_collator.padding is True
        assert trainer.compute_metrics is metrics
        assert trainer.train_dataset is train and trainer.eval_dataset is evaluation
    # make_trainer prints the arguments that matter when it builds the trainer.
    assert f"[bertcourse] make_trainer: {describe_arguments(course.args)}" in printed
    for part in ("learning rate", "batch size", "epochs", "warm-up", "weight decay"):
        assert part in printed


def test_describe_arguments_names_the_values() -> None:
    from transformers import TrainingArguments

    args = TrainingArguments(
        output_dir="unused",
        learning_rate=3e-4,
        per_device_train_batch_size=8,
        num_train_epochs=3,
        warmup_steps=0.2,
        weight_decay=0.05,
        eval_strategy="epoch",
        report_to="none",
    )
    assert describe_arguments(args) == (
        "learning rate 0.0003 | batch size 8 | epochs 3 | warm-up 0.2 | weight decay 0.05"
        " | evaluation epoch"
    )


def test_attach_course_callbacks_on_a_plain_trainer(fast_cpu, tokenizer) -> None:
    """Lesson 03's own Trainer gets one bar, the summary and the learning check."""
    from transformers import (
        DataCollatorWithPadding,
        PrinterCallback,
        ProgressCallback,
        Trainer,
        TrainingArguments,
    )

    from bertcourse.learning_check import LearningCheckCallback
    from bertcourse.progress import CourseProgressCallback, SummaryCallback

    model = bc.load_model(task="sequence-classification", num_labels=2)
    evaluation = _sentiment_dataset(tokenizer, 6, seed=1)
    for disable_tqdm in (True, False):  # PrinterCallback or ProgressCallback by default
        args = TrainingArguments(output_dir="unused", report_to="none", disable_tqdm=disable_tqdm)
        trainer = Trainer(
            model=model,
            args=args,
            processing_class=tokenizer,
            data_collator=DataCollatorWithPadding(tokenizer),
            train_dataset=_sentiment_dataset(tokenizer, 4, seed=0),
            eval_dataset=evaluation,
        )
        assert attach_course_callbacks(trainer, progress=True) is trainer
        kinds = [type(callback) for callback in trainer.callback_handler.callbacks]
        assert kinds.count(CourseProgressCallback) == 1
        assert SummaryCallback in kinds
        assert ProgressCallback not in kinds and PrinterCallback not in kinds
        callbacks = trainer.callback_handler.callbacks
        check = next(c for c in callbacks if type(c) is LearningCheckCallback)
        assert check.num_labels == 2
        assert check.eval_labels == list(evaluation["label"])
    with pytest.raises(UnknownTaskError):
        attach_course_callbacks(trainer, task="summarization")


# ------------------------------------------------------------------ head learning rate


def _tiny_trainer(tokenizer, **overrides):
    from datasets import Dataset

    rows = Dataset.from_dict(
        {"text": ["good food", "bad service", "fine"] * 4, "label": [0, 1, 2] * 4}
    )
    encoded = rows.map(
        lambda batch: tokenizer(batch["text"]), batched=True, remove_columns=["text"]
    )
    model = bc.load_model(task="sequence-classification", num_labels=3)
    return make_trainer(
        model, tokenizer, encoded, task="sequence-classification", max_steps=2, **overrides
    )


def test_make_trainer_gives_the_new_head_its_own_rate(fast_cpu, tokenizer) -> None:
    from bertcourse.training import _is_head_parameter

    trainer = _tiny_trainer(tokenizer)
    head_rate = fast_cpu.head_learning_rate()
    assert head_rate is not None and head_rate > trainer.args.learning_rate
    rate_of = {
        id(p): (group["lr"], group["weight_decay"])
        for group in trainer.optimizer.param_groups
        for p in group["params"]
    }
    names = {n: p for n, p in trainer.model.named_parameters() if p.requires_grad}
    assert set(rate_of) == {id(p) for p in names.values()}  # every trained parameter, once
    assert trainer.model.get_input_embeddings().weight.requires_grad is False  # fast mode
    for name, parameter in names.items():
        rate, decay = rate_of[id(parameter)]
        expected = head_rate if _is_head_parameter(name) else trainer.args.learning_rate
        assert rate == expected, name
        # The Trainer's own weight-decay split survives the regrouping.
        assert (decay == 0.0) == (name.endswith("bias") or "LayerNorm" in name), name
    assert any(_is_head_parameter(name) for name in names)
    trainer.train()
    # The warm-up/decay schedule scales both rates alike: their ratio holds.
    initial = {group["initial_lr"] for group in trainer.optimizer.param_groups}
    assert initial == {head_rate, trainer.args.learning_rate}


def test_head_rate_zero_gives_one_rate(fast_cpu, tokenizer) -> None:
    trainer = _tiny_trainer(tokenizer, head_learning_rate=0)
    assert trainer.optimizer is None  # the Trainer builds its usual optimizer in train()


def test_head_rate_needs_a_fresh_optimizer(fast_cpu, tokenizer) -> None:
    from bertcourse.training import set_head_learning_rate

    trainer = _tiny_trainer(tokenizer)
    with pytest.raises(ValueError, match="already has an optimizer"):
        set_head_learning_rate(trainer, 1e-3)


def test_fast_mode_sizes_the_run_by_data_set(fast_cpu) -> None:
    from bertcourse.config import FAST_RUNS

    name, run = next(iter(FAST_RUNS.items()))
    assert fast_cpu.run_for(name) == run
    other = fast_cpu.run_for("no such data set")
    assert (other.n_train, other.epochs, other.batch_size) == (
        fast_cpu.budget.n_train,
        fast_cpu.budget.epochs,
        fast_cpu.budget.batch_size,
    )
    full = bc.configure(mode="full")
    assert full.run_for(name).n_train == full.budget.n_train  # full mode keeps the original's
