"""Quiet the library chatter that means nothing to a student.

transformers prints a load report and a "Loading weights" bar for every model,
and warns that a new head is "newly initialized" (which every lesson knows);
datasets prints a bar for every small ``map``. The course keeps the bars that
matter (training, evaluation, tokenising a real data set) and silences the rest.
"""

from __future__ import annotations

import logging
import os
import warnings


def quiet_libraries() -> None:
    """Turn library logging down to errors and drop known-noise warnings. Idempotent."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import datasets
    import transformers

    transformers.logging.set_verbosity_error()
    # The per-model "Loading weights" bar: a fraction of a second, pure noise.
    transformers.logging.disable_progress_bar()
    datasets.logging.set_verbosity_error()
    for name in ("transformers", "datasets", "huggingface_hub", "accelerate", "torch"):
        logging.getLogger(name).setLevel(logging.ERROR)
    for pattern in (
        r".*was not initialized from the model checkpoint.*",
        r".*Some weights of .* were not used.*",
        r".*TypedStorage is deprecated.*",
        r".*`resume_download` is deprecated.*",
        r".*pin_memory.*no accelerator is found.*",
        r".*IProgress not found.*",
    ):
        warnings.filterwarnings("ignore", message=pattern)


def training_progress_enabled() -> bool:
    """Training and evaluation bars stay on unless ``BERTCOURSE_PROGRESS=0``."""
    return os.environ.get("BERTCOURSE_PROGRESS", "1").strip() not in {"0", "false", "no"}
