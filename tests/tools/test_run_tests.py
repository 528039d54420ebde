"""The `make test` runner: a native crash fails the run, naming the test that was running and
showing the faulthandler stacks; nothing is resumed or retried."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

RUNNER = ROOT / "scripts" / "run_tests.py"

CRASH_IN_THE_MIDDLE = """
import os, signal
from pathlib import Path

RUNS = Path(__file__).with_suffix(".runs")

def test_a_fails():
    with RUNS.open("a") as fh:
        fh.write("a\\n")
    assert 1 == 2

def test_b_crashes_once():
    marker = Path(__file__).with_suffix(".crashed")
    if not marker.exists():
        marker.write_text("x")
        os.kill(os.getpid(), signal.SIGSEGV)

def test_c_last():
    with RUNS.open("a") as fh:
        fh.write("c\\n")
"""

FAILS = """
def test_fails():
    assert 1 == 2
"""

PASSES = """
def test_passes():
    assert 1 + 1 == 2
"""


def run(tmp_path, source: str) -> subprocess.CompletedProcess:
    test = tmp_path / "test_case.py"
    test.write_text(source)
    return subprocess.run([sys.executable, str(RUNNER), str(test), "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)


def test_a_native_crash_fails_the_run_with_the_test_and_its_stacks(tmp_path):
    proc = run(tmp_path, CRASH_IN_THE_MIDDLE)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("Blender crashed in native code (SIGSEGV) while running: "
            "test_case.py::test_b_crashes_once") in proc.stdout
    assert "never resumed past (1 tests had ended; 1 failed: test_case.py::test_a_fails)" \
        in proc.stdout
    report = proc.stdout[proc.stdout.index("*** Stacks at the crash"):]
    assert "Fatal Python error: Segmentation fault" in report
    assert 'test_case.py", line 16 in test_b_crashes_once' in report  # the os.kill line
    # Nothing ran after the crash: the test after it, and the failed one, ran once each.
    assert (tmp_path / "test_case.runs").read_text().split() == ["a"]
    assert "test_c_last" not in proc.stdout


def test_a_failing_test_is_not_retried(tmp_path):
    proc = run(tmp_path, FAILS)
    assert proc.returncode == 1
    assert "crashed" not in proc.stdout
    assert proc.stdout.count("1 failed") == 1


def test_a_passing_run_exits_with_pytests_code(tmp_path):
    proc = run(tmp_path, PASSES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout and "crashed" not in proc.stdout
