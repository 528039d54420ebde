"""pytest plugin used by scripts/run_tests.py: a run that Blender kills can go on where it died.

It writes one line per event to the file named by ``MESHY_TEST_LOG`` (``start``/``end`` of each
test, ``failed`` for any failed phase), so that after a native crash the runner knows which test
was running and which had finished. With ``MESHY_TEST_RESUME=1`` the tests that already finished
are deselected: every test runs to its end exactly once, and its result is the one it had.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

LOG_ENV = "MESHY_TEST_LOG"
RESUME_ENV = "MESHY_TEST_RESUME"


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


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    log = os.environ.get(LOG_ENV)
    if not log or os.environ.get(RESUME_ENV) != "1":
        return
    _, ended, _ = read_log(log)
    done = [item for item in items if item.nodeid in ended]
    if done:
        config.hook.pytest_deselected(items=done)
        items[:] = [item for item in items if item.nodeid not in ended]
