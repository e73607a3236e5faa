"""Course-wide settings: fast/full mode, offline switch, data folder, device, seed.

Every setting can come from an environment variable (so CI, JupyterLab and the
command line agree) or from a Python call (so a notebook can change it):

=====================  ===========================================  ==============
variable               meaning                                       default
=====================  ===========================================  ==============
``BERTCOURSE_MODE``    ``fast`` (small data, short sequences, CPU)   ``fast`` without
                       or ``full`` (the original material's setup)   a GPU, else ``full``
``BERTCOURSE_OFFLINE`` ``1`` never contacts the Hugging Face Hub      ``0``
                       (``HF_HUB_OFFLINE=1`` counts too)
``BERTCOURSE_DATA_DIR`` folder with local copies of the data sets     unset
                       (the formats of ``../shared/data``)
``BERTCOURSE_DEVICE``  ``cuda``, ``mps`` or ``cpu``                  auto
``BERTCOURSE_SEED``    seed for :func:`seed_everything`              ``42``
=====================  ===========================================  ==============
"""

from __future__ import annotations

import dataclasses
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bertcourse.exceptions import SettingsError

Mode = Literal["fast", "full"]
MODES: tuple[Mode, ...] = ("fast", "full")

#: The model the original material fine-tunes (full mode).
FULL_MODE_MODEL = "bert-base-cased"
#: The packaged encoder that serves when the Hub is out of reach, and in fast mode.
OFFLINE_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"


#: Data sets on which the small offline encoder wants another rate than its 2e-4
#: (see ``Settings.learning_rate``).
SMALL_ENCODER_TASK_RATES = {"multi_nli": 5e-5, "snli": 5e-5}


@dataclass(frozen=True)
class Budget:
    """How much data and training a lesson gets in one mode."""

    n_train: int = field(metadata={"help": "training examples a lesson uses"})
    n_eval: int = field(metadata={"help": "evaluation examples a lesson uses"})
    epochs: float = field(metadata={"help": "training epochs"})
    max_length: int = field(metadata={"help": "longest tokenised input; longer ones are truncated"})
    batch_size: int = field(metadata={"help": "examples per optimisation step"})


#: Fast mode is sized for 2 CPU cores: dynamic padding, <= 128 tokens, a few hundred
#: examples (about 60 examples/s with MiniLM), so a lesson trains in well under a minute.
FAST_BUDGET = Budget(n_train=400, n_eval=200, epochs=2, max_length=128, batch_size=16)
#: Full mode is the original material's budget: 1000 training examples, 3 epochs.
FULL_BUDGET = Budget(n_train=1000, n_eval=500, epochs=3, max_length=256, batch_size=16)


@dataclass(frozen=True)
class Settings:
    """What is in force for the course right now (see the module docstring)."""

    mode: Mode
    offline: bool
    data_dir: Path | None
    device: str
    seed: int

    @property
    def budget(self) -> Budget:
        return FAST_BUDGET if self.mode == "fast" else FULL_BUDGET

    @property
    def model_name(self) -> str:
        """The checkpoint lessons fine-tune: MiniLM in fast mode, bert-base-cased in full."""
        return OFFLINE_ENCODER if self.mode == "fast" else FULL_MODE_MODEL

    def learning_rate(self, model_name: str | None = None, *, task: str | None = None) -> float:
        """A learning rate that suits the model (and, for small encoders, the data set).

        Measured on CoNLL-2003 with MiniLM (1000 examples, 3 epochs): entity F1 0.65
        at 5e-5 against 0.81 at 2e-4. NLI is the exception (MiniLM, 450 steps of 16 on
        the generated multi_nli set): accuracy 0.77 at 5e-5, 0.52 at 1e-4, and at 2e-4
        the model collapses to one class (0.31); on real MNLI (1000 examples, 3 epochs)
        5e-5, 1e-4 and 2e-4 are within noise (0.49, 0.53, 0.50). bert-base keeps the
        original 5e-5.

        Args:
            model_name: the model being trained; ``None`` takes the mode's model.
            task: the data set (a ``load_task`` name), where the rate depends on it.

        Returns:
            The peak learning rate.
        """
        name = (model_name or self.model_name).lower()
        if "minilm" not in name:
            return 5e-5
        return SMALL_ENCODER_TASK_RATES.get(task or "", 2e-4)


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def detect_device() -> str:
    """Pick ``cuda`` if a GPU is usable, then Apple's ``mps``, else ``cpu``."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def _validate_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise SettingsError(
            f"unknown mode {mode!r}: use 'fast' (small data, CPU) or 'full' (original setup), "
            "for example BERTCOURSE_MODE=fast"
        )
    return mode  # type: ignore[return-value]


def _from_environment() -> Settings:
    device = os.environ.get("BERTCOURSE_DEVICE", "").strip().lower() or detect_device()
    if device not in {"cuda", "mps", "cpu"}:
        raise SettingsError(f"BERTCOURSE_DEVICE={device!r} is not a device: use cuda, mps or cpu")
    raw_mode = os.environ.get("BERTCOURSE_MODE", "").strip().lower()
    mode = _validate_mode(raw_mode) if raw_mode else ("full" if device == "cuda" else "fast")
    data_dir = os.environ.get("BERTCOURSE_DATA_DIR", "").strip()
    seed_text = os.environ.get("BERTCOURSE_SEED", "42").strip()
    try:
        seed = int(seed_text)
    except ValueError:
        raise SettingsError(f"BERTCOURSE_SEED={seed_text!r} is not an integer") from None
    return Settings(
        mode=mode,
        offline=_env_flag("BERTCOURSE_OFFLINE") or _env_flag("HF_HUB_OFFLINE"),
        data_dir=Path(data_dir).expanduser() if data_dir else None,
        device=device,
        seed=seed,
    )


_current: Settings | None = None


def settings() -> Settings:
    """The settings in force: those set with :func:`configure`, else the environment's."""
    global _current
    if _current is None:
        _current = _from_environment()
    return _current


def configure(
    *,
    mode: str | None = None,
    offline: bool | None = None,
    data_dir: str | Path | None = None,
    device: str | None = None,
    seed: int | None = None,
) -> Settings:
    """Change settings from Python; arguments left as ``None`` keep their value.

    Args:
        mode: ``"fast"`` or ``"full"``.
        offline: ``True`` never contacts the Hub.
        data_dir: folder with local data sets (``../shared/data`` formats); ``""`` unsets it.
        device: ``"cuda"``, ``"mps"`` or ``"cpu"``.
        seed: seed used by :func:`seed_everything`.

    Returns:
        The new settings.
    """
    global _current
    current = settings()
    changes: dict[str, object] = {}
    if mode is not None:
        changes["mode"] = _validate_mode(mode)
    if offline is not None:
        changes["offline"] = bool(offline)
    if data_dir is not None:
        changes["data_dir"] = Path(data_dir).expanduser() if str(data_dir) else None
    if device is not None:
        if device not in {"cuda", "mps", "cpu"}:
            raise SettingsError(f"device={device!r} is not a device: use 'cuda', 'mps' or 'cpu'")
        changes["device"] = device
    if seed is not None:
        changes["seed"] = int(seed)
    _current = dataclasses.replace(current, **changes)  # type: ignore[arg-type]
    return _current


def reset() -> Settings:
    """Forget :func:`configure` calls and read the environment again."""
    global _current
    _current = None
    return settings()


def seed_everything(seed: int | None = None) -> int:
    """Seed Python, NumPy and torch (all devices) so a run repeats exactly.

    Args:
        seed: the seed; ``None`` takes the one in force (``BERTCOURSE_SEED``, default 42).

    Returns:
        The seed used.
    """
    import numpy as np
    import torch

    seed = settings().seed if seed is None else int(seed)
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds CUDA and MPS generators too
    return seed
