"""The sandbox worker: runs a student's code and answers the grader's requests.

Started by :mod:`autograder.sandbox` as ``python -I <this file> CONFIG_JSON``, inside the
OS sandbox of :mod:`autograder.os_sandbox` (this file is bound there alone) or, for
trusted code, in a fresh temporary directory; always with a minimal environment. It
imports only the standard library until the student's code (or a fixture) imports more,
and it never imports the ``autograder`` package, so the checks, reference answers and
hidden tests stay in the grader process.

Protocol: length-prefixed pickles. Requests (trusted, from the grader) arrive on the
original stdin; answers go out on the original stdout. Both descriptors are moved
aside at start-up; the student's ``print`` goes to a truncating buffer and C-level
output to a capped file, so nothing the student writes can reach the grader except
answers to requests, which the grader unpickles with a restricted unpickler.
"""

from __future__ import annotations

import builtins
import collections.abc
import io
import json
import linecache
import os
import pickle
import resource
import signal
import struct
import sys
import traceback
from typing import Any

FIXTURE_KEY = "__autograder_fixture__"
OUTPUT_KEEP = 4000  # characters of stdout/stderr kept per request (head + tail)
MAX_ITEMS = 2_000_000  # elements a result may hold once converted


class _Capture(io.TextIOBase):
    """A text stream that keeps the head and tail of what is written and counts the rest."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.head: list[str] = []
        self.head_len = 0
        self.tail = ""
        self.total = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        self.total += len(text)
        if self.head_len < OUTPUT_KEEP // 2:
            piece = text[: OUTPUT_KEEP // 2 - self.head_len]
            self.head.append(piece)
            self.head_len += len(piece)
        self.tail = (self.tail + text)[-(OUTPUT_KEEP // 2) :]
        return len(text)

    def flush(self) -> None:
        pass

    def take(self) -> str:
        head = "".join(self.head)
        if self.total <= len(head):
            out = head
        elif self.total <= OUTPUT_KEEP:
            out = head + self.tail[-(self.total - len(head)) :]
        else:
            out = f"{head}\n... [{self.total - OUTPUT_KEEP} characters cut] ...\n{self.tail}"
        self.reset()
        return out


class Unconvertible(Exception):
    """A result that is not plain data.

    Defined here, not in ``autograder.exceptions``: the worker imports nothing but the
    standard library (it runs in the sandbox, where the grader's packages are hidden).
    """


def _to_plain(obj: Any, budget: list[int], depth: int = 0) -> Any:
    """Convert ``obj`` to data the grader's restricted unpickler accepts."""
    budget[0] -= 1
    if budget[0] < 0:
        raise Unconvertible(f"the result is too large (more than {MAX_ITEMS} elements)")
    if depth > 50:
        raise Unconvertible("the result is nested more than 50 levels deep")
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
        # Subclasses (a str subclass with a lying __eq__) become the base type.
        for base in (bool, int, float, complex, str, bytes):
            if isinstance(obj, base):
                return base(obj)
        return obj
    module = type(obj).__module__ or ""
    if module.startswith("torch") and hasattr(obj, "detach"):
        obj = obj.detach().cpu().numpy()
        module = "numpy"
    if module.startswith("numpy"):
        import numpy

        if isinstance(obj, numpy.generic):
            return _to_plain(obj.item(), budget, depth + 1)
        if isinstance(obj, numpy.ndarray):
            if obj.dtype.hasobject:
                return _to_plain(obj.tolist(), budget, depth + 1)
            budget[0] -= obj.size
            if budget[0] < 0:
                raise Unconvertible(f"the result is too large (more than {MAX_ITEMS} elements)")
            return numpy.ascontiguousarray(obj).view(numpy.ndarray).copy()
    if isinstance(obj, collections.abc.Mapping):
        return {
            _to_plain(k, budget, depth + 1): _to_plain(v, budget, depth + 1) for k, v in obj.items()
        }
    if isinstance(obj, tuple):
        return tuple(_to_plain(v, budget, depth + 1) for v in obj)
    if isinstance(obj, (list, range, collections.abc.KeysView, collections.abc.ValuesView)):
        return [_to_plain(v, budget, depth + 1) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return {_to_plain(v, budget, depth + 1) for v in obj}
    raise Unconvertible(
        f"returned an object of type {type(obj).__module__}.{type(obj).__qualname__}, "
        "which the grader cannot inspect (return numbers, lists, dicts or arrays)"
    )


class Worker:
    """State of one worker: the student's namespace, fixtures and captured output."""

    def __init__(self, config: dict[str, Any], out_fd: int) -> None:
        self.config = config
        self.out_fd = out_fd
        self.fixture_sources: dict[str, str] = dict(config.get("fixtures", {}))
        self.fixtures: dict[str, Any] = {}
        self.capture = _Capture()
        self.namespace: dict[str, Any] = {
            "__name__": "__main__",
            "__builtins__": builtins,
            "get_ipython": lambda: _FakeIPython(),
            "display": lambda *args, **kwargs: print(*args),
        }

    # -- fixtures -------------------------------------------------------------
    def fixture(self, name: str) -> Any:
        if name not in self.fixtures:
            source = self.fixture_sources.get(name)
            if source is None:
                raise KeyError(f"unknown fixture {name!r}")
            scope: dict[str, Any] = {"__builtins__": builtins}
            exec(compile(source, f"<fixture {name}>", "exec"), scope)
            self.fixtures[name] = scope["value"]
        return self.fixtures[name]

    def expand(self, obj: Any) -> Any:
        if isinstance(obj, dict):
            if set(obj) == {FIXTURE_KEY}:
                return self.fixture(obj[FIXTURE_KEY])
            return {k: self.expand(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.expand(v) for v in obj]
        if isinstance(obj, tuple):
            return tuple(self.expand(v) for v in obj)
        return obj

    # -- requests -------------------------------------------------------------
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "exec":
            filename = f"<cell {request['label']}>"
            source = request["source"]
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            exec(compile(source, filename, "exec"), self.namespace)
            return {"value": None}
        if op == "has":
            return {"value": request["name"] in self.namespace}
        if op == "value":
            return {"value": self._lookup(request["name"])}
        if op == "call":
            function = self._lookup(request["name"])
            if not callable(function):
                raise TypeError(f"{request['name']} is not a function")
            args = self.expand(request.get("args", ()))
            kwargs = self.expand(request.get("kwargs", {}))
            return {"value": function(*args, **kwargs)}
        if op == "eval":
            scope = dict(self.namespace)
            scope["fixtures"] = _FixtureView(self)
            return {"value": eval(compile(request["expr"], "<check>", "eval"), scope)}
        if op == "ping":
            return {"value": "pong"}
        raise ValueError(f"unknown request {op!r}")

    def _lookup(self, name: str) -> Any:
        if name not in self.namespace:
            raise NameError(f"name {name!r} is not defined")
        return self.namespace[name]

    def serve(self, in_fd: int) -> None:
        reader = os.fdopen(in_fd, "rb", buffering=0)
        while True:
            header = _read_exact(reader, 8)
            if header is None:
                return
            (size,) = struct.unpack("!Q", header)
            payload = _read_exact(reader, size)
            if payload is None:
                return
            request = pickle.loads(payload)
            answer: dict[str, Any]
            try:
                result = self.handle(request)
                budget = [MAX_ITEMS]
                answer = {"ok": True, "value": _to_plain(result["value"], budget)}
            except Unconvertible as error:
                answer = {
                    "ok": False,
                    "kind": "unconvertible",
                    "type": "TypeError",
                    "message": str(error),
                    "traceback": "",
                }
            except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
                answer = _describe(error)
            answer["output"] = self.capture.take()
            self.send(answer)

    def send(self, answer: dict[str, Any]) -> None:
        try:
            data = pickle.dumps(answer, protocol=4)
        except Exception as error:  # noqa: BLE001 - an unpicklable exception message
            data = pickle.dumps(
                {
                    "ok": False,
                    "kind": "error",
                    "type": "PicklingError",
                    "message": f"the result could not be sent: {error}"[:500],
                    "traceback": "",
                    "output": "",
                },
                protocol=4,
            )
        os.write(self.out_fd, struct.pack("!Q", len(data)))
        view = memoryview(data)
        while view:
            written = os.write(self.out_fd, view)
            view = view[written:]


class _FixtureView:
    def __init__(self, worker: Worker) -> None:
        self._worker = worker

    def __getitem__(self, name: str) -> Any:
        return self._worker.fixture(name)


class _FakeIPython:
    """Stands in for ``get_ipython()``: notebook magics do nothing while grading."""

    def run_line_magic(self, *args: Any, **kwargs: Any) -> None:
        return None

    def run_cell_magic(self, *args: Any, **kwargs: Any) -> None:
        return None

    def system(self, *args: Any, **kwargs: Any) -> None:
        return None

    def getoutput(self, *args: Any, **kwargs: Any) -> list[str]:
        return []


def _describe(error: BaseException) -> dict[str, Any]:
    """An exception as plain data: its type, message and the student's part of the traceback."""
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 - a hostile __str__
        message = "<message could not be shown>"
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith("<cell") or frame.filename.startswith("<fixture")
    ]
    kind = "exit" if isinstance(error, SystemExit) else "error"
    return {
        "ok": False,
        "kind": kind,
        "type": type(error).__name__,
        "message": message[:2000],
        "traceback": "".join(traceback.format_list(frames))[-4000:],
    }


def _read_exact(reader: Any, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = reader.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _install_audit_hook(forbidden: list[str]) -> None:
    """Refuse access to the grader's files and the start of other processes.

    Audit hooks cannot be removed from Python code, so a student cannot switch this off
    with ``sys`` tricks (``ctypes`` could; see the package README).
    """
    roots = tuple(os.path.realpath(path) for path in forbidden)
    process_events = {
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "subprocess.Popen",
        "pty.spawn",
        "os.startfile",
    }
    path_events = {
        "open",
        "os.listdir",
        "os.scandir",
        "os.chdir",
        "os.link",
        "os.rename",
        "os.remove",
        "os.rmdir",
        "os.chmod",
        "os.chown",
        "os.truncate",
        "os.utime",
        "shutil.copyfile",
        "shutil.rmtree",
        "os.symlink",
    }
    realpath = os.path.realpath
    fspath = os.fspath

    def forbidden_path(path: Any) -> bool:
        if isinstance(path, int) or path is None:
            return False
        try:
            text = fspath(path)
            if isinstance(text, bytes):
                text = text.decode("utf-8", "surrogateescape")
            resolved = realpath(text)
        except Exception:  # noqa: BLE001 - unusual path objects are refused
            return True
        return any(resolved == root or resolved.startswith(root + os.sep) for root in roots)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in process_events:
            raise PermissionError("starting other processes is not allowed while grading")
        if event == "os.kill" or event == "os.killpg":
            if args and args[0] not in (0, os.getpid()):
                raise PermissionError("signalling other processes is not allowed while grading")
        if event in path_events:
            candidates = (
                args[:2]
                if event in {"os.link", "os.rename", "os.symlink", "shutil.copyfile"}
                else args[:1]
            )
            if any(forbidden_path(path) for path in candidates):
                raise PermissionError("the grader's files cannot be opened while grading")

    sys.addaudithook(hook)


def _start(config: dict[str, Any]) -> tuple[int, int]:
    """Apply limits, move the protocol descriptors aside and capture output."""
    memory = int(config.get("memory_bytes", 0))
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(config.get("cpu_seconds", 0))
    if cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    file_size = int(config.get("file_bytes", 64 * 2**20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A write past RLIMIT_FSIZE then fails with an OSError instead of killing the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    in_fd = os.dup(0)
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    log = os.open("worker-output.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(devnull)
    os.close(log)

    uid = config.get("uid")
    if uid is not None and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(config.get("gid", uid)))
        os.setuid(int(uid))
    if int(config.get("max_processes", 0)):
        # Counted per user over the machine: the grader passes what that user runs already
        # plus the worker's allowance, so a fork bomb stops at the allowance.
        limit = int(config["max_processes"])
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
    return in_fd, out_fd


def main() -> None:
    config = json.loads(sys.argv[1])
    in_fd, out_fd = _start(config)
    sys.path[:] = [
        p
        for p in sys.path
        if p and os.path.realpath(p) != os.path.realpath(os.path.dirname(__file__))
    ]
    worker = Worker(config, out_fd)
    sys.stdout = worker.capture
    sys.stderr = worker.capture
    if config.get("audit_hook", True):
        _install_audit_hook(list(config.get("forbidden", [])))
    worker.serve(in_fd)


if __name__ == "__main__":
    main()
