"""What stands in when the Hub cannot serve something asked for by name (issue 17):
a notice offline on purpose, a SubstitutionWarning in fast mode, HubLoadError in full mode.
The Hub is "out of reach" here by a probe that answers no; tests/test_hub_online.py
covers a Hub that answers with errors."""

from __future__ import annotations

import warnings

import pytest

import bertcourse as bc
from bertcourse.exceptions import HubLoadError, SubstitutionWarning


@pytest.fixture
def hub_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bertcourse.hub._probe_hub", lambda endpoint, timeout: False)
    monkeypatch.setattr("bertcourse.models._in_local_cache", lambda name: False)
    monkeypatch.delenv("BERTCOURSE_DATA_DIR", raising=False)


def test_offline_on_purpose_substitutes_with_a_notice_only(hub_down, capsys, monkeypatch):
    # Notices print once per process: forget the ones earlier tests printed.
    monkeypatch.setattr("bertcourse.notices._seen", set())
    bc.configure(offline=True, mode="fast", data_dir="")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SubstitutionWarning)
        bc.load_task("squad")
        bc.load_tokenizer("bert-base-cased")
    assert "offline" in capsys.readouterr().out


@pytest.mark.parametrize(
    "load",
    [lambda: bc.load_task("squad"), lambda: bc.load_tokenizer("bert-base-cased")],
    ids=["data", "model"],
)
def test_fast_mode_substitutes_with_a_warning(hub_down, load):
    bc.configure(offline=False, mode="fast", data_dir="")
    with pytest.warns(SubstitutionWarning, match="BERTCOURSE_OFFLINE=1"):
        load()


@pytest.mark.parametrize(
    ("load", "named"),
    [
        (lambda: bc.load_task("squad"), "rajpurkar/squad"),
        (lambda: bc.load_model("bert-base-cased"), "bert-base-cased"),
    ],
    ids=["data", "model"],
)
def test_full_mode_stops_and_says_how_to_go_offline(hub_down, load, named):
    bc.configure(offline=False, mode="full", data_dir="")
    with pytest.raises(HubLoadError) as caught:
        load()
    message = str(caught.value)
    assert named in message and "out of reach" in message and "BERTCOURSE_OFFLINE=1" in message


def test_a_local_copy_of_the_same_data_is_no_substitute(hub_down, tmp_path):
    # BERTCOURSE_DATA_DIR holds the real data set: full mode uses it without a fuss.
    folder = tmp_path / "sst5"
    folder.mkdir()
    (folder / "sst-train.txt").write_text("4 ||| a fine film\n0 ||| awful\n")
    (folder / "sst-dev.txt").write_text("2 ||| so-so\n")
    bc.configure(offline=False, mode="full", data_dir=str(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SubstitutionWarning)
        data = bc.load_task("sst5")
    assert data["train"].num_rows == 2


def test_the_packaged_encoder_by_its_own_name_never_substitutes(hub_down):
    bc.configure(offline=False, mode="full")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SubstitutionWarning)
        tokenizer = bc.load_tokenizer(bc.OFFLINE_ENCODER)
    assert tokenizer.tokenize("hello") == ["hello"]
