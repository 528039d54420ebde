"""Small read-only API calls (balance, recent tasks, animation library) off the main thread.

A sidebar must never freeze on HTTP, but these calls are not jobs (nothing is paid or imported).
Each call runs on a tiny worker pool; the worker only talks to the client and stores the outcome.
The pump's tick (its timer, the modal watcher, or :meth:`BackgroundCalls.wait` in scripts and
tests) hands finished outcomes to their main-thread callbacks, which may touch bpy: the same
channel and the same redraw as job events.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...client.errors import MeshyError, scrubbed_logger
from . import messages

if TYPE_CHECKING:  # concurrent.futures is imported by the first call, not at start-up
    from concurrent.futures import Future, ThreadPoolExecutor

log = scrubbed_logger(__name__)

@dataclass
class Outcome:
    """What a finished call left for the UI: a value or an error sentence (artist words, see
    ``messages``), and when."""

    value: Any = None
    error: str | None = None
    finished: float = 0.0


class BackgroundCalls:
    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[str, tuple[Future[Any], Callable[[Outcome], None] | None]] = {}
        self.outcomes: dict[str, Outcome] = {}
        self._lock = threading.Lock()
        # Re-arms whatever delivers outcomes (the runtime's timer, which stops when idle).
        self.wake: Callable[[], None] | None = None

    def start(self, name: str, call: Callable[[], Any],
              on_done: Callable[[Outcome], None] | None = None) -> bool:
        """Run ``call`` (no bpy inside!) on a worker; False if ``name`` is already running."""
        with self._lock:
            if name in self._running:
                return False
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="meshy-ui")
            self._running[name] = (self._pool.submit(call), on_done)
        if self.wake is not None:
            self.wake()
        return True

    def running(self, name: str) -> bool:
        with self._lock:
            return name in self._running

    def running_any(self) -> bool:
        with self._lock:
            return bool(self._running)

    def deliver(self) -> list[str]:
        """Main thread: hand finished calls to their callbacks; returns their names."""
        with self._lock:
            done = [(n, f, cb) for n, (f, cb) in self._running.items() if f.done()]
            for name, _, _ in done:
                del self._running[name]
        for name, future, on_done in done:
            outcome = Outcome(finished=time.time())
            exc = future.exception()
            if exc is None:
                outcome.value = future.result()
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
        return [name for name, _, _ in done]

    def wait(self, name: str, timeout: float = 10.0) -> Outcome | None:
        """Block until ``name`` finished and was delivered (headless scripts and tests)."""
        deadline = time.monotonic() + timeout
        while self.running(name) and time.monotonic() < deadline:
            self.deliver()
            time.sleep(0.01)
        self.deliver()
        return self.outcomes.get(name)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
            self._running.clear()
        self.outcomes.clear()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


CALLS = BackgroundCalls()
