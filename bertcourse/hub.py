"""Is the Hugging Face Hub reachable? Asked once per process, in well under a second.

``from_pretrained`` retries for about 25 s before it gives up when the Hub cannot
be reached, so the course asks first and then loads with ``local_files_only``.
"""

from __future__ import annotations

import functools
import os
import socket
from urllib.parse import urlparse

from bertcourse.config import settings

HUB_ENDPOINT = os.environ.get("HF_ENDPOINT", "https://huggingface.co")


@functools.lru_cache(maxsize=1)
def _probe_hub(endpoint: str, timeout: float) -> bool:
    parsed = urlparse(endpoint)
    host = parsed.hostname or "huggingface.co"
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def hub_reachable(timeout: float = 2.0) -> bool:
    """``True`` when the Hub may be used: not forced offline and its host answers."""
    if settings().offline:
        return False
    return _probe_hub(HUB_ENDPOINT, timeout)


def forget_hub_probe() -> None:
    """Ask the Hub again next time (after the network came or went)."""
    _probe_hub.cache_clear()
