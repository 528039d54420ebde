"""Server-Sent Events parsing over a streamed ``requests`` response.

Bytes are handed over as soon as they arrive (``read1``), not when a fixed-size buffer fills,
otherwise a small final frame could sit unread and completion would be noticed late.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests


@dataclass(frozen=True)
class Event:
    event: str
    data: str


def iter_chunks(resp: requests.Response, size: int = 65536) -> Iterator[bytes]:
    """Yield body bytes as they arrive (de-chunked, decoded)."""
    raw: Any = resp.raw
    if hasattr(raw, "read1"):  # urllib3 >= 2.3
        while True:
            chunk = raw.read1(size)
            if not chunk:
                return
            yield chunk
    elif getattr(raw, "chunked", False) and hasattr(raw, "read_chunked"):
        yield from raw.read_chunked(None, decode_content=True)
    else:  # urllib3 1.26, not chunked: fall back to http.client's read1
        fp = raw._fp
        while True:
            chunk = fp.read1(size)
            if not chunk:
                return
            yield chunk


def parse_events(chunks: Iterator[bytes]) -> Iterator[Event]:
    """SSE framing: ``event:``/``data:`` lines; a blank line dispatches; ``:`` is a comment."""
    buf = b""
    event, data = "message", list[str]()
    for chunk in chunks:
        buf += chunk
        while True:
            idx = _line_end(buf)
            if idx is None:
                break
            line, buf = buf[:idx[0]], buf[idx[1]:]
            text = line.decode("utf-8", errors="replace")
            if not text:
                if data:
                    yield Event(event, "\n".join(data))
                event, data = "message", []
                continue
            if text.startswith(":"):
                continue
            name, _, value = text.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value or "message"
            elif name == "data":
                data.append(value)
    if data:
        yield Event(event, "\n".join(data))


def _line_end(buf: bytes) -> tuple[int, int] | None:
    """(end of line, start of next) for the first complete line, handling \\r\\n, \\n and \\r."""
    n = buf.find(b"\n")
    r = buf.find(b"\r")
    if r != -1 and (n == -1 or r < n):
        if r + 1 == len(buf):
            return None  # may be the first half of \r\n; wait for more
        return (r, r + 2) if buf[r + 1:r + 2] == b"\n" else (r, r + 1)
    if n == -1:
        return None
    return n, n + 1
