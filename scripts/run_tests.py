"""`make test`: run pytest in real Blender; rerun once only if Blender itself crashes.

The bpy module occasionally dies in its own native threads (a segfault with no Python frame on
any thread, seen on 4.2 under heavy machine load), which would fail a run in which no test failed.
When pytest is killed by a signal this says so, names the test that was running, and runs the
suite once more. Test failures and errors are never retried: their exit code is returned as is.

    python scripts/run_tests.py [pytest arguments]
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import deque


def run_pytest(args: list[str]) -> tuple[int, list[str]]:
    """Run pytest, streaming its output; return its exit code and the last lines it printed."""
    tail: deque[str] = deque(maxlen=60)
    proc = subprocess.Popen([sys.executable, "-m", "pytest", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace", bufsize=1)
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


def running_test(tail: list[str]) -> str:
    """The test (verbose output) or test file (progress dots) that was running at the crash."""
    for line in reversed(tail):
        words = line.split()
        if words and (words[0].endswith(".py") or ".py::" in words[0]):
            return words[0]
    return "unknown (see the output above)"


def main(argv: list[str]) -> int:
    code, tail = run_pytest(argv)
    sig = crash_signal(code)
    if sig is None:
        return code
    name = signal.Signals(sig).name
    print(f"\n*** Blender crashed in native code ({name}) while running: {running_test(tail)}\n"
          "*** This is not a test result. Running the suite once more.\n", flush=True)
    code, _ = run_pytest(argv)
    if crash_signal(code) is not None:
        print("*** Blender crashed again: failing the run.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
