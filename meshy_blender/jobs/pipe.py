"""Length-framed JSON messages over a pipe, read by Blender's main thread without blocking.

Why not threads or pickle: no Python thread of ours may run in Blender's process (any thread
running Python while the main thread calls an operator under a context override corrupts memory
on Python 3.11), so the main thread reads the worker's pipe itself, from the pump's tick, and
never waits on it. Messages are JSON (a 4-byte big-endian length, then UTF-8 JSON): no code
travels over the pipe.

Reading without blocking: on POSIX the read end is switched to non-blocking and read until it
would block; a round trip that needs an answer sleeps in ``poll``/``select`` until bytes
arrive. On Windows (anonymous pipes cannot be non-blocking there before Python 3.12) the
plausible path is the one ``multiprocessing`` uses: ``_winapi.PeekNamedPipe`` says how many
bytes wait, and exactly that many are read; see :meth:`PipeChannel._read_available`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import struct
import sys
import time
from typing import Any

HEADER = struct.Struct("!I")
MAX_MESSAGE = 64 * 1024 * 1024
_CHUNK = 1 << 16


class PipeClosed(Exception):
    """The other end of the pipe is gone (its process exited or died)."""


class PipeChannel:
    """One reading and one writing file descriptor, framed JSON both ways.

    ``blocking_reads``: the worker's reader thread blocks on reads; Blender's side never does
    (it calls :meth:`poll`)."""

    def __init__(self, read_fd: int, write_fd: int, *, blocking_reads: bool = False) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.blocking_reads = blocking_reads
        self.eof = False
        self._buffer = bytearray()
        if not blocking_reads and sys.platform != "win32":
            os.set_blocking(read_fd, False)

    # -- writing ---------------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        """Write one message (blocks only while the pipe is full; the reader drains it)."""
        data = json.dumps(message, separators=(",", ":"), default=str).encode("utf-8")
        view = memoryview(HEADER.pack(len(data)) + data)
        try:
            while view:
                written = os.write(self.write_fd, view)
                view = view[written:]
        except (BrokenPipeError, OSError) as exc:
            raise PipeClosed(str(exc)) from None

    # -- reading ---------------------------------------------------------------------------
    def poll(self) -> list[dict[str, Any]]:
        """The complete messages that arrived so far; never waits. Sets ``eof`` when the
        writer is gone (messages before that are still returned)."""
        if not self.eof:
            self._read_available()
        return self._messages()

    def wait(self, timeout: float) -> list[dict[str, Any]]:
        """Messages arrived within ``timeout`` seconds (at least one, unless the time ran out
        or the writer is gone): for round trips, which must never wait forever."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.poll()
            left = deadline - time.monotonic()
            if messages or self.eof or left <= 0:
                return messages
            self.wait_readable(left)

    def wait_readable(self, timeout: float) -> None:
        """Sleep until the read end has bytes (or EOF) or ``timeout`` passes: on POSIX the
        kernel wakes us (``select``), so an answer is read the moment it lands and an idle
        wait costs no CPU. Windows cannot ``select`` a pipe: peek every millisecond."""
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            time.sleep(min(0.001, timeout))
            return
        import select

        if hasattr(select, "poll"):  # no FD_SETSIZE limit on the descriptor's number
            poller = select.poll()
            poller.register(self.read_fd, select.POLLIN)
            poller.poll(max(1, math.ceil(timeout * 1000)))
        else:  # pragma: no cover - a POSIX without poll()
            select.select([self.read_fd], [], [], timeout)

    def read_blocking(self) -> list[dict[str, Any]]:
        """Worker side: block until at least one message arrives; PipeClosed at EOF."""
        while True:
            messages = self._messages()
            if messages:
                return messages
            if self.eof:
                raise PipeClosed("the other process closed the pipe")
            chunk = os.read(self.read_fd, _CHUNK)
            if not chunk:
                self.eof = True
            self._buffer += chunk

    def _read_available(self) -> None:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import _winapi
            import msvcrt

            handle = msvcrt.get_osfhandle(self.read_fd)
            try:
                available = _winapi.PeekNamedPipe(handle, 0)[0]
            except OSError:  # ERROR_BROKEN_PIPE: the writer is gone
                self.eof = True
                return
            while available > 0:
                chunk = os.read(self.read_fd, min(available, _CHUNK))
                if not chunk:
                    self.eof = True
                    return
                self._buffer += chunk
                available -= len(chunk)
            return
        while True:
            try:
                chunk = os.read(self.read_fd, _CHUNK)
            except BlockingIOError:
                return
            except OSError:
                self.eof = True
                return
            if not chunk:
                self.eof = True
                return
            self._buffer += chunk

    def _messages(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while len(self._buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self._buffer)
            if size > MAX_MESSAGE:
                raise PipeClosed(f"a {size}-byte message on the worker pipe: not ours")
            if len(self._buffer) < HEADER.size + size:
                break
            data = bytes(self._buffer[HEADER.size:HEADER.size + size])
            del self._buffer[:HEADER.size + size]
            out.append(json.loads(data.decode("utf-8")))
        return out

    def close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
