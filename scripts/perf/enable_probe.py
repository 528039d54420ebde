"""Add-on enable time beside a trivial add-on, each in a fresh process with the real bpy.

Each run is a new Python process that imports bpy (Blender's own start-up, not timed), then
times ``addon_utils.enable`` of one add-on and lists the modules that call imported. Runs
alternate (ours, trivial, trivial, ours, ...). Bytecode is cached (in ``build/perf/pycache``)
and warmed by one untimed run of each, as on every Blender start after the first; the first
start after installing also compiles the sources and is not what this measures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

NETWORK_MODULES = ("requests", "urllib3", "ssl", "http.client", "socket", "certifi")
TRIVIAL = '''"""A trivial add-on: one operator, the baseline for enable time."""
import bpy


class PERF_OT_trivial(bpy.types.Operator):
    bl_idname = "perf.trivial"
    bl_label = "Trivial"

    def execute(self, context):
        return {"FINISHED"}


def register():
    bpy.utils.register_class(PERF_OT_trivial)


def unregister():
    bpy.utils.unregister_class(PERF_OT_trivial)
'''

CHILD = r'''
import gc, json, sys, time
sys.path[:0] = [{paths}]
import bpy, addon_utils
before = set(sys.modules)
gc_seconds = []
def on_gc(phase, info):
    if phase == "start":
        gc_seconds.append(-time.perf_counter())
    else:
        gc_seconds[-1] += time.perf_counter()
gc.callbacks.append(on_gc)
start, cpu = time.perf_counter(), time.thread_time()
mod = addon_utils.enable({name!r}, default_set=True)
seconds, cpu = time.perf_counter() - start, time.thread_time() - cpu
gc.callbacks.remove(on_gc)
new = sorted(set(sys.modules) - before)
print("RESULT " + json.dumps({{"seconds": seconds, "cpu": cpu, "gc": sum(gc_seconds),
                              "ok": mod is not None, "modules": new}}))
sys.stdout.flush()
import os
os._exit(0)
'''


def enable_once(root: Path, name: str, paths: list[Path]) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "build" / "perf" / "pycache")
    env["BLENDER_USER_RESOURCES"] = str(root / "build" / "perf" / "blender-user")
    code = CHILD.format(paths=", ".join(repr(str(p)) for p in paths), name=name)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"enabling {name} failed: {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(line[len("RESULT "):])
    if not result["ok"]:
        raise RuntimeError(f"enabling {name} failed: {proc.stderr[-2000:]}")
    return result


def run(root: Path, runs: int, summary: Callable[..., dict[str, float]],
        fmt: Callable[..., str]) -> dict[str, Any]:
    trivial_dir = root / "build" / "perf" / "addons"
    (trivial_dir / "perf_trivial_addon").mkdir(parents=True, exist_ok=True)
    (trivial_dir / "perf_trivial_addon" / "__init__.py").write_text(TRIVIAL)
    paths = [root, trivial_dir]
    sides = {"ours": "meshy_blender", "trivial": "perf_trivial_addon"}
    times: dict[str, list[float]] = {"ours": [], "trivial": [], "ours_cpu": [],
                                     "trivial_cpu": [], "ours_gc": [], "trivial_gc": []}
    modules: list[str] = []
    for name in sides.values():  # warm-up: bytecode cache, file cache
        enable_once(root, name, paths)
    for n in range(runs):
        order = ("ours", "trivial") if n % 2 == 0 else ("trivial", "ours")
        for side in order:
            result = enable_once(root, sides[side], paths)
            times[side].append(result["seconds"])
            times[side + "_cpu"].append(result["cpu"])
            times[side + "_gc"].append(result["gc"])
            if side == "ours":
                modules = result["modules"]
    network = sorted(m for m in modules if m.split(".")[0] in NETWORK_MODULES
                     or m in NETWORK_MODULES)
    ours_mods = [m for m in modules if m.startswith("meshy_blender")]
    out: dict[str, Any] = {key: summary(values) for key, values in times.items()}
    out.update({
           "modules": len(modules), "own_modules": len(ours_mods), "network_modules": network,
           "other_modules": [m for m in modules if not m.startswith("meshy_blender")]})
    print(f"enable (wall): ours {fmt(out['ours'])} | trivial add-on {fmt(out['trivial'])}",
          flush=True)
    print(f"enable (main-thread CPU): ours {fmt(out['ours_cpu'])} | trivial add-on "
          f"{fmt(out['trivial_cpu'])}", flush=True)
    print(f"        of which Python's garbage collector: ours {fmt(out['ours_gc'])} | trivial "
          f"{fmt(out['trivial_gc'])}", flush=True)
    print(f"        {len(modules)} modules imported ({len(ours_mods)} of ours); network modules: "
          f"{', '.join(network) or 'none'}", flush=True)
    return out
