"""Where the course keeps what it makes: models saved by one lesson for a later one."""

from __future__ import annotations

import os
from pathlib import Path


def artifacts_dir() -> Path:
    """``BERTCOURSE_ARTIFACTS`` if set, else ``~/.cache/bertcourse/artifacts`` (created)."""
    raw = os.environ.get("BERTCOURSE_ARTIFACTS", "").strip()
    path = Path(raw).expanduser() if raw else Path.home() / ".cache" / "bertcourse" / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def lesson_artifact(lesson_id: str) -> Path:
    """The folder a lesson saves its fine-tuned model in (not created)."""
    return artifacts_dir() / lesson_id
