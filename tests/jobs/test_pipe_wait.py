"""The worker pipe's round-trip wait (jobs/pipe.py): it sleeps in the kernel until bytes arrive,
wakes for a message or EOF at once, and still gives up at its timeout."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from meshy_blender.jobs.pipe import PipeChannel

pytestmark = pytest.mark.skipif(sys.platform == "win32",
                                reason="the select wait is POSIX; Windows peeks (not run here)")


@pytest.fixture
def channels():
    """Two ends of a pipe pair: ``near`` waits, ``far`` writes."""
    a_read, b_write = os.pipe()
    b_read, a_write = os.pipe()
    near = PipeChannel(a_read, a_write)
    far = PipeChannel(b_read, b_write, blocking_reads=True)
    yield near, far
    near.close()
    far.close()


def _count_reads(channel: PipeChannel) -> list[int]:
    """Count the channel's read attempts (a sleep loop makes one per millisecond)."""
    count = [0]
    read = channel._read_available

    def counted() -> None:
        count[0] += 1
        read()

    channel._read_available = counted  # type: ignore[method-assign]
    return count


def test_a_wait_with_nothing_to_read_sleeps_until_its_timeout(channels):
    near, _far = channels
    reads = _count_reads(near)
    t0 = time.monotonic()
    assert near.wait(0.3) == []
    assert time.monotonic() - t0 >= 0.29
    assert reads[0] <= 3  # one read before and after the sleep: no polling loop


def test_a_wait_returns_the_message_that_arrives_meanwhile(channels):
    near, far = channels
    reads = _count_reads(near)
    timer = threading.Timer(0.2, far.send, args=({"re": 1, "value": "pong"},))
    timer.start()
    try:
        t0 = time.monotonic()
        assert near.wait(10.0) == [{"re": 1, "value": "pong"}]
        assert time.monotonic() - t0 < 5.0
    finally:
        timer.join()
    assert reads[0] <= 4


def test_a_wait_ends_when_the_writer_is_gone(channels):
    near, far = channels

    def hang_up() -> None:
        os.close(far.write_fd)
        far.write_fd = -1  # closed once: the fixture's close skips it

    timer = threading.Timer(0.1, hang_up)
    timer.start()
    try:
        assert near.wait(10.0) == []
        assert near.eof
    finally:
        timer.join()
