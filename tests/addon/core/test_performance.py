"""What the add-on costs an artist who is not using it right now (issue 17): enabling it pulls in
no network library, the pump's timer stops when idle and work re-arms it, and an import into a
big scene pays for one evaluation of that scene, not several.

Figures (medians with spread) come from `python -m perf` (scripts/perf/); these tests pin the
behaviour.
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
before_enable = sorted(sys.modules)
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
                              "after_draw": sorted(sys.modules), "drawn": drawn,
                              "before_enable": before_enable}}))
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
    # 45 before the feature folders; their eight docstring-only __init__ modules add eight;
    # operators/on_selection.py (the selection operators' bases every feature folder shares)
    # one; Resize's settings, operators and panel (a capability's own registered classes) three.
    assert len(ours) <= 57, ours
    # The version (preferences footer, --version) reads the manifest when shown: compiling
    # tomllib's patterns cost about 4 ms of every enable (bench.startup, paired n=4). (Blender
    # 5.0's bpy loads tomllib itself: only what the enable adds counts.)
    assert "tomllib" not in set(result["after_enable"]) - set(result["before_enable"])
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
    # Then it stops: as soon as the worker has confirmed the import (its journal write is
    # fsynced first, which a loaded machine can stretch past one 20 ms pause).
    after = [intervals[-1]]
    deadline = time.monotonic() + 5
    while after[-1] is not None and time.monotonic() < deadline:
        time.sleep(0.02)
        after.append(_blender_fires(bpy, runtime))
    assert after[-1] is None, after
    assert set(after[:-1]) <= {runtime.TIMER_ACTIVE_INTERVAL}  # no idle grace: it just stops
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



# ------------------------------------------------------------------ what start-up and the first
# draw load (issue 21): modules, not milliseconds, so the test holds on a loaded machine.

STARTUP_TIMER = r'''
import json, sys
sys.path[:0] = [{root!r}, {tests!r}]
import bpy, addon_utils
assert addon_utils.enable("meshy_blender", default_set=True) is not None
from meshy_blender.blender import registration
before = set(sys.modules)
registration.startup_resume()
from meshy_blender.blender.core import runtime
from meshy_blender.jobs import spawn
pruned = [p.wait(60) for p in list(spawn.EXITING)]
print("RESULT " + json.dumps({{"loaded": sorted(set(sys.modules) - before), "pruned": pruned,
                              "runtime": runtime.current_runtime() is not None}}))
sys.stdout.flush()
import os
os._exit(0)
'''

FIRST_DRAW = r'''
import json, sys
sys.path[:0] = [{root!r}, {tests!r}]
import bpy, addon_utils
assert addon_utils.enable("meshy_blender", default_set=True) is not None
from fixtures.recording_layout import RecordingLayout, draw_panel
from meshy_blender.blender import panels
RecordingLayout.fresh_sections = True  # a fresh sidebar: closed sub-sections draw no body
bpy.context.scene.meshy.prompt = "a chair"
fresh = [cls for cls in panels.CLASSES if "DEFAULT_CLOSED" not in getattr(cls, "bl_options", ())
         and (not hasattr(cls, "poll") or cls.poll(bpy.context))]
before = set(sys.modules)
drawn = {{cls.bl_idname: draw_panel(cls, bpy.context).texts() for cls in fresh}}
loaded = sorted(set(sys.modules) - before)
from meshy_blender.blender.core import account, calls, first_read, price_labels, runtime
from meshy_blender.blender.features.account.panel import balance_text
built_by_draw = runtime.current_runtime() is not None
asked = [first_read.asked(), balance_text()]
# Blender fires the one-shot timers right after the draw; the bpy module has no event loop.
timers = [bpy.app.timers.is_registered(first_read.start),
          bpy.app.timers.is_registered(price_labels.load_planner)]
first_read.start()
price_labels.load_planner()
built = runtime.current_runtime() is not None
outcome = calls.CALLS.wait(account.BALANCE_CALL, timeout=60)
generate = next(cls for cls in fresh if cls.bl_idname == "MESHY_PT_generate")
print("RESULT " + json.dumps({{"loaded": loaded, "built_by_draw": built_by_draw,
                              "asked": asked, "timers": timers, "runtime": built,
                              "balance": account.balance(), "after": balance_text(),
                              "error": outcome.error if outcome else "no answer",
                              "drawn": sorted(drawn), "first": drawn["MESHY_PT_generate"],
                              "planned": price_labels.planner_loaded(),
                              "second": draw_panel(generate, bpy.context).texts()}}))
runtime.shutdown_runtime()
sys.stdout.flush()
import os
os._exit(0)
'''

# Loaded only when there is a job to resume or one is run: never by the start-up timer.
JOURNAL_AND_JOBS = ("meshy_blender.jobs.journal", "meshy_blender.jobs.model",
                    "meshy_blender.jobs.request", "meshy_blender.jobs.policy",
                    "meshy_blender.jobs.retention", "meshy_blender.jobs.manager",
                    "meshy_blender.jobs.remote", "meshy_blender.client.specs")
# The first draw only asks for the worker and prices buttons from the price tables.
DRAW_MUST_NOT_LOAD = ("logging", "subprocess", "uuid", "meshy_blender.jobs.remote",
                      "meshy_blender.jobs.remote_client", "meshy_blender.jobs.pipe",
                      "meshy_blender.jobs.spawn", "meshy_blender.jobs.model",
                      "meshy_blender.jobs.plans", "meshy_blender.jobs.request",
                      "meshy_blender.client.validation", "meshy_blender.client.specs",
                      "meshy_blender.blender.core.pump")
# The job manager, the journal and its pruning live in the worker process.
WORKER_ONLY = ("meshy_blender.jobs.journal", "meshy_blender.jobs.manager",
               "meshy_blender.jobs.runner", "meshy_blender.jobs.retention",
               "meshy_blender.jobs.worker")


def _run_child(template: str, env: dict[str, str]) -> dict:
    code = template.format(root=str(ROOT), tests=str(ROOT / "tests"))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line is not None, proc.stderr[-3000:]
    return json.loads(line[len("RESULT "):])


def test_the_start_up_timer_prunes_without_loading_the_journal_or_the_job_model(tmp_path,
                                                                              meshy_key):
    """Every Blender start runs the start-up timer on the main thread: with only finished jobs
    in the journal it lists the journal's top and starts the pruning process, and loads neither
    the journal nor the job model, the studio policy, the option tables or the network."""
    from meshy_blender.jobs import model
    from meshy_blender.jobs.journal import Journal
    from meshy_blender.jobs.plans import plan_job

    journal = Journal(tmp_path / "cache" / "journal")
    old = []
    for n in range(3):
        job = plan_job("text-to-3d", {"prompt": f"old prop {n}", "should_texture": False})
        job.status = model.IMPORTED
        journal.save(job)
        when = time.time() - 40 * 24 * 3600  # past the default 30 days
        os.utime(journal.done_directory / f"job-{job.id}.json", (when, when))
        old.append(job.id)
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "user"),
               MESHY_CACHE_DIR=str(tmp_path / "cache"), MESHY_API_KEY=meshy_key,
               MESHY_API_BASE="http://127.0.0.1:9")
    result = _run_child(STARTUP_TIMER, env)
    loaded = set(result["loaded"])
    assert not loaded & set(JOURNAL_AND_JOBS), sorted(loaded & set(JOURNAL_AND_JOBS))
    assert _network(loaded) == []
    # The pruning process starts without subprocess (POSIX) and nothing logs: neither loads.
    heavy_stdlib = {"logging"} | ({"subprocess"} if os.name == "posix" else set())
    assert not loaded & heavy_stdlib, sorted(loaded & heavy_stdlib)
    assert result["pruned"] == [0] and not result["runtime"]
    assert all(journal.load(job_id) is None for job_id in old)  # retention still ran


def test_the_first_sidebar_draw_with_a_key_only_asks_for_the_worker_and_the_balance_follows(
        tmp_path, emulator, meshy_key):
    """The first draw with a key (what a fresh sidebar shows) asks for the balance and draws
    "Reading balance...": it starts no worker process and loads none of the job machinery,
    request types, option tables, validation, logging or subprocess (all of that costs the draw
    more than its own drawing); Generate is priced from the price tables. The one-shot timers
    right after it build the runtime (the worker reads the balance) and load the planner; the
    next draw shows the balance under the same price. No network library in Blender's process."""
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "user"),
               MESHY_CACHE_DIR=str(tmp_path / "cache"), MESHY_API_KEY=meshy_key,
               MESHY_API_BASE=emulator.api_url)
    result = _run_child(FIRST_DRAW, env)
    loaded = set(result["loaded"])
    assert not result["built_by_draw"]
    assert result["asked"] == [True, "Reading balance..."] and result["timers"] == [True, True]
    assert {"MESHY_PT_account", "MESHY_PT_generate", "MESHY_PT_tasks"} <= set(result["drawn"])
    never = set(DRAW_MUST_NOT_LOAD) | set(WORKER_ONLY)
    assert not loaded & never, sorted(loaded & never)
    assert _network(loaded) == []
    # Priced from the tables at once; after the timers, planned (same price) with the balance.
    assert "Generate (30 credits)" in result["first"]
    assert result["runtime"] and result["error"] is None and result["planned"]
    assert result["balance"] == emulator.balance()
    assert result["after"] == f"{emulator.balance():,} credits"
    assert "Generate (30 credits)" in result["second"]
    assert f"balance {emulator.balance():,}" in result["second"]
