"""Fine-tuning with the Hugging Face ``Trainer`` (transformers 5), sized by the course mode.

- :func:`training_arguments` builds ``TrainingArguments`` with the mode's budget
  (epochs, batch size), a learning rate that suits the model, one evaluation per
  epoch, length-grouped batches, 10 % warm-up, no checkpoints and no reporting.
- :func:`collator_for` picks the dynamic-padding collator of each task.
- :func:`make_trainer` puts them together with the model and tokenizer: it builds what
  lesson 03's exercises 3 (``make_training_arguments``) and 4 (``build_trainer``) build,
  prints the arguments that matter, and calls :func:`attach_course_callbacks`.
- :func:`attach_course_callbacks` gives any ``Trainer`` (lesson 03's own included) one
  progress bar (``tqdm.auto``), a one-line summary when training ends, and a warning
  (:class:`bertcourse.learning_check.NotLearningWarning`) when the run learned nothing.

Arguments that transformers 5 removed (``evaluation_strategy``, ``group_by_length``,
``warmup_ratio``, ``Trainer(tokenizer=...)``...) raise :class:`RemovedArgumentError` naming the
replacement, since tutorials written for transformers 4 still use them.
"""

from __future__ import annotations

import inspect
import tempfile
from typing import Any

from bertcourse.config import OFFLINE_ENCODER, settings
from bertcourse.exceptions import RemovedArgumentError, UnknownTaskError
from bertcourse.paths import artifacts_dir
from bertcourse.quiet import quiet_libraries, training_progress_enabled

__all__ = [
    "COLLATED_TASKS",
    "HEAD_PARAMETER_PREFIXES",
    "LOG_POINTS",
    "RemovedArgumentError",
    "attach_course_callbacks",
    "collator_for",
    "describe_arguments",
    "freeze_word_embeddings",
    "make_trainer",
    "set_head_learning_rate",
    "training_arguments",
]

#: Where the parameters of the task head start, in the models ``bc.load_model`` builds:
#: ``classifier`` (sequence and token classification), ``qa_outputs`` (question
#: answering) and BERT's pooler, which only the sequence-classification head reads.
HEAD_PARAMETER_PREFIXES: tuple[str, ...] = ("classifier.", "qa_outputs.", "pooler.")

#: The tasks :func:`collator_for` and :func:`make_trainer` know.
COLLATED_TASKS: tuple[str, ...] = (
    "sequence-classification",
    "token-classification",
    "question-answering",
    "masked-lm",
)

#: About how many training-loss points a run logs (the curve of ``plot_training_curve``).
LOG_POINTS = 20

#: transformers-4 names that transformers 5 removed -> what to write instead.
REMOVED_ARGUMENTS: dict[str, str] = {
    "evaluation_strategy": 'eval_strategy="epoch" (or "steps", "no")',
    "group_by_length": 'train_sampling_strategy="group_by_length"',
    "warmup_ratio": "warmup_steps=0.1 (a float below 1 is a fraction of the training steps)",
    "tokenizer": "processing_class=tokenizer",
    "no_cuda": "use_cpu=True",
    "use_mps_device": "nothing: the Apple GPU is used when available (use_cpu=True to avoid it)",
    "overwrite_output_dir": "nothing: the output folder is always overwritten",
}


def _reject_removed(arguments: dict[str, Any]) -> None:
    for name in arguments:
        if name in REMOVED_ARGUMENTS:
            raise RemovedArgumentError(
                f"{name}= was removed in transformers 5: use {REMOVED_ARGUMENTS[name]} instead"
            )


def _model_name_of(model: Any) -> str | None:
    """The name that decides the learning rate: what actually serves, not what was asked."""
    source = getattr(model, "bertcourse_source", None)
    if source is not None and source.origin == "packaged":
        return OFFLINE_ENCODER
    config = getattr(model, "config", None)
    if config is None:
        return None
    # A MiniLM fine-tuned and saved by an earlier lesson loads from a folder whose name
    # says nothing: recognise it by its shape (6 layers, 384 wide).
    if getattr(config, "hidden_size", None) == 384 and getattr(config, "num_hidden_layers", 0) == 6:
        return OFFLINE_ENCODER
    return getattr(config, "name_or_path", None) or None


def training_arguments(
    output_dir: str | None = None,
    *,
    model_name: str | None = None,
    **overrides: Any,
) -> Any:
    """``TrainingArguments`` for the course mode in force.

    Args:
        output_dir: where the Trainer writes; ``None`` makes a temporary folder under
            :func:`bertcourse.paths.artifacts_dir` (nothing is saved there by default).
        model_name: the model being trained, to choose the learning rate
            (``settings().learning_rate``); ``None`` takes the mode's model.
        **overrides: any ``TrainingArguments`` field; these win over the defaults.

    Returns:
        A transformers 5 ``TrainingArguments``.

    Raises:
        RemovedArgumentError: an override uses a name that transformers 5 removed.
    """
    _reject_removed(overrides)
    quiet_libraries()
    from transformers import TrainingArguments

    current = settings()
    budget = current.budget
    if output_dir is None:
        runs = artifacts_dir() / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        output_dir = tempfile.mkdtemp(prefix="trainer-", dir=runs)
    defaults: dict[str, Any] = {
        "num_train_epochs": budget.epochs,
        "per_device_train_batch_size": budget.batch_size,
        # No gradients at evaluation: twice the batch fits in the same memory.
        "per_device_eval_batch_size": 2 * budget.batch_size,
        "learning_rate": current.learning_rate(model_name),
        "weight_decay": 0.01,
        "warmup_steps": 0.1,  # a float below 1 is a fraction of the training steps
        "eval_strategy": "epoch",
        # Batches of similar length pad less: much faster on CPU with dynamic padding.
        "train_sampling_strategy": "group_by_length",
        "logging_strategy": "steps",
        # A fraction: about LOG_POINTS loss points whatever the data size.
        "logging_steps": 1 / LOG_POINTS,
        "logging_first_step": True,
        "save_strategy": "no",
        "report_to": "none",
        "use_cpu": current.device == "cpu",
        # pin_memory only helps (and only works without a warning) with a CUDA device.
        "dataloader_pin_memory": current.device == "cuda",
        "dataloader_num_workers": 0,
        "seed": current.seed,
        # transformers hides its bars when its logging is quieter than WARNING, which
        # quiet_libraries() makes it: ask for the bar explicitly (BERTCOURSE_PROGRESS=0 off).
        "disable_tqdm": not training_progress_enabled(),
    }
    defaults.update(overrides)
    return TrainingArguments(output_dir=str(output_dir), **defaults)


def collator_for(task: str, tokenizer: Any) -> Any:
    """The dynamic-padding data collator for ``task``.

    Args:
        task: ``sequence-classification``, ``token-classification``,
            ``question-answering`` or ``masked-lm``.
        tokenizer: the model's tokenizer (it knows the padding token).

    Returns:
        ``DataCollatorWithPadding`` (classification, and question answering whose
        features carry ``start_positions``/``end_positions``),
        ``DataCollatorForTokenClassification`` (pads labels with -100) or
        ``DataCollatorForLanguageModeling`` (masks 15 % of the tokens).
    """
    from transformers import (
        DataCollatorForLanguageModeling,
        DataCollatorForTokenClassification,
        DataCollatorWithPadding,
    )

    if task in ("sequence-classification", "question-answering"):
        return DataCollatorWithPadding(tokenizer)
    if task == "token-classification":
        return DataCollatorForTokenClassification(tokenizer)
    if task == "masked-lm":
        return DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    raise UnknownTaskError(f"unknown task {task!r}: use one of {', '.join(COLLATED_TASKS)}")


def _trainer_parameters() -> frozenset[str]:
    from transformers import Trainer

    return frozenset(inspect.signature(Trainer.__init__).parameters) - {"self"}


def _course_trainer_class() -> type:
    """``Trainer`` whose evaluation and prediction keep the dataset's row order.

    transformers 5 applies ``train_sampling_strategy="group_by_length"`` to evaluation
    too: ``trainer.predict(dataset)`` then returns rows in a length-grouped order, and
    anything that pairs predictions with dataset rows (QA span decoding, tables of
    errors) silently mixes examples up. Metrics computed from the returned label_ids
    were right; everything else was not.
    """
    from torch.utils.data import SequentialSampler
    from transformers import Trainer
    from transformers.trainer_pt_utils import LengthGroupedSampler

    class CourseTrainer(Trainer):
        def _get_eval_sampler(self, eval_dataset: Any) -> Any:
            sampler = super()._get_eval_sampler(eval_dataset)
            if isinstance(sampler, LengthGroupedSampler):
                return SequentialSampler(eval_dataset)
            return sampler

    return CourseTrainer


def _is_head_parameter(name: str) -> bool:
    # "bert.pooler.dense.weight", "classifier.weight", "qa_outputs.bias"...
    return any(
        name.startswith(prefix) or f".{prefix}" in name for prefix in HEAD_PARAMETER_PREFIXES
    )


def freeze_word_embeddings(model: Any) -> int:
    """Stop training the word-embedding matrix (the encoder and the head still train).

    In the small encoder the 30,522 x 384 matrix is half of all parameters, and a short
    run over a few thousand examples moves only the rows of the words it sees. Freezing
    it takes the matrix out of the backward pass and of AdamW's update, which on 2 CPU
    cores is about a seventh of a step at 48 tokens (README, "The default run").

    Args:
        model: a transformers model with ``get_input_embeddings()``.

    Returns:
        How many parameters were frozen.
    """
    embeddings = model.get_input_embeddings()
    embeddings.weight.requires_grad_(False)
    return int(embeddings.weight.numel())


# make_trainer's keyword shadows the function's name.
bertcourse_freeze_word_embeddings = freeze_word_embeddings


def set_head_learning_rate(trainer: Any, head_learning_rate: float) -> None:
    """Give the task head its own peak learning rate; the encoder keeps ``args.learning_rate``.

    The head (:data:`HEAD_PARAMETER_PREFIXES`) starts from random numbers while the
    encoder starts pre-trained: a rate small enough not to wreck the encoder moves the
    head too slowly for a short run. Measured on the generated reviews with the small
    encoder (2400 reviews, one epoch): one rate of 2e-4 for all gave accuracy 0.515; the
    encoder at 1e-4 with the head at 1e-3 gave 0.555, at 3e-3 0.615
    (``benchmarks/budget_accuracy.py``, README).

    Builds the Trainer's own optimizer now (AdamW, its weight-decay groups) and splits
    each group into encoder and head; the warm-up/decay schedule scales both alike.

    Args:
        trainer: a ``Trainer`` whose optimizer was not created yet (before ``train()``).
        head_learning_rate: the head's peak rate.

    Raises:
        ValueError: the trainer already has an optimizer, or the model has no head.
    """
    if trainer.optimizer is not None:
        raise ValueError(
            "the trainer already has an optimizer: call set_head_learning_rate before train() "
            "and without Trainer(optimizers=...)"
        )
    head = {
        id(parameter)
        for name, parameter in trainer.model.named_parameters()
        if _is_head_parameter(name)
    }
    if not head:
        raise ValueError(
            f"no task-head parameters (names starting with {', '.join(HEAD_PARAMETER_PREFIXES)}) "
            f"in {type(trainer.model).__name__}: load the model with bc.load_model(task=...)"
        )
    optimizer = trainer.create_optimizer()
    groups = []
    for group in optimizer.param_groups:
        options = {key: value for key, value in group.items() if key != "params"}
        for in_head in (False, True):
            params = [p for p in group["params"] if (id(p) in head) == in_head]
            if params:
                rate = head_learning_rate if in_head else options["lr"]
                groups.append({**options, "params": params, "lr": rate})
    # Re-group in place (no step was taken, so there is no state to carry over).
    optimizer.param_groups = []
    for group in groups:
        optimizer.add_param_group(group)
    trainer.bertcourse_head_learning_rate = head_learning_rate


def describe_arguments(args: Any) -> str:
    """The training arguments that matter, on one line (what :func:`make_trainer` prints).

    Args:
        args: a ``TrainingArguments``.

    Returns:
        ``learning rate 0.0002 | batch size 16 | epochs 2 | warm-up 0.1 | ...``.
    """
    strategy = getattr(args.eval_strategy, "value", args.eval_strategy)
    return (
        f"learning rate {args.learning_rate:g} | batch size {args.per_device_train_batch_size}"
        f" | epochs {args.num_train_epochs:g} | warm-up {args.warmup_steps:g}"
        f" | weight decay {args.weight_decay:g} | evaluation {strategy}"
    )


def attach_course_callbacks(
    trainer: Any,
    *,
    task: str = "sequence-classification",
    eval_dataset: Any = None,
    progress: bool | None = None,
) -> Any:
    """Give a ``Trainer`` the course's progress bar, summary line and learning check.

    Used by :func:`make_trainer` and by lesson 03 on the ``Trainer`` the student builds.

    Args:
        trainer: any ``transformers.Trainer``.
        task: the task trained (``sequence-classification`` and ``token-classification``
            get the :class:`~bertcourse.learning_check.NotLearningWarning` check).
        eval_dataset: the evaluation set whose labels give the majority baseline;
            ``None`` takes ``trainer.eval_dataset``.
        progress: show the ``tqdm.auto`` bar; ``None`` follows ``BERTCOURSE_PROGRESS``.

    Returns:
        The same trainer (its default bars replaced by the course's one).

    Raises:
        UnknownTaskError: ``task`` is not one of :data:`COLLATED_TASKS`.
    """
    from transformers import PrinterCallback, ProgressCallback

    from bertcourse.learning_check import LearningCheckCallback, sequence_labels
    from bertcourse.progress import CourseProgressCallback, SummaryCallback

    if task not in COLLATED_TASKS:
        raise UnknownTaskError(f"unknown task {task!r}: use one of {', '.join(COLLATED_TASKS)}")
    if progress is None:
        progress = training_progress_enabled()
    if eval_dataset is None:
        eval_dataset = trainer.eval_dataset
    # One bar everywhere (see bertcourse.progress): drop the default ones, HTML included.
    default_bars: list[type] = [ProgressCallback, PrinterCallback]
    try:
        from transformers.utils.notebook import NotebookProgressCallback

        default_bars.append(NotebookProgressCallback)
    except ImportError:  # pragma: no cover - depends on IPython being installed
        pass
    for callback in list(trainer.callback_handler.callbacks):
        if type(callback) in default_bars:
            trainer.remove_callback(callback)
    if progress:
        trainer.add_callback(CourseProgressCallback())
    trainer.add_callback(SummaryCallback())
    if task in ("sequence-classification", "token-classification"):
        # A run that ends where an untrained model would be says so (NotLearningWarning).
        trainer.add_callback(
            LearningCheckCallback(
                num_labels=getattr(getattr(trainer.model, "config", None), "num_labels", None),
                eval_labels=sequence_labels(eval_dataset)
                if task == "sequence-classification"
                else None,
            )
        )
    return trainer


def make_trainer(
    model: Any,
    tokenizer: Any,
    train_dataset: Any,
    eval_dataset: Any = None,
    *,
    task: str,
    compute_metrics: Any = None,
    args: Any = None,
    head_learning_rate: float | None = None,
    freeze_word_embeddings: bool | None = None,
    **overrides: Any,
) -> Any:
    """A ``Trainer`` for ``task``: exactly what lesson 03's exercises 3 and 4 build.

    The arguments are those of exercise 3 (``make_training_arguments``: the learning
    rate, batch size, epochs, warm-up fraction, weight decay and seed of the course's
    recipe, evaluation each epoch, no checkpoints, no reporting) plus what speeds a CPU
    run up (length-grouped batches, denser loss logging); the ``Trainer`` is that of
    exercise 4 (``build_trainer``: ``processing_class=tokenizer``, the dynamic-padding
    collator of the task, ``compute_metrics``), with :func:`attach_course_callbacks`.
    It prints the arguments that matter (:func:`describe_arguments`) when it builds it.

    Args:
        model: the model to fine-tune (``bc.load_model(task=...)``).
        tokenizer: its tokenizer; passed as ``processing_class``.
        train_dataset: tokenised training set.
        eval_dataset: tokenised evaluation set, evaluated after each epoch; with
            ``None`` (and ``args=None``) there is no evaluation.
        task: ``sequence-classification``, ``token-classification``,
            ``question-answering`` or ``masked-lm`` (chooses the collator).
        compute_metrics: ``EvalPrediction -> dict`` for the evaluations.
        args: ``TrainingArguments``; ``None`` builds them with
            :func:`training_arguments` for this model.
        head_learning_rate: the task head's peak rate (:func:`set_head_learning_rate`);
            ``None`` takes the course's for this model
            (``settings().head_learning_rate(...)``), ``0`` gives the head the encoder's.
        freeze_word_embeddings: keep the word-embedding matrix fixed
            (:func:`freeze_word_embeddings`); ``None`` takes the course's choice for the
            model (``settings().freeze_word_embeddings(...)``).
        **overrides: ``Trainer`` arguments (``data_collator``, ``callbacks``,
            ``optimizers``...) or ``TrainingArguments`` fields (``num_train_epochs``...),
            which replace those of ``args``.

    Returns:
        The ``Trainer``; call ``.train()``. Its bar is a ``tqdm.auto`` bar (off with
        ``BERTCOURSE_PROGRESS=0``); a ``[bertcourse] trained ...`` line ends the run.

    Raises:
        RemovedArgumentError: an override uses a name that transformers 5 removed.
        UnknownTaskError: ``task`` is not one of the four above.
    """
    import dataclasses

    Trainer = _course_trainer_class()

    _reject_removed(overrides)
    if task not in COLLATED_TASKS:
        raise UnknownTaskError(f"unknown task {task!r}: use one of {', '.join(COLLATED_TASKS)}")
    trainer_parameters = _trainer_parameters()
    trainer_kwargs = {key: value for key, value in overrides.items() if key in trainer_parameters}
    argument_overrides = {
        key: value for key, value in overrides.items() if key not in trainer_parameters
    }
    if args is None:
        if eval_dataset is None:
            argument_overrides.setdefault("eval_strategy", "no")
        args = training_arguments(model_name=_model_name_of(model), **argument_overrides)
    elif argument_overrides:
        args = dataclasses.replace(args, **argument_overrides)
    trainer_kwargs.setdefault("data_collator", collator_for(task, tokenizer))
    trainer_kwargs.setdefault("processing_class", tokenizer)

    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        compute_metrics=compute_metrics,
        **trainer_kwargs,
    )
    if freeze_word_embeddings is None:
        freeze_word_embeddings = settings().freeze_word_embeddings(_model_name_of(model))
    if freeze_word_embeddings:
        bertcourse_freeze_word_embeddings(model)
    if head_learning_rate is None:
        head_learning_rate = settings().head_learning_rate(_model_name_of(model))
    if head_learning_rate and "optimizers" not in trainer_kwargs and task != "masked-lm":
        set_head_learning_rate(trainer, head_learning_rate)
    # Visibly the set-up of lesson 03 (exercises 3 and 4): the arguments that matter,
    # and the two levers that lesson adds on top of them for the small encoder.
    extras = ""
    if getattr(trainer, "bertcourse_head_learning_rate", None):
        extras += f" | head learning rate {trainer.bertcourse_head_learning_rate:g}"
    if freeze_word_embeddings:
        extras += " | word embeddings frozen"
    print(f"[bertcourse] make_trainer: {describe_arguments(args)}{extras}")
    return attach_course_callbacks(
        trainer, task=task, eval_dataset=eval_dataset, progress=not args.disable_tqdm
    )
