"""One-line notices that tell a student which model or data source served a call."""

from __future__ import annotations

import sys

_seen: set[str] = set()


def notify(message: str, *, once: bool = True) -> None:
    """Print ``[bertcourse] message`` on stdout (shown in notebooks and logs).

    Args:
        message: one line, saying what was used.
        once: print a given message only the first time in this process.
    """
    if once and message in _seen:
        return
    _seen.add(message)
    print(f"[bertcourse] {message}", file=sys.stdout, flush=True)
