"""nbgrader's own autograde, pinned to the course's grading settings.

``nbgrader autograde`` runs each submission in a kernel that inherits the grader's
environment. Two things follow unless pinned:

* the mode and the offline switch are whatever the instructor's shell has, so the same
  notebook can train on other data (or download gigabytes) from one grader to the next;
* lessons 08 and 09 load the models lessons 03, 05 and 06 saved in the artifacts
  folder, by default one folder for everyone: under autograde, the model saved last,
  that is another student's.

:class:`PinnedExecute` replaces nbgrader's ``Execute`` in ``nbgrader_config.py``: it
starts each kernel with :data:`PINNED` and with ``BERTCOURSE_ARTIFACTS`` set to a
folder of the student's own, ``<course>/artifacts/<student>``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nbgrader.preprocessors import Execute

from bertcourse.config import AUTOMATED_MODE

#: The settings every graded kernel runs with (the course grader's too): fast mode,
#: never the Hub.
PINNED = {"BERTCOURSE_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "BERTCOURSE_MODE": AUTOMATED_MODE}
#: Where per-student artifacts go, under the course folder.
ARTIFACTS_FOLDER = "artifacts"


def student_artifacts(notebook_dir: str | Path, student: str) -> Path:
    """The artifacts folder of ``student``, beside nbgrader's folders.

    Args:
        notebook_dir: the folder of the notebook autograde runs,
            ``<course>/autograded/<student>/<assignment>``.
        student: nbgrader's student id.

    Returns:
        ``<course>/artifacts/<student>``.
    """
    course = Path(notebook_dir).resolve().parents[2]
    return course / ARTIFACTS_FOLDER / student


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block (a kernel started in it inherits them)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class PinnedExecute(Execute):
    """nbgrader's ``Execute`` with the pinned settings and per-student artifacts."""

    def preprocess(self, nb: Any, resources: Any, *args: Any, **kwargs: Any) -> Any:
        values = dict(PINNED)
        student = (resources or {}).get("nbgrader", {}).get("student")
        path = (resources or {}).get("metadata", {}).get("path")
        if student and path:
            folder = student_artifacts(path, student)
            folder.mkdir(parents=True, exist_ok=True)
            values["BERTCOURSE_ARTIFACTS"] = str(folder)
        # nbgrader grades one notebook at a time, so the process environment is safe
        # to change around each kernel's start.
        with environment(values):
            return super().preprocess(nb, resources, *args, **kwargs)
