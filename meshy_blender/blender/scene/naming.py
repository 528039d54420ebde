"""Object and collection names derived from a prompt: readable, safe, and within Blender's limit.

Blender names are at most 63 bytes of UTF-8; longer names are cut silently (possibly mid
character), so we cut at a word boundary ourselves and keep room for ``.001`` suffixes.
"""

from __future__ import annotations

import re

MAX_NAME_BYTES = 40
FALLBACK_NAME = "Meshy"
_UNSAFE = re.compile(r"[^\w\- ]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def safe_name(text: str, *, max_bytes: int = MAX_NAME_BYTES, fallback: str = FALLBACK_NAME) -> str:
    """A short display name from free text (a prompt): punctuation and control chars dropped."""
    cleaned = _SPACES.sub(" ", _UNSAFE.sub(" ", text or "")).strip(" _-")
    if not cleaned:
        return fallback
    if len(cleaned.encode("utf-8")) <= max_bytes:
        return cleaned
    words, out = cleaned.split(" "), ""
    for word in words:
        candidate = f"{out} {word}".strip()
        if len(candidate.encode("utf-8")) > max_bytes:
            break
        out = candidate
    if not out:  # one very long word: cut by characters, never inside a UTF-8 sequence
        out = cleaned.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
    return out.strip(" _-") or fallback


def child_name(base: str, original: str) -> str:
    """Name for a non-root imported object: the job's name plus what the file called it."""
    return safe_name(f"{base}_{original}", max_bytes=60, fallback=base)
