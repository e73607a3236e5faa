"""The sandbox worker: isolation, limits, and the plain-data channel."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from autograder import Fixture, StudentError
from autograder.exceptions import WorkerCrashed, WorkerTimeout
from autograder.os_sandbox import HOME, os_sandbox_problem
from autograder.sandbox import PlainUnpickler, Sandbox, SandboxLimits, plain_loads

needs_os_sandbox = pytest.mark.skipif(
    os_sandbox_problem() is not None, reason=f"no OS sandbox here: {os_sandbox_problem()}"
)


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_plain_unpickler_refuses_code_and_accepts_data() -> None:
    with pytest.raises(pickle.UnpicklingError, match="not plain data"):
        plain_loads(pickle.dumps(_Evil()))
    data = {"a": [1, 2.5, "x", None], "b": np.arange(6).reshape(2, 3), "c": {1, 2}}
    loaded = plain_loads(pickle.dumps(data, protocol=4))
    assert loaded["a"] == data["a"] and loaded["c"] == {1, 2}
    np.testing.assert_array_equal(loaded["b"], data["b"])
    assert issubclass(PlainUnpickler, pickle.Unpickler)


def run(sandbox: Sandbox, source: str) -> None:
    sandbox.request({"op": "exec", "label": "t", "source": source}, timeout=30)


@pytest.fixture(scope="module", params=["os", "process"])
def sandbox(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "os" and os_sandbox_problem() is not None:
        pytest.skip(f"no OS sandbox here: {os_sandbox_problem()}")
    secret = tmp_path_factory.mktemp("secret")
    (secret / "answers.txt").write_text("42")
    limits = SandboxLimits(memory_mb=2048)
    with Sandbox(forbidden=[secret], limits=limits, isolation=request.param) as box:
        box.secret = secret
        yield box


def test_calls_return_plain_data(sandbox: Sandbox) -> None:
    run(
        sandbox,
        "import numpy as np\ndef f(x):\n    return {'a': np.float32(x) * 2, 'b': np.ones(3)}",
    )
    out = sandbox.request({"op": "call", "name": "f", "args": (1.5,), "kwargs": {}}, timeout=10)
    assert out["a"] == 3.0 and type(out["a"]) is float
    np.testing.assert_array_equal(out["b"], np.ones(3))


def test_student_exceptions_come_back_as_data(sandbox: Sandbox) -> None:
    run(sandbox, "def g():\n    return 1 / 0")
    with pytest.raises(StudentError) as caught:
        sandbox.request({"op": "call", "name": "g"}, timeout=10)
    assert caught.value.type_name == "ZeroDivisionError" and "<cell t>" in caught.value.traceback


def test_objects_that_are_not_plain_data_are_refused(sandbox: Sandbox) -> None:
    run(sandbox, "class Thing:\n    pass\ndef h():\n    return Thing()")
    with pytest.raises(StudentError, match="cannot inspect"):
        sandbox.request({"op": "call", "name": "h"}, timeout=10)


def test_the_worker_cannot_read_forbidden_paths_or_the_grader(sandbox: Sandbox) -> None:
    # The OS sandbox: not in the view (not found); the process fallback: the audit hook.
    refused = "PermissionError" if sandbox.isolation == "process" else "(NotFound|Permission)Error"
    secret = sandbox.secret / "answers.txt"
    grader = Path(__file__).resolve().parents[2] / "instructor" / "autograder" / "api.py"
    for path in (secret, grader):
        with pytest.raises(StudentError, match=refused):
            run(sandbox, f"open({str(path)!r}).read()")
    with pytest.raises(StudentError, match=refused):
        run(sandbox, f"import os\nos.listdir({str(sandbox.secret)!r})")
    with pytest.raises(StudentError, match=refused):
        run(sandbox, "import autograder")


def test_the_worker_has_a_private_cwd_and_minimal_environment(sandbox: Sandbox) -> None:
    run(
        sandbox,
        "import os, sys\ncwd = os.getcwd()\nenv = dict(os.environ)\nflags = sys.flags.isolated",
    )
    cwd = sandbox.request({"op": "value", "name": "cwd"}, timeout=10)
    env = sandbox.request({"op": "value", "name": "env"}, timeout=10)
    home = HOME if sandbox.isolation == "os" else sandbox.workdir
    assert cwd == os.path.realpath(home) and cwd != os.getcwd()
    assert env["HOME"] == home and "BERTCOURSE_DATA_DIR" not in env
    assert sandbox.request({"op": "value", "name": "flags"}, timeout=10) == 1


def test_fixtures_are_built_in_the_worker() -> None:
    with Sandbox(fixtures={"seven": "value = 7"}) as box:
        run(box, "def twice(x):\n    return 2 * x")
        answer = box.request(
            {"op": "call", "name": "twice", "args": (Fixture("seven"),)}, timeout=10
        )
        assert answer == 14


def test_timeouts_and_crashes_kill_the_worker_and_a_new_one_starts() -> None:
    with Sandbox() as box:
        run(
            box,
            "import os\ndef spin():\n    while True:\n        pass\ndef die():\n    os._exit(7)",
        )
        with pytest.raises(WorkerTimeout):
            box.request({"op": "call", "name": "spin"}, timeout=1)
        assert not box.alive
        box.start()
        run(box, "import os\ndef die():\n    os._exit(7)")
        with pytest.raises(WorkerCrashed, match="status 7"):
            box.request({"op": "call", "name": "die"}, timeout=10)
        assert box.request({"op": "ping"}, timeout=10) == "pong"  # restarted on demand


def test_memory_limit_turns_a_bomb_into_memory_error() -> None:
    with Sandbox(limits=SandboxLimits(memory_mb=1024)) as box:
        with pytest.raises(StudentError, match="MemoryError"):
            run(box, "x = bytearray(4 * 2**30)")
        assert box.request({"op": "ping"}, timeout=10) == "pong"


def test_printing_megabytes_is_truncated() -> None:
    with Sandbox() as box:
        run(box, "print('x' * 20_000_000)")
        assert sum(len(entry) for entry in box.log) < 10_000
