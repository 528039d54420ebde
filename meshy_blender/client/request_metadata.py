"""Who a task is for (project, shot, batch row id): Meshy API v2's ``X-Meshy-Metadata`` header.

Meshy reports a Studio / Enterprise team key's credits per these labels (other keys: ignored).
The header is W3C baggage: at most 64 ``key=value`` pairs and 8192 bytes, a bad one is a 400
``metadata_invalid``, so the ``metadata`` option is checked here before any request and sent as
the header, never in the body. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .errors import ValidationError

HEADER = "X-Meshy-Metadata"
MAX_PAIRS = 64
MAX_BYTES = 8192
_KEY = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # an HTTP token (baggage key)


def check(name: str, value: Any) -> dict[str, str]:
    """``{"project": "pilot", "shot": "sh010", "row": 12}`` as text labels, or a sentence
    naming ``name`` saying what is wrong."""
    if not isinstance(value, Mapping) or not value:
        raise ValidationError(f"'{name}' must be labels like {{\"project\": \"pilot\", "
                              f"\"shot\": \"sh010\"}}.", field=name)
    labels: dict[str, str] = {}
    for key, label in value.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValidationError(f"'{name}' label name {key!r} may hold only letters, digits "
                                  "and - _ . (no spaces).", field=name)
        if isinstance(label, bool) or not isinstance(label, str | int | float):
            raise ValidationError(f"'{name}' label {key!r} must be text or a number "
                                  f"(got {label!r}).", field=name)
        labels[key] = str(label)
    if len(labels) > MAX_PAIRS:
        raise ValidationError(f"'{name}' holds {len(labels)} labels; Meshy takes at most "
                              f"{MAX_PAIRS}.", field=name)
    size = len(header(labels).encode())
    if size > MAX_BYTES:
        raise ValidationError(f"'{name}' is {size:,} bytes as sent; Meshy takes at most "
                              f"{MAX_BYTES:,}.", field=name)
    return labels


def header(labels: Mapping[str, str]) -> str:
    """The baggage text: ``project=pilot,shot=sh010`` (values percent-encoded)."""
    return ",".join(f"{key}={quote(str(value), safe='')}" for key, value in labels.items())


__all__ = ["HEADER", "MAX_BYTES", "MAX_PAIRS", "check", "header"]
