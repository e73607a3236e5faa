"""load_task's source order, notices, last_source, aliases, errors and subsample."""

from __future__ import annotations

import pytest

import bertcourse as bc
from bertcourse.data import last_source, load_task, subsample
from bertcourse.exceptions import DataUnavailableError, UnknownTaskError


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("BERTCOURSE_OFFLINE", "1")
    monkeypatch.delenv("BERTCOURSE_DATA_DIR", raising=False)
    bc.reset()
    yield
    bc.reset()


def test_offline_without_folder_serves_generated_set_and_says_so(capsys):
    dd = load_task("sst5")
    assert set(dd) == {"train", "validation"}
    source = last_source("sst5")
    assert source.origin == "generated"
    assert "Hub out of reach" in source.detail and "BERTCOURSE_DATA_DIR unset" in source.detail
    out = capsys.readouterr().out
    # The notice may have been printed by an earlier test (notices print once).
    assert out == "" or "sst5: generated course set (2,400 train / 400 validation)" in out


@pytest.mark.parametrize(
    "alias, task",
    [
        ("SetFit/sst5", "sst5"),
        ("mnli", "multi_nli"),
        ("CONLL2003", "conll2003"),
        ("yelp", "yelp_review_full"),
    ],
)
def test_aliases(alias, task):
    assert load_task(alias)["train"].to_dict() == load_task(task)["train"].to_dict()
    assert last_source(alias).task == task


def test_unknown_task_lists_known_ones():
    with pytest.raises(UnknownTaskError) as info:
        load_task("imdb")
    message = str(info.value)
    for name in ("yelp_review_full", "sst5", "multi_nli", "snli", "conll2003", "squad"):
        assert name in message


def test_forced_sources_fail_clearly(tmp_path):
    with pytest.raises(DataUnavailableError, match="out of reach"):
        load_task("squad", source="hub")
    with pytest.raises(DataUnavailableError, match="BERTCOURSE_DATA_DIR is unset"):
        load_task("squad", source="folder")
    bc.configure(data_dir=tmp_path)
    with pytest.raises(DataUnavailableError, match="squad"):
        load_task("squad", source="folder")


def test_missing_folder_files_fall_through_with_reason(tmp_path):
    (tmp_path / "sst5").mkdir()
    (tmp_path / "sst5" / "sst-train.txt").write_text("3 ||| fine\n", encoding="utf-8")
    bc.configure(data_dir=tmp_path)
    load_task("sst5")
    source = last_source("sst5")
    assert source.origin == "generated"
    assert "sst-dev.txt" in source.detail


def test_folder_source_with_a_small_copy(tmp_path):
    folder = tmp_path / "sst5"
    folder.mkdir()
    (folder / "sst-train.txt").write_text("0 ||| awful .\n4 ||| great .\n", encoding="utf-8")
    (folder / "sst-dev.txt").write_text("2 ||| so-so .\n", encoding="utf-8")
    bc.configure(data_dir=tmp_path)
    dd = load_task("sst5")
    assert last_source("sst5").origin == "folder"
    assert dd["train"]["text"] == ["awful .", "great ."]
    assert dd["validation"].features["label"].int2str(dd["validation"][0]["label"]) == "neutral"


def test_last_source_before_loading(monkeypatch):
    import bertcourse.data as data

    monkeypatch.setattr(data, "_last", {})
    with pytest.raises(DataUnavailableError, match="not loaded yet"):
        last_source("snli")
    with pytest.raises(UnknownTaskError):
        last_source("imdb")


def test_subsample_sizes_seed_and_budget():
    dd = load_task("snli")
    budget = bc.settings().budget
    small = subsample(dd)
    assert small["train"].num_rows == budget.n_train
    assert small["validation"].num_rows == budget.n_eval
    a = subsample(dd, n_train=50, n_eval=10, seed=1)
    b = subsample(dd, n_train=50, n_eval=10, seed=1)
    c = subsample(dd, n_train=50, n_eval=10, seed=2)
    assert list(a["train"]["hypothesis"]) == list(b["train"]["hypothesis"])
    assert list(a["train"]["hypothesis"]) != list(c["train"]["hypothesis"])
    assert subsample(dd, n_train=10**6, n_eval=0)["train"].num_rows == dd["train"].num_rows


def test_cached_set_is_protected_from_changes_to_the_dict():
    dd = load_task("squad")
    del dd["validation"]
    assert "validation" in load_task("squad")


def test_subsample_needs_both_splits():
    from datasets import DatasetDict

    dd = load_task("snli")
    with pytest.raises(DataUnavailableError, match="validation"):
        subsample(DatasetDict(train=dd["train"]))
