"""The `make test` runner goes on after a Blender crash with the tests that had not finished;
it never retries failures, and a test that crashes every time fails the run."""

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
    assert "test_case.py::test_crashes_the_first_time" in proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


CRASH_IN_THE_MIDDLE = """
import os, signal
from pathlib import Path

RUNS = Path(__file__).with_suffix(".runs")

def test_a_first():
    with RUNS.open("a") as fh:
        fh.write("a\\n")

def test_b_crashes_once():
    marker = Path(__file__).with_suffix(".crashed")
    if not marker.exists():
        marker.write_text("x")
        os.kill(os.getpid(), signal.SIGSEGV)

def test_c_last():
    with RUNS.open("a") as fh:
        fh.write("c\\n")
"""


def test_after_a_crash_only_the_tests_that_had_not_finished_run(tmp_path):
    proc = run(tmp_path, CRASH_IN_THE_MIDDLE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "test_b_crashes_once" in proc.stdout
    assert (tmp_path / "test_case.runs").read_text().split() == ["a", "c"]  # a ran once
    assert "3 tests ran to their end over 2 pytest runs" in proc.stdout


CRASH_ALWAYS = """
import os, signal

def test_crashes_every_time():
    os.kill(os.getpid(), signal.SIGSEGV)
"""

FAIL_THEN_CRASH = """
import os, signal
from pathlib import Path

def test_a_fails():
    assert 1 == 2

def test_b_crashes_once():
    marker = Path(__file__).with_suffix(".crashed")
    if not marker.exists():
        marker.write_text("x")
        os.kill(os.getpid(), signal.SIGSEGV)
"""


def test_a_test_that_crashes_every_time_fails_the_run(tmp_path):
    proc = run(tmp_path, CRASH_ALWAYS)
    assert proc.returncode != 0
    assert "same test crashed twice" in proc.stdout


def test_a_failure_before_a_crash_still_fails_the_run(tmp_path):
    proc = run(tmp_path, FAIL_THEN_CRASH)
    assert proc.returncode == 1, proc.stdout
    assert "1 failed: test_case.py::test_a_fails" in proc.stdout


def test_a_failing_test_is_not_retried(tmp_path):
    proc = run(tmp_path, FAILS)
    assert proc.returncode == 1
    assert "crashed" not in proc.stdout
    assert proc.stdout.count("1 failed") == 1
