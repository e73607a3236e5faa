"""Data sets the course generates, so every lesson runs without the Hub or a data folder.

Each set is written for this course (vocabularies and templates are in this package;
there is no third-party text in it), is the same on every run (seeded), has the Hub's
columns, and is made lazily on first use and then kept for the process.

They are built to be worth training on, and to need it: labels follow from combinations
of several cues (graded phrases, negation, contrast, edits of a premise part by part,
coined names read from context, same-type distractor facts), so an untrained model is
near chance, a few seconds of fine-tuning get part of the way and three epochs most of
it. ``benchmarks/generated_sets.py`` prints the figures. No label noise is added.
"""

from __future__ import annotations

import functools
import importlib

from datasets import DatasetDict

from bertcourse.data.schema import TASKS

#: Rows per split of every generated set.
N_TRAIN = 2400
N_VALIDATION = 400


#: task -> the module (in this package) whose ``build(task, n_train, n_validation)`` makes it.
GENERATORS = {
    "yelp_review_full": "reviews",
    "sst5": "reviews",
    "multi_nli": "nli",
    "snli": "nli",
    "conll2003": "ner",
    "squad": "squad",
}


@functools.cache
def generate(task: str) -> DatasetDict:
    """The generated course set of ``task`` (a name from ``TASKS``), made once per process.

    Args:
        task: a course task name.

    Returns:
        ``train`` and ``validation`` with the Hub's features.
    """
    module = importlib.import_module(f"{__name__}.{GENERATORS[task]}")
    dd = module.build(task, N_TRAIN, N_VALIDATION)
    expected = TASKS[task].features
    for split in dd.values():
        # A cheap guard that keeps every generator honest about the schema.
        if split.features != expected:
            raise RuntimeError(f"generated {task} has features {split.features}, not the Hub's")
    return dd
