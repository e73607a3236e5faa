"""The course's Hub code paths against the fake Hub; run by ``test_hub_online.py``.

Run in its own process because ``huggingface_hub`` and ``datasets`` read
``HF_ENDPOINT`` when they are imported. Prints one JSON object on its last line:
each check's result, for the test to assert on.

Usage: ``python tests/hub_client.py fast|full|proxy|offline``.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _caught(function: Any) -> dict[str, Any]:
    """Run ``function``; report its result or the error, and any warnings raised."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            value = function()
            error = None
        except Exception as exc:  # noqa: BLE001 - the test asserts on the kind and the message
            value, error = None, {"type": type(exc).__name__, "message": str(exc)}
    names = [(type(w.message).__name__, str(w.message)) for w in seen]
    return {"value": value, "error": error, "warnings": names}


def _lesson_cell(notebook: str, marker: str) -> str:
    """The source of the first code cell of a solution notebook that contains ``marker``."""
    path = REPO / "solutions" / notebook / f"{notebook}.ipynb"
    for cell in json.loads(path.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and marker in source:
            return source
    raise LookupError(f"no cell with {marker!r} in {path}")


def fast() -> dict[str, Any]:
    import bertcourse as bc
    from bertcourse.data import last_source
    from bertcourse.hub import hub_reachable
    from bertcourse.models import resolve_model

    out: dict[str, Any] = {"reachable": hub_reachable()}

    def conll() -> dict[str, Any]:
        dd = bc.load_task("conll2003")
        return {
            "origin": last_source("conll2003").origin,
            "rows": {split: dd[split].num_rows for split in dd},
            "ner_names": dd["train"].features["ner_tags"].feature.names,
            "pos_names": dd["train"].features["pos_tags"].feature.names[:5],
            "first": dd["train"][0]["tokens"],
        }

    out["conll"] = _caught(conll)

    def old_way() -> str:
        from datasets import load_dataset

        load_dataset("eriktks/conll2003")  # the main branch: only the loading script
        return "loaded"

    out["conll_main_branch"] = _caught(old_way)

    def sst5() -> dict[str, Any]:
        dd = bc.load_task("sst5")
        return {
            "origin": last_source("sst5").origin,
            "names": dd["train"].features["label"].names,
            "columns": dd["train"].column_names,
            "rows": {split: dd[split].num_rows for split in dd},
        }

    out["sst5"] = _caught(sst5)

    def lesson_05_cell() -> dict[str, Any]:
        namespace: dict[str, Any] = {"bc": bc, "settings": bc.settings()}
        exec(_lesson_cell("05_ner", 'bc.load_task("conll2003")'), namespace)
        return {"origin": last_source("conll2003").origin, "n_train": namespace["n_train"]}

    out["lesson_05_cell"] = _caught(lesson_05_cell)
    out["missing_data"] = _caught(lambda: last_source_of(bc.load_task("multi_nli"), "multi_nli"))

    def scibert() -> dict[str, Any]:
        name = "allenai/scibert_scivocab_uncased"
        model = bc.load_model(name, task="sequence-classification", num_labels=5)
        tokenizer = bc.load_tokenizer(name)
        return {
            "class": type(model).__name__,
            "model_type": model.config.model_type,
            "num_labels": model.config.num_labels,
            "origin": model.bertcourse_source.origin,
            "tokens": tokenizer.tokenize("The cell membrane"),
        }

    out["scibert"] = _caught(scibert)

    def biobert() -> dict[str, Any]:
        name = "dmis-lab/biobert-base-cased-v1.2"
        model = bc.load_model(name, task="token-classification", num_labels=3)
        tokenizer = bc.load_tokenizer(name)
        return {
            "class": type(model).__name__,
            "origin": model.bertcourse_source.origin,
            "tokens": tokenizer.tokenize("Paris protein"),
        }

    out["biobert"] = _caught(biobert)

    def missing_model() -> dict[str, Any]:
        model = bc.load_model("roberta-base", task="encoder")
        return {"origin": model.bertcourse_source.origin}

    out["missing_model"] = _caught(missing_model)
    out["encoder_origin"] = resolve_model(bc.OFFLINE_ENCODER).origin

    def fetch() -> dict[str, Any]:
        import os

        from bertcourse.prefetch import prefetch, prefetch_model

        folder = Path(os.environ["PREFETCH_DIR"])
        report = prefetch(
            "fast", folder, models=["allenai/scibert_scivocab_uncased"], tasks=["conll2003"]
        )
        # Full mode's kind of model item: with its weights (the .bin of this checkpoint).
        item = prefetch_model("dmis-lab/biobert-base-cased-v1.2", folder / "hub", weights=True)
        return {
            "items": [(i.kind, i.name, i.files, i.size) for i in [*report.items, item]],
            "environment": report.environment(),
        }

    out["prefetch"] = _caught(fetch)
    return out


def offline() -> dict[str, Any]:
    """After ``prefetch``: offline on purpose, the real models and data serve."""
    import bertcourse as bc
    from bertcourse.data import last_source
    from courseops.cli import info_lines

    out: dict[str, Any] = {}
    dd = bc.load_task("conll2003")
    out["conll"] = {"origin": last_source("conll2003").origin, "rows": dd["train"].num_rows}
    model = bc.load_model("dmis-lab/biobert-base-cased-v1.2", task="encoder")
    out["biobert"] = {
        "origin": model.bertcourse_source.origin,
        "tokens": bc.load_tokenizer("dmis-lab/biobert-base-cased-v1.2").tokenize("Paris"),
    }
    out["scibert_tokens"] = bc.load_tokenizer("allenai/scibert_scivocab_uncased").tokenize("Cell")
    out["info"] = info_lines()
    return out


def last_source_of(dd: Any, task: str) -> dict[str, Any]:
    from bertcourse.data import last_source

    return {"origin": last_source(task).origin, "rows": dd["train"].num_rows}


def full() -> dict[str, Any]:
    import bertcourse as bc
    from bertcourse.data import last_source

    out: dict[str, Any] = {}
    out["missing_data"] = _caught(lambda: bc.load_task("multi_nli"))
    out["missing_model"] = _caught(lambda: bc.load_model("roberta-base").config.model_type)

    def conll() -> dict[str, Any]:
        dd = bc.load_task("conll2003")
        return {
            "origin": last_source("conll2003").origin,
            "rows": {split: dd[split].num_rows for split in dd},
        }

    out["conll"] = _caught(conll)
    return out


def proxy() -> dict[str, Any]:
    # HF_ENDPOINT names a host that does not resolve; only the proxy (the fake Hub)
    # can answer, as a company proxy would.
    from bertcourse.hub import hub_reachable

    return {"reachable": hub_reachable()}


if __name__ == "__main__":
    scenarios = {"fast": fast, "full": full, "proxy": proxy, "offline": offline}
    result = scenarios[sys.argv[1]]()
    print(json.dumps(result, default=str))
