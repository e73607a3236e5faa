"""Tests for courseops.bench (the helpers of the benchmark scripts)."""

from __future__ import annotations

import json
import time

import pytest

from courseops import bench
from courseops.bench import BenchmarkInputError, Stopwatch, format_table


def test_machine_info_reports_what_figures_depend_on() -> None:
    import torch

    info = bench.machine_info()
    assert info["cores"] >= 1
    assert info["torch_threads"] == torch.get_num_threads()
    assert info["cpu_model"]
    assert info["torch"] == torch.__version__
    if info["load_average"] is not None:
        assert len(info["load_average"]) == 3


def test_describe_machine_flags_a_loaded_machine() -> None:
    info = {
        "cores": 2,
        "cpu_model": "Test CPU",
        "torch_threads": 2,
        "load_average": [9.0, 8.0, 7.0],
        "memory_gib": 24.0,
        "gpu": None,
        "torch": "2.x",
        "transformers": "5.x",
    }
    text = bench.describe_machine(info)
    assert "2 cores (Test CPU)" in text
    assert "torch threads 2" in text
    assert "LOADED: 4.5" in text
    assert "no GPU" in text
    quiet = bench.describe_machine({**info, "load_average": [1.0, 1.0, 1.0]})
    assert "LOADED" not in quiet


def test_format_table_is_markdown_with_aligned_columns() -> None:
    rows = [
        {"task": "sst5", "ours": 0.41234, "ok": True},
        {"task": "conll2003", "ours": None, "extra": "a|b"},
    ]
    lines = format_table(rows, digits=2).splitlines()
    assert lines[0].split("|")[1:-1] == [" task      ", " ours ", " ok  ", " extra "]
    assert set(lines[1]) <= {"|", "-"}
    assert "0.41" in lines[2] and "yes" in lines[2]
    # None and missing keys print as a dash; a pipe in a cell is escaped
    assert lines[3].count("–") == 2
    assert "a\\|b" in lines[3]
    assert len({len(line) for line in lines}) == 1


def test_format_table_keeps_the_requested_columns_in_order() -> None:
    table = format_table([{"b": 1, "a": 2, "c": 3}], ["c", "a"])
    header = [cell.strip() for cell in table.splitlines()[0].split("|")[1:-1]]
    assert header == ["c", "a"]


def test_format_table_rejects_empty_input() -> None:
    with pytest.raises(BenchmarkInputError, match="no rows"):
        format_table([])
    with pytest.raises(BenchmarkInputError, match="no columns"):
        format_table([{}])


def test_nan_prints_as_a_dash() -> None:
    assert "–" in format_table([{"x": float("nan")}]).splitlines()[2]


def test_stopwatch_measures_the_block() -> None:
    with Stopwatch() as watch:
        time.sleep(0.05)
        during = watch.seconds
    after = watch.seconds
    assert 0.04 <= during <= after
    time.sleep(0.02)
    assert watch.seconds == after  # frozen once the block has ended


def test_stopwatch_cpu_time_counts_work_not_sleep() -> None:
    with Stopwatch() as watch:
        time.sleep(0.2)
    assert watch.cpu_seconds < watch.seconds
    with Stopwatch() as busy:
        total = 0
        deadline = time.process_time() + 0.1
        while time.process_time() < deadline:
            total += 1
    assert busy.cpu_seconds >= 0.1
    assert total > 0


def test_stopwatch_not_started_says_how_to_use_it() -> None:
    with pytest.raises(BenchmarkInputError, match="with block"):
        _ = Stopwatch().seconds
    with pytest.raises(BenchmarkInputError):
        _ = Stopwatch().cpu_seconds


def test_write_json_creates_folders(tmp_path) -> None:
    target = tmp_path / "deep" / "figures.json"
    written = bench.write_json(target, {"rows": [{"a": 1.5}], "path": tmp_path})
    assert written == target
    payload = json.loads(target.read_text())
    assert payload["rows"] == [{"a": 1.5}]
    assert payload["path"] == str(tmp_path)  # non-JSON values are written as text


def test_peak_rss_grows_with_allocations() -> None:
    before = bench.peak_rss_mb()
    block = bytearray(64 * 2**20)  # 64 MiB, touched so it is resident
    for i in range(0, len(block), 4096):
        block[i] = 1
    assert bench.peak_rss_mb() >= before
    assert bench.peak_rss_mb() > 30  # a Python process with torch around is well above this


def test_default_data_dir_prefers_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("BERTCOURSE_DATA_DIR", str(tmp_path))
    assert bench.default_data_dir() == tmp_path
    monkeypatch.delenv("BERTCOURSE_DATA_DIR")
    beside = bench.REPO_ROOT.parent / "shared" / "data"
    expected = beside.resolve() if beside.is_dir() else None
    assert bench.default_data_dir() == expected
