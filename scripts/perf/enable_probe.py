"""Add-on enable time beside a trivial add-on, each in a fresh process with the real bpy.

Each run is a new Python process that imports bpy (Blender's own start-up, not timed), then
times ``addon_utils.enable`` of one add-on and lists the modules that call imported. Runs
alternate (ours, trivial, trivial, ours, ...). Bytecode is cached (in ``build/perf/pycache``)
and warmed by one untimed run of each, as on every Blender start after the first; the first
start after installing also compiles the sources and is not what this measures.

Enabling defers most of the add-on to the sidebar's first draw (and first click), so each run
of ours then draws every sidebar panel twice, timed: the first draw pays for what enabling left
out. The panels draw through tests/fixtures/recording_layout.py (bpy has no real layout), whose
checks are most of the second draw's time.
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
enable_gc = sum(gc_seconds)
new = sorted(set(sys.modules) - before)
draws = []
if {draw!r}:  # the sidebar's first and second draw (the first loads what enabling deferred)
    from fixtures.recording_layout import draw_panel
    from meshy_blender.blender import panels
    for _ in range(2):
        del gc_seconds[:]
        t = time.thread_time()
        for cls in panels.CLASSES:
            if not hasattr(cls, "poll") or cls.poll(bpy.context):
                draw_panel(cls, bpy.context)
        draws.append([time.thread_time() - t, sum(gc_seconds)])
gc.callbacks.remove(on_gc)
print("RESULT " + json.dumps({{"seconds": seconds, "cpu": cpu, "gc": enable_gc,
                              "ok": mod is not None, "modules": new, "draws": draws}}))
sys.stdout.flush()
import os
os._exit(0)
'''


def enable_once(root: Path, name: str, paths: list[Path]) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "build" / "perf" / "pycache")
    env["BLENDER_USER_RESOURCES"] = str(root / "build" / "perf" / "blender-user")
    draw = name == "meshy_blender"
    code = CHILD.format(paths=", ".join(repr(str(p)) for p in [*paths, root / "tests"]),
                        name=name, draw=draw)
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
                                     "trivial_cpu": [], "ours_gc": [], "trivial_gc": [],
                                     "first_draw_cpu": [], "first_draw_gc": [],
                                     "second_draw_cpu": []}
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
                (first, first_gc), (second, _) = result["draws"]
                times["first_draw_cpu"].append(first)
                times["first_draw_gc"].append(first_gc)
                times["second_draw_cpu"].append(second)
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
    print(f"sidebar draw (main-thread CPU, every panel through the validating recording layout): "
          f"first {fmt(out['first_draw_cpu'])} (garbage collector {fmt(out['first_draw_gc'])}), "
          f"second {fmt(out['second_draw_cpu'])}", flush=True)
    print(f"        {len(modules)} modules imported ({len(ours_mods)} of ours); network modules: "
          f"{', '.join(network) or 'none'}", flush=True)
    return out
