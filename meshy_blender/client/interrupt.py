"""Unblock a streaming response's socket read when the user cancels or the stream stalls.

A thread blocked in ``recv`` does not look at a ``threading.Event``. Shutting the socket down
from a watcher thread makes that read return at once, so cancelling is prompt (well under half
a second) even in the middle of an SSE read or a large download.

One watcher thread looks after every stream and download of the process, and the blocking calls
:func:`call_cancellable` hands off run on reused helper threads: a thread started per request
and per download (a batch row made seven) cost a thread start each, and 40 rows finishing
together waited for each other's starts and for 40 watchers waking 20 times a second.
"""

from __future__ import annotations

import contextlib
import queue
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
        # Held while the watcher looks at this watch: once __exit__ has it, nothing fires (the
        # connection may go back to the pool and serve another request).
        self._lock = threading.Lock()
        self._done = False
        self._watched = False
        self.reason: str | None = None

    def touch(self) -> None:
        self._last = time.monotonic()

    def __enter__(self) -> Watchdog:
        if self._cancel is not None or self._stall is not None or self._deadline is not None:
            self._watched = True
            _WATCHER.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
        if self._watched:
            _WATCHER.remove(self)

    def check(self, now: float) -> None:
        """The watcher's look (every TICK): fire on cancel, a stall or the deadline."""
        with self._lock:
            if self._done or self.reason:
                return
            if self._cancel is not None and self._cancel.is_set():
                self._fire("cancel")
            elif self._stall is not None and now - self._last > self._stall:
                self._fire("stall")
            elif self._deadline is not None and now >= self._deadline:
                self._fire("deadline")

    def _fire(self, reason: str) -> None:
        self.reason = reason
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):
            self._resp.close()


class _Watcher:
    """The one thread that checks every active :class:`Watchdog` each TICK (started with the
    first, asleep while there is none)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dogs: set[Watchdog] = set()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, dog: Watchdog) -> None:
        with self._lock:
            self._dogs.add(dog)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="meshy-watchdog",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def remove(self, dog: Watchdog) -> None:
        with self._lock:
            self._dogs.discard(dog)

    def _run(self) -> None:
        while True:
            with self._lock:
                dogs = list(self._dogs)
                if not dogs:
                    self._wake.clear()
            if not dogs:
                self._wake.wait()
                continue
            time.sleep(TICK)
            now = time.monotonic()
            for dog in dogs:
                dog.check(now)


class _Helpers:
    """Daemon threads that run :func:`call_cancellable`'s calls, each reused once its call is
    over (as many as calls ever ran at once; idle ones wait on a queue)."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0

    def run(self, call: Callable[[], None]) -> None:
        with self._lock:
            start = not self._idle
            if not start:
                self._idle -= 1  # that idle helper (or another) takes this call
        if start:
            threading.Thread(target=self._serve, name="meshy-call", daemon=True).start()
        self._calls.put(call)

    def _serve(self) -> None:
        while True:
            call = self._calls.get()
            with contextlib.suppress(BaseException):  # the calls catch their own errors
                call()
            with self._lock:
                self._idle += 1


_WATCHER = _Watcher()
_HELPERS = _Helpers()


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

    _HELPERS.run(run)
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
