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
from collections.abc import Callable
from typing import Any, TypeVar

import requests

from . import errors as e

T = TypeVar("T")

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


def call_cancellable(fn: Callable[[], T], cancel: threading.Event | None,
                     cleanup: Callable[[T], None] | None = None) -> T:
    """Run a blocking call (e.g. waiting for response headers) so ``cancel`` interrupts it.

    Without an event it simply calls ``fn``. With one, ``fn`` runs on a helper thread; on
    cancel we stop waiting at once and the helper finishes on its own (bounded by the request
    timeout), handing any late result to ``cleanup`` (e.g. closing the response).
    """
    if cancel is None:
        return fn()
    if cancel.is_set():
        raise e.CancelledError()
    box: dict[str, Any] = {}
    finished = threading.Event()
    lock = threading.Lock()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc
        with lock:
            finished.set()
            late = box.get("abandoned") and "value" in box
        if late and cleanup is not None:
            with contextlib.suppress(Exception):
                cleanup(box["value"])

    threading.Thread(target=run, name="meshy-call", daemon=True).start()
    while not finished.wait(TICK):
        if cancel.is_set():
            with lock:
                if not finished.is_set():
                    box["abandoned"] = True
                    raise e.CancelledError()
    if "error" in box:
        err = box.pop("error")
        raise err
    return box["value"]
