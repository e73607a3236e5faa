"""Readers of the local data formats (the layout of the project's ``shared/data``).

``BERTCOURSE_DATA_DIR`` points at a folder with one sub-folder per task:

================  ======================================  =================================
sub-folder        files                                   format
================  ======================================  =================================
``conll2003``     ``train.txt``, ``valid.txt``            4 columns ``token POS chunk NER``
``squad``         ``*.json`` (e.g. the dev file)          official SQuAD v1.1 JSON
``mnli``          ``*.jsonl`` (e.g. dev_matched)          ``{"premise","hypothesis","label"}``
``snli``          ``*.jsonl`` (e.g. dev)                  as ``mnli``
``sst5``          ``sst-train.txt``, ``sst-dev.txt``      ``label ||| sentence``
``yelp``          ``*.csv`` (e.g. dev)                    ``text,label1,label2`` (stars)
================  ======================================  =================================

A sub-folder written by ``bertcourse prefetch`` (``datasets``' ``save_to_disk`` layout,
with ``dataset_dict.json``) is read as it is.

Where a folder holds only one part (SQuAD, NLI and Yelp copies are often the dev
file alone), it is split deterministically into ``train`` and ``validation`` and
the detail string says so. Splits keep related rows together (a SQuAD article, the
hypotheses of one NLI premise) so validation questions never share a context with
training ones.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Iterable
from pathlib import Path

from datasets import Dataset, DatasetDict, Features

from bertcourse.data.schema import TASKS
from bertcourse.exceptions import DataUnavailableError

#: Share of groups held out for validation when a folder has a single part.
VALIDATION_SHARE = 0.2
#: Fixed, so every run and every student gets the same split.
SPLIT_SEED = 20240611

LocalResult = tuple[DatasetDict, str]


def _require(path: Path, task: str) -> Path:
    if not path.is_file():
        raise DataUnavailableError(
            f"{task}: {path} is missing; put the file there or unset BERTCOURSE_DATA_DIR "
            "to use the Hub or the generated course set"
        )
    return path


def _single(folder: Path, pattern: str, task: str) -> Path:
    """The one file matching ``pattern`` (the first in name order if several)."""
    found = sorted(folder.glob(pattern))
    if not found:
        raise DataUnavailableError(
            f"{task}: no {pattern} file in {folder}; add one or unset BERTCOURSE_DATA_DIR"
        )
    return found[0]


def _split_groups(keys: list[str]) -> set[str]:
    """The group keys that go to validation (a fixed, seeded draw)."""
    unique = sorted(set(keys))
    random.Random(SPLIT_SEED).shuffle(unique)
    n_val = max(1, round(len(unique) * VALIDATION_SHARE))
    return set(unique[:n_val])


def _grouped_split(rows: list[dict], keys: list[str], features: Features) -> DatasetDict:
    """Rows whose key was drawn go to validation, the rest (in file order) to train."""
    held_out = _split_groups(keys)
    train = [row for row, key in zip(rows, keys, strict=True) if key not in held_out]
    val = [row for row, key in zip(rows, keys, strict=True) if key in held_out]
    return DatasetDict(
        train=Dataset.from_list(train, features=features),
        validation=Dataset.from_list(val, features=features),
    )


# --- CoNLL-2003 -------------------------------------------------------------------------


def _conll_sentences(path: Path) -> Iterable[tuple[list[str], list[str], list[str], list[str]]]:
    tokens: list[str] = []
    pos: list[str] = []
    chunk: list[str] = []
    ner: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if tokens:
                    yield tokens, pos, chunk, ner
                    tokens, pos, chunk, ner = [], [], [], []
                continue
            parts = line.split(" ")
            if len(parts) < 4:
                raise DataUnavailableError(
                    f"{path}: line {line!r} has {len(parts)} columns; CoNLL-2003 files have 4 "
                    "(token POS chunk NER)"
                )
            tokens.append(parts[0])
            pos.append(parts[1])
            chunk.append(parts[2])
            ner.append(parts[3])
    if tokens:
        yield tokens, pos, chunk, ner


def read_conll(folder: Path) -> LocalResult:
    """``train.txt`` and ``valid.txt`` of a CoNLL-2003 copy (ids count from 0 per split)."""
    features = TASKS["conll2003"].features
    splits = {}
    for split, filename in (("train", "train.txt"), ("validation", "valid.txt")):
        path = _require(folder / filename, "conll2003")
        columns: dict[str, list] = {
            "id": [],
            "tokens": [],
            "pos_tags": [],
            "chunk_tags": [],
            "ner_tags": [],
        }
        for i, (tokens, pos, chunk, ner) in enumerate(_conll_sentences(path)):
            columns["id"].append(str(i))
            columns["tokens"].append(tokens)
            columns["pos_tags"].append(pos)
            columns["chunk_tags"].append(chunk)
            columns["ner_tags"].append(ner)
        # from_dict with ClassLabel features turns the tag strings into ids.
        splits[split] = Dataset.from_dict(columns, features=features)
    return DatasetDict(splits), "train.txt / valid.txt"


# --- SQuAD ------------------------------------------------------------------------------


def read_squad(folder: Path) -> LocalResult:
    """A SQuAD v1.1 JSON file, split by article into train and validation."""
    path = _single(folder, "*.json", "squad")
    with path.open(encoding="utf-8") as handle:
        articles = json.load(handle)["data"]
    rows = []
    for article in articles:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                rows.append(
                    {
                        "id": qa["id"],
                        "title": article["title"],
                        "context": paragraph["context"],
                        "question": qa["question"],
                        "answers": {
                            "text": [a["text"] for a in qa["answers"]],
                            "answer_start": [int(a["answer_start"]) for a in qa["answers"]],
                        },
                    }
                )
    dd = _grouped_split(rows, [row["title"] for row in rows], TASKS["squad"].features)
    return dd, f"{path.name} split by article into train/validation (only one part exists)"


# --- NLI --------------------------------------------------------------------------------

_NLI_WORDS = {"entailment": 0, "neutral": 1, "contradiction": 2}


def _nli_label(raw: object) -> int:
    if isinstance(raw, int):
        return raw
    return _NLI_WORDS.get(str(raw).strip().lower(), -1)  # "-" = no gold label


def read_nli(folder: Path, task: str) -> LocalResult:
    """NLI JSON lines with word labels, split by premise into train and validation."""
    path = _single(folder, "*.jsonl", task)
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                rows.append(
                    {
                        "premise": record["premise"],
                        "hypothesis": record["hypothesis"],
                        "label": _nli_label(record["label"]),
                    }
                )
    dd = _grouped_split(rows, [row["premise"] for row in rows], TASKS[task].features)
    return dd, f"{path.name} split by premise into train/validation (only one part exists)"


# --- SST-5 ------------------------------------------------------------------------------


def _read_sst_file(path: Path) -> dict[str, list]:
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            label, sep, text = line.partition("|||")
            if not sep:
                raise DataUnavailableError(
                    f"{path}: line {line[:40]!r}... lacks 'label ||| sentence'"
                )
            labels.append(int(label.strip()))
            texts.append(text.strip())
    return {"text": texts, "label": labels}


def read_sst5(folder: Path) -> LocalResult:
    """``sst-train.txt`` and ``sst-dev.txt`` (``label ||| sentence``)."""
    features = TASKS["sst5"].features
    dd = DatasetDict(
        train=Dataset.from_dict(
            _read_sst_file(_require(folder / "sst-train.txt", "sst5")), features=features
        ),
        validation=Dataset.from_dict(
            _read_sst_file(_require(folder / "sst-dev.txt", "sst5")), features=features
        ),
    )
    return dd, "sst-train.txt / sst-dev.txt"


# --- Yelp -------------------------------------------------------------------------------


def _stars(raw: str) -> int:
    """``'Review Stars: 4.0'`` -> label 3 (labels count from 0 for 1 star)."""
    value = raw.rsplit(":", 1)[-1].strip()
    stars = int(float(value))
    if not 1 <= stars <= 5:
        raise DataUnavailableError(f"star rating {raw!r} is outside 1-5")
    return stars - 1


def read_yelp(folder: Path) -> LocalResult:
    """A Yelp CSV (``text,label1,label2``), split by row into train and validation."""
    path = _single(folder, "*.csv", "yelp_review_full")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        star_column = "label2" if "label2" in (reader.fieldnames or []) else "label"
        rows = [{"text": row["text"], "label": _stars(row[star_column])} for row in reader]
    keys = [str(i) for i in range(len(rows))]
    dd = _grouped_split(rows, keys, TASKS["yelp_review_full"].features)
    # Not class-balanced, unlike the Hub's yelp_review_full: the detail says so.
    return dd, f"{path.name} split into train/validation (only one part exists; not balanced)"


READERS: dict[str, Callable[[Path], LocalResult]] = {
    "conll2003": read_conll,
    "squad": read_squad,
    "multi_nli": lambda folder: read_nli(folder, "multi_nli"),
    "snli": lambda folder: read_nli(folder, "snli"),
    "sst5": read_sst5,
    "yelp_review_full": read_yelp,
}


def read_folder(task: str, data_dir: Path) -> tuple[DatasetDict, Path, str]:
    """Read ``task`` from its sub-folder of ``data_dir``.

    Args:
        task: a course task name.
        data_dir: the folder ``BERTCOURSE_DATA_DIR`` names.

    Returns:
        The data, the sub-folder read and a detail line (files, how they were split).

    Raises:
        DataUnavailableError: the sub-folder or a file it needs is missing.
    """
    folder = data_dir / TASKS[task].folder
    if not folder.is_dir():
        raise DataUnavailableError(
            f"{task}: {folder} does not exist; BERTCOURSE_DATA_DIR must hold a "
            f"'{TASKS[task].folder}' folder"
        )
    if (folder / "dataset_dict.json").is_file():  # written by `bertcourse prefetch`
        from datasets import load_from_disk

        return load_from_disk(str(folder)), folder, "prefetched from the Hub (save_to_disk)"
    dd, detail = READERS[task](folder)
    return dd, folder, detail
