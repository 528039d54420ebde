"""`make test`: run pytest in real Blender; a native crash of Blender fails the run.

A crash (SIGSEGV, SIGABRT, SIGBUS) is a bug to fix, never a flake to resume past: it once hid
that imports under ``temp_override`` raced our threads (docs/blender-bug-report.md). When pytest
is killed by a signal this names the test that was running (``scripts/pytest_progress.py`` logs
each test's start and end), repeats the faulthandler stacks Python printed for every thread, and
fails the run. Test failures and errors are reported by pytest as usual; nothing is retried.

    python scripts/run_tests.py [pytest arguments]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pytest_progress import LOG_ENV, read_log

STACK_LINES = 400  # the faulthandler dump of a few threads, kept from pytest's last output
CRASHED = 1  # the run's exit code after a native crash (pytest's own codes otherwise)


def run_pytest(args: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """Run pytest, streaming its output; return its exit code and the last lines it printed."""
    tail: deque[str] = deque(maxlen=STACK_LINES)
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "pytest_progress", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace", bufsize=1, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        tail.append(line)
    return proc.wait(), list(tail)


def crash_signal(code: int) -> int | None:
    """The signal that killed pytest (negative code, or 128+N from a shell), else None."""
    if code < 0:
        return -code
    if code > 128 and code - 128 in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
        return code - 128
    return None


def running_test(log: Path) -> str | None:
    """The test that had started but not ended when pytest died (None: between tests)."""
    started, ended, _ = read_log(log)
    unfinished = [t for t in started if t not in ended]
    return unfinished[-1] if unfinished else None


def fault_stacks(lines: list[str]) -> list[str]:
    """The faulthandler report at the end of pytest's output ("Fatal Python error: ..." and
    each thread's stack), or [] when Python printed none."""
    marker = "Fatal Python error"
    for n in range(len(lines) - 1, -1, -1):
        at = lines[n].find(marker)  # may follow pytest's progress dots on the same line
        if at >= 0:
            return [lines[n][at:], *lines[n + 1:]]
    return []


def crash_report(sig: int, log: Path, tail: list[str]) -> str:
    """What the run says after a native crash: the signal, the running test, the failures
    before it, and the stacks."""
    _, ended, failed = read_log(log)
    test = running_test(log) or "between tests"
    stacks = fault_stacks(tail)
    parts = [f"\n*** Blender crashed in native code ({signal.Signals(sig).name}) while running: "
             f"{test}",
             f"*** The run fails: a native crash is a bug, never resumed past "
             f"({len(ended)} tests had ended; {len(failed)} failed"
             f"{': ' + ', '.join(failed) if failed else ''}).",
             "*** Stacks at the crash (faulthandler):" if stacks else
             "*** Python printed no stacks (was faulthandler disabled?)."]
    return "\n".join(parts) + "\n" + "".join(stacks)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="meshy-tests-") as tmp:
        log = Path(tmp) / "progress.log"
        scripts = str(Path(__file__).resolve().parent)
        env = {**os.environ, LOG_ENV: str(log),
               "PYTHONPATH": os.pathsep.join(p for p in (scripts, os.environ.get("PYTHONPATH"))
                                             if p)}
        code, tail = run_pytest(argv, env)
        sig = crash_signal(code)
        if sig is None:
            return code
        print(crash_report(sig, log, tail), flush=True)
        return CRASHED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
