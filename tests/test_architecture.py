"""Layer rule: nothing under client/ or jobs/ may import bpy, directly or through another module.

Worker threads run that code, and Blender crashes when a worker touches bpy.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from archcheck import bpy_reachability
from conftest import ROOT

PACKAGE = ROOT / "meshy_blender"
WORKER_SIDE = ("client", "jobs")


def test_worker_side_cannot_reach_bpy_statically():
    offenders = bpy_reachability(PACKAGE, WORKER_SIDE)
    assert offenders == {}, "bpy reachable from worker-side code:\n" + "\n".join(
        " -> ".join(chain) for chain in offenders.values()
    )


def test_worker_side_imports_without_bpy_at_runtime():
    """Import every worker-side module in a fresh interpreter; bpy must not get loaded."""
    code = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        sys.path.insert(0, {str(ROOT)!r})
        for sub in {WORKER_SIDE!r}:
            pkg = importlib.import_module("meshy_blender." + sub)
            for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
                importlib.import_module(info.name)
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("bpy", "mathutils", "bmesh"))
        print("LOADED:", bad)
        sys.exit(1 if bad else 0)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_checker_catches_an_indirect_bpy_import(tmp_path: Path):
    """The static check itself must find bpy two hops away and through a parent package."""
    pkg = tmp_path / "addon"
    for sub in ("client", "blender", "jobs"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("def register():\n    from .blender import ui\n")
    (pkg / "blender" / "ui.py").write_text("import bpy\n")
    (pkg / "client" / "http.py").write_text("from ..blender import ui\n")
    (pkg / "jobs" / "lazy.py").write_text("def run():\n    import mathutils\n")
    (pkg / "jobs" / "clean.py").write_text("from ..client import __init__\nimport json\n")

    offenders = bpy_reachability(pkg, ("client", "jobs"))

    assert offenders["addon.client.http"] == ["addon.client.http", "addon.blender.ui", "bpy"]
    assert offenders["addon.jobs.lazy"][-1] == "mathutils"
    assert "addon.jobs.clean" not in offenders
    # The parent package's lazy import inside register() does not taint its sub-packages.
    assert "addon.client" not in offenders
