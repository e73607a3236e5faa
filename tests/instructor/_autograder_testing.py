"""Paths and helpers shared by the autograder tests (imported by the test modules)."""

from __future__ import annotations

import shutil
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "resources"
CHECKS = RESOURCES / "checks"
SOLUTIONS = RESOURCES / "solutions"
HOSTILE = RESOURCES / "hostile"
TOY = "toy_lesson"
TOY_SOLUTION = SOLUTIONS / TOY / f"{TOY}.ipynb"


def copy_as(source: Path, folder: Path, name: str) -> Path:
    """Copy a notebook into ``folder`` as ``<name>.ipynb``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.ipynb"
    shutil.copyfile(source, target)
    return target
