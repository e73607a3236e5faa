from __future__ import annotations

import pytest

from courseops import cli


def test_info_reports_settings_and_sources(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("BERTCOURSE_DATA_DIR", str(tmp_path))
    (tmp_path / "conll2003").mkdir()
    (tmp_path / "conll2003" / "train.txt").write_text("EU NNP B-NP B-ORG\n")
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "mode      fast" in out
    assert "Hub       out of reach" in out
    assert "bert-base-cased" in out and "packaged offline encoder stands in" in out
    assert f"local copy in {tmp_path / 'conll2003'}" in out
    assert "squad" in out and "generated course set" in out


def test_unknown_verb_is_refused(capsys):
    with pytest.raises(SystemExit):
        cli.main(["publish"])
    assert "invalid choice" in capsys.readouterr().err


def test_run_of_an_unknown_lesson_names_the_known_ones():
    with pytest.raises(FileNotFoundError, match="lessons found: 00_quickstart"):
        cli.main(["run", "99_nope", "--no-grade"])
