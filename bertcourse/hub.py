"""Is the Hugging Face Hub reachable? Asked once per process, in well under a second.

``from_pretrained`` retries for about 25 s before it gives up when the Hub cannot
be reached, so the course asks first and then loads with ``local_files_only``.

The question goes through ``huggingface_hub``'s own HTTP session, so it sees the
Hub exactly as the downloads will: the same ``HF_ENDPOINT``, the same proxy settings
(``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) and the same certificates. A raw TCP
connection would call a user behind an HTTPS proxy offline.

:func:`substitute_or_fail` is the one rule for what happens when something asked for
by name cannot come from the Hub: offline on purpose, a notice; fast mode, a visible
:class:`~bertcourse.exceptions.SubstitutionWarning`; full mode, an error.
"""

from __future__ import annotations

import functools
import warnings

from bertcourse.config import settings
from bertcourse.exceptions import HubLoadError, SubstitutionWarning
from bertcourse.notices import notify

#: How to go offline on purpose, quoted in every warning and error.
GO_OFFLINE = (
    "set BERTCOURSE_OFFLINE=1 (or bc.configure(offline=True)) to use the course's offline "
    "sources on purpose"
)


def hub_endpoint() -> str:
    """The Hub address ``huggingface_hub`` uses (``HF_ENDPOINT``, read when it was imported)."""
    from huggingface_hub import constants

    return constants.ENDPOINT


@functools.lru_cache(maxsize=4)
def _probe_hub(endpoint: str, timeout: float) -> bool:
    try:
        import httpx2 as httpx  # the HTTP library of huggingface_hub >= 1.5
    except ImportError:  # pragma: no cover - older huggingface_hub
        import httpx  # type: ignore[no-redef]
    from huggingface_hub import get_session

    # Any HTTP answer from the Hub itself means it is there; a proxy that refuses
    # (407) or a gateway error (502-504) means it is not.
    try:
        response = get_session().head(f"{endpoint}/api/models", timeout=timeout)
    except (httpx.HTTPError, OSError):
        return False
    return response.status_code not in {407, 502, 503, 504}


def hub_reachable(timeout: float = 3.0) -> bool:
    """``True`` when the Hub may be used: not forced offline and it answers over HTTP."""
    if settings().offline:
        return False
    return _probe_hub(hub_endpoint(), timeout)


def forget_hub_probe() -> None:
    """Ask the Hub again next time (after the network came or went)."""
    _probe_hub.cache_clear()


def substitute_or_fail(requested: str, failure: str, substitute: str) -> None:
    """Allow ``substitute`` to stand in for ``requested``, or stop, by the mode's rule.

    Offline on purpose (``BERTCOURSE_OFFLINE=1``) prints a notice; otherwise fast mode
    warns with :class:`SubstitutionWarning` and full mode raises :class:`HubLoadError`.

    Args:
        requested: what was asked for (``"model 'bert-base-cased'"``).
        failure: what went wrong (``"the Hub is out of reach"``, an error message).
        substitute: what would stand in (``"the generated course set"``).

    Raises:
        HubLoadError: in full mode, unless offline on purpose.
    """
    current = settings()
    if current.offline:
        notify(f"{requested}: offline, {substitute} stands in")
        return
    if current.mode == "full":
        raise HubLoadError(
            f"{requested} could not come from the Hugging Face Hub ({failure}). Full mode "
            f"does not substitute silently: fix the connection (HF_ENDPOINT={hub_endpoint()}, "
            f"proxy settings), or {GO_OFFLINE}."
        )
    warnings.warn(
        SubstitutionWarning(
            f"{requested} could not come from the Hugging Face Hub ({failure}): {substitute} "
            f"stands in. Fix the connection, or {GO_OFFLINE}."
        ),
        stacklevel=3,
    )
