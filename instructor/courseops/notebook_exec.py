"""Execute lesson notebooks headless and measure them (wall time, peak memory).

Each notebook runs in its own child process (``python -m courseops.notebook_exec``) so its
peak memory can be read from the operating system (``os.wait4`` reports the largest
resident set of the child and of the kernel it waited for).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.course_layout import RELEASE_DIR, SOLUTIONS_DIR
from bertcourse.timing import CELL_TIMEOUT_S

__all__ = ["RELEASE_DIR", "SOLUTIONS_DIR", "NotebookRun", "execute_notebook", "lesson_notebooks"]


@dataclass(frozen=True)
class NotebookRun:
    """The outcome of executing one notebook.

    Attributes:
        lesson: the lesson id (the notebook's folder name).
        path: the notebook executed.
        ok: every cell ran without an error.
        seconds: wall time, kernel start included.
        peak_rss_mb: the largest resident memory of the kernel (MiB).
        error: the first error's name and message, or ``""``.
        executed_path: where the executed copy (with outputs) was written.
    """

    lesson: str
    path: str
    ok: bool
    seconds: float
    peak_rss_mb: float
    error: str
    executed_path: str


def lesson_notebooks(root: Path = SOLUTIONS_DIR, lessons: list[str] | None = None) -> list[Path]:
    """The lesson notebooks under ``root`` (``<id>/<id>.ipynb``), sorted by id.

    Args:
        root: ``solutions/`` or ``notebooks/``.
        lessons: only these ids; ``None`` means all.

    Returns:
        Paths, in lesson order (lessons save models that later ones reuse).
    """
    found = sorted(p for p in root.glob("*/*.ipynb") if p.stem == p.parent.name)
    if lessons:
        wanted = set(lessons)
        unknown = wanted - {p.stem for p in found}
        if unknown:
            known = ", ".join(p.stem for p in found) or "none"
            raise FileNotFoundError(
                f"no lesson notebook for {', '.join(sorted(unknown))} under {root}; "
                f"lessons found: {known}"
            )
        found = [p for p in found if p.stem in wanted]
    return found


def _execute_here(notebook: Path, output: Path, timeout: int) -> str:
    """Run in the child: execute ``notebook`` into ``output``; return the error text."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        # The kernel's own log: only errors. At the default level ipykernel warns in every
        # run that its local TCP sockets are unencrypted, which means nothing to a student.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    error = ""
    try:
        client.execute()
    except CellExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # noqa: BLE001 - a dead kernel or a timeout: still write what ran
        error = f"{type(exc).__name__}: {exc}"
    output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, output)
    return error


def execute_notebook(
    notebook: Path,
    *,
    output_dir: Path,
    timeout: int = CELL_TIMEOUT_S,
    env: dict[str, str] | None = None,
) -> NotebookRun:
    """Execute one notebook in a child process and measure it.

    Args:
        notebook: the ``.ipynb`` to run (it is not modified).
        output_dir: where the executed copy is written.
        timeout: seconds allowed per cell.
        env: extra environment variables (``BERTCOURSE_MODE``...) for the kernel.

    Returns:
        A :class:`NotebookRun`.
    """
    output = output_dir / notebook.name
    child_env = {**os.environ, **(env or {})}
    command = [sys.executable, "-m", "courseops.notebook_exec"]
    command += [str(notebook), str(output), str(timeout)]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=child_env, stdout=subprocess.PIPE, text=True)
    stdout = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    try:
        error = json.loads(stdout.strip().splitlines()[-1])["error"]
    except (IndexError, ValueError, KeyError):
        error = f"the runner process failed (exit code {process.returncode})"
    return NotebookRun(
        lesson=notebook.parent.name,
        path=str(notebook),
        ok=not error,
        seconds=round(seconds, 1),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        error=error,
        executed_path=str(output),
    )


def runs_to_json(runs: list[NotebookRun]) -> str:
    """Serialise runs for reports and benchmarks."""
    return json.dumps([asdict(run) for run in runs], indent=2)


if __name__ == "__main__":  # the child process of execute_notebook
    notebook_arg, output_arg, timeout_arg = sys.argv[1:4]
    message = _execute_here(Path(notebook_arg), Path(output_arg), int(timeout_arg))
    print(json.dumps({"error": message}))
