"""Main-thread stall per job, including the import, and "task done -> model in scene".

A real job runs against the emulator (its own process) whose preview GLB is the benchmark model,
and is driven by the product's headless driver (``pump.run_until_done``), as a script or the CLI
would. For each job:
- main-thread time: every pump tick's time (draining events + the import) from submit to
  imported, summed; and the longest single tick (the freeze an artist would feel);
- task done -> model in scene: the import's return minus the task's ``finished_at`` (the
  emulator's clock, the same machine): SSE notice, download, verify, the driver's 20 ms poll and
  the import.
Beside each job, in alternating order, Blender's bare ``bpy.ops.import_scene.gltf`` of the same
file in the same fresh scene (empty, or 5,000 objects read back from a .blend). Leaves out:
viewport drawing and the UI timer's own cadence (background mode has neither).

    PYTHONPATH=scripts python -m bench.stall [--runs 11] [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from . import models, product
from .emulator import TEST_KEY, EmulatorProcess
from .runner import say, write_json
from .stats import paired, ratios, summary


class JobTimer:
    """Runs one job through the product's pump and headless driver and times the main thread."""

    def __init__(self, api: str, cache: Path) -> None:
        self.client = product.MeshyClient(TEST_KEY, api, cache_dir=cache / "downloads")
        self.manager = product.JobManager(self.client, cache / "journal")
        pump_mod = product.pump_module()
        self.run_until_done = pump_mod.run_until_done
        self.imported_at = 0.0
        self.pump = pump_mod.Pump(self.manager, self._import)
        self.e2e_ms: list[float] = []
        self.longest_ms: list[float] = []
        self.import_ms: list[float] = []

    def _import(self, snapshot: dict[str, Any]) -> Any:
        result = product.import_job(snapshot)
        self.imported_at = time.time()
        return result

    def one(self) -> float:
        """Main-thread seconds for one job (all its ticks, import included)."""
        ticks: list[Any] = []
        original = self.pump.tick

        def tick(*args: Any, **kw: Any) -> Any:
            stats = original(*args, **kw)
            ticks.append(stats)
            return stats

        self.pump.tick = tick  # type: ignore[method-assign]
        try:
            job = self.manager.submit(product.plan_job(
                "text-to-3d", {"prompt": "bench model", "should_texture": False},
                label="Bench model", import_options={"format": "GLB", "placement": "CURSOR"}))
            self.run_until_done(self.pump, [job.id], timeout=120)
        finally:
            self.pump.tick = original  # type: ignore[method-assign]
        if job.status != product.IMPORTED:
            raise RuntimeError(f"job ended {job.status}: {job.detail}")
        step = job.steps[-1]
        task = self.client.get_task(step.kind, str(step.task_id))
        self.e2e_ms.append(self.imported_at * 1000 - task.finished_at)
        each = [t.drain_seconds + t.import_seconds for t in ticks]
        self.longest_ms.append(max(each) * 1000)
        self.import_ms.append(sum(t.import_seconds for t in ticks) * 1000)
        return sum(each)

    def close(self) -> None:
        self.manager.shutdown()
        self.client.close()


def compare(timer: JobTimer, model: Path, objects: int, runs: int) -> dict[str, Any]:
    """``runs`` jobs and bare imports of ``model``, alternating, each in a fresh scene."""
    import bpy

    def job() -> float:
        models.open_scene(objects)
        gc.collect()
        return timer.one()

    def bare() -> float:
        models.open_scene(objects)
        gc.collect()
        start = time.perf_counter()
        bpy.ops.import_scene.gltf(filepath=str(model))
        return time.perf_counter() - start

    job(), bare()  # warm-up
    for series in (timer.e2e_ms, timer.longest_ms, timer.import_ms):
        series.clear()
    ms = {k: [x * 1000 for x in v] for k, v in paired({"job": job, "bare": bare}, runs).items()}
    return {"job_main_thread_ms": summary(ms["job"]), "bare_import_ms": summary(ms["bare"]),
            "ratio_of_medians": statistics.median(ms["job"]) / statistics.median(ms["bare"]),
            "pair_ratios": summary(ratios(ms["job"], ms["bare"])),
            "longest_tick_ms": summary(timer.longest_ms),
            "import_call_ms": summary(timer.import_ms),
            "task_done_to_scene_ms": summary(timer.e2e_ms)}


def measure(name: str, model: Path, objects: list[int], runs: int,
            task_seconds: float) -> list[dict[str, Any]]:
    assets = models.emulator_assets_with(model)
    rows = []
    with EmulatorProcess("--task-seconds", str(task_seconds), "--assets-dir", str(assets),
                         "--rate-limit", "0") as emu, \
            tempfile.TemporaryDirectory(prefix="meshy-bench-stall-") as tmp:
        for count in objects:
            timer = JobTimer(emu.api, Path(tmp) / f"scene{count}")
            rows.append({"model": name, "file": model.name, "objects": count,
                         **compare(timer, model, count, runs)})
            timer.close()
            row = rows[-1]
            say(f"{name} in {count} objects: job main thread / bare import "
                f"{row['ratio_of_medians']:.3f}x; task done -> in scene median "
                f"{row['task_done_to_scene_ms']['median']:.0f} ms")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--task-seconds", type=float, default=1.0)
    ap.add_argument("--scene-objects", type=int, default=models.SCENE_OBJECTS)
    ap.add_argument("--triangles", type=int, help="override (quick runs and tests)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    import bpy

    rows = []
    small = models.ensure_model("small", triangles=args.triangles)
    rows += measure("small", small, [0], args.runs, args.task_seconds)
    large = models.ensure_model("large", triangles=args.triangles)
    rows += measure("large", large, [0, args.scene_objects], args.runs, args.task_seconds)
    write_json(args.json, {"blender": bpy.app.version_string, "runs": args.runs, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
