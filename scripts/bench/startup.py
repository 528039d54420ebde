"""Start-up costs: enabling the add-on, the sidebar's first draw, its idle timer, and the
start-up timer (journal scan).

1. Enable time: ``addon_utils.enable`` of this add-on and of a trivial add-on (one operator,
   one sidebar panel), each in a fresh Python process with bpy already imported, ``--runs``
   each in alternating order; also the modules the enable loaded. Leaves out bpy's own
   start-up (same for both).
2. First sidebar draw: every panel this add-on registers in the 3D view's sidebar (poll
   first; the header of each, ``draw_header`` where defined, and the body of each panel Blender
   shows open on a fresh sidebar, i.e. not ``DEFAULT_CLOSED`` and under an open parent, and of
   their sub-sections (``layout.panel``) only those not closed by default), in a
   fresh process per run right after enabling, wall clock, (a) without a key and (b) with a key
   and an emulator this benchmark starts (the draw only asks for the balance read: one-shot
   timers, which the bpy module never fires, build the runtime and load the planner right after
   it; ``runtime_built`` counts draws that built it themselves), rotated with the trivial
   add-on's panel's first draw; n = ``--runs`` each. Also the modules the draw loaded, whether
   ``requests``/``ssl`` were in Blender's process after it, and a second draw in the same
   process (the steady cost). Drawn through the recording layout the tests use
   (tests/fixtures/recording_layout.py): the bpy module has no event loop and cannot make a
   real ``UILayout`` (see that module), so the panels' real ``draw`` code runs against a
   stand-in that checks every call against Blender's RNA. Those checks cost Python time a C
   layout does not spend, so the time inside the stand-in's calls is reported beside the draw
   (``layout_ms``), and the draw without it (``own_ms``: what the add-on's own code costs an
   artist's Blender); the draw counted with it is an upper bound. Blender building and drawing
   the widgets is left out (the same for both add-ons).
3. Idle timer: the persistent timer function (``runtime.timer_tick``) called back to back,
   with no runtime yet and with a runtime but no jobs; CPU share = time per call / the interval
   it asks for. Leaves out Blender's own timer dispatch (GUI event loop; none in background).
4. Start-up timer: the one-shot timer enabling registers (it loads what it needs of the
   session, lists the journal's top and starts the pruning process) with 1,000 old finished
   jobs in the journal (a fresh copy for every start: the previous start pruned them), then
   the first ``get_runtime`` (which resumes from the journal), each in a fresh process
   (n = ``--runs``); the journal files are in the page cache.

Each child refuses to run when the harness itself already imported something the add-on's
figures must include (``HARNESS_MUST_NOT_LOAD``). The 1-minute load average is recorded before
and after each part: other work on the machine skews every figure.

Run alone: ``PYTHONPATH=scripts .venv/bin/python -m bench.startup --runs 7 --json out.json``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path
from types import MethodType, SimpleNamespace
from typing import Any

# The children are the Blender processes measured: this module's own imports must load nothing
# the add-on might load (the emulator and runner helpers import requests, and the add-on starts
# processes with subprocess; the parent imports them where it needs them), or the figures would
# leave that cost out (HARNESS_MUST_NOT_LOAD is checked in every child).
from .product import ADDON_MODULE, ROOT
from .stats import paired, summary

TRIVIAL_ADDON = '''bl_info = {"name": "Trivial", "blender": (4, 2, 0), "category": "Object"}
import bpy


class TRIVIAL_OT_hello(bpy.types.Operator):
    bl_idname = "trivial.hello"
    bl_label = "Hello"

    def execute(self, context):
        return {"FINISHED"}


class TRIVIAL_PT_hello(bpy.types.Panel):
    bl_label = "Trivial"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Trivial"

    def draw(self, context):
        self.layout.operator("trivial.hello")


def register():
    bpy.utils.register_class(TRIVIAL_OT_hello)
    bpy.utils.register_class(TRIVIAL_PT_hello)


def unregister():
    bpy.utils.unregister_class(TRIVIAL_PT_hello)
    bpy.utils.unregister_class(TRIVIAL_OT_hello)
'''
DAY_MS = 24 * 3600 * 1000
NETWORK_MODULES = ("requests", "ssl")
# Loaded by the add-on at start-up or its first draw, never by the bpy module itself.
HARNESS_MUST_NOT_LOAD = (*NETWORK_MODULES, "subprocess", "logging")
TRIVIAL_MODULE = "bench_trivial_addon"


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One fresh process running ``--child ...``; its last stdout line is its JSON."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "bench.startup", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=180)
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    """The children's environment. Bytecode is cached (under ``tmp``) as on every Blender start
    after the first, whatever the caller's PYTHONDONTWRITEBYTECODE says; the first start after
    installing also compiles the sources, which is not what this measures."""
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp / "user"),
               PYTHONPATH=os.pathsep.join([str(ROOT / "scripts"), str(ROOT), str(tmp / "addons")]),
               PYTHONPYCACHEPREFIX=str(tmp / "pycache"), **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for var in ("MESHY_API_KEY", "MESHY_API_BASE", "MESHY_CACHE_DIR", "MESHY_STUDIO_CONFIG"):
        if var not in extra:
            env.pop(var, None)
    return env


def write_old_jobs(journal: Path, count: int) -> None:
    """``count`` imported jobs, finished 40 to 40+count/10 days ago, as the journal keeps them."""
    from .product import IMPORTED, Journal, plan_job

    store = Journal(journal)
    now = int(time.time() * 1000)
    for n in range(count):
        job = plan_job("text-to-3d", {"prompt": f"old prop {n}"}, label=f"old prop {n}")
        job.created_ms = now - (40 * DAY_MS + n * DAY_MS // 10)
        job.finished_ms = job.created_ms + 90_000
        job.status = IMPORTED
        for i, step in enumerate(job.steps):
            step.task_id = f"0193bfc5-ee4f-73f8-8525-{n:08d}{i:04d}"
            step.files = {"glb": f"/cache/downloads/{step.task_id}/model.glb"}
        store.save(job)


# ------------------------------------------------------------------ children (fresh processes)

def _addon_utils() -> Any:
    """Blender's addon_utils (importable only once bpy is imported); refuses to run when the
    harness has already imported what the add-on's own figures must include. Checked before
    ``import bpy``: what Blender loads itself (Blender 5.0's bpy loads ``subprocess``) is paid
    by every add-on in an artist's Blender too, so it is not ours to count."""
    import importlib

    preloaded = [m for m in HARNESS_MUST_NOT_LOAD if m in sys.modules]
    if preloaded:
        raise RuntimeError(f"the benchmark child had already imported {preloaded}")
    import bpy  # noqa: F401

    return importlib.import_module("addon_utils")


def child_enable(name: str) -> dict[str, Any]:
    addon_utils = _addon_utils()
    before = set(sys.modules)
    t0 = time.perf_counter()
    mod = addon_utils.enable(name, default_set=True)
    ms = (time.perf_counter() - t0) * 1000
    if mod is None:
        raise RuntimeError(f"{name} did not enable")
    return {"ms": ms, "modules": len(set(sys.modules) - before)}


def child_timer(calls: int) -> dict[str, Any]:
    """Cost of one idle tick, and the CPU share over a minute of idling: the timer ticks every
    ``TIMER_IDLE_INTERVAL`` for ``TIMER_STOP_AFTER_IDLE_S`` after the last work, then unregisters
    itself (returns None) until something re-arms it, so an idle minute costs only those
    ticks."""
    from .product import runtime_module

    _addon_utils().enable(ADDON_MODULE, default_set=True)
    runtime = runtime_module()
    grace = float(getattr(runtime, "TIMER_STOP_AFTER_IDLE_S", 0.0))
    idle_interval = float(runtime.TIMER_IDLE_INTERVAL)
    out = {}
    for state in ("no_runtime", "idle_runtime"):
        if state == "idle_runtime":
            runtime.get_runtime()
        samples = []
        interval: float | None = None
        for _ in range(calls):  # back to back: well inside the grace period
            t0 = time.perf_counter()
            interval = runtime.timer_tick()
            samples.append((time.perf_counter() - t0) * 1e6)
        tick_us = summary(samples)["median"]
        if interval is None:  # no runtime: the timer is not registered at all
            ticks_per_minute = 1.0
        elif grace > 0:  # ticks until it stops itself, then none
            ticks_per_minute = min(60.0, grace) / idle_interval + 1
        else:  # a timer that never stops
            ticks_per_minute = 60.0 / interval
        out[state] = {"us": summary(samples), "interval_s": interval or 0.0,
                      "ticks_per_idle_minute": ticks_per_minute,
                      "cpu_pct": tick_us * ticks_per_minute / 1e6 / 60.0 * 100}
    runtime.shutdown_runtime()
    return out


def child_scan() -> dict[str, Any]:
    from .product import exiting_processes, runtime_module, startup_timer

    _addon_utils().enable(ADDON_MODULE, default_set=True)
    timer = startup_timer()  # what Blender calls after start-up (it loads the session)
    before = set(sys.modules)
    t0 = time.perf_counter()
    timer()
    scan = (time.perf_counter() - t0) * 1000
    loaded = len(set(sys.modules) - before)
    for process in exiting_processes():  # the pruning process: done before the next start
        process.wait(120)
    runtime = runtime_module()
    t0 = time.perf_counter()
    runtime.get_runtime()
    first = (time.perf_counter() - t0) * 1000
    runtime.shutdown_runtime()
    return {"scan_ms": scan, "first_use_ms": first, "modules": loaded}


def _recording_layout() -> Any:
    """tests/fixtures/recording_layout.py, loaded by path (it needs only bpy)."""
    import importlib.util

    path = ROOT / "tests" / "fixtures" / "recording_layout.py"
    spec = importlib.util.spec_from_file_location("bench_recording_layout", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def time_layout_calls(layouts: Any) -> list[float]:
    """Make the recording layout add each call's time (its RNA checks, which Blender's C layout
    does not do in Python) to the returned one-item list, in seconds."""
    spent = [0.0]
    call = layouts.RecordingLayout._call

    def timed_call(self: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return call(self, *args)
        finally:
            spent[0] += time.perf_counter() - t0

    layouts.RecordingLayout._call = timed_call
    return spent


def sidebar_panels(module: str) -> list[Any]:
    """The registered panels ``module`` puts in the 3D view's sidebar, parents first."""
    import bpy

    found, todo = [], list(bpy.types.Panel.__subclasses__())
    while todo:
        cls = todo.pop(0)
        todo += cls.__subclasses__()
        if (cls.__module__.split(".")[0] == module and cls.is_registered
                and getattr(cls, "bl_space_type", "") == "VIEW_3D"
                and getattr(cls, "bl_region_type", "") == "UI"):
            found.append(cls)
    by_id = {_idname(cls): cls for cls in found}

    def depth(cls: Any) -> int:
        parent = by_id.get(getattr(cls, "bl_parent_id", ""))
        return 0 if parent is None else 1 + depth(parent)

    return sorted(found, key=depth)


def _idname(cls: Any) -> str:
    """A panel's id (Blender uses the class name when ``bl_idname`` is not set)."""
    return str(getattr(cls, "bl_idname", cls.__name__))


def _draw(cls: Any, method: str, context: Any, layouts: Any) -> int:
    """One of a panel's draw methods into a recording layout (as tests/fixtures does: panels
    cannot be instantiated outside a region); returns the layout calls made."""
    layout = layouts.RecordingLayout()
    stand_in = SimpleNamespace(layout=layout)
    for name in dir(cls):
        if name.startswith("draw") and name != method:
            setattr(stand_in, name, MethodType(getattr(cls, name), stand_in))
    getattr(cls, method)(stand_in, context)
    return len(layout.calls)


def draw_sidebar(panels: list[Any], context: Any, layouts: Any) -> dict[str, int]:
    """What Blender draws of these panels on a fresh sidebar: each polled panel's header, and
    the body of those open by default under an open parent. {panel: layout calls}."""
    drawn: dict[str, int] = {}
    open_ids: set[str] = set()
    for cls in panels:
        parent = getattr(cls, "bl_parent_id", "")
        if parent and parent not in open_ids:
            continue
        if hasattr(cls, "poll") and not cls.poll(context):
            continue
        calls = _draw(cls, "draw_header", context, layouts) if hasattr(cls, "draw_header") else 0
        if "DEFAULT_CLOSED" not in getattr(cls, "bl_options", set()):
            calls += _draw(cls, "draw", context, layouts)
            open_ids.add(_idname(cls))
        drawn[_idname(cls)] = calls
    return drawn


def child_draw(module: str) -> dict[str, Any]:
    """The first and second draw of ``module``'s sidebar right after enabling it."""
    addon_utils = _addon_utils()
    import bpy

    layouts = _recording_layout()
    layouts.RecordingLayout.fresh_sections = True  # closed sub-sections draw no body
    layout_s = time_layout_calls(layouts)
    if addon_utils.enable(module, default_set=True) is None:
        raise RuntimeError(f"{module} did not enable")
    panels = sidebar_panels(module)
    if not panels:
        raise RuntimeError(f"{module} has no panel in the 3D view's sidebar")
    before = set(sys.modules)
    t0 = time.perf_counter()
    drawn = draw_sidebar(panels, bpy.context, layouts)
    first = (time.perf_counter() - t0) * 1000
    first_layout, layout_s[0] = layout_s[0] * 1000, 0.0
    loaded = len(set(sys.modules) - before)
    network = [m for m in NETWORK_MODULES if m in sys.modules]
    t0 = time.perf_counter()
    draw_sidebar(panels, bpy.context, layouts)
    second = (time.perf_counter() - t0) * 1000
    second_layout = layout_s[0] * 1000
    runtime_built = False
    if module == ADDON_MODULE:
        from .product import runtime_module

        runtime = runtime_module()
        runtime_built = runtime.current_runtime() is not None
        runtime.shutdown_runtime()  # its worker process exits with this child
    return {"ms": first, "layout_ms": first_layout, "second_ms": second,
            "second_layout_ms": second_layout, "modules": loaded, "network": network,
            "panels": drawn, "runtime_built": runtime_built}


# ------------------------------------------------------------------ parent

def _draws(env: dict[str, str], key_env: dict[str, str], runs: int) -> dict[str, Any]:
    """First sidebar draws, each in a fresh process: ours without a key, ours with a key, and
    the trivial add-on's panel, rotated; n = ``runs`` each."""
    rows: dict[str, list[dict[str, Any]]] = {"no_key": [], "key": [], "trivial": []}
    children = {"no_key": (ADDON_MODULE, env), "key": (ADDON_MODULE, key_env),
                "trivial": (TRIVIAL_MODULE, env)}

    def timed(name: str) -> float:
        module, child_env = children[name]
        row = _child(["--child", "draw", module], child_env)
        rows[name].append(row)
        return float(row["ms"])

    for module, child_env in children.values():  # warm-up: bytecode cache
        _child(["--child", "draw", module], child_env)
    times = paired({name: functools.partial(timed, name) for name in children}, runs)
    return {name: {"ms": summary(times[name]),
                   "layout_ms": summary([r["layout_ms"] for r in rows[name]]),
                   "own_ms": summary([r["ms"] - r["layout_ms"] for r in rows[name]]),
                   "second_ms": summary([r["second_ms"] for r in rows[name]]),
                   "second_layout_ms": summary([r["second_layout_ms"] for r in rows[name]]),
                   "modules": summary([r["modules"] for r in rows[name]]),
                   "network": sorted({m for r in rows[name] for m in r["network"]}),
                   "runtime_built": sum(bool(r["runtime_built"]) for r in rows[name]),
                   "panels": rows[name][-1]["panels"]} for name in children}


def load_average() -> float | None:
    """The 1-minute load average (printed beside each figure: other work skews them)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def run(runs: int, jobs: int, timer_calls: int) -> dict[str, Any]:
    import shutil
    import tempfile

    from .emulator import TEST_KEY, EmulatorProcess

    loads = [load_average()]

    with tempfile.TemporaryDirectory(prefix="meshy-bench-startup-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "addons").mkdir()
        (tmp / "addons" / f"{TRIVIAL_MODULE}.py").write_text(TRIVIAL_ADDON)
        env = _env(tmp)
        enable: dict[str, list[dict[str, Any]]] = {"meshy": [], "trivial": []}

        def timed(name: str, module: str) -> float:
            row = _child(["--child", "enable", module], env)
            enable[name].append(row)
            return float(row["ms"])

        for module in (ADDON_MODULE, TRIVIAL_MODULE):  # warm-up: bytecode cache
            _child(["--child", "enable", module], env)
        times = paired({"meshy": lambda: timed("meshy", ADDON_MODULE),
                        "trivial": lambda: timed("trivial", TRIVIAL_MODULE)}, runs)
        loads.append(load_average())
        with EmulatorProcess() as emulator:
            draws = _draws(env, _env(tmp, MESHY_API_KEY=TEST_KEY, MESHY_API_BASE=emulator.api,
                                     MESHY_CACHE_DIR=str(tmp / "draw-cache")), runs)
        loads.append(load_average())
        cache = tmp / "cache"
        timer = _child(["--child", "timer", str(timer_calls)], _env(
            tmp, MESHY_API_KEY=TEST_KEY, MESHY_API_BASE="http://127.0.0.1:9",
            MESHY_CACHE_DIR=str(cache)))
        old_jobs = tmp / "old-journal"
        write_old_jobs(old_jobs, jobs)
        scan_env = _env(tmp, MESHY_API_KEY=TEST_KEY, MESHY_API_BASE="http://127.0.0.1:9",
                        MESHY_CACHE_DIR=str(cache))
        scans = []
        for _ in range(runs):  # each start finds the 1,000 jobs (the last one pruned them)
            shutil.rmtree(cache / "journal", ignore_errors=True)
            shutil.copytree(old_jobs, cache / "journal")
            scans.append(_child(["--child", "scan"], scan_env))
        loads.append(load_average())
    return {"runs": runs,
            "enable_ms": {k: summary(v) for k, v in times.items()},
            "enable_modules": {k: summary([r["modules"] for r in v]) for k, v in enable.items()},
            "first_draw": draws,
            "timer": timer, "journal_jobs": jobs,
            "scan_ms": summary([s["scan_ms"] for s in scans]),
            "scan_modules": summary([s["modules"] for s in scans]),
            "first_use_ms": summary([s["first_use_ms"] for s in scans]),
            "load_average": {"start": loads[0], "after_enable": loads[1],
                             "after_draws": loads[2], "after_scans": loads[3]}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--timer-calls", type=int, default=2000)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        result = (child_enable(rest[0]) if kind == "enable" else
                  child_draw(rest[0]) if kind == "draw" else
                  child_timer(int(rest[0])) if kind == "timer" else child_scan())
        print(json.dumps(result))
        sys.stdout.flush()
        os._exit(0)  # skip bpy's teardown (see tests/conftest.py): the figures are printed
    from .runner import say, write_json

    result = run(args.runs, args.jobs, args.timer_calls)
    draw = result["first_draw"]
    say(f"enable: meshy median {result['enable_ms']['meshy']['median']:.1f} ms, trivial "
        f"{result['enable_ms']['trivial']['median']:.1f} ms; first draw without a key "
        f"{draw['no_key']['ms']['median']:.1f} ms ({draw['no_key']['own_ms']['median']:.1f} "
        f"without the recording layout's checks), with a key {draw['key']['ms']['median']:.1f} "
        f"ms ({draw['key']['own_ms']['median']:.1f}), trivial "
        f"{draw['trivial']['ms']['median']:.2f} ms; start-up timer with {args.jobs} old jobs "
        f"{result['scan_ms']['median']:.1f} ms; load average {result['load_average']}")
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
