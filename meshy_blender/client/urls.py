"""URL facts the add-on needs before any request is made (standard library only).

Kept apart from ``http.py`` so the sidebar and pre-flight checks can ask "is this the local
emulator?" without importing requests/urllib3/ssl when the add-on is enabled.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(url: str) -> bool:
    """True for URLs on this machine (the emulator), which are allowed even when offline."""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
