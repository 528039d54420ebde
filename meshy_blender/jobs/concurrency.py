"""Adaptive concurrency: as many live Meshy tasks as the account's queue takes, no more.

Meshy's queue limit depends on the account (Pro 10, Premium 30, Studio 60 - 20 on some older
Studio plans -, Ultra and Enterprise 100 or custom) and is not readable through the API. A fixed
pool either holds a big account to Pro speed or, raised on a small account, burns
time in 429 back-off. So the limit is learnt the way TCP learns a window:

- it starts at a tier's limit (or the preference's "concurrent jobs"), and while Meshy accepts
  tasks and the limit is still unknown it grows by one per accepted task (doubling per round);
- a full-queue answer (API v2's 429 ``pending_task_limit_reached`` or
  ``concurrent_task_limit_reached``, v1's ``NoMoreConcurrentTasks`` / ``NoMorePendingTasks`` /
  ``TooManyPendingTasks``: :class:`~meshy_blender.client.errors.QueueFullError`) is not a
  failure and its Retry-After is not a wait time: nothing was created, the limit drops to the
  number of tasks live on Meshy, and the job waits until one of them finishes (or a back-off
  delay, for tasks of other processes);
- once the ceiling is known it is probed again only after ``2 x limit`` accepted tasks in a row,
  so an upgraded account speeds up without a stream of refusals.

A slot is held from "about to create" until the task is over on Meshy (one per job: each job has
at most one live task). Thread-safe; workers call it, the UI and CLI read :meth:`snapshot`.
Requests are paced to the account's request rate by the gate's :class:`~.pacing.RequestPacer`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .pacing import DEFAULT_RATE, RequestPacer, Ticket

# Documented queue limits by plan (Meshy API v2 rate-limits page): starting points only, the
# real limit is learnt.
TIER_LIMITS: Mapping[str, int] = {"PRO": 10, "PREMIUM": 30, "ULTRA": 100, "STUDIO": 60,
                                  "ENTERPRISE": 100}
# Auto sends its one rate probe (pacing.py) only with more tasks live than this: a Pro queue
# (or an older Studio one, 20) is full by then. A Studio account's 60 can still hold the probe:
# it is then refused (RateLimitExceeded, nothing created) and costs one short wait, once.
PROBE_AFTER_LIVE = 20
# Meshy's documented request-rate limit per account (Enterprise: 100/s).
TIER_RATES: Mapping[str, float] = {"PRO": 20.0, "PREMIUM": 20.0, "ULTRA": 20.0, "STUDIO": 20.0,
                                   "ENTERPRISE": 100.0}
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
                 rate: float = DEFAULT_RATE, rate_known: bool = False) -> None:
        self.pacer = RequestPacer(rate, known=rate_known, creates_coming=self._creates_coming,
                                  may_probe=lambda: self.live > PROBE_AFTER_LIVE)
        self.limit = max(1, min(int(start), ceiling))
        self.ceiling = ceiling
        self.live = 0  # slots held (a create in flight or a task live on Meshy)
        self.on_meshy = 0  # of those, tasks Meshy accepted and that have not ended
        self.waiting = 0
        self.arriving = 0  # callers submitting many jobs right now (see :meth:`arrivals`)
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

    def _creates_coming(self) -> bool:
        """Jobs wait at the gate and can create now, or will as soon as a create in flight is
        accepted (while learning, each accepted task opens a place). Read without the lock: a
        hint for the pacer's ordering, never for counting."""
        if not (self.waiting or self.arriving):
            return False
        return self.live < self.limit or (not self.ceiling_known and self.live > self.on_meshy)

    @contextmanager
    def arrivals(self) -> Iterator[None]:
        """While a batch submits its rows (journalling each takes a moment), the creates still
        to come go before stream opens of the rows already on Meshy."""
        with self._cond:
            self.arriving += 1
        try:
            yield
        finally:
            with self._cond:
                self.arriving -= 1

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
            # (A queue above Studio's 20 does not mean Enterprise's request rate: Premium and
            # Ultra queues are larger too. The pacer's probe finds the rate out.)
            if not self.ceiling_known:
                self.limit = min(self.ceiling, self.limit + 1)
            elif self._streak >= 2 * self.limit:
                self._streak = 0
                self.limit = min(self.ceiling, self.limit + 1)
            self._cond.notify_all()

    def fits(self) -> bool:
        """A held place is still within the limit (it may have shrunk on a full-queue answer
        while this job waited for the request window)."""
        with self._cond:
            return self.live <= self.limit

    def refused(self, cancel: threading.Event | None, wait: float, *,
                answer: bool = True) -> bool:
        """A full-queue answer for a slot this thread held (``answer=False``: the limit shrank
        before the request went out): give the slot back, shrink to the tasks live now, and wait
        until one finishes (at most ``wait`` seconds, since tasks of other processes free room
        without telling us). False if cancelled meanwhile."""
        with self._cond:
            self.live -= 1
            if answer:
                self.full_answers += 1
                self._streak = 0
                self.ceiling_known = True
                # Meshy's queue holds exactly the tasks it accepted and that have not ended
                # (creates still in flight are not in it yet).
                self.limit = max(1, min(self.limit, self.on_meshy))
            seen = self._releases
            self._cond.notify_all()
            remaining = max(0.0, wait)
            # Not counted as waiting: it waits for a task to end, which a stream open may be
            # the one to notice (stream opens give way to ``waiting`` creates).
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

    def cap(self, most: int) -> None:
        """At most ``most`` live tasks from this process, whatever Meshy accepts: several
        workers sharing one account's queue each take their share (``--max-in-flight``, the
        "Max Tasks on Meshy" preference). 0 lifts the cap (the queue is learnt again)."""
        with self._cond:
            self.ceiling = max(1, int(most)) if int(most) > 0 else CEILING
            self.limit = min(self.limit, self.ceiling)
            self._cond.notify_all()

    def raise_start(self, start: int, rate: float | None = None) -> None:
        """Start from at least ``start`` (a tier setting) while the real limit is unknown."""
        if rate:
            self.pacer.raise_to(rate)
        with self._cond:
            if not self.ceiling_known:
                self.limit = max(self.limit, min(int(start), self.ceiling))
                self._cond.notify_all()


class Slot:
    """One job step's place in the gate (a no-op without a gate), so the runner never frees a
    place twice or forgets one."""

    def __init__(self, gate: AdaptiveLimit | None) -> None:
        self.gate = gate
        self.held = False
        self.on_meshy = False  # the held place's task was accepted by Meshy
        self.ticket: Ticket | None = None  # the last paced request's place in the window

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
        """Wait for room in the request-rate window (no-op without a gate); False when
        cancelled. Tell :meth:`answered` what Meshy said to a create."""
        if self.gate is None:
            return True
        self.ticket = self.gate.pacer.take(cancel, urgent=urgent)
        return self.ticket is not None

    def stamp(self) -> None:
        """Meshy answered the last paced request (a stream opened): see RequestPacer.stamp."""
        if self.gate is not None and self.ticket is not None:
            self.gate.pacer.stamp(self.ticket)
            self.ticket = None

    def answered(self, *, limited: bool) -> bool:
        """Meshy answered the paced request (``limited``: 429 ``RateLimitExceeded``). True
        when it was the rate probe: a refused probe needs no back-off, only the window."""
        ticket, self.ticket = self.ticket, None
        if self.gate is None or ticket is None:
            return False
        self.gate.pacer.answered(ticket, limited=limited)
        return ticket.probe

    def refused(self, cancel: threading.Event, wait: float, *, answer: bool = True) -> bool:
        """Full queue: give the place back and wait for room; False when cancelled."""
        if self.gate is None or not self.held:
            return not cancel.wait(wait)
        self.held = False
        return self.gate.refused(cancel, wait, answer=answer)

    def paced_and_fits(self, cancel: threading.Event, wait: float) -> bool:
        """Pace a create, and if the queue limit shrank meanwhile (another job's full-queue
        answer) give the window place back and wait for room instead of sending a create Meshy
        would refuse. False when cancelled."""
        while True:
            if not self.pace(cancel):
                return False
            if self.gate is None or self.gate.fits():
                return True
            if self.ticket is not None:
                self.gate.pacer.give_back(self.ticket)
                self.ticket = None
            if not (self.refused(cancel, wait, answer=False) and self.take(cancel)):
                return False

    def free(self) -> None:
        if self.gate is not None and self.ticket is not None:
            self.gate.pacer.unanswered(self.ticket)
            self.ticket = None
        if self.gate is not None and self.held:
            self.held = False
            self.gate.release(accepted=self.on_meshy)
            self.on_meshy = False
