"""Where a course checkout keeps its parts: the one home of every repository path.

The instructor tools work on a course *checkout* (``solutions/``, ``notebooks/``,
``nbgrader_config.py``); the check modules travel inside this package. The checkout is
``BERTCOURSE_COURSE_DIR`` when set, else the checkout this package was installed from
(an editable install in ``<checkout>/instructor/``), else the current folder.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKS_DIR = PACKAGE_DIR / "lessons"


def _course_root() -> Path:
    chosen = os.environ.get("BERTCOURSE_COURSE_DIR", "").strip()
    if chosen:
        return Path(chosen).expanduser().resolve()
    checkout = PACKAGE_DIR.parents[1]
    if (checkout / "solutions").is_dir() or (checkout / "nbgrader_config.py").is_file():
        return checkout
    return Path.cwd().resolve()


REPO_ROOT = _course_root()
SOLUTIONS_DIR = REPO_ROOT / "solutions"
RELEASE_DIR = REPO_ROOT / "notebooks"
