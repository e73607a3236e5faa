"""``bertcourse prefetch``: fetch what a mode needs, so a classroom runs offline.

Everything a mode's lessons load by name goes into one folder:

* ``FOLDER/hub``: the models, in the Hugging Face cache layout (``HF_HUB_CACHE``);
* ``FOLDER/data/<task>``: the data sets, written with ``save_to_disk`` in the sub-folders
  ``BERTCOURSE_DATA_DIR`` reads.

Then, on a machine without the Hub (copy the folder there)::

    export BERTCOURSE_OFFLINE=1 HF_HUB_CACHE=FOLDER/hub BERTCOURSE_DATA_DIR=FOLDER/data

and the lessons load the real models and data, with no substitute. What each mode
needs:

* ``fast``: the first rows of every course data set (as fast mode online streams
  them) and the configs and tokenizers of lesson 07's variants (it compares their
  tokenizers; it measures their size and speed from the configs). The fine-tuned
  model, MiniLM, is packaged with the course.
* ``full``: every data set in full, and the full weights of ``bert-base-cased`` and
  of lesson 07's variants, which full mode fine-tunes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bertcourse.config import FULL_MODE_MODEL, MODES
from bertcourse.exceptions import HubLoadError, PrefetchError

#: Lesson 07's checkpoints (its VARIANTS and DOMAIN_BERTS).
VARIANT_MODELS = (
    "bert-base-uncased",
    "roberta-base",
    "distilbert-base-uncased",
    "albert-base-v2",
    "dmis-lab/biobert-base-cased-v1.2",
    "ProsusAI/finbert",
    "allenai/scibert_scivocab_uncased",
)
#: Files a tokenizer or config needs (never weights).
SMALL_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
)
#: Weight files in order of preference: one of them is fetched (never TF, Flax, ONNX).
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


@dataclass(frozen=True)
class PrefetchItem:
    """One model or data set fetched.

    Attributes:
        kind: ``"model"`` or ``"data"``.
        name: the Hub name or course task.
        files: files written (models) or rows per split (data).
        size: bytes on disk.
    """

    kind: str
    name: str
    files: str
    size: int


@dataclass
class PrefetchReport:
    """What :func:`prefetch` fetched, and how to use it."""

    mode: str
    folder: Path
    items: list[PrefetchItem] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(item.size for item in self.items)

    def environment(self) -> str:
        """The shell line that makes the lessons use the folder offline."""
        return (
            f"export BERTCOURSE_OFFLINE=1 BERTCOURSE_MODE={self.mode} "
            f"HF_HUB_CACHE={self.folder / 'hub'} BERTCOURSE_DATA_DIR={self.folder / 'data'}"
        )

    def render(self) -> str:
        lines = [f"prefetched for {self.mode} mode into {self.folder}:"]
        for item in self.items:
            lines.append(f"  {item.kind:<5} {item.name:<36} {_mb(item.size):>10}  {item.files}")
        lines.append(f"  total {_mb(self.size)}")
        lines.append("to run offline with them:")
        lines.append(f"  {self.environment()}")
        return "\n".join(lines)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def _folder_size(path: Path) -> int:
    # The Hub cache links snapshots to blobs: count each blob once.
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def models_for(mode: str) -> tuple[str, ...]:
    """The checkpoints a mode's lessons load by name (not the packaged MiniLM)."""
    if mode not in MODES:
        raise PrefetchError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    return VARIANT_MODELS if mode == "fast" else (FULL_MODE_MODEL, *VARIANT_MODELS)


def files_to_fetch(repo_files: list[str], *, weights: bool) -> list[str]:
    """Which of a repository's files to fetch: config and tokenizer, plus one weight file.

    Args:
        repo_files: the repository's file names.
        weights: also fetch the weights (safetensors where there are, else ``.bin``).

    Returns:
        The file names, in the repository's order.
    """
    wanted = [name for name in repo_files if name in SMALL_FILES]
    if weights:
        for weight_file in WEIGHT_FILES:
            if weight_file in repo_files:
                wanted.append(weight_file)
                break
    return wanted


def prefetch_model(name: str, cache: Path, *, weights: bool) -> PrefetchItem:
    """Fetch a checkpoint's config, tokenizer and (optionally) weights into ``cache``."""
    from huggingface_hub import HfApi, hf_hub_download

    repo_files = [sibling.rfilename for sibling in HfApi().model_info(name).siblings or []]
    wanted = files_to_fetch(repo_files, weights=weights)
    if "config.json" not in wanted:
        raise HubLoadError(f"{name}: the Hub's repository has no config.json ({repo_files})")
    for filename in wanted:
        hf_hub_download(name, filename, cache_dir=cache)
    repo_folder = cache / f"models--{name.replace('/', '--')}"
    return PrefetchItem("model", name, ", ".join(wanted), _folder_size(repo_folder))


def prefetch_task(task: str, data_dir: Path, *, fast: bool) -> PrefetchItem:
    """Fetch a course data set as the mode loads it and write it where
    ``BERTCOURSE_DATA_DIR`` finds it."""
    from bertcourse.data.hub_loader import FAST_ROWS, load_from_hub
    from bertcourse.data.schema import TASKS

    dd = load_from_hub(task, rows=FAST_ROWS if fast else None)
    target = data_dir / TASKS[task].folder
    dd.save_to_disk(str(target))
    rows = ", ".join(f"{split} {data.num_rows:,}" for split, data in dd.items())
    return PrefetchItem("data", task, rows, _folder_size(target))


def prefetch(
    mode: str,
    folder: str | Path,
    *,
    models: list[str] | None = None,
    tasks: list[str] | None = None,
) -> PrefetchReport:
    """Fetch what ``mode`` needs into ``folder`` (see the module docstring).

    Args:
        mode: ``"fast"`` or ``"full"``.
        folder: where to write ``hub/`` and ``data/``.
        models: checkpoints to fetch (default: :func:`models_for` the mode).
        tasks: course tasks to fetch (default: all six).

    Returns:
        A :class:`PrefetchReport` with the size of each item.

    Raises:
        PrefetchError: unknown mode, or the Hub is out of reach (or offline is set).
    """
    from bertcourse.data.schema import TASKS
    from bertcourse.hub import hub_endpoint, hub_reachable

    chosen_models = list(models_for(mode) if models is None else models)
    if not hub_reachable():
        raise PrefetchError(
            f"prefetch needs the Hub, and {hub_endpoint()} is out of reach (or "
            "BERTCOURSE_OFFLINE=1 is set): run it on a machine that reaches the Hub, then "
            "copy the folder"
        )
    folder = Path(folder).expanduser().resolve()
    report = PrefetchReport(mode=mode, folder=folder)
    for name in chosen_models:
        report.items.append(prefetch_model(name, folder / "hub", weights=mode == "full"))
    for task in list(TASKS) if tasks is None else tasks:
        report.items.append(prefetch_task(task, folder / "data", fast=mode == "fast"))
    return report


def cache_lines() -> list[str]:
    """What the Hugging Face cache in force holds of the course's models (for ``info``)."""
    from huggingface_hub import constants, try_to_load_from_cache

    lines = [f"cache     {constants.HF_HUB_CACHE} (HF_HUB_CACHE)"]
    for name in (FULL_MODE_MODEL, *VARIANT_MODELS):
        held = [
            filename
            for filename in ("config.json", "tokenizer.json", "vocab.txt", *WEIGHT_FILES)
            if isinstance(try_to_load_from_cache(name, filename), str)
        ]
        has_weights = any(filename in held for filename in WEIGHT_FILES)
        state = "weights + tokenizer" if has_weights else "tokenizer/config only"
        lines.append(f"  {name:<34} {state if held else 'not cached'}")
    return lines
