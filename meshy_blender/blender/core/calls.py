"""Small read-only API calls (balance, recent tasks, animation library) that never block a draw.

A sidebar must never freeze on HTTP, but these calls are not jobs (nothing is paid or imported).
Each call is a read the jobs worker process answers (``RemoteClient.later``, jobs/remote.py):
no thread and no HTTP in Blender's process. The pump's tick reads the worker's pipe (its
timer, the modal watcher, or :meth:`BackgroundCalls.wait` in scripts and tests) and hands
finished outcomes to their main-thread callbacks, which may touch bpy: the same channel and the
same redraw as job events.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...client.errors import LazyLogger, MeshyError
from . import messages

if TYPE_CHECKING:
    from ...jobs.remote_client import RemoteRead

log = LazyLogger(__name__)

@dataclass
class Outcome:
    """What a finished call left for the UI: a value or an error sentence (artist words, see
    ``messages``), and when."""

    value: Any = None
    error: str | None = None
    finished: float = 0.0


class BackgroundCalls:
    def __init__(self) -> None:
        self._running: dict[str, tuple[RemoteRead, Callable[[Outcome], None] | None]] = {}
        # name -> (value, error) answered by the worker, not yet handed to its callback
        self._answered: dict[str, tuple[Any, BaseException | None]] = {}
        self.outcomes: dict[str, Outcome] = {}
        # Re-arms whatever delivers outcomes (the runtime's timer, which stops when idle).
        self.wake: Callable[[], None] | None = None

    def start(self, name: str, call: RemoteRead,
              on_done: Callable[[Outcome], None] | None = None) -> bool:
        """Ask the worker for ``call``; False if ``name`` is already running."""
        if name in self._running:
            return False
        self._running[name] = (call, on_done)

        def answered(value: Any, error: BaseException | None) -> None:
            if name in self._running and self._running[name][0] is call:
                self._answered[name] = (value, error)

        call.send(answered)
        if self.wake is not None:
            self.wake()
        return True

    def running(self, name: str) -> bool:
        return name in self._running

    def running_any(self) -> bool:
        return bool(self._running)

    def deliver(self) -> list[str]:
        """Main thread: hand answered calls to their callbacks; returns their names."""
        done = [name for name in self._running if name in self._answered]
        for name in done:
            _, on_done = self._running.pop(name)
            value, exc = self._answered.pop(name)
            outcome = Outcome(finished=time.time())
            if exc is None:
                outcome.value = value
            elif isinstance(exc, MeshyError):  # shown in the sidebar: in artist words
                outcome.error = messages.for_error(exc)
            else:
                log.error("Meshy background call %s failed: %s", name, type(exc).__name__)
                outcome.error = f"Unexpected error: {type(exc).__name__}"
            self.outcomes[name] = outcome
            if on_done is not None:
                try:
                    on_done(outcome)
                except Exception:  # a UI callback must not break the timer
                    log.exception("Meshy background callback %s failed", name)
        return done

    def wait(self, name: str, timeout: float = 10.0) -> Outcome | None:
        """Wait until ``name`` finished and was delivered (headless scripts and tests), reading
        the worker's pipe meanwhile."""
        deadline = time.monotonic() + timeout
        while self.running(name) and time.monotonic() < deadline:
            self._read_answers()
            self.deliver()
            time.sleep(0.005)
        self.deliver()
        return self.outcomes.get(name)

    def _read_answers(self) -> None:
        for call, _ in list(self._running.values()):
            call.jobs.poll()

    def shutdown(self) -> None:
        self._running.clear()
        self._answered.clear()
        self.outcomes.clear()


CALLS = BackgroundCalls()
