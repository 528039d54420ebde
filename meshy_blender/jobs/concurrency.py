"""Adaptive concurrency: as many live Meshy tasks as the account's queue takes, no more.

Meshy's queue limit depends on the account (Pro 10, Studio 20, Enterprise 50 or more) and is not
readable through the API. A fixed pool either holds a big account to Pro speed or, raised on a
small account, burns time in 429 back-off. So the limit is learnt the way TCP learns a window:

- it starts at a tier's limit (or the preference's "concurrent jobs"), and while Meshy accepts
  tasks and the limit is still unknown it grows by one per accepted task (doubling per round);
- a full-queue answer (``NoMoreConcurrentTasks`` / ``NoMorePendingTasks`` /
  ``TooManyPendingTasks``, :class:`~meshy_blender.client.errors.QueueFullError`) is not a
  failure: nothing was created, the limit drops to the number of tasks live on Meshy, and the
  job waits until one of them finishes (or a back-off delay, for tasks of other processes);
- once the ceiling is known it is probed again only after ``2 x limit`` accepted tasks in a row,
  so an upgraded account speeds up without a stream of refusals.

A slot is held from "about to create" until the task is over on Meshy (one per job: each job has
at most one live task). Thread-safe; workers call it, the UI and CLI read :meth:`snapshot`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Documented queue limits by plan: starting points only, the real limit is learnt.
TIER_LIMITS: Mapping[str, int] = {"PRO": 10, "STUDIO": 20, "ENTERPRISE": 50}
# Meshy's documented request-rate limit per account (Enterprise: 100/s).
TIER_RATES: Mapping[str, float] = {"PRO": 20.0, "STUDIO": 20.0, "ENTERPRISE": 100.0}
DEFAULT_RATE = 20.0
DEFAULT_START = 10
CEILING = 200  # never more live tasks than this, whatever Meshy accepts
_WAIT_SLICE = 0.25  # seconds between cancel checks while waiting for a slot


def start_for_tier(tier: str | None, default: int = DEFAULT_START) -> int:
    """The starting limit for a tier name (case-insensitive); ``default`` for none/unknown."""
    return TIER_LIMITS.get(str(tier or "").strip().upper(), default)


def rate_for_tier(tier: str | None) -> float:
    """Requests per second Meshy documents for a tier (20 unless Enterprise)."""
    return TIER_RATES.get(str(tier or "").strip().upper(), DEFAULT_RATE)


@dataclass(frozen=True)
class ConcurrencyState:
    """What the progress line and the benchmark show."""

    limit: int
    live: int
    waiting: int
    accepted: int
    full_answers: int
    ceiling_known: bool


class AdaptiveLimit:
    """A counting gate whose size follows Meshy's answers (see the module docstring)."""

    def __init__(self, start: int = DEFAULT_START, *, ceiling: int = CEILING,
                 rate: float = DEFAULT_RATE) -> None:
        self.pacer = RequestPacer(rate)
        self.limit = max(1, min(int(start), ceiling))
        self.ceiling = ceiling
        self.live = 0  # slots held (a create in flight or a task live on Meshy)
        self.on_meshy = 0  # of those, tasks Meshy accepted and that have not ended
        self.waiting = 0
        self.accepted = 0
        self.full_answers = 0
        self.ceiling_known = False
        self._streak = 0
        self._cond = threading.Condition()
        self._releases = 0

    def acquire(self, cancel: threading.Event | None = None) -> bool:
        """Take a slot, waiting while the limit is reached. False if ``cancel`` was set."""
        with self._cond:
            self.waiting += 1
            try:
                while self.live >= self.limit:
                    if cancel is not None and cancel.is_set():
                        return False
                    self._cond.wait(_WAIT_SLICE)
                self.live += 1
                return True
            finally:
                self.waiting -= 1

    def occupy(self) -> None:
        """Count a task already live on Meshy (a resumed job) without waiting: it is in the
        account's queue whether or not there is room."""
        with self._cond:
            self.live += 1
            self.on_meshy += 1

    def accepted_task(self) -> None:
        """Meshy took the task: grow (fast while the ceiling is unknown, by a probe after)."""
        with self._cond:
            self.accepted += 1
            self.on_meshy += 1
            self._streak += 1
            if not self.ceiling_known:
                self.limit = min(self.ceiling, self.limit + 1)
            if self.on_meshy > TIER_LIMITS["STUDIO"]:
                # More live tasks than Studio's queue: an Enterprise-size account, whose
                # documented request rate is higher too.
                self.pacer.rate = max(self.pacer.rate, TIER_RATES["ENTERPRISE"])
            elif self._streak >= 2 * self.limit:
                self._streak = 0
                self.limit = min(self.ceiling, self.limit + 1)
            self._cond.notify_all()

    def refused(self, cancel: threading.Event | None, wait: float) -> bool:
        """A full-queue answer for a slot this thread held: give the slot back, shrink to the
        tasks live now, and wait until one finishes (at most ``wait`` seconds, since tasks of
        other processes free room without telling us). False if cancelled meanwhile."""
        with self._cond:
            self.full_answers += 1
            self._streak = 0
            self.live -= 1
            self.ceiling_known = True
            # Meshy's queue holds exactly the tasks it accepted and that have not ended (creates
            # still in flight are not in it yet).
            self.limit = max(1, min(self.limit, self.on_meshy))
            seen = self._releases
            self._cond.notify_all()
            remaining = max(0.0, wait)
            while self._releases == seen and remaining > 0:
                if cancel is not None and cancel.is_set():
                    return False
                step = min(_WAIT_SLICE, remaining)
                self._cond.wait(step)
                remaining -= step
            if self._releases == seen and self.live < 1:
                self.limit = max(self.limit, 1)
        return not (cancel is not None and cancel.is_set())

    def release(self, accepted: bool = True) -> None:
        """The task is over on Meshy (or was never created): its queue place is free."""
        with self._cond:
            self.live = max(0, self.live - 1)
            if accepted:
                self.on_meshy = max(0, self.on_meshy - 1)
            self._releases += 1
            self._cond.notify_all()

    def snapshot(self) -> ConcurrencyState:
        with self._cond:
            return ConcurrencyState(self.limit, self.live, self.waiting, self.accepted,
                                    self.full_answers, self.ceiling_known)

    def as_dict(self) -> dict[str, Any]:
        s = self.snapshot()
        return {"limit": s.limit, "live": s.live, "accepted": s.accepted,
                "full_queue_answers": s.full_answers, "ceiling_known": s.ceiling_known}

    def raise_start(self, start: int, rate: float | None = None) -> None:
        """Start from at least ``start`` (a tier setting) while the real limit is unknown."""
        if rate:
            self.pacer.rate = max(self.pacer.rate, rate)
        with self._cond:
            if not self.ceiling_known:
                self.limit = max(self.limit, min(int(start), self.ceiling))
                self._cond.notify_all()


class RequestPacer:
    """Spaces a batch's own requests (creates, stream opens) to Meshy's request-rate limit, in
    the same one-second sliding window Meshy counts: a burst of 40 creates would otherwise get
    "RateLimitExceeded" answers, seconds of back-off and streams degraded to polling."""

    def __init__(self, rate: float = DEFAULT_RATE) -> None:
        self.rate = rate
        self._sent: deque[float] = deque()
        self._urgent = 0  # creates waiting for room
        self._lock = threading.Lock()

    def wait(self, cancel: threading.Event | None = None, *, urgent: bool = True) -> bool:
        """Block until one more request fits in the window; False if cancelled first. Urgent
        requests (creates: they start Meshy's clock) go before others (stream opens: the task
        runs whether or not we watch it yet)."""
        if urgent:
            with self._lock:
                self._urgent += 1
        try:
            while True:
                with self._lock:
                    now = time.monotonic()
                    while self._sent and now - self._sent[0] >= 1.0:
                        self._sent.popleft()
                    room = len(self._sent) < max(1, int(self.rate) - 1)  # 1 spare for polls
                    if room and (urgent or not self._urgent):
                        self._sent.append(now)
                        return True
                    pause = (1.0 - (now - self._sent[0]) + 0.005) if not room else 0.02
                if cancel is not None:
                    if cancel.wait(pause):
                        return False
                else:
                    time.sleep(pause)
        finally:
            if urgent:
                with self._lock:
                    self._urgent -= 1


class Slot:
    """One job step's place in the gate (a no-op without a gate), so the runner never frees a
    place twice or forgets one."""

    def __init__(self, gate: AdaptiveLimit | None) -> None:
        self.gate = gate
        self.held = False
        self.on_meshy = False  # the held place's task was accepted by Meshy

    def take(self, cancel: threading.Event) -> bool:
        """Wait for a place; False when cancelled first."""
        if self.gate is None:
            return not cancel.is_set()
        if not self.held:
            self.held = self.gate.acquire(cancel)
        return self.held

    def occupy(self) -> None:
        if self.gate is not None and not self.held:
            self.gate.occupy()
            self.held = self.on_meshy = True

    def accepted(self) -> None:
        if self.gate is not None and self.held:
            self.on_meshy = True
            self.gate.accepted_task()

    def pace(self, cancel: threading.Event, *, urgent: bool = True) -> bool:
        """Wait for room in the request-rate window (no-op without a gate)."""
        return self.gate is None or self.gate.pacer.wait(cancel, urgent=urgent)

    def refused(self, cancel: threading.Event, wait: float) -> bool:
        """Full queue: give the place back and wait for room; False when cancelled."""
        if self.gate is None or not self.held:
            return not cancel.wait(wait)
        self.held = False
        return self.gate.refused(cancel, wait)

    def free(self) -> None:
        if self.gate is not None and self.held:
            self.held = False
            self.gate.release(accepted=self.on_meshy)
            self.on_meshy = False
