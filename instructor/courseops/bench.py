"""Small helpers for the scripts under ``benchmarks/``: the machine, a stopwatch, tables.

Benchmarks print figures, and figures mean little without the machine they came from
(cores, CPU model, torch threads, how loaded it was), so :func:`machine_info` collects
that and every benchmark prints it beside its table. :func:`format_table` prints rows as
a Markdown table (pasteable into the README), :func:`write_json` saves them.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from autograder.course_layout import REPO_ROOT
from autograder.exceptions import BenchmarkInputError

__all__ = [
    "BenchmarkInputError",
    "Stopwatch",
    "default_data_dir",
    "describe_machine",
    "format_table",
    "machine_info",
    "peak_rss_mb",
    "write_json",
]


def _cpu_model() -> str:
    """The CPU's marketing name (Linux ``/proc/cpuinfo``), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _usable_cores() -> int:
    """Cores this process may run on (a container or ``taskset`` can allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def _memory_gib() -> float | None:
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        page_size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return round(pages * page_size / 2**30, 1)


def machine_info() -> dict[str, Any]:
    """What the figures were measured on.

    Returns:
        ``cores`` (usable by this process), ``cpu_model``, ``torch_threads``,
        ``load_average`` (1, 5 and 15 minutes; ``None`` where the OS has none),
        ``memory_gib``, ``gpu`` (name or ``None``) and the versions of Python, torch and
        transformers.
    """
    import torch
    import transformers

    try:
        load: list[float] | None = [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        load = None
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "cores": _usable_cores(),
        "cpu_model": _cpu_model(),
        "torch_threads": torch.get_num_threads(),
        "load_average": load,
        "memory_gib": _memory_gib(),
        "gpu": gpu,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
    }


def describe_machine(info: Mapping[str, Any] | None = None) -> str:
    """One line naming the machine, for the top of a benchmark's output.

    Args:
        info: a :func:`machine_info` result; ``None`` collects it now.

    Returns:
        For example ``machine: 2 cores (Intel Xeon ...), torch threads 2, load 1.0/0.9/0.8,
        23.4 GiB, no GPU; torch 2.13, transformers 5.24``.
    """
    info = machine_info() if info is None else info
    load = info.get("load_average")
    load_text = "/".join(f"{value:.1f}" for value in load) if load else "n/a"
    memory = info.get("memory_gib")
    memory_text = f"{memory} GiB" if memory is not None else "memory n/a"
    cores = info["cores"]
    load_note = ""
    if load and cores and load[0] > 1.5 * cores:
        # Timings on a machine running several times its core count are inflated.
        load_note = f" (LOADED: {load[0] / cores:.1f} runnable tasks per core)"
    return (
        f"machine: {cores} cores ({info['cpu_model']}), torch threads {info['torch_threads']}, "
        f"load {load_text}{load_note}, {memory_text}, {info.get('gpu') or 'no GPU'}; "
        f"torch {info['torch']}, transformers {info['transformers']}"
    )


def peak_rss_mb() -> float:
    """The largest resident memory of this process so far, in MiB (Linux/macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return round(peak / (2**20 if platform.system() == "Darwin" else 1024), 1)


class Stopwatch:
    """Wall-clock and CPU time of a ``with`` block.

    ``with Stopwatch() as watch: ...`` then ``watch.seconds`` (wall) and
    ``watch.cpu_seconds`` (CPU time of this process, all its threads). Both read the time
    so far while the block runs, and the final time after it. On a machine shared with
    other work, CPU time is the steadier measure: wall time also counts the time other
    processes held the cores.
    """

    def __init__(self) -> None:
        self._start: tuple[float, float] | None = None
        self._end: tuple[float, float] | None = None

    @staticmethod
    def _now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def __enter__(self) -> Stopwatch:
        self._start = self._now()
        self._end = None
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._end = self._now()

    def _elapsed(self, which: int) -> float:
        if self._start is None:
            raise BenchmarkInputError("the stopwatch was never started: use it in a with block")
        end = self._end if self._end is not None else self._now()
        return end[which] - self._start[which]

    @property
    def seconds(self) -> float:
        """Wall-clock seconds."""
        return self._elapsed(0)

    @property
    def cpu_seconds(self) -> float:
        """CPU seconds this process used (user + system, every thread)."""
        return self._elapsed(1)


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.{digits}f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def format_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    digits: int = 3,
) -> str:
    """Rows as a Markdown table, columns padded so it also reads well in a terminal.

    Args:
        rows: one mapping per row; a key missing from a row prints as ``–``.
        columns: the columns, in order; ``None`` takes the keys of the rows in the order
            they first appear.
        digits: decimals for floats (``None`` and NaN print as ``–``, booleans as yes/no).

    Returns:
        The table, without a trailing newline.

    Raises:
        BenchmarkInputError: no rows, or no columns to show.
    """
    if not rows:
        raise BenchmarkInputError("no rows to tabulate: the benchmark produced no figures")
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    if not columns:
        raise BenchmarkInputError("the rows have no columns: pass columns=[...] or non-empty rows")
    body = [[_cell(row.get(column), digits) for column in columns] for row in rows]
    header = [str(column) for column in columns]
    widths = [
        max(len(text) for text in [name, *cells])
        for name, *cells in zip(header, *body, strict=True)
    ]

    def line(cells: Sequence[str]) -> str:
        return (
            "| "
            + " | ".join(text.ljust(width) for text, width in zip(cells, widths, strict=True))
            + " |"
        )

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), rule, *(line(cells) for cells in body)])


def write_json(path: str | Path, payload: Mapping[str, Any]) -> Path:
    """Write a benchmark's figures (and its :func:`machine_info`) as indented JSON.

    Args:
        path: the file; missing parent folders are created.
        payload: JSON-serialisable figures.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def default_data_dir() -> Path | None:
    """``BERTCOURSE_DATA_DIR`` if set, else the ``shared/data`` folder beside the repo if it
    exists (where the real data sets lie on course machines), else ``None``."""
    configured = os.environ.get("BERTCOURSE_DATA_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    beside = REPO_ROOT.parent / "shared" / "data"
    return beside.resolve() if beside.is_dir() else None
