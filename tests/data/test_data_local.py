"""Readers of the local formats, against the project's shared/data (skipped without it)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from bertcourse.data import features_for
from bertcourse.data.local import read_folder, read_yelp
from bertcourse.exceptions import DataUnavailableError

SHARED = Path(__file__).parents[2] / ".." / "shared" / "data"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the shared data folder {SHARED} is absent"
)


@functools.cache
def _shared(task: str):
    """Each shared copy read once per test session (CoNLL takes seconds to parse)."""
    return read_folder(task, SHARED)


EXPECTED_ROWS = {
    "conll2003": (14041, 3250),
    "sst5": (8544, 1101),
    "squad": None,  # split of 8,582 questions
    "multi_nli": None,  # split of 8,000 pairs
    "snli": None,  # split of 9,842 pairs
    "yelp_review_full": None,  # split of 5,000 rows
}
TOTALS = {"squad": 8582, "multi_nli": 8000, "snli": 9842, "yelp_review_full": 5000}


@needs_shared
@pytest.mark.shared_data
@pytest.mark.parametrize("task", list(EXPECTED_ROWS))
def test_shared_folder_matches_hub_schema(task):
    dd, folder, detail = _shared(task)
    assert set(dd) == {"train", "validation"}
    for split in dd.values():
        assert split.features == features_for(task)
    rows = (dd["train"].num_rows, dd["validation"].num_rows)
    if EXPECTED_ROWS[task]:
        assert rows == EXPECTED_ROWS[task]
    else:
        assert sum(rows) == TOTALS[task]
        assert 0.1 < rows[1] / sum(rows) < 0.3
        assert "split" in detail


@needs_shared
@pytest.mark.shared_data
def test_shared_split_is_deterministic_and_grouped():
    a, _, _ = _shared("squad")
    b, _, _ = read_folder("squad", SHARED)
    assert a["validation"]["id"] == b["validation"]["id"]
    assert set(a["train"]["title"]).isdisjoint(a["validation"]["title"])
    row = a["train"][0]
    start, text = row["answers"]["answer_start"][0], row["answers"]["text"][0]
    assert row["context"][start : start + len(text)] == text
    nli, _, _ = _shared("snli")
    assert set(nli["train"]["premise"]).isdisjoint(nli["validation"]["premise"])


@needs_shared
@pytest.mark.shared_data
def test_shared_conll_first_sentence():
    dd, _, _ = _shared("conll2003")
    row = dd["train"][0]
    ner = dd["train"].features["ner_tags"].feature
    assert row["id"] == "0"
    assert len(row["tokens"]) == len(row["ner_tags"]) == len(row["pos_tags"])
    assert {ner.int2str(t) for t in row["ner_tags"]} <= set(ner.names)


def test_formats_in_a_temporary_folder(tmp_path):
    conll = tmp_path / "conll2003"
    conll.mkdir()
    text = "-DOCSTART- -X- -X- O\n\nAnna NNP B-NP B-PER\nruns VBZ B-VP O\n\nOslo NNP B-NP B-LOC\n"
    (conll / "train.txt").write_text(text, encoding="utf-8")
    (conll / "valid.txt").write_text(text, encoding="utf-8")
    dd, _, _ = read_folder("conll2003", tmp_path)
    assert dd["train"]["tokens"] == [["Anna", "runs"], ["Oslo"]]
    assert dd["train"]["id"] == ["0", "1"]
    names = dd["train"].features["ner_tags"].feature
    assert [names.int2str(t) for t in dd["train"][0]["ner_tags"]] == ["B-PER", "O"]

    nli = tmp_path / "snli"
    nli.mkdir()
    lines = [
        {"premise": f"p{i}", "hypothesis": "h", "label": label}
        for i, label in enumerate(["entailment", "neutral", "contradiction", "-"] * 5)
    ]
    (nli / "dev.jsonl").write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    dd, _, detail = read_folder("snli", tmp_path)
    labels = list(dd["train"]["label"]) + list(dd["validation"]["label"])
    assert sorted(set(labels)) == [-1, 0, 1, 2]

    yelp = tmp_path / "yelp"
    yelp.mkdir()
    rows = "text,label1,label2\n" + "".join(
        f'"review {i}",Business Category: X,Review Stars: {1 + i % 5}.0\n' for i in range(10)
    )
    (yelp / "dev.csv").write_text(rows, encoding="utf-8")
    dd, _ = read_yelp(yelp)
    everything = dict(
        zip(
            list(dd["train"]["text"]) + list(dd["validation"]["text"]),
            list(dd["train"]["label"]) + list(dd["validation"]["label"]),
            strict=True,
        )
    )
    assert everything["review 0"] == 0 and everything["review 4"] == 4


def test_missing_files_raise_data_unavailable(tmp_path):
    with pytest.raises(DataUnavailableError, match="does not exist"):
        read_folder("squad", tmp_path)
    (tmp_path / "sst5").mkdir()
    with pytest.raises(DataUnavailableError, match="sst-train.txt"):
        read_folder("sst5", tmp_path)
