"""Unblock a streaming response's socket read when the user cancels or the stream stalls.

A thread blocked in ``recv`` does not look at a ``threading.Event``. Shutting the socket down
from a small watcher thread makes that read return at once, so cancelling is prompt (well under
half a second) even in the middle of an SSE read or a large download.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import requests

TICK = 0.05


def _socket_of(resp: requests.Response) -> socket.socket | None:
    raw: Any = resp.raw
    conn = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        return sock
    fp = getattr(getattr(raw, "_fp", None), "fp", None)
    sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


class Watchdog:
    """Context manager: while active, cancel / stall / deadline interrupt ``resp``.

    ``touch()`` marks progress; ``reason`` says why it fired ("cancel", "stall", "deadline").
    """

    def __init__(self, resp: requests.Response, cancel: threading.Event | None = None,
                 stall_seconds: float | None = None, deadline: float | None = None) -> None:
        self._resp = resp
        self._sock = _socket_of(resp)
        self._cancel = cancel
        self._stall = stall_seconds
        self._deadline = deadline
        self._last = time.monotonic()
        self._done = threading.Event()
        self.reason: str | None = None
        self._thread: threading.Thread | None = None

    def touch(self) -> None:
        self._last = time.monotonic()

    def __enter__(self) -> Watchdog:
        if self._cancel is not None or self._stall is not None or self._deadline is not None:
            self._thread = threading.Thread(target=self._watch, name="meshy-watchdog",
                                            daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def _watch(self) -> None:
        while not self._done.wait(TICK):
            now = time.monotonic()
            if self._cancel is not None and self._cancel.is_set():
                self._fire("cancel")
            elif self._stall is not None and now - self._last > self._stall:
                self._fire("stall")
            elif self._deadline is not None and now >= self._deadline:
                self._fire("deadline")
            if self.reason:
                return

    def _fire(self, reason: str) -> None:
        self.reason = reason
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):
            self._resp.close()
