"""Loading a course task from the Hugging Face Hub, normalised to the course's columns."""

from __future__ import annotations

from datasets import ClassLabel, DatasetDict, load_dataset

from bertcourse.data.schema import TASKS


def load_from_hub(task: str) -> DatasetDict:
    """Download ``task`` with ``datasets.load_dataset`` (call only when the Hub is reachable).

    The result keeps the Hub's columns; it gains a ``validation`` split where the Hub
    names it otherwise (``multi_nli``: ``validation_matched``) and SST-5's integer label
    becomes the ClassLabel the other sources use.

    Args:
        task: a course task name.

    Returns:
        The Hub's splits, with ``train`` and ``validation``.
    """
    spec = TASKS[task]
    dd = load_dataset(spec.hub_id)
    if not isinstance(dd, DatasetDict):  # load_dataset without split returns a dict
        raise TypeError(f"{spec.hub_id}: expected a DatasetDict, got {type(dd).__name__}")
    if "validation" not in dd:
        if "validation_matched" in dd:
            dd["validation"] = dd["validation_matched"]
        elif "test" in dd:  # yelp_review_full has only train/test
            dd["validation"] = dd["test"]
    label = spec.features.get("label")
    for split, data in list(dd.items()):
        if isinstance(label, ClassLabel) and "label" in data.column_names:
            if not isinstance(data.features["label"], ClassLabel):
                data = data.cast_column("label", label)
            if "label_text" in data.column_names:
                data = data.remove_columns("label_text")
            dd[split] = data
    return dd
