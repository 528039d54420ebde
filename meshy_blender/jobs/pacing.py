"""Request pacing: as many requests as Meshy's request-rate limit allows, never more.

Meshy documents 20 requests per second per account (Enterprise 100) and answers a request over
the limit with 429 ``RateLimitExceeded`` (nothing created). We assume Meshy counts a sliding
one-second window, as the emulator does (the documentation does not say): at most ``rate``
requests in any one second. A fixed bucket is never stricter than that, so pacing to the sliding
window is safe for both.

The window's burst is used, not an even spacing: 20 creates leave at once, and a batch's first
20 tasks start together instead of over one second. Creates (they start Meshy's clock) go before
stream opens and list polls (the task runs whether or not we watch it yet).

Which rate applies is known from a tier setting; without one (Auto) the pacer starts at the
documented 20/s and, the first time creates wait on a full window while more than 20 tasks are
live (``may_probe``), sends ONE create past it: if Meshy accepts it, the account allows more
than 20/s, which Meshy documents only for Enterprise (100/s); if Meshy answers
``RateLimitExceeded``, the rate is 20/s and nothing was created. On a Pro (or older Studio)
account such a create would have met a full queue anyway; on a Studio one (queue 60) the refused
probe costs one short wait, once. Any later
``RateLimitExceeded`` drops the rate back to the documented base for good.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_RATE = 20.0
ENTERPRISE_RATE = 100.0
WINDOW_S = 1.0
# Our clock starts before the server counts the request (journal write, network, a busy server),
# so a place is held from the moment we send until Meshy answers (``stamp``), and a request whose
# answer we never see is held a little longer than one second.
SLACK_S = 0.1


@dataclass
class Ticket:
    """One request's place in the window; ``probe`` marks the one request sent past the known
    rate to find out whether the account allows more (see the module docstring). ``at`` is the
    latest moment Meshy can have counted it."""

    at: float
    probe: bool = False
    answered: bool = False


class RequestPacer:
    """A sliding one-second window shared by every request of one account (thread-safe)."""

    def __init__(self, rate: float = DEFAULT_RATE, *, known: bool = False,
                 creates_coming: Callable[[], bool] = lambda: False,
                 may_probe: Callable[[], bool] = lambda: True) -> None:
        self.rate = rate
        self.known = known  # False: Auto, the rate may be higher than ``rate`` (one probe)
        # True while jobs are about to create (the queue gate is letting them in): stream opens
        # wait for them, or a batch's first second is spent on streams instead of tasks.
        self.creates_coming = creates_coming
        self.may_probe = may_probe
        self._sent: list[Ticket] = []
        self._urgent = 0  # creates waiting for room
        self._probing = False
        self._lock = threading.Lock()

    def _expired(self, t: Ticket, now: float) -> bool:
        return now - t.at >= (WINDOW_S if t.answered else WINDOW_S + SLACK_S)

    def take(self, cancel: threading.Event | None = None, *, urgent: bool = True,
             probe: bool = True) -> Ticket | None:
        """Block until one more request fits in the window; None if cancelled first. Urgent
        requests (creates) go first; ``probe``: this request may be the rate probe (a create
        whose answer the caller reports with :meth:`answered`)."""
        if urgent:
            with self._lock:
                self._urgent += 1
        try:
            while True:
                with self._lock:
                    now = time.monotonic()
                    self._sent = [t for t in self._sent if not self._expired(t, now)]
                    room = len(self._sent) < max(1, int(self.rate))
                    ticket = None
                    if room and (urgent or not (self._urgent or self.creates_coming())):
                        ticket = Ticket(now)
                    elif not room and urgent and probe and not self.known \
                            and not self._probing and self.may_probe():
                        self._probing = True
                        ticket = Ticket(now, probe=True)
                    if ticket is not None:
                        self._sent.append(ticket)
                        return ticket
                    oldest = min((t.at + (WINDOW_S if t.answered else WINDOW_S + SLACK_S)
                                  for t in self._sent), default=now)
                    pause = max(0.002, oldest - now + 0.002) if not room else 0.01
                if cancel is not None:
                    if cancel.wait(min(pause, 0.1)):
                        return None
                else:
                    time.sleep(min(pause, 0.1))
        finally:
            if urgent:
                with self._lock:
                    self._urgent -= 1

    def wait(self, cancel: threading.Event | None = None, *, urgent: bool = True) -> bool:
        """:meth:`take` for a request whose answer nobody reports (never the probe); False if
        cancelled."""
        return self.take(cancel, urgent=urgent, probe=False) is not None

    def stamp(self, ticket: Ticket) -> None:
        """Meshy answered the request: it was counted by now at the latest."""
        with self._lock:
            ticket.at = time.monotonic()
            ticket.answered = True

    def answered(self, ticket: Ticket, *, limited: bool) -> None:
        """What Meshy said to a paced create: ``limited`` for a 429 ``RateLimitExceeded``."""
        self.stamp(ticket)
        with self._lock:
            if limited:
                self.rate = min(self.rate, DEFAULT_RATE)
                self.known = True
            elif ticket.probe and not self.known:
                self.rate = max(self.rate, ENTERPRISE_RATE)
                self.known = True
            if ticket.probe:
                self._probing = False

    def unanswered(self, ticket: Ticket) -> None:
        """The request failed without an answer to learn from: a probe may be sent again."""
        with self._lock:
            if ticket.probe and not ticket.answered:
                self._probing = False

    def give_back(self, ticket: Ticket) -> None:
        """The request was not sent after all: its place in the window is free again."""
        with self._lock:
            if ticket in self._sent:
                self._sent.remove(ticket)
            if ticket.probe:
                self._probing = False

    def raise_to(self, rate: float, *, known: bool = True) -> None:
        """A tier setting (or other evidence) says the account allows ``rate`` requests/s."""
        with self._lock:
            self.rate = max(self.rate, rate)
            self.known = self.known or known

    def in_window(self) -> int:
        """Requests sent in the last second (for tests and the benchmark)."""
        with self._lock:
            now = time.monotonic()
            return sum(1 for t in self._sent if now - t.at < WINDOW_S)
