"""Tests of bertcourse.multilingual: the parallel sentences, their split, the tokenizers."""

from __future__ import annotations

import unicodedata

import pytest

import bertcourse.models as models
from bertcourse.exceptions import VariantError
from bertcourse.multilingual import (
    LANGUAGES,
    MULTILINGUAL_CHECKPOINTS,
    N_TRAIN,
    PARALLEL_SENTENCES,
    multilingual_tokenizers,
    split_sentences,
)


def _scripts(text: str) -> set[str]:
    """The first word of the Unicode names of the letters of ``text`` (LATIN, CYRILLIC...)."""
    return {unicodedata.name(char).split()[0] for char in text if char.isalpha()}


def test_every_language_has_the_same_number_of_sentences_in_nfc() -> None:
    assert list(PARALLEL_SENTENCES) == list(LANGUAGES)
    counts = {code: len(sentences) for code, sentences in PARALLEL_SENTENCES.items()}
    assert set(counts.values()) == {12}, counts
    for code, sentences in PARALLEL_SENTENCES.items():
        for sentence in sentences:
            assert sentence.strip() == sentence and sentence.split(), (code, sentence)
            assert unicodedata.is_normalized("NFC", sentence), (code, sentence)


@pytest.mark.parametrize(
    ("code", "script"),
    [("en", "LATIN"), ("fr", "LATIN"), ("de", "LATIN"), ("es", "LATIN"), ("ru", "CYRILLIC"),
     ("el", "GREEK"), ("hi", "DEVANAGARI")],
)  # fmt: skip
def test_each_language_is_written_in_its_script(code: str, script: str) -> None:
    assert _scripts(" ".join(PARALLEL_SENTENCES[code])) == {script}


def test_accented_languages_have_combining_marks_once_decomposed() -> None:
    for code in ("fr", "de", "es", "ru", "el", "hi"):
        decomposed = unicodedata.normalize("NFD", " ".join(PARALLEL_SENTENCES[code]))
        assert any(unicodedata.category(char) == "Mn" for char in decomposed), code
    english = unicodedata.normalize("NFD", " ".join(PARALLEL_SENTENCES["en"]))
    assert not any(unicodedata.category(char) == "Mn" for char in english)


def test_split_keeps_the_sentences_parallel_and_apart() -> None:
    train, held_out = split_sentences()
    for code in LANGUAGES:
        assert len(train[code]) == N_TRAIN
        assert train[code] + held_out[code] == list(PARALLEL_SENTENCES[code])
    assert len(split_sentences(3)[0]["hi"]) == 3
    for bad in (0, 12):
        with pytest.raises(VariantError, match="at least one sentence"):
            split_sentences(bad)


def test_offline_only_the_stand_in_runs_and_it_keeps_accents() -> None:
    train, held_out = split_sentences()
    found = multilingual_tokenizers(train)
    assert [entry.pretrained for entry in found] == [False]
    stand_in = found[0]
    assert "NOT a pre-trained checkpoint" in stand_in.note
    tokenizer = stand_in.tokenizer
    for word in ("schön", "ζεστή", "тёплым", "बच्चे"):
        ids = tokenizer(word, add_special_tokens=False)["input_ids"]
        assert tokenizer.decode(ids) == word, word
    # A character the training sentences never contain is unknown.
    ids = tokenizer("☃", add_special_tokens=False)["input_ids"]
    assert ids == [tokenizer.unk_token_id]


class _Source:
    def __init__(self, substituted: bool) -> None:
        self.substituted = substituted


class _FakeTokenizer:
    def __init__(self, name_or_path: str) -> None:
        self.name_or_path = name_or_path

    def __len__(self) -> int:
        return 7


def test_reachable_checkpoints_join_and_a_substitute_does_not(monkeypatch) -> None:
    reachable = MULTILINGUAL_CHECKPOINTS[0]
    failing = MULTILINGUAL_CHECKPOINTS[1]  # resolves to the Hub, then the Hub fails
    monkeypatch.setattr(models, "resolve_model", lambda name: _Source(False))

    def load(name: str) -> _FakeTokenizer:
        if name == failing:  # load_tokenizer's fallback: the packaged encoder stands in
            return _FakeTokenizer(str(models.offline_encoder_path()))
        return _FakeTokenizer(name)

    monkeypatch.setattr(models, "load_tokenizer", load)
    train, _ = split_sentences()
    found = multilingual_tokenizers(train)
    assert [(entry.name, entry.pretrained) for entry in found] == [
        (reachable, True),
        ("stand-in: cased WordPiece", False),
    ]
    assert found[0].note == "pre-trained checkpoint, 7 tokens"
