"""The operating system's boundary around a grading worker: a bubblewrap sandbox.

Every worker runs inside ``bwrap`` (bubblewrap, Debian package ``bubblewrap``) with

* its own mount, PID, network, IPC and UTS namespaces;
* a root file system built from nothing: read-only binds of ``/usr`` (system libraries),
  the Python installation, the environment's site-packages and the helper package
  ``bertcourse``; an empty tmpfs over any instructor package that lies inside those
  trees (``autograder``, ``courseops``); a fresh ``/proc`` and a minimal ``/dev``; one
  writable, size-limited tmpfs as home, working and temporary folder, gone when the
  worker ends. The grader, the checks, the references, the results and every other
  submission are simply not in its view;
* no network interface but its own loopback;
* as an unused user id when the grader runs as root (:func:`sandbox_uid`; ``setpriv``
  drops the user, groups and capabilities before Python starts, ``no_new_privs`` keeps
  set-uid programs inert), else as the grader's user inside an unprivileged user
  namespace;
* PID 1 of its namespace is bubblewrap's reaper, and ``--die-with-parent`` kills it when
  the grader's handle goes: when a worker ends, every process it started ends with it.

Why bubblewrap rather than ``unshare(1)``: ``unshare`` creates namespaces but leaves the
root file system to be built by hand (mounts, ``pivot_root``, ``/proc``), as root only;
bubblewrap builds the view from an allow-list, runs unprivileged through user
namespaces, reaps as PID 1 and dies with its parent: the parts that are easy to get
wrong are done by a small tool that Flatpak relies on.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

NOBODY = 65534
#: Workers of a root grader run as a user id no account has, one per grading process
#: (``SANDBOX_UID_BASE + pid % SANDBOX_UID_SPAN``): it owns no file, and one submission's
#: processes never count against another's ``RLIMIT_NPROC``.
SANDBOX_UID_BASE = 200_000
SANDBOX_UID_SPAN = 50_000
HOME = "/home/student"
WORKER_INSIDE = "/opt/bertcourse-worker/worker.py"
#: Instructor-only packages: covered with an empty folder wherever they sit in the view.
INSTRUCTOR_PACKAGES = ("autograder", "courseops")
#: Small system files the dynamic loader and the C library read.
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install "
    "bubblewrap`) on a Linux with user namespaces, or grade inside a container (see the "
    "README's threat model); only for code you trust, pass --unsandboxed"
)


@dataclass(frozen=True)
class WorkerView:
    """What a worker sees of the machine.

    Attributes:
        read_only: host folders bound read-only at the same path.
        hidden: folders inside ``read_only`` covered by an empty tmpfs.
        worker_script: the worker's source, bound alone at :data:`WORKER_INSIDE`.
    """

    read_only: tuple[Path, ...]
    hidden: tuple[Path, ...]
    worker_script: Path
    system: tuple[str, ...] = field(default=SYSTEM_FILES)


def sandbox_uid() -> int:
    """The user id this grading process gives its workers when it runs as root."""
    return SANDBOX_UID_BASE + os.getpid() % SANDBOX_UID_SPAN


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _package_dirs(name: str) -> list[Path]:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    return [Path(p).resolve() for p in (spec.submodule_search_locations or [])]


def worker_view(worker_script: Path) -> WorkerView:
    """The read-only view of a worker: Python, its site-packages and the helper package.

    Args:
        worker_script: the worker's source file.

    Returns:
        The view; instructor packages that sit inside it are listed in ``hidden``.
    """
    wanted = [
        Path(sys.base_prefix),
        Path(sys.prefix),
        Path(sys.executable).parent,
        *(Path(p) for p in site.getsitepackages()),
        *_package_dirs("bertcourse"),
    ]
    roots: list[Path] = []
    # Both the path as written and its target: a venv's python is a link to the base one.
    for path in [*wanted, *(p.resolve() for p in wanted)]:
        if path.is_dir() and path not in roots and not str(path).startswith("/usr/"):
            roots.append(path)
    # Drop folders already inside another bound folder.
    roots = [p for p in roots if not _inside(p, [r for r in roots if r != p])]
    hidden = [
        folder
        for name in INSTRUCTOR_PACKAGES
        for folder in _package_dirs(name)
        if _inside(folder, roots)
    ]
    return WorkerView(tuple(sorted(roots)), tuple(sorted(set(hidden))), worker_script.resolve())


def _ancestors(path: Path) -> list[Path]:
    return [p for p in reversed(path.parents) if p != Path("/")]


def bwrap_command(
    *,
    view: WorkerView,
    argv: list[str],
    disk_bytes: int,
    shm_bytes: int = 64 * 2**20,
) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` (inside paths) in the sandbox.

    Args:
        view: what the worker sees (:func:`worker_view`).
        argv: the command to run inside (Python, the worker, its arguments).
        disk_bytes: size of the writable home/temporary tmpfs.
        shm_bytes: size of ``/dev/shm``.

    Returns:
        The full command line, starting with the ``bwrap`` executable.

    Raises:
        FileNotFoundError: ``bwrap`` is not installed.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise FileNotFoundError(f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}")
    root = os.geteuid() == 0
    command = [
        bwrap,
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "grading",
    ]
    if not root:
        command.append("--unshare-user")
    command += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        host = Path("/") / name
        if host.is_symlink():
            command += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            command += ["--ro-bind", str(host), str(host)]
    for system_file in view.system:
        command += ["--ro-bind-try", system_file, system_file]
    # bubblewrap makes missing parent folders private (0700); nobody must pass through.
    made: set[Path] = set()
    for folder in view.read_only:
        for parent in _ancestors(folder):
            if parent not in made and not str(parent).startswith("/usr"):
                made.add(parent)
                command += ["--perms", "0755", "--dir", str(parent)]
        command += ["--ro-bind", str(folder), str(folder)]
    for folder in view.hidden:
        command += ["--tmpfs", str(folder)]
    command += ["--proc", "/proc", "--dev", "/dev"]
    command += ["--size", str(shm_bytes), "--perms", "1777", "--tmpfs", "/dev/shm"]
    command += ["--size", str(disk_bytes), "--perms", "1777", "--tmpfs", HOME]
    command += ["--perms", "1777", "--dir", f"{HOME}/tmp"]
    command += ["--perms", "0755", "--dir", str(Path(WORKER_INSIDE).parent)]
    command += ["--ro-bind", str(view.worker_script), WORKER_INSIDE]
    command += ["--chdir", HOME, "--"]
    setpriv = shutil.which("setpriv")
    if root and setpriv:
        # setpriv lies under /usr, which is in the view.
        uid = sandbox_uid()
        command += [
            setpriv,
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
    return command + argv


@functools.lru_cache(maxsize=1)
def os_sandbox_problem() -> str | None:
    """Why workers cannot run in the OS sandbox here, or ``None`` when they can.

    Starts one sandbox that imports ``bertcourse`` and must not see ``autograder``.
    """
    if not sys.platform.startswith("linux"):
        return f"the OS sandbox needs Linux namespaces; this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    probe = (
        "import importlib.util, os, bertcourse\n"
        "assert importlib.util.find_spec('autograder') is None, 'the grader is visible'\n"
        "print(os.getuid())"
    )
    view = worker_view(Path(__file__).with_name("_worker.py"))
    command = bwrap_command(
        view=view, argv=[sys.executable, "-I", "-c", probe], disk_bytes=16 * 2**20
    )
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=60, env=probe_environment()
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not start ({error})"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bubblewrap could not start a sandbox ({last})"
    if os.geteuid() == 0 and done.stdout.strip() != str(sandbox_uid()):
        return "the sandbox could not drop root (setpriv from util-linux is missing)"
    return None


def probe_environment() -> dict[str, str]:
    """A minimal environment for the availability probe."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": HOME}
