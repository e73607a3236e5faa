"""``bertcourse release``: generate ``notebooks/`` from ``solutions/`` with nbgrader.

nbgrader runs in a temporary course folder with a temporary gradebook, so releasing has
no database side effects in the repository. The output then replaces
``notebooks/<lesson>/``, unless a file there has uncommitted changes that the new output
would overwrite and that the last release did not write (a manual edit; the last release's
files are recorded with their sha256 in ``notebooks/.release-manifest.json``): that is
refused unless ``force``.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.course_layout import REPO_ROOT
from autograder.exceptions import ReleaseError
from autograder.results import write_atomic

#: What the last release wrote (sha256 per file): a file that differs from it was edited.
MANIFEST = ".release-manifest.json"


@dataclass
class ReleaseResult:
    """What a release did.

    Attributes:
        lessons: lesson ids released.
        changed: files written or replaced (relative to the repository).
        removed: stale files removed.
    """

    lessons: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


_SKIPPED_NAMES = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")


def _not_lesson_material(folder: str, names: list[str]) -> set[str]:
    """What ``copytree`` leaves out of a lesson: caches, checkpoints, and anything that is
    neither a file nor a folder (a kernel's leftover socket cannot be copied)."""
    skipped = set(_SKIPPED_NAMES(folder, names))
    for name in names:
        path = Path(folder) / name
        if not (path.is_file() or path.is_dir()):
            skipped.add(name)
    return skipped


def source_lessons(solutions_dir: Path) -> list[str]:
    """Lesson ids with a source notebook ``<solutions_dir>/<id>/<id>.ipynb``."""
    if not solutions_dir.is_dir():
        return []
    return sorted(p.name for p in solutions_dir.iterdir() if (p / f"{p.name}.ipynb").is_file())


def generate(
    *, lessons: list[str], solutions_dir: Path, out_dir: Path, db_url: str | None = None
) -> dict[str, Path]:
    """Run ``nbgrader generate_assignment`` for each lesson into ``out_dir/<id>/``.

    Args:
        lessons: lesson ids.
        solutions_dir: the source folder (``solutions``).
        out_dir: where the release folders go (created).
        db_url: gradebook to record the assignments in (default: a throw-away one).

    Returns:
        lesson id -> its generated folder.

    Raises:
        ReleaseError: nbgrader failed (its output is in the message).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = {}
    with tempfile.TemporaryDirectory(prefix="bertcourse-release-") as temporary:
        course = Path(temporary)
        db = db_url or f"sqlite:///{course / 'gradebook.db'}"
        for lesson_id in lessons:
            shutil.copytree(
                solutions_dir / lesson_id,
                course / "source" / lesson_id,
                ignore=_not_lesson_material,
            )
            command = [
                sys.executable,
                "-m",
                "nbgrader",
                "generate_assignment",
                lesson_id,
                f"--CourseDirectory.root={course}",
                "--CourseDirectory.source_directory=source",
                "--CourseDirectory.release_directory=release",
                f"--CourseDirectory.db_url={db}",
                "--force",
                "--log-level=WARN",
            ]
            # nbgrader migrates its gradebook by running the `alembic` command, which sits
            # beside this Python; put that folder first so an unactivated venv works too.
            scripts = str(Path(sys.executable).parent)
            env = {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}
            # cwd=REPO_ROOT so nbgrader_config.py applies; the flags above override its folders.
            process = subprocess.run(
                command, cwd=REPO_ROOT, capture_output=True, text=True, env=env
            )
            if process.returncode != 0:
                raise ReleaseError(
                    f"nbgrader generate_assignment {lesson_id} failed (fix the source notebook "
                    f"solutions/{lesson_id}):\n{(process.stdout + process.stderr)[-3000:]}"
                )
            target = out_dir / lesson_id
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(course / "release" / lesson_id, target)
            generated[lesson_id] = target
    return generated


def _dirty_files(folder: Path) -> set[Path]:
    """Files under ``folder`` with uncommitted changes (modified or untracked) per git."""
    try:
        process = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all", "--", str(folder)],
            cwd=folder.parent if folder.parent.is_dir() else REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder.parent if folder.parent.is_dir() else REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout: every existing file counts as possibly edited by hand.
        return {p for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()
    dirty = set()
    for line in process.stdout.splitlines():
        name = line[3:].split(" -> ")[-1].strip('"')
        dirty.add((Path(top) / name).resolve())
    return dirty


def release(
    *,
    lesson: str | None = None,
    solutions_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    force: bool = False,
    db_url: str | None = None,
) -> ReleaseResult:
    """Regenerate ``notebooks/<id>/`` for one lesson or all of them.

    Args:
        lesson: one lesson id (default: every lesson in ``solutions/``).
        solutions_dir: source folder (default ``solutions``).
        notebooks_dir: release folder (default ``notebooks``).
        force: overwrite files with uncommitted manual changes.
        db_url: also record the assignments in this nbgrader gradebook (for formgrader).

    Returns:
        What changed.

    Raises:
        ReleaseError: nbgrader failed, the lesson does not exist, or files edited by hand
            would be overwritten without ``force``.
    """
    solutions_dir = solutions_dir or REPO_ROOT / "solutions"
    notebooks_dir = notebooks_dir or REPO_ROOT / "notebooks"
    available = source_lessons(solutions_dir)
    if lesson is not None and lesson not in available:
        raise ReleaseError(
            f"no lesson {lesson!r}: expected {solutions_dir / lesson / (lesson + '.ipynb')} "
            f"(lessons: {', '.join(available) or 'none'})"
        )
    lessons = [lesson] if lesson else available
    result = ReleaseResult(lessons=lessons)
    with tempfile.TemporaryDirectory(prefix="bertcourse-release-out-") as temporary:
        generated = generate(
            lessons=lessons, solutions_dir=solutions_dir, out_dir=Path(temporary), db_url=db_url
        )
        manifest_path = notebooks_dir / MANIFEST
        manifest = _read_manifest(manifest_path)
        plans: list[tuple[str, Path, Path, set[Path], set[Path]]] = []
        conflicts: list[str] = []
        for lesson_id, new_folder in generated.items():
            target = notebooks_dir / lesson_id
            new_files = {p.relative_to(new_folder) for p in new_folder.rglob("*") if p.is_file()}
            old_files = (
                {p.relative_to(target) for p in target.rglob("*") if p.is_file()}
                if target.is_dir()
                else set()
            )
            dirty = _dirty_files(target) if target.is_dir() else set()
            for name in sorted(old_files):
                path = (target / name).resolve()
                same = name in new_files and filecmp.cmp(path, new_folder / name, shallow=False)
                key = f"{lesson_id}/{name.as_posix()}"
                # As the last release wrote it: generated, not a manual edit.
                untouched = manifest.get(key) == _digest(path)
                if path in dirty and not same and not untouched:
                    conflicts.append(str(target / name))
            plans.append((lesson_id, new_folder, target, new_files, old_files))
        if conflicts and not force:
            raise ReleaseError(
                "these release files have uncommitted changes that releasing would overwrite "
                "(notebooks/ is generated: edit solutions/ instead, then release; or pass "
                "--force to discard the edits):\n  " + "\n  ".join(conflicts)
            )
        for _lesson_id, new_folder, target, new_files, old_files in plans:
            for name in sorted(new_files):
                destination = target / name
                if destination.is_file() and filecmp.cmp(destination, new_folder / name, False):
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(new_folder / name, destination)
                result.changed.append(_relative(destination))
            for name in sorted(old_files - new_files):
                (target / name).unlink()
                result.removed.append(_relative(target / name))
                manifest.pop(f"{_lesson_id}/{name.as_posix()}", None)
            for name in new_files:
                manifest[f"{_lesson_id}/{name.as_posix()}"] = _digest(target / name)
        if result.changed or result.removed or not manifest_path.is_file():
            notebooks_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(manifest_path, json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return result


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(path: Path) -> dict[str, str]:
    """What the last release wrote (relative path -> sha256); empty when unknown."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def normalised_cells(path: Path) -> list[dict[str, Any]]:
    """A notebook's cells reduced to what a release must reproduce.

    Args:
        path: the notebook.

    Returns:
        Per cell: ``cell_type``, ``source`` and the ``nbgrader`` metadata.
    """
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    return [
        {
            "cell_type": cell.cell_type,
            "source": cell.source,
            "nbgrader": dict(cell.metadata.get("nbgrader", {})),
        }
        for cell in notebook.cells
    ]
