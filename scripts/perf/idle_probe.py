"""CPU the pump's timer costs while nothing runs.

bpy.app.timers never fire in the bpy module (no event loop), so the probe plays Blender's part:
it calls ``runtime.timer_tick`` at the intervals it returns, for longer than its idle grace
period, and adds up the main-thread CPU time of those calls. The runtime is real (add-on
enabled, client, job manager with ``JOBS`` finished jobs in its table) and idle.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

JOBS = 50


def _idle_runtime(root: Path, cache: Path) -> Any:
    import importlib

    import bpy  # noqa: F401 (loads Blender, which makes addon_utils importable)

    addon_utils = importlib.import_module("addon_utils")

    os.environ.update(MESHY_API_KEY="msy-perf-probe-not-a-key", MESHY_CACHE_DIR=str(cache),
                      MESHY_API_BASE="http://127.0.0.1:9")  # loopback, never contacted
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    addon_utils.enable("meshy_blender", default_set=True)
    from meshy_blender.blender.core import runtime
    from meshy_blender.jobs import model

    rt = runtime.get_runtime(resume=False)
    for n in range(JOBS):  # finished jobs the Tasks panel lists: what busy() walks each tick
        job = model.Job(kind="text-to-3d", label=f"old {n}", steps=[])
        job.status = model.IMPORTED
        rt.manager._jobs[job.id] = job  # a probe filling the table directly
        rt.pump.view[job.id] = job.snapshot()  # as if its last event had been drained
    return runtime


def run(root: Path, summary: Callable[..., dict[str, float]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="meshy-idle-") as tmp:
        runtime = _idle_runtime(root, Path(tmp))
        tick_cpu: list[float] = []
        start_wall = time.perf_counter()
        stopped_after = None
        while time.perf_counter() - start_wall < runtime.TIMER_STOP_AFTER_IDLE_S + 3:
            cpu = time.thread_time()
            interval = runtime.timer_tick()
            tick_cpu.append(time.thread_time() - cpu)
            if interval is None:
                stopped_after = time.perf_counter() - start_wall
                break
            time.sleep(interval)
        wall = time.perf_counter() - start_wall
        runtime.shutdown_runtime()
    per_tick = summary(tick_cpu, 1e6)
    grace_share = statistics.median(tick_cpu) / runtime.TIMER_IDLE_INTERVAL * 100
    out = {"tick_us": per_tick, "ticks": len(tick_cpu), "stopped_after_s": stopped_after,
           "cpu_share_during_grace_pct": grace_share,
           "cpu_share_first_window_pct": sum(tick_cpu) / wall * 100, "window_s": wall}
    print(f"idle timer: one idle tick {per_tick['median']:.0f} us [{per_tick['min']:.0f}-"
          f"{per_tick['max']:.0f}] n={per_tick['n']} with {JOBS} finished jobs listed", flush=True)
    stop = f"{stopped_after:.1f} s" if stopped_after is not None else "never (!)"
    print(f"            every {runtime.TIMER_IDLE_INTERVAL} s for the grace period: "
          f"{grace_share:.4f} % CPU; then the timer unregisters itself after {stop}: 0 %",
          flush=True)
    return out
