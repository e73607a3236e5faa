"""Find and load the check modules ``autograder/lessons/<lesson_id>.py``."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

from autograder.api import Lesson
from autograder.course_layout import CHECKS_DIR, REPO_ROOT, SOLUTIONS_DIR
from autograder.exceptions import LessonChecksError
from autograder.notebook import Cell, NotebookUnreadable, read_cells

__all__ = ["CHECKS_DIR", "REPO_ROOT", "SOLUTIONS_DIR", "available_lessons", "load_lesson"]

_lock = threading.Lock()
_cache: dict[tuple[Path, str], Lesson] = {}


def available_lessons(checks_dir: Path | None = None) -> list[str]:
    """Lesson ids with a check module.

    Args:
        checks_dir: folder of check modules (default ``autograder/lessons``).

    Returns:
        Sorted lesson ids.
    """
    folder = checks_dir or CHECKS_DIR
    return sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))


def load_lesson(
    lesson_id: str, *, checks_dir: Path | None = None, solutions_dir: Path | None = None
) -> Lesson:
    """Import the lesson's check module and return its ``Lesson``.

    Args:
        lesson_id: e.g. ``"05_ner"``.
        checks_dir: folder of check modules (default ``autograder/lessons``).
        solutions_dir: folder of source notebooks (default ``solutions``).

    Returns:
        The lesson, with ``reference`` set to the source notebook's cells when it exists.

    Raises:
        LessonChecksError: no module, or not exactly one ``Lesson`` with this id in it.
        MutantEditError: a mutant's ``replace=`` edit does not apply to the solution cell.
    """
    folder = (checks_dir or CHECKS_DIR).resolve()
    key = (folder, lesson_id)
    with _lock:
        if key in _cache:
            return _cache[key]
        path = folder / f"{lesson_id}.py"
        if not path.is_file():
            raise LessonChecksError(
                f"lesson {lesson_id!r} has no checks: create {path} (see autograder/README.md)"
            )
        module_name = f"_autograder_lesson_{abs(hash(str(folder)))}_{lesson_id}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        lessons = [v for v in vars(module).values() if isinstance(v, Lesson)]
        if len(lessons) != 1 or lessons[0].lesson_id != lesson_id:
            raise LessonChecksError(
                f"{path} must define exactly one Lesson({lesson_id!r}, ...); found "
                f"{[lesson.lesson_id for lesson in lessons]}"
            )
        lesson = lessons[0]
        source = (solutions_dir or SOLUTIONS_DIR) / lesson_id / f"{lesson_id}.ipynb"
        lesson.reference = _reference_cells(source)
        lesson.source_notebook = source if source.is_file() else None
        # Mutants written as edits are computed from the current solution cells; an edit
        # that no longer applies fails loading, naming the lesson, cell and text.
        lesson.apply_mutant_edits(
            {c.grade_id: c.source for c in lesson.reference if c.solution and c.grade_id}
        )
        _cache[key] = lesson
        return lesson


def _reference_cells(path: Path) -> list[Cell]:
    if not path.is_file():
        return []
    try:
        return read_cells(path)
    except NotebookUnreadable as error:
        raise LessonChecksError(f"the source notebook {path} cannot be read: {error}") from None
