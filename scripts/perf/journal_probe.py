"""Start-up journal cost with 1,000 finished old jobs (issue 17 target: at most 10 ms).

Measures, in paired rounds with the order rotated each round (median, min-max, n):
- ``before``: what start-up did before the index: read every journal file and keep the
  unfinished ones (``Journal.load_all`` on a journal in the old flat layout);
- ``scan``: what ``startup_resume`` does now: ``Journal(folder).load_unfinished()``;
- ``first use``: ``JobManager.resume_from_journal()`` when the runtime is built (building the
  client is not included; the sweep for partial downloads over the 2,000 task folders runs on
  a worker and is waited for outside the timing);
- ``retention``: choosing what to prune (``retention.expired``, one listing of ``done/``; it
  runs on a worker thread, the deleting is not measured).
Plain Python, no Blender: the journal layer never imports bpy. Files are in a temporary folder
on the same disk as /tmp; the OS page cache is warm after the first round (a cold start after
a reboot reads more from disk and is not measured here).

    PYTHONPATH=scripts python -m perf journal [--jobs 1000] [--unfinished 0] [--rounds 21] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from meshy_blender.client.client import MeshyClient
from meshy_blender.jobs import model, retention
from meshy_blender.jobs.journal import Journal
from meshy_blender.jobs.manager import JobManager
from meshy_blender.jobs.plans import plan_job


def make_job(i: int, status: str, downloads: Path) -> model.Job:
    job = plan_job("text-to-3d", {"prompt": f"a prop number {i}", "art_style": "realistic"})
    job.status = status
    for step in job.steps:
        step.task_id = f"0193{i:08d}{step.name}"
        step.status = model.STEP_SUCCEEDED
        folder = downloads / step.task_id
        folder.mkdir(parents=True, exist_ok=True)
        step.files = {"model_glb": str(folder / "model.glb")}
    job.detail = "Imported"
    return job


def build(root: Path, jobs: int, unfinished: int) -> tuple[Path, Path, Path]:
    """The same jobs twice: in the old flat layout and in the indexed one; one download cache."""
    downloads, flat, indexed = root / "downloads", root / "flat", root / "indexed"
    journal = Journal(indexed)
    statuses = (model.IMPORTED, model.FAILED, model.CANCELLED)
    for i in range(jobs + unfinished):
        status = statuses[i % 3] if i < jobs else model.READY
        job = make_job(i, status, downloads)
        journal.save(job)
        flat.mkdir(exist_ok=True)
        (flat / f"job-{job.id}.json").write_text(
            json.dumps(job.to_dict(), indent=1, sort_keys=True), encoding="utf-8")
    return flat, indexed, downloads


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def settle() -> None:
    """Let the partial-download sweep a resume starts on a worker finish outside the timing, so
    it does not slow the next measurement down (it still runs beside start-up in Blender)."""
    for thread in threading.enumerate():
        if thread.name == "meshy-sweep":
            thread.join()


def summary(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples), 3), "min_ms": round(min(samples), 3),
            "max_ms": round(max(samples), 3), "n": len(samples)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m perf journal",
                                 description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--jobs", type=int, default=1000, help="finished old jobs in the journal")
    ap.add_argument("--unfinished", type=int, default=0, help="jobs ready to import as well")
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="meshy-perf-journal-"))
    try:
        flat, indexed, downloads = build(root, args.jobs, args.unfinished)
        client = MeshyClient("msy_perf_key_never_sent", "http://127.0.0.1:9",
                             cache_dir=downloads, allow_network=lambda url: False)
        rules = retention.Rules()

        def before() -> object:
            return [j for j in Journal(flat).load_all()
                    if j.status in model.ACTIVE_STATUSES or j.status == model.READY]

        def scan() -> object:
            return Journal(indexed).load_unfinished()

        def first_use() -> object:
            manager = JobManager(client, indexed, max_workers=1)
            try:
                return manager.resume_from_journal()
            finally:
                manager.shutdown(wait=True)

        def prune_choice() -> object:
            return retention.expired(Journal(indexed), rules)

        cases = {"before": before, "scan": scan, "first use": first_use,
                 "retention": prune_choice}
        samples: dict[str, list[float]] = {name: [] for name in cases}
        names = list(cases)
        for name in names:  # one warm-up each (imports, page cache)
            cases[name]()
        for r in range(args.rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for name in order:
                samples[name].append(timed(cases[name]))
                settle()
        client.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report = {"jobs": args.jobs, "unfinished": args.unfinished,
              **{name: summary(s) for name, s in samples.items()}}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"journal with {args.jobs} finished old jobs + {args.unfinished} unfinished, "
              f"{args.rounds} paired rounds, rotated order")
        for name in names:
            s = report[name]
            print(f"  {name:10s} median {s['median_ms']:8.2f} ms  "
                  f"(min {s['min_ms']:.2f} - max {s['max_ms']:.2f}, n={s['n']})")
    return 0

