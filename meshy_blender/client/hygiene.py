"""Key hygiene: what an API key and an API address must look like before anything is sent.

A key pasted with a stray line break, a tab or a zero-width space would otherwise travel into
HTTP headers (a codec traceback, or a header split), the journal and the logs. Keys are trimmed,
every piece of what was given is registered with the one scrubber (:func:`errors.scrub`) first,
and a key that still contains whitespace, control or non-ASCII characters is refused with a
sentence that never shows it. A plain ``http://`` address is refused unless it is this machine
(the emulator): the key would cross the network unencrypted.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from . import errors as e
from .urls import is_loopback


def clean_key(raw: object) -> str:
    """The usable key from ``raw`` (trimmed), or AuthError saying what is wrong with it."""
    if not isinstance(raw, str) or not raw.strip():
        raise e.AuthError("No Meshy API key is set. Add it in the add-on preferences or "
                          "set MESHY_API_KEY.")
    e.register_secret(raw)  # before any check: even a refused key never reaches a message
    key = raw.strip()
    bad = next((c for c in key if c.isspace() or not c.isprintable() or not c.isascii()), None)
    if bad is not None:
        what = ("a space or line break" if bad.isspace()
                else "an invisible or non-ASCII character")
        raise e.AuthError(
            f"The Meshy API key contains {what}, so it cannot be right. Copy it again from "
            "meshy.ai (Settings > API) and paste it without extra characters.")
    return key


def check_base_url(url: str) -> str:
    """``url`` without a trailing slash, or ValidationError for an address that is unusable
    or would send the key in clear text."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise e.ValidationError(f"'{url}' is not a usable Meshy API address (expected "
                                "https://api.meshy.ai).", field="base_url")
    if parts.scheme == "http" and not is_loopback(url):
        raise e.ValidationError(
            f"The Meshy API address '{url}' uses plain http://, which would send your API key "
            "unencrypted. Use https:// (plain http is only allowed on this machine, e.g. the "
            "Meshy emulator).", field="base_url")
    return url.strip().rstrip("/")
