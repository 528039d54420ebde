"""Request pacing (jobs/pacing.py) against the emulator's own request-rate limiter: a batch uses
the whole one-second window (a burst, not an even spacing), never gets a RateLimitExceeded
answer when the rate is known, and on Auto learns whether the account allows more than the
documented 20/s with one probe that never costs a task."""

from __future__ import annotations

import threading
import time

from meshy_blender.jobs import model
from meshy_blender.jobs.concurrency import AdaptiveLimit
from meshy_blender.jobs.pacing import RequestPacer
from meshy_blender.jobs.plans import plan_job

from fixtures.emulator import created_tasks
from fixtures.jobs import wait_finished


def _watch_limiter(emulator, monkeypatch) -> list[tuple[float, bool]]:
    """(server time, allowed) for every API request the emulator's rate limiter judged."""
    seen: list[tuple[float, bool]] = []
    allow = emulator.accounts.allow_request

    def recording(key: str) -> bool:
        ok = allow(key)
        seen.append((time.monotonic(), ok))
        return ok

    monkeypatch.setattr(emulator.accounts, "allow_request", recording)
    return seen


def _run(emulator, make_client, make_manager, gate: AdaptiveLimit, n: int) -> list[model.Job]:
    manager = make_manager(make_client(), concurrency=gate)
    with gate.arrivals():  # as a batch submits its rows
        jobs = [manager.submit(plan_job("text-to-3d", {"prompt": f"prop {i}",
                                                       "should_texture": False}))
                for i in range(n)]
    wait_finished(manager, [j.id for j in jobs])
    return jobs


def test_a_known_rate_is_used_as_a_burst_and_never_exceeded(emulator, make_client,
                                                             make_manager, monkeypatch):
    emulator.set_rate_limit(8)
    emulator.queue_limit = 30
    seen = _watch_limiter(emulator, monkeypatch)
    gate = AdaptiveLimit(12, rate=8, rate_known=True)
    t0 = time.monotonic()
    jobs = _run(emulator, make_client, make_manager, gate, 12)
    assert [j.status for j in jobs] == [model.READY] * 12
    assert len(created_tasks(emulator)) == 12
    assert all(ok for _, ok in seen), "a request went over the emulator's rate limit"
    # the first window is used whole: 8 requests (creates first) before a second has passed
    first = [t - t0 for t, _ in seen[:8]]
    assert max(first) < 0.9, first
    creates_first = [r["method"] for r in emulator.requests("api")[:8]]
    assert creates_first == ["POST"] * 8  # stream opens wait while creates are coming


def _rate_limited_answers(emulator, make_client, make_manager, *, server_rate: float,
                          gate: AdaptiveLimit, n: int) -> list[dict]:
    """Run n one-task jobs against an emulator allowing ``server_rate`` requests/s (queue 30);
    every job must end READY. The 429 answers Meshy gave."""
    emulator.set_rate_limit(server_rate)
    emulator.queue_limit = 30
    jobs = _run(emulator, make_client, make_manager, gate, n)
    assert [j.status for j in jobs] == [model.READY] * n
    return [r for r in emulator.requests("api") if r["status"] == 429]


def test_auto_probes_once_and_a_refused_probe_costs_nothing(emulator, make_client,
                                                           make_manager):
    gate = AdaptiveLimit(24)  # Auto: Meshy's documented 20/s, maybe more
    limited = _rate_limited_answers(emulator, make_client, make_manager, server_rate=20,
                                    gate=gate, n=24)
    assert len(limited) == 1 and limited[0]["method"] == "POST"  # the one probe
    assert len(created_tasks(emulator)) == 24  # every row created once, none twice
    assert gate.pacer.known and gate.pacer.rate == 20
    assert gate.full_answers == 0  # a rate-limit answer is not a full queue


def test_auto_never_probes_while_no_more_than_a_studio_queue_is_live(emulator, make_client,
                                                                    make_manager):
    """On a Pro or Studio account a probe could only delay a task: none is sent."""
    gate = AdaptiveLimit(10, rate=6)
    assert not _rate_limited_answers(emulator, make_client, make_manager, server_rate=6,
                                     gate=gate, n=10)
    assert not gate.pacer.known


def test_auto_learns_a_higher_rate_when_the_probe_is_accepted(emulator, make_client,
                                                              make_manager):
    gate = AdaptiveLimit(25, rate=6)
    assert not _rate_limited_answers(emulator, make_client, make_manager, server_rate=100,
                                     gate=gate, n=25)
    assert gate.pacer.known and gate.pacer.rate == 100  # Meshy's documented Enterprise rate


def test_the_window_holds_requests_over_the_rate_until_a_second_has_passed():
    pacer = RequestPacer(5, known=True)
    sent: list[float] = []
    t0 = time.monotonic()

    def send() -> None:
        assert pacer.wait()
        sent.append(time.monotonic() - t0)

    threads = [threading.Thread(target=send) for _ in range(7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent.sort()
    assert max(sent[:5]) < 0.9  # a burst of the whole rate...
    assert min(sent[5:]) >= 1.0  # ...and nothing more until the first of them is a second old


def test_a_stream_open_waits_while_creates_are_coming():
    """Urgent requests (creates) go before others when both wait for the window."""
    pacer = RequestPacer(2, known=True)
    assert pacer.wait() and pacer.wait()  # the window is full
    order: list[str] = []

    def request(name: str, urgent: bool) -> None:
        assert pacer.wait(urgent=urgent)
        order.append(name)

    stream = threading.Thread(target=request, args=("stream", False))
    stream.start()
    time.sleep(0.1)
    create = threading.Thread(target=request, args=("create", True))
    create.start()
    stream.join()
    create.join()
    assert order == ["create", "stream"]


def test_a_probe_without_an_answer_teaches_nothing_and_may_be_sent_again():
    """A probe create that failed ambiguously (dropped connection) says nothing about the rate."""
    pacer = RequestPacer(1)
    assert pacer.take() is not None  # the window is full
    probe = pacer.take()
    assert probe is not None and probe.probe
    pacer.unanswered(probe)
    assert not pacer.known and pacer.rate == 1
    again = pacer.take()
    assert again is not None and again.probe
    pacer.answered(again, limited=True)
    assert pacer.known and pacer.rate == 1
