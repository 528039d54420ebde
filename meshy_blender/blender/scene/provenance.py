"""Provenance custom properties (``meshy_*``) on imported root objects.

They are saved into the .blend and travel with it, so nothing secret or short-lived may land
there: values that are URLs (signed asset links expire and carry signatures) or look like an
API key are dropped, never stored. What the artist wrote (the prompt) is kept as written even
when it mentions a "bearer" or an ``msy_...`` shot name: the key never enters a prompt (it
lives in the client's headers only); only a link, or the registered key itself, drops it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...client.errors import mask_secrets, scrubbed_logger

log = scrubbed_logger(__name__)

PREFIX = "meshy_"
_URL = re.compile(r"://|^\s*data:|\bwww\.", re.IGNORECASE)
_KEY = re.compile(r"msy[_-][A-Za-z0-9_-]{6,}", re.IGNORECASE)
_BEARER = re.compile(r"\bbearer\s+\S+", re.IGNORECASE)

Scalar = str | int | float | bool
USER_TEXT = frozenset({"meshy_prompt"})  # written by the artist: never pattern-matched for keys


def is_secret_or_url(value: str) -> bool:
    """True for text that must never be stored: a link, a data URI, or something key-like."""
    return bool(_URL.search(value) or _KEY.search(value) or _BEARER.search(value))


def _clean_value(value: object) -> Scalar | None:
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return None if is_secret_or_url(value) else value
    if isinstance(value, list | tuple):
        parts = [_clean_value(v) for v in value]
        if any(p is None for p in parts):
            return None
        return ", ".join(str(p) for p in parts)
    return None  # dicts, None, objects: no meaningful custom-property form


def clean_provenance(provenance: Mapping[str, object]) -> dict[str, Scalar]:
    """Keys normalised to ``meshy_<key>``; unsafe or unsupported values dropped (and logged by
    key only, never by value)."""
    clean: dict[str, Scalar] = {}
    for raw_key, raw_value in provenance.items():
        key = str(raw_key)
        key = key if key.startswith(PREFIX) else PREFIX + key
        if raw_value is None:
            continue
        if key in USER_TEXT and isinstance(raw_value, str):
            value: Scalar | None = (None if _URL.search(raw_value)
                                    or mask_secrets(raw_value) != raw_value else raw_value)
        else:
            value = _clean_value(raw_value)
        if value is None:
            log.warning("provenance %s dropped: not storable or looks like a URL/key", key)
            continue
        clean[key[:63]] = value
    return clean


def apply_provenance(obj: Any, provenance: Mapping[str, Scalar]) -> None:
    """Write cleaned provenance onto a Blender ID as custom properties."""
    for key, value in provenance.items():
        obj[key] = value


def read_provenance(obj: Any) -> dict[str, object]:
    """The ``meshy_*`` custom properties of a Blender ID."""
    return {k: obj[k] for k in obj.keys() if k.startswith(PREFIX)}  # noqa: SIM118 (ID props)
