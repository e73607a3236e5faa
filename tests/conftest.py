"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The real data sets lie beside the repo on course machines and in CI (never inside it).
SHARED_DATA = Path(
    os.environ.get("BERTCOURSE_TEST_DATA") or REPO_ROOT.parent / "shared" / "data"
).resolve()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # Notebooks under tests/ are resources (some deliberately broken), not nbval targets.
    if collection_path.suffix == ".ipynb":
        return True
    return None


@pytest.fixture
def shared_data() -> Path:
    """The folder of real data sets; the test skips where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (set BERTCOURSE_TEST_DATA)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch):
    """Each test starts from the environment's settings, offline."""
    from bertcourse import config

    monkeypatch.setenv("BERTCOURSE_OFFLINE", "1")
    config._current = None
    yield
    config._current = None  # read again from the (restored) environment
