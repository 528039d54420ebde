"""One pace for all of a process's downloads: at most ``MESHY_MAX_DOWNLOAD_MBPS`` MB/s together
(default 100, 0 = no limit).

Why: on a small machine, files landing at loopback or 10 Gb/s speed keep the kernel and the disk
so busy that Blender's main thread stutters whatever the worker's priority (the 2 ms task's
p99 during 5 x 200 MB downloads: 1.99x idle unpaced, 1.04x at 100 MB/s; docs/benchmarks.md).
100 MB/s is above what most links deliver, so a real download is rarely slowed at all.
"""

from __future__ import annotations

import os
import sys
import threading
import time

ENV = "MESHY_MAX_DOWNLOAD_MBPS"
DEFAULT_MBPS = 100.0


class Pacer:
    """A shared schedule: each chunk books the next free slot of ``rate`` bytes per second
    and sleeps until it, so several downloads share the rate instead of each getting it."""

    def __init__(self, mb_per_s: float) -> None:
        self.rate = max(0.0, mb_per_s) * 1024 * 1024
        self._lock = threading.Lock()
        self._next = 0.0

    def pace(self, nbytes: int) -> None:
        """Wait until ``nbytes`` more fit in the rate (no wait when unlimited or behind)."""
        if not self.rate:
            return
        with self._lock:
            now = time.monotonic()
            start = max(self._next, now)
            self._next = start + nbytes / self.rate
        if start > now:
            time.sleep(start - now)


def from_env() -> Pacer:
    """The pace ``MESHY_MAX_DOWNLOAD_MBPS`` asks for; the default when unset, and when not a
    number of MB/s (said on stderr: the worker has no other voice this early)."""
    text = os.environ.get(ENV, "").strip()
    try:
        mbps = float(text) if text else DEFAULT_MBPS
    except ValueError:
        mbps = -1.0
    if not mbps >= 0:  # also NaN
        print(f"Meshy: {ENV}={text!r} is not a number of MB/s (0: no limit); downloads go at "
              f"most {DEFAULT_MBPS:.0f} MB/s", file=sys.stderr)
        mbps = DEFAULT_MBPS
    return Pacer(mbps)


PACER = from_env()

__all__ = ["DEFAULT_MBPS", "ENV", "PACER", "Pacer", "from_env"]
