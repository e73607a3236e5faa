"""The course's data sets: ``load_task`` (Hub -> local folder -> generated set) and ``subsample``.

Every task comes back as a ``datasets.DatasetDict`` with ``train`` and ``validation``
and the Hub's columns (see :mod:`bertcourse.data.schema`), whichever source served it:

1. the Hugging Face Hub, when it can be reached (fast mode: the first rows of each
   split only, see :mod:`bertcourse.data.hub_loader`);
2. the folder ``BERTCOURSE_DATA_DIR`` names (formats in :mod:`bertcourse.data.local`);
3. a data set the package generates, written for this course
   (:mod:`bertcourse.data.generate`), so every lesson runs offline.

A one-line notice names the source, and :func:`last_source` returns it. When the
generated set stands in for a Hub set because the Hub failed or is out of reach (and
``BERTCOURSE_OFFLINE=1`` was not set on purpose), fast mode warns with
:class:`~bertcourse.exceptions.SubstitutionWarning` and full mode raises
:class:`~bertcourse.exceptions.HubLoadError`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from datasets import DatasetDict

from bertcourse.config import settings
from bertcourse.data.schema import ALIASES, TASKS, features_for
from bertcourse.exceptions import DataUnavailableError, SettingsError, UnknownTaskError
from bertcourse.notices import notify

__all__ = ["DataSource", "features_for", "known_tasks", "last_source", "load_task", "subsample"]

Origin = Literal["hub", "folder", "generated"]
SOURCES = ("auto", "hub", "folder", "generated")


@dataclass(frozen=True)
class DataSource:
    """Where a task's data came from.

    Attributes:
        task: the course task name.
        origin: ``"hub"``, ``"folder"`` or ``"generated"``.
        location: the Hub id, the folder read, or the generator module.
        detail: files read and how they were split, or why earlier sources were passed over.
    """

    task: str
    origin: Origin
    location: str
    detail: str


_last: dict[str, DataSource] = {}


def known_tasks() -> list[str]:
    """The course's task names (aliases such as ``mnli`` map onto them)."""
    return list(TASKS)


def _canonical(name: str) -> str:
    if not isinstance(name, str):
        raise UnknownTaskError(f"task name must be a string, got {type(name).__name__}")
    key = name.strip()
    if key in TASKS:
        return key
    lowered = key.lower()
    if lowered in TASKS:
        return lowered
    if lowered in ALIASES:
        return ALIASES[lowered]
    raise UnknownTaskError(
        f"unknown task {name!r}: the course knows {', '.join(TASKS)} "
        f"(also {', '.join(sorted(ALIASES))})"
    )


@functools.lru_cache(maxsize=16)
def _read_folder_cached(task: str, folder: str, stamp: float) -> tuple[DatasetDict, str, str]:
    from bertcourse.data.local import read_folder

    dd, path, detail = read_folder(task, Path(folder))
    return dd, str(path), detail


def _folder_stamp(folder: Path) -> float:
    """Latest change under the folder, so an edited copy is read again."""
    try:
        return max((p.stat().st_mtime for p in folder.rglob("*")), default=0.0)
    except OSError:
        return 0.0


def _sizes(dd: DatasetDict) -> str:
    return f"{dd['train'].num_rows:,} train / {dd['validation'].num_rows:,} validation"


def load_task(
    name: str, *, source: Literal["auto", "hub", "folder", "generated"] = "auto"
) -> DatasetDict:
    """Load a course task with ``train`` and ``validation`` splits and the Hub's columns.

    Args:
        name: ``yelp_review_full``, ``sst5``, ``multi_nli``, ``snli``, ``conll2003`` or
            ``squad`` (Hub ids such as ``SetFit/sst5`` and ``mnli`` are accepted too).
        source: ``"auto"`` tries the Hub, then ``BERTCOURSE_DATA_DIR``, then the generated
            course set; ``"hub"``, ``"folder"`` or ``"generated"`` uses only that source.

    Returns:
        The task's splits (local sources are read once per process and then shared).

    Raises:
        UnknownTaskError: ``name`` is not a course task.
        DataUnavailableError: a forced source cannot serve the task.
    """
    from bertcourse.quiet import quiet_libraries

    quiet_libraries()
    task = _canonical(name)
    if source not in SOURCES:
        raise DataUnavailableError(f"source={source!r} is not one of {', '.join(SOURCES)}")
    passed_over: list[str] = []
    hub_failure = ""  # why the Hub did not serve, when it was not switched off on purpose

    if source in ("auto", "hub"):
        from bertcourse.hub import hub_reachable

        if hub_reachable():
            from bertcourse.data.hub_loader import load_cached

            fast = settings().mode == "fast"
            try:
                dd = load_cached(task, fast=fast)
            except Exception as error:  # any Hub failure: fall back by the mode's rule
                if source == "hub":
                    raise DataUnavailableError(
                        f"{task}: the Hub could not serve {TASKS[task].hub_id} ({error}); "
                        "use source='auto' to fall back to local data"
                    ) from error
                hub_failure = f"{type(error).__name__}: {error}"
                passed_over.append(f"Hub failed ({type(error).__name__})")
            else:
                detail = "first rows only (fast mode)" if fast else "every split in full"
                return _record(task, dd, "hub", TASKS[task].hub_id, detail)
        elif source == "hub":
            raise DataUnavailableError(
                f"{task}: the Hugging Face Hub is out of reach (or BERTCOURSE_OFFLINE=1); "
                "use source='auto' to fall back to local data"
            )
        else:
            if not settings().offline:
                hub_failure = "the Hub is out of reach"
            passed_over.append("Hub out of reach")

    if source in ("auto", "folder"):
        data_dir = settings().data_dir
        if data_dir is None:
            if source == "folder":
                raise DataUnavailableError(
                    f"{task}: BERTCOURSE_DATA_DIR is unset; set it (or bc.configure(data_dir=...)) "
                    "to a folder in the shared/data layout"
                )
            passed_over.append("BERTCOURSE_DATA_DIR unset")
        else:
            try:
                dd, folder, detail = _read_folder_cached(
                    task, str(data_dir), _folder_stamp(data_dir / TASKS[task].folder)
                )
            except DataUnavailableError as error:
                if source == "folder":
                    raise
                passed_over.append(f"{data_dir}: {error}")
            else:
                return _record(task, dd, "folder", folder, detail)

    if hub_failure:
        from bertcourse.hub import substitute_or_fail

        # A generated set standing in for a real one asked for by name: a warning in
        # fast mode, an error in full mode (offline on purpose never gets here).
        substitute_or_fail(
            f"data set {TASKS[task].hub_id}", hub_failure, "the generated course set"
        )

    from bertcourse.data.generate import generate

    dd = generate(task)
    why = ", ".join(passed_over) if passed_over else "requested"
    return _record(task, dd, "generated", f"bertcourse.data.generate ({task})", why)


def _record(task: str, dd: DatasetDict, origin: Origin, location: str, detail: str) -> DatasetDict:
    _last[task] = DataSource(task=task, origin=origin, location=location, detail=detail)
    # A new dict over the cached splits: adding or dropping a split in a lesson must not
    # change what the next load_task call returns (the Dataset objects are immutable).
    dd = DatasetDict(dict(dd))
    if origin == "generated":
        notify(f"{task}: generated course set ({_sizes(dd)}) — {detail}")
    elif origin == "folder":
        notify(f"{task}: local copy in {location} ({_sizes(dd)}) — {detail}")
    else:
        notify(f"{task}: Hugging Face Hub {location} ({_sizes(dd)}, {detail})")
    return dd


def describe_source(name: str) -> str:
    """Which source ``load_task(name)`` would try first, without loading anything (for
    ``bertcourse info``)."""
    from bertcourse.hub import hub_reachable

    task = _canonical(name)
    if hub_reachable():
        return f"Hugging Face Hub {TASKS[task].hub_id}"
    data_dir = settings().data_dir
    if data_dir is not None:
        folder = data_dir / TASKS[task].folder
        if folder.is_dir() and any(folder.iterdir()):
            return f"local copy in {folder}"
        return f"generated course set ({folder} absent)"
    return "generated course set (Hub out of reach, BERTCOURSE_DATA_DIR unset)"


def last_source(name: str) -> DataSource:
    """Which source served the latest ``load_task(name)`` in this process.

    Raises:
        UnknownTaskError: ``name`` is not a course task.
        DataUnavailableError: the task was not loaded yet.
    """
    task = _canonical(name)
    if task not in _last:
        raise DataUnavailableError(f"{task} was not loaded yet: call bc.load_task({task!r}) first")
    return _last[task]


def subsample(
    dd: DatasetDict,
    *,
    n_train: int | None = None,
    n_eval: int | None = None,
    seed: int | None = None,
) -> DatasetDict:
    """A shuffled ``train``/``validation`` sample of a task, sized for the mode's budget.

    Args:
        dd: a task from :func:`load_task` (needs ``train`` and ``validation``).
        n_train: training examples (default: ``settings().budget.n_train``); capped at the
            split's size.
        n_eval: validation examples (default: ``settings().budget.n_eval``); capped likewise.
        seed: shuffle seed (default: ``settings().seed``).

    Returns:
        A new DatasetDict with just ``train`` and ``validation``.
    """
    missing = [split for split in ("train", "validation") if split not in dd]
    if missing:
        raise DataUnavailableError(
            f"subsample needs 'train' and 'validation' splits; {missing} missing "
            f"(splits present: {list(dd)}). Pass a DatasetDict from bc.load_task()."
        )
    current = settings()
    budget = current.budget
    seed = current.seed if seed is None else int(seed)
    sizes = {
        "train": budget.n_train if n_train is None else n_train,
        "validation": budget.n_eval if n_eval is None else n_eval,
    }
    out = {}
    for split, size in sizes.items():
        if size < 0:
            raise SettingsError(f"n_{'train' if split == 'train' else 'eval'}={size} must be >= 0")
        data = dd[split].shuffle(seed=seed)
        out[split] = data.select(range(min(size, data.num_rows)))
    return DatasetDict(out)
