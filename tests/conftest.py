"""Shared test setup.

Behaviour tests run inside real Blender (the ``bpy`` wheel). Blender reads its user folder when
bpy is first imported, so the whole session is pointed at a throw-away folder before that: tests
never read or write the developer's own Blender preferences or extensions.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Third-party sample files the tests import, kept in the checkout (see its NOTICE.md).
KHRONOS = ROOT / "tests" / "assets" / "khronos"
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

_USER_RESOURCES = tempfile.mkdtemp(prefix="meshy-test-blender-user-")
os.environ["BLENDER_USER_RESOURCES"] = _USER_RESOURCES
# Never let a developer's real key or studio config leak into tests.
for _var in ("MESHY_API_KEY", "MESHY_API_BASE", "MESHY_CACHE_DIR", "MESHY_STUDIO_CONFIG",
             "MESHY_CA_BUNDLE", "MESHY_SAVE_DIR"):
    os.environ.pop(_var, None)

ADDON_MODULE = "meshy_blender"

# Each subsystem keeps its fixtures in tests/fixtures/<name>.py (emulator, client, ...).
pytest_plugins = sorted(
    f"fixtures.{p.stem}"
    for p in (Path(__file__).parent / "fixtures").glob("*.py")
    if not p.name.startswith("_")
)


@pytest.fixture(scope="session")
def bpy():
    """Real Blender as a Python module (imported once per process)."""
    import bpy as _bpy

    return _bpy


@pytest.fixture
def addon(bpy):
    """The add-on enabled from this checkout (as Blender would), disabled again afterwards."""
    import addon_utils

    mod = addon_utils.enable(ADDON_MODULE, default_set=True, persistent=True)
    assert mod is not None, "the add-on failed to enable; see stderr for Blender's traceback"
    try:
        yield mod
    finally:
        addon_utils.disable(ADDON_MODULE, default_set=True)


@pytest.fixture
def empty_scene(bpy):
    """A fresh empty main file, so tests don't see each other's objects."""
    bpy.ops.wm.read_homefile(use_empty=True)
    return bpy.context.scene


_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session, exitstatus):
    _EXIT_STATUS.append(int(exitstatus))


def pytest_unconfigure(config):
    """Leave without the bpy module's C++ teardown, after pytest has printed its summary.

    That teardown is unreliable and has nothing to do with the tests' outcome: Blender 4.2
    segfaults in it once the glTF exporter has run in the process, and 4.5 sometimes deadlocks
    in a static destructor (GlobalState waiting on its delayed_close thread), which would hang
    CI. Every file is closed by now; the exit code is pytest's own.
    """
    if "bpy" not in sys.modules:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_EXIT_STATUS[-1] if _EXIT_STATUS else 0)
