"""The recovery rows of `make reliability` (scripts/reliability/recovery.py), in full: real
worker processes, SIGKILL at each step of a keyed chain whose prompt and key look like secrets,
lost and damaged key-index entries, a damaged cached file, a dead writer's part, a refused
redirect, a script's job taken over by another process."""

from __future__ import annotations

import pytest
from reliability import recovery


@pytest.mark.parametrize("name", list(recovery.SCENARIOS))
def test_recovery_scenario(emulator, name):
    row = recovery.run_scenario(emulator, name)
    assert row.ok, row
    assert row.charged >= 1 and row.tasks_created == row.charged
