"""The course metrics agree with sklearn and seqeval."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score as sk_f1

from bertcourse.exceptions import MetricInputError
from bertcourse.metrics import macro_f1, seqeval_scores

# ----------------------------------------------------------------------------- flat


@st.composite
def paired_labels(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    n_classes = draw(st.integers(min_value=1, max_value=6))
    n = draw(st.integers(min_value=1, max_value=60))
    ids = st.integers(min_value=0, max_value=n_classes - 1)
    preds = draw(st.lists(ids, min_size=n, max_size=n))
    labels = draw(st.lists(ids, min_size=n, max_size=n))
    return preds, labels


@settings(max_examples=200, deadline=None)
@given(paired_labels())
def test_macro_f1_matches_sklearn(pair: tuple[list[int], list[int]]) -> None:
    preds, labels = pair
    expected = sk_f1(labels, preds, average="macro", zero_division=0)
    assert macro_f1(preds, labels) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(paired_labels())
def test_macro_f1_with_fixed_classes_matches_sklearn(pair: tuple[list[int], list[int]]) -> None:
    preds, labels = pair
    classes = list(range(7))  # some classes absent from both inputs
    expected = sk_f1(labels, preds, labels=classes, average="macro", zero_division=0)
    assert macro_f1(preds, labels, classes=classes) == pytest.approx(expected, abs=1e-12)


def test_macro_f1_counts_a_class_never_predicted() -> None:
    # Class 2 is in the labels only: F1(0)=1, F1(1)=2/3, F1(2)=0 -> mean 5/9.
    assert macro_f1([0, 1, 1], [0, 2, 1]) == pytest.approx(5 / 9)
    assert macro_f1([0, 1, 1], [0, 2, 1]) == pytest.approx(
        sk_f1([0, 2, 1], [0, 1, 1], average="macro")
    )


def test_flat_metrics_accept_arrays_tensors_and_names() -> None:
    torch = pytest.importorskip("torch")
    preds = np.array([1, 0, 1, 1])
    labels = torch.tensor([1, 0, 0, 1])
    assert macro_f1(preds, labels) == pytest.approx(sk_f1(labels.numpy(), preds, average="macro"))
    assert macro_f1(["pos", "neg"], ["pos", "pos"]) == pytest.approx(
        sk_f1(["pos", "pos"], ["pos", "neg"], average="macro", zero_division=0)
    )


@pytest.mark.parametrize(
    ("preds", "labels", "message"),
    [
        ([0, 1], [0, 1, 1], "2 entries but labels has 3"),
        ([], [], "empty"),
        ([0, 1, -100], [0, 1, 1], "-100"),
        ([0, 1, 1], [0, -100, 1], "filter them"),
        ([[0.1, 0.9], [0.8, 0.2]], [1, 0], "argmax"),
        ([0.2, 0.9], [1, 0], "non-integer"),
        (3, [3], "single value"),
        (["a", "b"], [0, 1], "id2label"),
    ],
)
def test_flat_metrics_reject_bad_input(preds, labels, message: str) -> None:
    with pytest.raises(MetricInputError, match=message):
        macro_f1(preds, labels)


# -------------------------------------------------------------------------- seqeval


def test_seqeval_matches_hub_example() -> None:
    # The example of the Hub metric's documentation, with its documented results.
    predictions = [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    references = [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    scores = seqeval_scores(predictions, references)
    assert list(scores) == [
        "MISC",
        "PER",
        "overall_precision",
        "overall_recall",
        "overall_f1",
        "overall_accuracy",
    ]
    assert scores["overall_f1"] == 0.5
    assert scores["PER"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "number": 1}
    assert scores["MISC"]["f1"] == 0.0
    assert scores["overall_accuracy"] == pytest.approx(8 / 10)


_TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


@st.composite
def tag_sentences(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    lengths = draw(st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=6))
    tag = st.sampled_from(_TAGS)
    preds = [draw(st.lists(tag, min_size=n, max_size=n)) for n in lengths]
    refs = [draw(st.lists(tag, min_size=n, max_size=n)) for n in lengths]
    return preds, refs


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # seqeval's own calls on all-"O" input
@settings(max_examples=100, deadline=None)
@given(tag_sentences())
def test_seqeval_agrees_with_the_seqeval_package(pair) -> None:
    from seqeval.metrics import accuracy_score, f1_score, precision_score, recall_score
    from seqeval.metrics.sequence_labeling import get_entities

    preds, refs = pair
    scores = seqeval_scores(preds, refs)
    assert scores["overall_f1"] == pytest.approx(f1_score(refs, preds, zero_division=0))
    assert scores["overall_precision"] == pytest.approx(
        precision_score(refs, preds, zero_division=0)
    )
    assert scores["overall_recall"] == pytest.approx(recall_score(refs, preds, zero_division=0))
    assert scores["overall_accuracy"] == pytest.approx(accuracy_score(refs, preds))
    # "number" counts the reference entities of each type.
    entity_types = {entity for entity, _, _ in get_entities(refs)}
    for entity in entity_types:
        expected = sum(found == entity for found, _, _ in get_entities(refs))
        assert scores[entity]["number"] == expected


def test_seqeval_strict_mode_is_stricter() -> None:
    # "I-PER" opening an entity counts in the lenient mode only.
    preds = [["I-PER", "I-PER", "O"]]
    refs = [["B-PER", "I-PER", "O"]]
    assert seqeval_scores(preds, refs)["overall_f1"] == 1.0
    assert seqeval_scores(preds, refs, scheme="IOB2", mode="strict")["overall_f1"] == 0.0


@pytest.mark.parametrize(
    ("preds", "refs", "message"),
    [
        ([["O"]], [["O"], ["O"]], "1 sentences but references has 2"),
        ([["O", "O"]], [["O"]], "2 predicted tags but 1 reference"),
        ([], [], "empty"),
        ([[]], [[]], "every sentence is empty"),
        ([["PER"]], [["B-PER"]], "not a BIO/IOB tag"),
        ([["B-PER"]], [["E-PER"]], "not a BIO/IOB tag"),
        ([[1, 0]], [["B-PER", "O"]], "id2label"),
        ([["B-PER", "O"]], [["B-PER", -100]], "-100"),
        (["B-PER", "O"], ["B-PER", "O"], "not a list of tags"),
    ],
)
def test_seqeval_rejects_bad_input(preds, refs, message: str) -> None:
    with pytest.raises(MetricInputError, match=message):
        seqeval_scores(preds, refs)


def test_seqeval_rejects_unknown_scheme_and_mode() -> None:
    with pytest.raises(MetricInputError, match="scheme"):
        seqeval_scores([["O"]], [["O"]], scheme="BIO")
    with pytest.raises(MetricInputError, match="needs a scheme"):
        seqeval_scores([["O"]], [["O"]], mode="strict")


def test_seqeval_accepts_iobes_with_scheme() -> None:
    scores = seqeval_scores([["S-PER", "O"]], [["S-PER", "O"]], scheme="IOBES", mode="strict")
    assert scores["PER"]["f1"] == 1.0
