"""`make test`: run pytest in real Blender; when Blender itself crashes, go on where it died.

The bpy module sometimes dies in native code (SIGSEGV) while the glTF importer runs on the main
thread and worker threads run Python: seen on Blender 4.2 in about one run of the whole suite in
two since the suite got fast, on 5.0 rarely, and it happens with Blender's own ``bpy.ops`` calls
too. That would fail a run in which no test failed. So when pytest is killed by a signal, this
says so, names the test that was running, and starts pytest again with the tests that had already
finished left out (``scripts/pytest_resume.py`` records them): every test runs to its end once,
and keeps the result it had. The run fails when the same test crashes twice in a row (then it is
likely ours) or after MAX_CRASHES crashes. Test failures and errors are never retried.

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
from pytest_resume import LOG_ENV, RESUME_ENV, read_log

MAX_CRASHES = 4
NO_TESTS_LEFT = 5  # pytest's exit code when every test was deselected


def run_pytest(args: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """Run pytest, streaming its output; return its exit code and the last lines it printed."""
    tail: deque[str] = deque(maxlen=60)
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "pytest_resume", *args],
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


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="meshy-tests-") as tmp:
        log = Path(tmp) / "progress.log"
        scripts = str(Path(__file__).resolve().parent)
        env = {**os.environ, LOG_ENV: str(log),
               "PYTHONPATH": os.pathsep.join(p for p in (scripts, os.environ.get("PYTHONPATH"))
                                             if p)}
        env.pop(RESUME_ENV, None)
        code, _ = run_pytest(argv, env)
        crashes: list[str] = []
        while (sig := crash_signal(code)) is not None:
            test = running_test(log) or "between tests"
            name = signal.Signals(sig).name
            print(f"\n*** Blender crashed in native code ({name}) while running: {test}\n"
                  "*** This is not a test result.", flush=True)
            if crashes and crashes[-1] == test:
                print("*** The same test crashed twice in a row: failing the run.", flush=True)
                return 1
            crashes.append(test)
            if len(crashes) > MAX_CRASHES:
                print(f"*** More than {MAX_CRASHES} crashes: failing the run.", flush=True)
                return 1
            print("*** Going on with the tests that had not finished.\n", flush=True)
            code, _ = run_pytest(argv, {**env, RESUME_ENV: "1"})
        if not crashes:
            return code
        _, ended, failed = read_log(log)
        print(f"\n*** {len(ended)} tests ran to their end over {len(crashes) + 1} pytest runs "
              f"({len(crashes)} Blender crash(es), in: {', '.join(crashes)}); "
              f"{len(failed)} failed{': ' + ', '.join(failed) if failed else ''}.", flush=True)
        if code == NO_TESTS_LEFT:
            code = 0  # it died after the last test had ended: nothing was left to run
        if failed and code == 0:
            return 1  # a failure before a crash still fails the run
        return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
