"""What the add-on costs an artist who is not using it right now (issue 17): enabling it pulls in
no network library, the pump's timer stops when idle and work re-arms it, and an import into a
big scene pays for one evaluation of that scene, not several.

Figures (medians with spread) come from scripts/perf_probe.py; these tests pin the behaviour.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from conftest import ROOT

NETWORK = ("requests", "urllib3", "ssl", "http.client", "certifi")

ENABLE_AND_DRAW = r'''
import json, sys
sys.path[:0] = [{root!r}, {tests!r}]
import bpy, addon_utils
mod = addon_utils.enable("meshy_blender", default_set=True)
after_enable = sorted(sys.modules)
from meshy_blender.blender import registration
addon_utils.disable("meshy_blender", default_set=True)
left = [hasattr(bpy.types.Scene, "meshy"), hasattr(bpy.types, "MESHY_PT_generate"),
        bpy.app.timers.is_registered(registration.startup_resume)]
mod = mod and addon_utils.enable("meshy_blender", default_set=True)
from fixtures.recording_layout import draw_panel
from meshy_blender.blender import panels
drawn = []
for cls in panels.CLASSES:
    if not hasattr(cls, "poll") or cls.poll(bpy.context):
        layout = draw_panel(cls, bpy.context)
        drawn.append([cls.bl_idname, len(layout.calls)])
print("RESULT " + json.dumps({{"ok": mod is not None, "after_enable": after_enable, "left": left,
                              "after_draw": sorted(sys.modules), "drawn": drawn}}))
sys.stdout.flush()
import os
os._exit(0)
'''


def _network(modules):
    return sorted(m for m in modules if m in NETWORK or m.split(".")[0] in NETWORK)


def test_enabling_the_addon_imports_no_network_library_and_the_sidebar_still_draws(tmp_path):
    """A fresh Blender process (real bpy): enabling the add-on and drawing every sidebar panel
    must not import requests/urllib3/ssl; they cost most of the start-up before any network use.
    Enabling imports only the registered classes' modules (each module costs allocations, and
    enough of them trigger a full garbage collection of Blender's objects: ~20 ms)."""
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "user"))
    code = ENABLE_AND_DRAW.format(root=str(ROOT), tests=str(ROOT / "tests"))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line is not None, proc.stderr[-3000:]
    result = json.loads(line[len("RESULT "):])
    assert result["ok"], proc.stderr[-3000:]
    assert _network(result["after_enable"]) == []
    # Registration needs only the classes: the session (runtime, settings, request builders,
    # job model, client) loads when a panel first draws or a button first runs.
    ours = [m for m in result["after_enable"] if m.startswith("meshy_blender.")]
    assert [m for m in ours if ".core." in m] == ["meshy_blender.blender.core.sidebar_data"]
    assert not {"meshy_blender.jobs.model", "meshy_blender.jobs.request",
                "meshy_blender.client.errors", "meshy_blender.client.specs"} & set(ours)
    # 45 before the feature folders; their seven docstring-only __init__ modules add seven.
    assert len(ours) <= 52, ours
    # Disabling before anything loaded the session still leaves nothing behind.
    assert result["left"] == [False, False, False]
    drawn = dict(result["drawn"])
    assert {"MESHY_PT_account", "MESHY_PT_generate", "MESHY_PT_tasks"} <= set(drawn)
    assert all(count > 0 for count in drawn.values()), drawn
    assert _network(result["after_draw"]) == []


# ------------------------------------------------------------------ the idle timer

def _blender_fires(bpy, runtime):
    """Call the timer as Blender would; a None return makes Blender unregister it."""
    interval = runtime.timer_tick()
    if interval is None and bpy.app.timers.is_registered(runtime.timer_tick):
        bpy.app.timers.unregister(runtime.timer_tick)
    return interval


def test_idle_timer_unregisters_itself_and_any_new_work_rearms_it(bpy, meshy_ui, monkeypatch):
    from meshy_blender.blender.core import account, calls, runtime
    from meshy_blender.jobs import model
    from meshy_blender.jobs.request import JobRequest

    rt = meshy_ui.runtime()
    assert bpy.app.timers.is_registered(runtime.timer_tick)
    assert _blender_fires(bpy, runtime) == runtime.TIMER_IDLE_INTERVAL  # grace period first
    monkeypatch.setattr(runtime, "TIMER_STOP_AFTER_IDLE_S", 0.0)
    assert _blender_fires(bpy, runtime) is None
    assert not bpy.app.timers.is_registered(runtime.timer_tick)

    assert account.start_balance(rt.client)  # a background read (Refresh balance)
    assert bpy.app.timers.is_registered(runtime.timer_tick)
    deadline = time.monotonic() + 10
    while _blender_fires(bpy, runtime) is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not bpy.app.timers.is_registered(runtime.timer_tick)
    assert calls.CALLS.outcomes[account.BALANCE_CALL].error is None  # delivered before stopping

    job = rt.submit(JobRequest("text-to-3d", {"prompt": "a crate", "should_texture": False},
                               "a crate"))
    assert bpy.app.timers.is_registered(runtime.timer_tick)
    deadline = time.monotonic() + 60
    intervals = []
    while job.status != model.IMPORTED and time.monotonic() < deadline:
        intervals.append(_blender_fires(bpy, runtime))
        time.sleep(0.02)
    assert job.status == model.IMPORTED, job.detail
    assert set(intervals[:-1]) == {runtime.TIMER_ACTIVE_INTERVAL}  # fast while the job ran
    assert intervals[-1] is None or _blender_fires(bpy, runtime) is None  # then stops
    assert not bpy.app.timers.is_registered(runtime.timer_tick)

    assert rt.pump.request_import(job.id)  # Re-import in the Tasks panel
    assert bpy.app.timers.is_registered(runtime.timer_tick)


def test_timer_without_a_runtime_stops_at_once(bpy, addon):
    from meshy_blender.blender.core import runtime

    runtime.shutdown_runtime()
    runtime.ensure_timer()
    assert _blender_fires(bpy, runtime) is None
    assert not bpy.app.timers.is_registered(runtime.timer_tick)


# ------------------------------------------------------------------ import cost vs scene size

def _fill(bpy, count):
    scene = bpy.context.scene
    coll = bpy.data.collections.new("Set")
    scene.collection.children.link(coll)
    mesh = bpy.data.meshes.new("cube")
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    for i in range(count):
        obj = bpy.data.objects.new(f"filler{i}", mesh.copy())
        obj.location = (i % 50, i // 50, 0)
        coll.objects.link(obj)
    bpy.context.view_layer.update()
    return coll


def _one_evaluation(bpy, coll):
    """Seconds for one evaluation after a relation change (what every import pays once)."""
    obj = coll.objects[0]
    coll.objects.unlink(obj)
    coll.objects.link(obj)
    start = time.perf_counter()
    bpy.context.view_layer.update()
    return time.perf_counter() - start


def test_import_into_a_big_scene_evaluates_it_once(bpy, empty_scene, emulator_assets):
    """The import's extra cost in a 3,000-object scene is about one scene evaluation (the one the
    bare importer pays too), not one per step (the job's collection, placement, the end)."""
    from meshy_blender.blender.scene import importer

    path = emulator_assets.path("textured_pbr", "glb")

    def import_once():
        start = time.perf_counter()
        importer.import_model(path, name="probe", provenance={"meshy_job_id": "perf"})
        return time.perf_counter() - start

    # Minimum of 3 each: a shared machine only ever adds time, and the before/after gap is wide
    # (main before this change: 3.1 evaluations more; now about one).
    empty = min(import_once() for _ in range(3))
    coll = _fill(bpy, 3000)
    evaluation = min(_one_evaluation(bpy, coll) for _ in range(3))
    big = min(import_once() for _ in range(3))
    assert evaluation > 0.02, "the scene is too small to tell evaluations apart on this machine"
    extra = big - empty
    # Blender 4.2's glTF importer links everything to the scene collection and evaluates the
    # scene itself (its select_all); moving the objects into the job's collection costs a second
    # evaluation there. From 4.3 on it imports into the active (job's) collection.
    allowed = 2.0 if bpy.app.version >= (4, 3, 0) else 3.0
    assert extra < allowed * evaluation + 0.05, (
        f"import cost {extra * 1000:.0f} ms more in a 3,000-object scene; one evaluation of it "
        f"costs {evaluation * 1000:.0f} ms")

