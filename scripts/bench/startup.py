"""Start-up costs: enabling the add-on, its idle timer, and the journal scan at start-up.

1. Enable time: ``addon_utils.enable`` of this add-on and of a trivial add-on (one operator),
   each in a fresh Python process with bpy already imported, ``--runs`` each in alternating
   order; also the modules the enable loaded. Leaves out bpy's own start-up (same for both).
2. Idle timer: the persistent timer function (``runtime.timer_tick``) called back to back,
   with no runtime yet and with a runtime but no jobs; CPU share = time per call / the interval
   it asks for. Leaves out Blender's own timer dispatch (GUI event loop; none in background).
3. Start-up scan: the one-shot timer enabling registers (it loads the session, then
   ``runtime.startup_resume`` reads the journal) with 1,000 old finished jobs in the journal,
   then the first ``get_runtime`` (which resumes from the journal), each in a fresh process
   (n = ``--runs``); the journal files are in the page cache.

    PYTHONPATH=scripts python -m bench.startup [--runs 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .emulator import ROOT, TEST_KEY
from .runner import say, write_json
from .stats import paired, summary

TRIVIAL_ADDON = '''bl_info = {"name": "Trivial", "blender": (4, 2, 0), "category": "Object"}
import bpy


class TRIVIAL_OT_hello(bpy.types.Operator):
    bl_idname = "trivial.hello"
    bl_label = "Hello"

    def execute(self, context):
        return {"FINISHED"}


def register():
    bpy.utils.register_class(TRIVIAL_OT_hello)


def unregister():
    bpy.utils.unregister_class(TRIVIAL_OT_hello)
'''
DAY_MS = 24 * 3600 * 1000


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One fresh process running ``--child ...``; its last stdout line is its JSON."""
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
    """Blender's addon_utils (importable only once bpy is imported)."""
    import importlib

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
    from .product import ADDON_MODULE, runtime_module

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
    from .product import ADDON_MODULE, runtime_module, startup_timer

    _addon_utils().enable(ADDON_MODULE, default_set=True)
    timer = startup_timer()  # what Blender calls after start-up (it loads the session)
    t0 = time.perf_counter()
    timer()
    scan = (time.perf_counter() - t0) * 1000
    runtime = runtime_module()
    t0 = time.perf_counter()
    runtime.get_runtime()
    first = (time.perf_counter() - t0) * 1000
    runtime.shutdown_runtime()
    return {"scan_ms": scan, "first_use_ms": first}


# ------------------------------------------------------------------ parent

def run(runs: int, jobs: int, timer_calls: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="meshy-bench-startup-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "addons").mkdir()
        (tmp / "addons" / "bench_trivial_addon.py").write_text(TRIVIAL_ADDON)
        env = _env(tmp)
        enable: dict[str, list[dict[str, Any]]] = {"meshy": [], "trivial": []}

        def timed(name: str, module: str) -> float:
            row = _child(["--child", "enable", module], env)
            enable[name].append(row)
            return float(row["ms"])

        for module in ("meshy_blender", "bench_trivial_addon"):  # warm-up: bytecode cache
            _child(["--child", "enable", module], env)
        times = paired({"meshy": lambda: timed("meshy", "meshy_blender"),
                        "trivial": lambda: timed("trivial", "bench_trivial_addon")}, runs)
        cache = tmp / "cache"
        timer = _child(["--child", "timer", str(timer_calls)], _env(
            tmp, MESHY_API_KEY=TEST_KEY, MESHY_API_BASE="http://127.0.0.1:9",
            MESHY_CACHE_DIR=str(cache)))
        write_old_jobs(cache / "journal", jobs)
        scan_env = _env(tmp, MESHY_API_KEY=TEST_KEY, MESHY_API_BASE="http://127.0.0.1:9",
                        MESHY_CACHE_DIR=str(cache))
        scans = [_child(["--child", "scan"], scan_env) for _ in range(runs)]
    return {"runs": runs,
            "enable_ms": {k: summary(v) for k, v in times.items()},
            "enable_modules": {k: summary([r["modules"] for r in v]) for k, v in enable.items()},
            "timer": timer, "journal_jobs": jobs,
            "scan_ms": summary([s["scan_ms"] for s in scans]),
            "first_use_ms": summary([s["first_use_ms"] for s in scans])}


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
                  child_timer(int(rest[0])) if kind == "timer" else child_scan())
        print(json.dumps(result))
        sys.stdout.flush()
        os._exit(0)  # skip bpy's teardown (see tests/conftest.py): the figures are printed
    result = run(args.runs, args.jobs, args.timer_calls)
    say(f"enable: meshy median {result['enable_ms']['meshy']['median']:.1f} ms, trivial "
        f"{result['enable_ms']['trivial']['median']:.1f} ms; start-up scan of {args.jobs} "
        f"old jobs {result['scan_ms']['median']:.1f} ms")
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
