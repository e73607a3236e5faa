"""bertcourse: the helper package every lesson of the BERT fine-tuning course calls.

Light to import: the heavy libraries (torch, transformers, datasets) load on first
use of the functions that need them.
"""

from __future__ import annotations

import importlib
from typing import Any

from bertcourse.config import (
    FULL_MODE_MODEL,
    OFFLINE_ENCODER,
    Settings,
    configure,
    detect_device,
    reset,
    seed_everything,
    settings,
)
from bertcourse.exceptions import (
    BertCourseError,
    DataUnavailableError,
    MetricInputError,
    ModelUnavailableError,
    PlotInputError,
    RemovedArgumentError,
    SettingsError,
    UnknownTaskError,
)

__version__ = "0.1.0"

# name -> module that defines it; imported on first access (PEP 562).
_LAZY = {
    "load_model": "bertcourse.models",
    "load_tokenizer": "bertcourse.models",
    "resolve_model": "bertcourse.models",
    "count_parameters": "bertcourse.models",
    "ModelSource": "bertcourse.models",
    "load_task": "bertcourse.data",
    "subsample": "bertcourse.data",
    "last_source": "bertcourse.data",
    "make_trainer": "bertcourse.training",
    "training_arguments": "bertcourse.training",
    "quiet_libraries": "bertcourse.quiet",
    "setup_lesson": "bertcourse.lesson",
    "answer_problem": "bertcourse.answers",
    "collator_for": "bertcourse.training",
    "metrics": "bertcourse.metrics",
    "plots": "bertcourse.plots",
}

__all__ = [
    "FULL_MODE_MODEL",
    "OFFLINE_ENCODER",
    "Settings",
    "configure",
    "detect_device",
    "reset",
    "seed_everything",
    "settings",
    "BertCourseError",
    "DataUnavailableError",
    "MetricInputError",
    "ModelUnavailableError",
    "PlotInputError",
    "RemovedArgumentError",
    "SettingsError",
    "UnknownTaskError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'bertcourse' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name.endswith("." + name) else getattr(module, name)
    globals()[name] = value
    return value
