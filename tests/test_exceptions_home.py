"""Each package's error classes live in its ``exceptions.py``; the old names still import.

Reads the sources (nothing imported) for classes deriving from an exception, and fails on
one defined anywhere else. The sandbox worker is the one exception: it imports only the
standard library, so its ``Unconvertible`` cannot come from ``autograder.exceptions``.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOTS = {
    "bertcourse": REPO / "bertcourse",
    "autograder": REPO / "instructor" / "autograder",
    "courseops": REPO / "instructor" / "courseops",
}
#: (module file, class): allowed outside exceptions.py, with the reason in the module.
ALLOWED = {("autograder/_worker.py", "Unconvertible")}


def _is_exception(base: ast.expr) -> bool:
    name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
    return name.endswith(("Error", "Exception", "Warning")) or name in {
        "AutograderError",
        "BertCourseError",
        "SandboxProblem",
        "NotAnswered",
        "LessonChecksError",
    }


def _stray_classes() -> list[str]:
    stray = []
    for package, root in ROOTS.items():
        for path in root.rglob("*.py"):
            if path.name == "exceptions.py":
                continue
            where = f"{package}/{path.relative_to(root)}"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.ClassDef)
                    and not node.name.startswith("_")  # private control flow
                    and any(_is_exception(base) for base in node.bases)
                    and (where, node.name) not in ALLOWED
                ):
                    stray.append(f"{where}: {node.name}")
    return stray


def test_error_classes_live_in_exceptions_modules() -> None:
    assert _stray_classes() == []


@pytest.mark.parametrize(
    ("module", "name", "home"),
    [
        ("bertcourse.interpret", "InterpretError", "bertcourse.exceptions"),
        ("bertcourse.standin", "StandInDataError", "bertcourse.exceptions"),
        ("bertcourse.artifacts", "ArtifactError", "bertcourse.exceptions"),
        ("bertcourse.variants", "VariantError", "bertcourse.exceptions"),
        ("bertcourse.prefetch", "PrefetchError", "bertcourse.exceptions"),
        ("bertcourse.qa", "QAInputError", "bertcourse.exceptions"),
        ("bertcourse.learning_check", "NotLearningWarning", "bertcourse.exceptions"),
        ("autograder.notebook", "NotebookUnreadable", "autograder.exceptions"),
        ("courseops.bench", "BenchmarkInputError", "autograder.exceptions"),
    ],
)
def test_moved_error_classes_keep_their_old_names(module: str, name: str, home: str) -> None:
    assert getattr(importlib.import_module(module), name) is getattr(
        importlib.import_module(home), name
    )


def test_the_per_cell_time_limit_has_one_home() -> None:
    from bertcourse.timing import CELL_TIMEOUT_S

    for config in ("nbgrader_config.py", "jupyter/nbgrader_config.py"):
        text = (REPO / config).read_text(encoding="utf-8")
        assert "c.Execute.timeout = CELL_TIMEOUT_S" in text, config
    import inspect

    from courseops.notebook_exec import execute_notebook

    assert inspect.signature(execute_notebook).parameters["timeout"].default == CELL_TIMEOUT_S
