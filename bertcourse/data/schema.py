"""The column types of every course task, equal to the Hugging Face Hub's.

Whatever serves a task (the Hub, a local folder or the generated course set), the
lessons see the same columns, label names and label order, so a notebook written
against one source runs unchanged on the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from datasets import ClassLabel, Features, List, Value

YELP_LABELS = ["1 star", "2 star", "3 stars", "4 stars", "5 stars"]
SST5_LABELS = ["very negative", "negative", "neutral", "positive", "very positive"]
NLI_LABELS = ["entailment", "neutral", "contradiction"]
NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
# The Hub conll2003 script's tag sets, in its order (label ids depend on it).
POS_LABELS = [
    '"', "''", "#", "$", "(", ")", ",", ".", ":", "``", "CC", "CD", "DT", "EX", "FW", "IN",
    "JJ", "JJR", "JJS", "LS", "MD", "NN", "NNP", "NNPS", "NNS", "NN|SYM", "PDT", "POS", "PRP",
    "PRP$", "RB", "RBR", "RBS", "RP", "SYM", "TO", "UH", "VB", "VBD", "VBG", "VBN", "VBP",
    "VBZ", "WDT", "WP", "WP$", "WRB",
]  # fmt: skip
CHUNK_LABELS = [
    "O", "B-ADJP", "I-ADJP", "B-ADVP", "I-ADVP", "B-CONJP", "I-CONJP", "B-INTJ", "I-INTJ",
    "B-LST", "I-LST", "B-NP", "I-NP", "B-PP", "I-PP", "B-PRT", "I-PRT", "B-SBAR", "I-SBAR",
    "B-UCP", "I-UCP", "B-VP", "I-VP",
]  # fmt: skip


def _text_classification(names: list[str]) -> Features:
    return Features({"text": Value("string"), "label": ClassLabel(names=names)})


def _nli() -> Features:
    return Features(
        {
            "premise": Value("string"),
            "hypothesis": Value("string"),
            "label": ClassLabel(names=NLI_LABELS),
        }
    )


def _conll() -> Features:
    return Features(
        {
            "id": Value("string"),
            "tokens": List(Value("string")),
            "pos_tags": List(ClassLabel(names=POS_LABELS)),
            "chunk_tags": List(ClassLabel(names=CHUNK_LABELS)),
            "ner_tags": List(ClassLabel(names=NER_LABELS)),
        }
    )


def _squad() -> Features:
    return Features(
        {
            "id": Value("string"),
            "title": Value("string"),
            "context": Value("string"),
            "question": Value("string"),
            "answers": {"text": List(Value("string")), "answer_start": List(Value("int32"))},
        }
    )


@dataclass(frozen=True)
class TaskSpec:
    """What the course knows about one task.

    Attributes:
        name: the course's name (the Hub's short id).
        hub_id: the id ``datasets.load_dataset`` takes.
        folder: the sub-folder of ``BERTCOURSE_DATA_DIR`` with a local copy.
        kind: ``classification``, ``nli``, ``ner`` or ``qa``.
    """

    name: str
    hub_id: str
    folder: str
    kind: str

    @property
    def features(self) -> Features:
        """The task's columns and types, as on the Hub."""
        if self.name == "yelp_review_full":
            return _text_classification(YELP_LABELS)
        if self.name == "sst5":
            return _text_classification(SST5_LABELS)
        if self.kind == "nli":
            return _nli()
        if self.kind == "ner":
            return _conll()
        return _squad()


TASKS: dict[str, TaskSpec] = {
    spec.name: spec
    for spec in (
        TaskSpec("yelp_review_full", "Yelp/yelp_review_full", "yelp", "classification"),
        TaskSpec("sst5", "SetFit/sst5", "sst5", "classification"),
        TaskSpec("multi_nli", "nyu-mll/multi_nli", "mnli", "nli"),
        TaskSpec("snli", "stanfordnlp/snli", "snli", "nli"),
        TaskSpec("conll2003", "eriktks/conll2003", "conll2003", "ner"),
        TaskSpec("squad", "rajpurkar/squad", "squad", "qa"),
    )
}

#: Other spellings students meet in the original material and on the Hub.
ALIASES: dict[str, str] = {
    "yelp": "yelp_review_full",
    "yelp/yelp_review_full": "yelp_review_full",
    "setfit/sst5": "sst5",
    "sst-5": "sst5",
    "mnli": "multi_nli",
    "nyu-mll/multi_nli": "multi_nli",
    "glue/mnli": "multi_nli",
    "stanfordnlp/snli": "snli",
    "eriktks/conll2003": "conll2003",
    "conll": "conll2003",
    "rajpurkar/squad": "squad",
    "squad_v1": "squad",
}


def features_for(name: str) -> Features:
    """The Hub's features of a course task (``name`` as in :data:`TASKS`)."""
    return TASKS[name].features
