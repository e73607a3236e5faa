"""The Hub loader's label check (bertcourse.data.hub_loader.conform), without a Hub."""

from __future__ import annotations

import pytest
from datasets import ClassLabel, Dataset, Features, List, Value

from bertcourse.data.hub_loader import conform, hub_revision
from bertcourse.data.schema import NER_LABELS, SST5_LABELS
from bertcourse.exceptions import DataUnavailableError


def test_integer_label_becomes_the_course_class_label():
    data = Dataset.from_dict({"text": ["a", "b"], "label": [0, 4], "label_text": ["x", "y"]})
    out = conform(data, "sst5")
    assert out.features["label"].names == SST5_LABELS
    assert out.column_names == ["text", "label"]


def test_tag_names_that_differ_from_the_course_are_an_error():
    reordered = ["O", "B-ORG", "I-ORG", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
    features = Features(
        {"tokens": List(Value("string")), "ner_tags": List(ClassLabel(names=reordered))}
    )
    data = Dataset.from_dict({"tokens": [["EU"]], "ner_tags": [[3]]}, features=features)
    with pytest.raises(DataUnavailableError, match="ner_tags names"):
        conform(data, "conll2003")
    assert reordered != NER_LABELS


def test_conll_comes_from_the_parquet_export():
    assert hub_revision("conll2003") == "refs/convert/parquet"
    assert hub_revision("squad") is None
