"""The process scenarios of `make reliability` (scripts/reliability/processes.py), in full: each
starts real worker processes on one shared cache and journal (SIGKILL, concurrent start-ups,
cut downloads, damaged journal files, reruns with a job key) and checks that no task was created
twice, every charged task is journalled and every job ended READY with complete files."""

from __future__ import annotations

import pytest
from reliability import processes


@pytest.mark.parametrize("name", list(processes.SCENARIOS))
def test_process_scenario(emulator, name):
    row = processes.run_scenario(emulator, name)
    assert row.ok, row
    assert row.charged >= 1 and row.tasks_created == row.charged
