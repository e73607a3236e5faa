"""The online path, against a fake Hub on 127.0.0.1 (``tests/hub_server.py``).

Tiny repositories are built here under the course's real Hub identifiers, each with
the quirk the real one has:

* ``eriktks/conll2003``: only a loading script on ``main`` (``datasets`` refuses it),
  parquet files with the tag names in their features metadata on
  ``refs/convert/parquet``;
* ``SetFit/sst5``: JSON lines with an integer label and ``label_text``;
* ``allenai/scibert_scivocab_uncased``: a ``config.json`` without ``model_type``;
* ``dmis-lab/biobert-base-cased-v1.2``: no tokenizer files but ``vocab.txt``, a cased
  vocabulary, weights as ``pytorch_model.bin`` only.

Every other identifier answers 404, as a failed Hub would. The client runs in a
subprocess (``tests/hub_client.py``) with ``HF_ENDPOINT`` pointed at the server and a
fresh ``HF_HOME``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hub_server import FakeHub

HERE = Path(__file__).resolve().parent
PARQUET = "refs/convert/parquet"
#: More rows than fast mode fetches (2,400), so the test sees that it stops early.
CONLL_TRAIN_ROWS = 3000
WORDS = ["the", "cell", "membrane", "protein", "paris", "of", "a", "is", "in", "##s"]
CASED_WORDS = ["The", "Paris", "Cell", "Berlin", "Protein", "London", "EU", "Bank"]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _tiny_bert(folder: Path, vocab: list[str], *, lower: bool, safetensors: bool = True) -> None:
    """A BERT of a few hundred KB (random weights) with its WordPiece tokenizer."""
    from transformers import BertConfig, BertForMaskedLM, BertTokenizer

    folder.mkdir(parents=True)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    (folder / "vocab.txt").write_text("\n".join(specials + vocab) + "\n")
    config = BertConfig(
        vocab_size=len(specials) + len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
    )
    model = BertForMaskedLM(config)
    model.save_pretrained(folder)
    if not safetensors:
        # transformers 5 saves only safetensors; a 2019 export has a pickled .bin.
        import torch

        (folder / "model.safetensors").unlink()
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
    BertTokenizer(vocab_file=str(folder / "vocab.txt"), do_lower_case=lower).save_pretrained(folder)


def _conll_parquet(folder: Path) -> dict[str, bytes]:
    from datasets import Dataset

    from bertcourse.data.schema import features_for

    features = features_for("conll2003")
    files = {}
    for split, n in (("train", CONLL_TRAIN_ROWS), ("validation", 300), ("test", 100)):
        rows = {
            "id": [str(i) for i in range(n)],
            "tokens": [["EU", "rejects", f"word{i}"] for i in range(n)],
            "pos_tags": [[22, 42, 16]] * n,
            "chunk_tags": [[11, 21, 11]] * n,
            "ner_tags": [[3, 0, 0]] * n,
        }
        path = folder / f"conll2003/{split}/0000.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Row groups of 500: streaming can stop after the first few.
        Dataset.from_dict(rows, features=features).to_parquet(str(path), batch_size=500)
        files[f"conll2003/{split}/0000.parquet"] = path.read_bytes()
    return files


def _sst5_jsonl() -> dict[str, bytes]:
    names = ["very negative", "negative", "neutral", "positive", "very positive"]
    files = {}
    for split, n in (("train", 50), ("validation", 20), ("test", 20)):
        lines = [
            json.dumps({"text": f"review {i}", "label": i % 5, "label_text": names[i % 5]})
            for i in range(n)
        ]
        files[f"{split}.jsonl"] = ("\n".join(lines) + "\n").encode()
    return files


@pytest.fixture(scope="module")
def fake_hub(tmp_path_factory: pytest.TempPathFactory) -> FakeHub:
    build = tmp_path_factory.mktemp("repos")
    hub = FakeHub(max_requests=3000, lifetime=300)

    hub.add(
        "eriktks/conll2003",
        {"conll2003.py": b"import datasets\n# a loading script, as on the Hub\n"},
        repo_type="dataset",
    )
    hub.add(
        "eriktks/conll2003", _conll_parquet(build / "conll"), repo_type="dataset", revision=PARQUET
    )
    hub.add("SetFit/sst5", _sst5_jsonl(), repo_type="dataset")

    scibert = build / "scibert"
    _tiny_bert(scibert, WORDS, lower=True)
    config = json.loads((scibert / "config.json").read_text())
    del config["model_type"]  # as in SciBERT's 2019 export, which has no
    del config["architectures"]  # architectures either: only the name tells
    (scibert / "config.json").write_text(json.dumps(config))
    # SciBERT ships vocab.txt and config.json, no tokenizer config.
    for name in ("tokenizer_config.json", "tokenizer.json", "special_tokens_map.json"):
        (scibert / name).unlink(missing_ok=True)
    hub.add("allenai/scibert_scivocab_uncased", _files(scibert))

    biobert = build / "biobert"
    _tiny_bert(biobert, WORDS + CASED_WORDS, lower=False, safetensors=False)
    for name in ("tokenizer_config.json", "tokenizer.json", "special_tokens_map.json"):
        (biobert / name).unlink(missing_ok=True)
    hub.add("dmis-lab/biobert-base-cased-v1.2", _files(biobert))
    return hub


def _client(hub: FakeHub, scenario: str, tmp_path: Path, **env: str) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().endswith("_PROXY") and k not in {"HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"}
    }
    environment.update(
        HF_ENDPOINT=hub.endpoint,
        HF_HOME=str(tmp_path / "hf"),
        BERTCOURSE_OFFLINE="0",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        HF_HUB_DISABLE_TELEMETRY="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")])),
    )
    environment.update(env)
    done = subprocess.run(
        [sys.executable, str(HERE / "hub_client.py"), scenario],
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        cwd=HERE.parent,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fast_run(fake_hub: FakeHub, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    folder = tmp_path_factory.mktemp("fast")
    with fake_hub.running():
        result = _client(
            fake_hub, "fast", folder, BERTCOURSE_MODE="fast", PREFETCH_DIR=str(folder / "pre")
        )
        return result, list(fake_hub.log.entries), folder / "pre"


def test_hub_is_reachable_over_http(fast_run):
    result, log, _ = fast_run
    assert result["reachable"] is True
    assert ("HEAD", "/api/models") in log


def test_conll_main_branch_script_is_refused_by_datasets(fast_run):
    # The fake reproduces the Hub's problem: without the parquet export it fails.
    error = fast_run[0]["conll_main_branch"]["error"]
    assert error is not None and "script" in error["message"].lower(), error


def test_conll_loads_from_parquet_export_with_tag_names(fast_run):
    from bertcourse.data.schema import NER_LABELS, POS_LABELS

    conll = fast_run[0]["conll"]
    assert conll["error"] is None and conll["warnings"] == [], conll
    value = conll["value"]
    assert value["origin"] == "hub"
    assert value["ner_names"] == NER_LABELS
    assert value["pos_names"] == POS_LABELS[:5]
    assert value["first"] == ["EU", "rejects", "word0"]


def test_fast_mode_streams_only_the_first_rows(fast_run):
    from bertcourse.data.hub_loader import FAST_ROWS

    rows = fast_run[0]["conll"]["value"]["rows"]
    assert rows["train"] == FAST_ROWS["train"] < CONLL_TRAIN_ROWS
    assert rows["validation"] == 300  # the whole split: smaller than the fast-mode limit


def test_integer_labels_become_the_course_class_labels(fast_run):
    from bertcourse.data.schema import SST5_LABELS

    sst5 = fast_run[0]["sst5"]
    assert sst5["error"] is None, sst5
    assert sst5["value"]["origin"] == "hub"
    assert sst5["value"]["names"] == SST5_LABELS
    assert "label_text" not in sst5["value"]["columns"]


def test_lesson_05_loading_cell_runs_against_the_hub(fast_run):
    cell = fast_run[0]["lesson_05_cell"]
    assert cell["error"] is None, cell
    from bertcourse.config import FAST_RUNS

    # The lesson draws its fast run's examples (settings.run_for), all within the streamed rows.
    assert cell["value"] == {"origin": "hub", "n_train": FAST_RUNS["conll2003"].n_train}


def test_config_without_model_type_loads(fast_run):
    scibert = fast_run[0]["scibert"]
    assert scibert["error"] is None, scibert
    value = scibert["value"]
    assert value["class"] == "BertForSequenceClassification"
    assert (value["model_type"], value["num_labels"], value["origin"]) == ("bert", 5, "hub")
    assert value["tokens"] == ["the", "cell", "membrane"]


def test_checkpoint_without_tokenizer_config_keeps_a_cased_vocabulary(fast_run):
    biobert = fast_run[0]["biobert"]
    assert biobert["error"] is None, biobert
    assert biobert["value"]["class"] == "BertForTokenClassification"
    # Lower-cased, "Paris" would become "paris": the cased entry would never be used.
    assert biobert["value"]["tokens"] == ["Paris", "protein"]


def test_fast_mode_substitutes_with_a_visible_warning(fast_run):
    for key, origin in (("missing_data", "generated"), ("missing_model", "packaged")):
        entry = fast_run[0][key]
        assert entry["error"] is None, entry
        assert entry["value"]["origin"] == origin
        kinds = [kind for kind, _ in entry["warnings"]]
        assert "SubstitutionWarning" in kinds, entry["warnings"]
        message = dict(entry["warnings"])["SubstitutionWarning"]
        assert "BERTCOURSE_OFFLINE=1" in message


def test_packaged_encoder_is_never_downloaded(fast_run):
    result, log, _ = fast_run
    assert result["encoder_origin"] == "packaged"
    assert not [path for _, path in log if "all-MiniLM" in path]


def test_full_mode_stops_with_a_clear_error(fake_hub, tmp_path):
    with fake_hub.running():
        result = _client(fake_hub, "full", tmp_path, BERTCOURSE_MODE="full")
    for key, what in (("missing_data", "nyu-mll/multi_nli"), ("missing_model", "roberta-base")):
        error = result[key]["error"]
        assert error is not None and error["type"] == "HubLoadError", result[key]
        assert what in error["message"] and "BERTCOURSE_OFFLINE=1" in error["message"]
    conll = result["conll"]["value"]
    assert conll["rows"]["train"] == CONLL_TRAIN_ROWS  # full mode: the whole set


def test_reachability_goes_through_the_proxy_settings(fake_hub, tmp_path):
    # A host that does not resolve: reachable only through the proxy, as the Hub
    # libraries would reach it. A raw TCP probe would call this offline.
    with fake_hub.running():
        result = _client(
            fake_hub,
            "proxy",
            tmp_path,
            HF_ENDPOINT="http://hub.invalid",
            HTTP_PROXY=fake_hub.endpoint,
            NO_PROXY="",
            no_proxy="",
        )
        log = list(fake_hub.log.entries)
    assert result["reachable"] is True
    assert ("HEAD", "http://hub.invalid/api/models") in log


def test_prefetch_writes_a_folder_that_serves_offline(fast_run, fake_hub, tmp_path):
    from bertcourse.data.hub_loader import FAST_ROWS

    fetched = fast_run[0]["prefetch"]
    assert fetched["error"] is None, fetched
    items = {(kind, name): (files, size) for kind, name, files, size in fetched["value"]["items"]}
    # Fast mode: config and vocabulary only; with weights: the one weight file there is.
    assert items["model", "allenai/scibert_scivocab_uncased"][0] == "config.json, vocab.txt"
    biobert_files = items["model", "dmis-lab/biobert-base-cased-v1.2"][0]
    assert biobert_files == "config.json, vocab.txt, pytorch_model.bin"
    assert all(size > 0 for _, size in items.values())
    folder = fast_run[2]
    # The server is down: whatever loads now comes from the folder.
    result = _client(
        fake_hub,
        "offline",
        tmp_path,
        BERTCOURSE_OFFLINE="1",
        HF_HUB_CACHE=str(folder / "hub"),
        BERTCOURSE_DATA_DIR=str(folder / "data"),
        HF_ENDPOINT="http://127.0.0.1:9",
    )
    assert result["conll"] == {"origin": "folder", "rows": FAST_ROWS["train"]}
    assert result["biobert"] == {"origin": "cache", "tokens": ["Paris"]}
    assert result["scibert_tokens"] == ["cell"]
    info = "\n".join(result["info"])
    assert "dmis-lab/biobert-base-cased-v1.2" in info and "weights + tokenizer" in info
