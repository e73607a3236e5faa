"""The grader's side of the sandbox: start a worker, send it requests, read plain answers.

The worker (:mod:`autograder._worker`) runs the student's code in a separate process.
Where the operating system allows it (Linux with bubblewrap), that process runs inside
the OS sandbox of :mod:`autograder.os_sandbox` (``isolation="os"``): its own namespaces,
a read-only view of Python and the helper package only, no network, limits. Elsewhere
``isolation="process"`` keeps only the resource limits and the worker's audit hooks:
for code the instructor trusts (the course's own solutions), never for submissions.

Either way this module never executes anything the worker sends: answers are unpickled
by :class:`PlainUnpickler`, which only rebuilds builtin containers and numpy arrays.
"""

from __future__ import annotations

import functools
import io
import json
import os
import pickle
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import os_sandbox
from autograder.exceptions import SandboxUnavailable, StudentError, WorkerCrashed, WorkerTimeout
from bertcourse.config import AUTOMATED_MODE

WORKER_SCRIPT = Path(__file__).with_name("_worker.py")
FIXTURE_KEY = "__autograder_fixture__"
MAX_ANSWER_BYTES = 256 * 2**20
NOBODY = os_sandbox.NOBODY
#: ``"os"``: the bubblewrap sandbox; ``"process"``: limits and audit hooks only (trusted code).
ISOLATIONS = ("os", "process")

# Built-in fixtures: source run in the worker that sets ``value``.
BUILTIN_FIXTURES: dict[str, str] = {
    "tokenizer": "import bertcourse as bc\nvalue = bc.load_tokenizer()",
}


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of one worker process.

    Attributes:
        memory_mb: address-space limit (``RLIMIT_AS``); torch alone maps ~1.1 GB.
        cpu_seconds: CPU-time limit of the whole worker (``RLIMIT_CPU``).
        file_mb: largest file the worker may write (``RLIMIT_FSIZE``).
        drop_privileges: run the worker as ``nobody`` when the grader runs as root, so it
            cannot write the results or other students' files.
        max_processes: processes and threads the worker may add (``RLIMIT_NPROC`` above
            what its user already runs): a fork bomb stops there.
        disk_mb: size of the worker's writable folder (a tmpfs in the OS sandbox): a
            submission that fills it gets ``ENOSPC``, the machine's disk is untouched.
    """

    memory_mb: int = 4096
    cpu_seconds: int = 600
    file_mb: int = 64
    drop_privileges: bool = True
    max_processes: int = 256
    disk_mb: int = 1024


class PlainUnpickler(pickle.Unpickler):
    """Unpickles builtin data and numpy arrays only: the worker is not trusted."""

    ALLOWED = {
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "complex"),
        ("builtins", "bytearray"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"the worker sent a {module}.{name}, which is not plain data")


def plain_loads(data: bytes) -> Any:
    """Unpickle an answer from the worker, refusing anything but plain data."""
    return PlainUnpickler(io.BytesIO(data)).load()


def encode_fixtures(obj: Any) -> Any:
    """Replace :class:`autograder.api.Fixture` placeholders by markers the worker expands."""
    from autograder.api import Fixture

    if isinstance(obj, Fixture):
        return {FIXTURE_KEY: obj.name}
    if isinstance(obj, dict):
        return {k: encode_fixtures(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [encode_fixtures(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(encode_fixtures(v) for v in obj)
    return obj


def _minimal_environment(home: str) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": os.path.join(home, "tmp") if home == os_sandbox.HOME else home,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": home,
        "HF_HOME": os.path.join(home, "hf"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "BERTCOURSE_OFFLINE": "1",
        "BERTCOURSE_MODE": AUTOMATED_MODE,
        "BERTCOURSE_DEVICE": "cpu",
        "BERTCOURSE_PROGRESS": "0",
        "BERTCOURSE_ARTIFACTS": os.path.join(home, "artifacts"),
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "CUDA_VISIBLE_DEVICES": "",
    }


def _others_can_enter(path: Path) -> bool:
    """Whether every folder on the way to ``path`` lets other users through (o+x)."""
    for folder in [path, *path.parents]:
        try:
            if folder.is_dir() and not folder.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def default_isolation(*, trusted: bool = False) -> str:
    """The isolation to grade with here.

    Args:
        trusted: the code is the course's own (solutions, mutants): fall back to
            ``"process"`` where the OS sandbox is unavailable instead of refusing.

    Returns:
        ``"os"`` where the OS sandbox works, else ``"process"`` for trusted code.

    Raises:
        SandboxUnavailable: no OS sandbox here and the code is not trusted.
    """
    problem = os_sandbox.os_sandbox_problem()
    if problem is None:
        return "os"
    if trusted:
        return "process"
    raise SandboxUnavailable(
        f"Refusing to run student code without the OS sandbox: {problem}. "
        f"To fix it, {os_sandbox.INSTALL_HINT}."
    )


def _processes_of(uid: int) -> int:
    """How many processes and threads ``uid`` runs now (what ``RLIMIT_NPROC`` counts)."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


@functools.lru_cache(maxsize=1)
def can_drop_privileges() -> bool:
    """Whether a worker run as ``nobody`` could still start Python and import the course.

    Python installed under a private home (``/root/.pyenv``) cannot be run by ``nobody``;
    the worker then keeps the grader's user and relies on the other protections.
    """
    if os.geteuid() != 0:
        return False
    import bertcourse

    needed = [Path(sys.base_prefix), Path(sys.prefix), Path(bertcourse.__file__).parent]
    return all(_others_can_enter(path.resolve()) for path in needed)


class Sandbox:
    """One worker process holding one student's namespace.

    Args:
        fixtures: name -> worker-side source setting ``value`` (added to the built-ins).
        forbidden: paths the worker's audit hook refuses (a second line of defence: in
            the OS sandbox they are not in its view at all).
        limits: resource limits.
        isolation: ``"os"`` (bubblewrap; the default where it works) or ``"process"``
            (trusted code only); ``None`` picks :func:`default_isolation`.
    """

    def __init__(
        self,
        *,
        fixtures: dict[str, str] | None = None,
        forbidden: list[str | Path] | None = None,
        limits: SandboxLimits | None = None,
        isolation: str | None = None,
    ) -> None:
        if isolation is not None and isolation not in ISOLATIONS:
            raise ValueError(f"isolation must be one of {ISOLATIONS}, not {isolation!r}")
        self.isolation = isolation or default_isolation()
        self.fixtures = {**BUILTIN_FIXTURES, **(fixtures or {})}
        self.forbidden = [str(Path(p).resolve()) for p in (forbidden or [])]
        self.forbidden.append(str(WORKER_SCRIPT.parent.resolve()))
        self.limits = limits or SandboxLimits()
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir: str | None = None
        self.log: list[str] = []
        self.restarts = -1

    # -- life cycle ---------------------------------------------------------------
    def start(self) -> None:
        """Start a fresh worker with a fresh, empty writable folder (stops a running one)."""
        self.stop()
        config: dict[str, Any] = {
            "memory_bytes": self.limits.memory_mb * 2**20,
            "cpu_seconds": self.limits.cpu_seconds,
            "file_bytes": self.limits.file_mb * 2**20,
            "forbidden": self.forbidden,
            "fixtures": self.fixtures,
            # The interpreter-level hooks only where the operating system draws no line:
            # in the OS sandbox, what is forbidden is simply not there.
            "audit_hook": self.isolation == "process",
        }
        root = os.geteuid() == 0
        if self.isolation == "os":
            # Everything the worker writes lives in its tmpfs and is gone when it ends.
            home = os_sandbox.HOME
            dropped = root and shutil.which("setpriv") is not None
            uid = os_sandbox.sandbox_uid() if root else os.getuid()
            if root and not dropped:  # the worker drops root itself
                config.update(uid=uid, gid=uid)
            config["max_processes"] = _processes_of(uid) + self.limits.max_processes
            view = os_sandbox.worker_view(WORKER_SCRIPT)
            argv = os_sandbox.bwrap_command(
                view=view,
                argv=[sys.executable, "-I", os_sandbox.WORKER_INSIDE, json.dumps(config)],
                disk_bytes=self.limits.disk_mb * 2**20,
            )
            cwd = "/"
        else:
            self.workdir = home = tempfile.mkdtemp(prefix="bertcourse-grade-")
            drop = self.limits.drop_privileges and can_drop_privileges()
            if drop:
                os.chown(self.workdir, NOBODY, NOBODY)
                config.update(uid=NOBODY, gid=NOBODY)
                config["max_processes"] = _processes_of(NOBODY) + self.limits.max_processes
            argv = [sys.executable, "-I", str(WORKER_SCRIPT), json.dumps(config)]
            cwd = self.workdir
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=_minimal_environment(home),
            start_new_session=True,
            close_fds=True,
        )
        self.restarts += 1

    def stop(self) -> None:
        """Kill the worker (and anything it started) and remove its directory."""
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- requests -------------------------------------------------------------------
    def request(self, payload: dict[str, Any], *, timeout: float) -> Any:
        """Send one request and return the worker's plain answer.

        Args:
            payload: ``{"op": "exec"|"call"|"value"|"has"|"eval"|"ping", ...}``.
            timeout: seconds to wait for the answer; the worker is killed after that.

        Returns:
            The answer's value (plain data).

        Raises:
            StudentError: the student's code raised (or returned something unusable).
            WorkerTimeout: no answer in time (the worker is killed).
            WorkerCrashed: the worker died or sent something that is not an answer.
        """
        if not self.alive:
            self.start()
        assert self.process is not None and self.process.stdin is not None
        data = pickle.dumps(encode_fixtures(payload), protocol=4)
        try:
            self.process.stdin.write(struct.pack("!Q", len(data)) + data)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerCrashed(self._death_reason()) from None
        deadline = time.monotonic() + timeout
        header = self._read(8, deadline, timeout)
        (size,) = struct.unpack("!Q", header)
        if size > MAX_ANSWER_BYTES:
            self.stop()
            raise WorkerCrashed(f"the answer was too large ({size} bytes)")
        body = self._read(size, deadline, timeout)
        try:
            answer = plain_loads(body)
            ok = answer["ok"]
        except Exception as error:  # noqa: BLE001 - anything malformed is the worker's fault
            self.stop()
            raise WorkerCrashed(f"the worker sent a malformed answer ({error})") from None
        output = answer.get("output") or ""
        if output:
            self.log.append(str(output))
        if ok:
            return answer.get("value")
        raise StudentError(
            type_name=str(answer.get("type", "Exception")),
            message=str(answer.get("message", "")),
            traceback=str(answer.get("traceback", "")),
            kind=str(answer.get("kind", "error")),
        )

    def _read(self, size: int, deadline: float, timeout: float) -> bytes:
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks: list[bytes] = []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise WorkerTimeout(f"no answer within {timeout:g} s")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, min(size, 2**20))
            if not chunk:
                reason = self._death_reason()
                self.stop()
                raise WorkerCrashed(reason)
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _death_reason(self) -> str:
        process = self.process
        if process is None:
            return "the Python process running the notebook stopped"
        try:
            code = process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "the Python process running the notebook stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            why = {
                "SIGXCPU": " (CPU time limit reached)",
                "SIGKILL": " (killed, perhaps for using too much memory)",
                "SIGSEGV": " (a crash in compiled code, often from running out of memory)",
            }.get(name, "")
            return f"the Python process running the notebook was killed by {name}{why}"
        return f"the Python process running the notebook exited with status {code} (os._exit?)"
