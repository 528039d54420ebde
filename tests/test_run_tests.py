"""The `make test` runner reruns the suite once only when Blender crashes, never on failures."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

RUNNER = ROOT / "scripts" / "run_tests.py"

CRASH_ONCE = """
import os, signal
from pathlib import Path

def test_crashes_the_first_time(tmp_path_factory):
    marker = Path(__file__).with_suffix(".crashed")
    if not marker.exists():
        marker.write_text("x")
        os.kill(os.getpid(), signal.SIGSEGV)
"""

FAILS = """
def test_fails():
    assert 1 == 2
"""


def run(tmp_path, source: str) -> subprocess.CompletedProcess:
    test = tmp_path / "test_case.py"
    test.write_text(source)
    return subprocess.run([sys.executable, str(RUNNER), str(test), "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)


def test_a_native_crash_is_reported_and_the_suite_rerun_once(tmp_path):
    proc = run(tmp_path, CRASH_ONCE)
    assert "Blender crashed in native code (SIGSEGV)" in proc.stdout
    assert "test_case.py" in proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_a_failing_test_is_not_retried(tmp_path):
    proc = run(tmp_path, FAILS)
    assert proc.returncode == 1
    assert "crashed" not in proc.stdout
    assert proc.stdout.count("1 failed") == 1
