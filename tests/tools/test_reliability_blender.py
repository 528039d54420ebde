"""The Blender-process rows of `make reliability` (scripts/reliability/blender_runs.py), in
full: real Blender processes (the bpy module) running `meshy` CLI commands on one shared cache
(SIGKILL then a keyed rerun, two processes at once, a rerun of a finished job). Each row checks
that no task was created twice, every charged task is journalled and each result was imported
once."""

from __future__ import annotations

import pytest
from reliability import blender_runs


@pytest.mark.parametrize("name", list(blender_runs.SCENARIOS))
def test_blender_scenario(emulator, name):
    row = blender_runs.run_scenario(emulator, name)
    assert row.ok, row
    assert row.charged >= 1 and row.tasks_created == row.charged
