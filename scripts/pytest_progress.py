"""pytest plugin used by scripts/run_tests.py: which test was running when Blender died.

It writes one line per event to the file named by ``MESHY_TEST_LOG`` (``start``/``end`` of each
test, ``failed`` for any failed phase), flushed before the next step runs, so that after a native
crash (pytest's own output stops mid-line) the runner can name the test that was running and
the ones that had failed before it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

LOG_ENV = "MESHY_TEST_LOG"


def _write(kind: str, nodeid: str) -> None:
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:  # written before the next test starts
            fh.write(f"{kind}\t{nodeid}\n")


def read_log(path: str | os.PathLike[str]) -> tuple[list[str], set[str], list[str]]:
    """(started in order, ended, failed) test ids from a log written by this plugin."""
    started: list[str] = []
    ended: set[str] = set()
    failed: list[str] = []
    file = Path(path)
    if not file.exists():
        return started, ended, failed
    for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
        kind, _, nodeid = line.partition("\t")
        if kind == "start":
            started.append(nodeid)
        elif kind == "end":
            ended.add(nodeid)
        elif kind == "failed" and nodeid not in failed:
            failed.append(nodeid)
    return started, ended, failed


def pytest_runtest_logstart(nodeid: str, location: Any) -> None:
    _write("start", nodeid)


def pytest_runtest_logreport(report: Any) -> None:
    if report.failed:
        _write("failed", report.nodeid)


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    _write("end", nodeid)
