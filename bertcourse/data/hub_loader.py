"""Loading a course task from the Hugging Face Hub, normalised to the course's columns.

``eriktks/conll2003`` still holds a loading script, which ``datasets`` 4 and later
refuse; the Hub's parquet export of it (revision ``refs/convert/parquet``) loads
without the script and keeps the tag names in the parquet files' features metadata.
The other course sets are plain data files on their main branch.

Fast mode fetches only the first rows of each split (streamed: parquet row groups
or the start of a JSON lines file), enough for a lesson's few hundred examples,
instead of the whole set; full mode downloads the whole set as the original did.
"""

from __future__ import annotations

import functools

from datasets import ClassLabel, Dataset, DatasetDict, Features, load_dataset

from bertcourse.data.schema import TASKS
from bertcourse.exceptions import DataUnavailableError

#: Revisions other than ``main`` (the parquet export of script-only repositories).
HUB_REVISIONS: dict[str, str] = {"conll2003": "refs/convert/parquet"}
#: The split that serves as ``validation`` where the Hub names it otherwise.
VALIDATION_SPLITS = ("validation", "validation_matched", "test")
#: Rows fast mode fetches per split: the generated sets' sizes, well above the fast
#: budget (400 / 200) and lesson 01's 2,000 training sentences.
FAST_ROWS = {"train": 2400, "validation": 800}


def hub_revision(task: str) -> str | None:
    """The revision the course loads ``task`` from (``None``: the main branch)."""
    return HUB_REVISIONS.get(task)


def _class_names(feature: object) -> list[str] | None:
    """The label names of a ClassLabel, or of a list of ClassLabels (tags)."""
    if isinstance(feature, ClassLabel):
        return list(feature.names)
    # datasets.List / Sequence hold their item type in .feature; a plain list holds it first.
    inner = (
        feature[0] if isinstance(feature, list) and feature else getattr(feature, "feature", None)
    )
    return list(inner.names) if isinstance(inner, ClassLabel) else None


def conform(data: Dataset, task: str) -> Dataset:
    """Give a Hub split the course's label types, checking that label names agree.

    A plain integer label (SetFit/sst5) becomes the course's ClassLabel; a ClassLabel
    whose names differ from the course's (tags lost or reordered in an export) is an
    error, since every lesson's label ids depend on that order.

    Args:
        data: one split as the Hub served it.
        task: the course task name.

    Returns:
        The split, with ``label_text`` dropped where the label is a ClassLabel.

    Raises:
        DataUnavailableError: the Hub's label names differ from the course's.
    """
    spec = TASKS[task]
    for column, wanted in spec.features.items():
        wanted_names = _class_names(wanted)
        if wanted_names is None or column not in data.column_names:
            continue
        got_names = _class_names(data.features[column])
        if got_names is None:
            data = data.cast_column(column, wanted)
        elif got_names != wanted_names:
            raise DataUnavailableError(
                f"{spec.hub_id}: the Hub's {column} names {got_names} differ from the course's "
                f"{wanted_names}; the export changed. Use BERTCOURSE_DATA_DIR or "
                "BERTCOURSE_OFFLINE=1 until the course is updated."
            )
    if "label_text" in data.column_names and isinstance(data.features.get("label"), ClassLabel):
        data = data.remove_columns("label_text")
    return data


def _first_rows(stream: object, rows: int) -> Dataset:
    features: Features | None = getattr(stream, "features", None)
    taken = list(stream.take(rows))  # type: ignore[attr-defined]
    return Dataset.from_list(taken, features=features)


def load_from_hub(task: str, *, rows: dict[str, int] | None = None) -> DatasetDict:
    """Download ``task`` with ``datasets.load_dataset`` (call only when the Hub is reachable).

    The result keeps the Hub's columns; it gains a ``validation`` split where the Hub
    names it otherwise (``multi_nli``: ``validation_matched``; ``yelp_review_full``:
    ``test``) and integer labels become the ClassLabels the other sources use.

    Args:
        task: a course task name.
        rows: ``{"train": n, "validation": m}`` streams only the first rows of those two
            splits (fast mode); ``None`` downloads every split in full.

    Returns:
        The Hub's splits, with ``train`` and ``validation``.
    """
    spec = TASKS[task]
    revision = hub_revision(task)
    if rows is None:
        dd = load_dataset(spec.hub_id, revision=revision)
        if not isinstance(dd, DatasetDict):  # load_dataset without split returns a dict
            raise TypeError(f"{spec.hub_id}: expected a DatasetDict, got {type(dd).__name__}")
        dd = DatasetDict(dict(dd))
    else:
        streams = load_dataset(spec.hub_id, revision=revision, streaming=True)
        dd = DatasetDict({"train": _first_rows(streams["train"], rows["train"])})
        for name in VALIDATION_SPLITS:
            if name in streams:
                dd[name] = _first_rows(streams[name], rows["validation"])
                break
    if "validation" not in dd:
        for name in VALIDATION_SPLITS:
            if name in dd:
                dd["validation"] = dd[name]
                break
    if "validation" not in dd:
        raise DataUnavailableError(
            f"{spec.hub_id}: no validation split on the Hub (splits: {', '.join(dd)})"
        )
    return DatasetDict({split: conform(data, task) for split, data in dd.items()})


@functools.lru_cache(maxsize=16)
def _cached(task: str, fast: bool, endpoint: str) -> DatasetDict:
    return load_from_hub(task, rows=FAST_ROWS if fast else None)


def load_cached(task: str, *, fast: bool) -> DatasetDict:
    """:func:`load_from_hub`, once per process, Hub address and mode (a lesson loads a
    task several times; streamed rows are not in the ``datasets`` cache)."""
    from bertcourse.hub import hub_endpoint

    return _cached(task, fast, hub_endpoint())
