"""Where a batch's seconds go: one `api.batch` run against the emulator, timed per row.

Wall-clock ratios on a busy machine move with the load; a timeline of one run does not need a
quiet machine to show where the time beyond the floor goes. For every row it records, on one
clock (epoch seconds from the batch's start):

- ``submit`` / ``submitted``: Blender's main thread hands the row to the jobs worker (one
  request and its answer over the pipe);
- ``create``: the create POST's arrival at the emulator; ``finished``: when Meshy (the
  emulator) ends the task;
- ``asset``: the first download request for its files (the worker noticed SUCCEEDED);
  ``ready``: the job downloaded, verified and journalled (worker side);
- ``seen``: the ready event read on Blender's main thread; ``import_start`` / ``import_end``:
  the import (the pump's importer, wrapped here; the package is not changed); ``mark_start``
  / ``mark_end``: telling the jobs worker the row is imported.

It prints the stages' median and max per row, the requests Meshy counted per second (creates,
stream opens, polls: 20/s on Studio), and the wall time against the floor.

    PYTHONPATH=scripts .venv/bin/python -m bench.batch_timeline [--limit 60] [--json F]
        [--worker-started]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .batch import RATE_LIMITS, bare_import_seconds, run_as_blender_does, start_run

STAGES = (("submit", "submitted"), ("submitted", "create"), ("create", "finished"),
          ("finished", "asset"), ("asset", "ready"), ("ready", "seen"),
          ("seen", "import_start"), ("import_start", "import_end"),
          ("mark_start", "mark_end"))


def run(limit: int, rows: int, task_seconds: float,
        worker_started: bool = False) -> dict[str, Any]:
    """One timed batch; ``worker_started``: the jobs worker is started (and answers) before the
    clock starts, to show what its start costs a batch (a diagnostic, not how a run goes)."""

    from meshy_blender import api
    from meshy_blender.blender.core import runtime
    from meshy_blender.jobs import remote

    emu = start_run(limit, task_seconds, "meshy-bench-timeline-")
    marks: dict[str, dict[str, float]] = {}
    importer, drain = runtime._default_importer, remote.RemoteJobs.drain

    def timed_import(snapshot: dict[str, Any]) -> Any:
        mark = marks.setdefault(snapshot["id"], {})
        mark["import_start"] = time.time()
        try:
            return importer(snapshot)
        finally:
            mark["import_end"] = time.time()

    def timed_drain(self: Any, limit: int | None = None) -> list[Any]:
        events = drain(self, limit)
        now = time.time()
        for event in events:
            if event.type == "ready":
                marks.setdefault(event.job_id, {}).setdefault("seen", now)
        return events

    mark_imported = remote.RemoteJobs.mark_imported

    def timed_mark(self: Any, job_id: str) -> None:
        mark = marks.setdefault(job_id, {})
        mark["mark_start"] = time.time()
        try:
            mark_imported(self, job_id)
        finally:
            mark["mark_end"] = time.time()

    submit = remote.RemoteJobs.submit

    def timed_submit(self: Any, job: Any) -> Any:
        started = time.time()
        running = submit(self, job)
        marks.setdefault(running.id, {}).update(submit=started, submitted=time.time())
        return running

    runtime._default_importer = timed_import
    remote.RemoteJobs.submit = timed_submit  # type: ignore[method-assign]
    remote.RemoteJobs.drain = timed_drain  # type: ignore[method-assign]
    remote.RemoteJobs.mark_imported = timed_mark  # type: ignore[method-assign]
    try:
        if worker_started:
            from meshy_blender.api.session import runtime as current

            current().manager.call("ping")
        t0 = time.time()
        result = api.batch([{"id": f"r{n}", "prompt": f"bench prop {n}", "should_texture": False}
                            for n in range(rows)], name=f"timeline-{limit}")
        wall = time.time() - t0
        rt = runtime.current_runtime()
        assert rt is not None
        jobs = {j.id: j for j in rt.manager.jobs()}
        log = emu.log()
        tasks = {t["id"]: t for t in emu.admin("GET", "tasks")}
    finally:
        runtime._default_importer = importer
        remote.RemoteJobs.drain = drain  # type: ignore[method-assign]
        remote.RemoteJobs.mark_imported = mark_imported  # type: ignore[method-assign]
        remote.RemoteJobs.submit = submit  # type: ignore[method-assign]
        runtime.shutdown_runtime()
        emu.stop()
    bare = bare_import_seconds([f for r in result.rows for f in r.files.values()
                                if f.lower().endswith(".glb")])
    timeline = []
    for row in result.rows:
        task_id = next(iter(row.task_ids.values()), "")
        job = jobs.get(row.job_id or "")
        task = tasks.get(task_id, {})
        created = [r["at"] for r in log if r.get("created_task_id") == task_id]
        assets = [r["at"] for r in log if r["origin"] == "assets" and task_id in r["path"]]
        mark = marks.get(row.job_id or "", {})
        points = {"submit": mark.get("submit"), "submitted": mark.get("submitted"),
                  "create": created[0] if created else None,
                  "finished": task.get("finished_at", 0) / 1000 or None,
                  "asset": min(assets) if assets else None,
                  "ready": (job.finished_ms or 0) / 1000 if job else None,
                  **{k: mark.get(k) for k in ("seen", "import_start", "import_end",
                                              "mark_start", "mark_end")}}
        timeline.append({"row": row.id, **{k: round(v - t0, 3) if v else None
                                           for k, v in points.items()}})
    first_request = min((r["at"] for r in log if r["origin"] == "api"), default=t0)
    api_requests = [r for r in log if r["origin"] == "api" and r.get("status") != 429]
    per_second = Counter(int(r["at"] - t0) for r in api_requests)
    kinds = Counter(_request_kind(r) for r in api_requests)
    ideal = math.ceil(rows / limit) * task_seconds
    return {"limit": limit, "rows": rows, "worker_started": worker_started,
            "wall_s": round(wall, 3), "ideal_s": ideal,
            "bare_import_s": round(bare, 3), "floor_ratio": round(wall / (ideal + bare), 3),
            "first_request_s": round(first_request - t0, 3),
            "full_queue_answers": result.full_queue_answers,
            "rate_limited": sum(1 for r in log if r.get("status") == 429),
            "requests_per_second": dict(sorted(per_second.items())),
            "requests_by_kind": dict(kinds), "stages": _stages(timeline),
            "timeline": sorted(timeline, key=lambda t: t["create"] or 0)}


def _request_kind(record: dict[str, Any]) -> str:
    if record.get("created_task_id") or record["method"] == "POST":
        return "create"
    path = record["path"]
    if path.endswith("/stream"):
        return "stream"
    return "balance" if "balance" in path else "poll/list"


def _stages(timeline: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out = {}
    for first, then in STAGES:
        spans = [t[then] - t[first] for t in timeline if t[first] is not None
                 and t[then] is not None]
        if spans:
            out[f"{first}->{then}"] = {"median": round(statistics.median(spans), 3),
                                       "min": round(min(spans), 3),
                                       "max": round(max(spans), 3), "n": len(spans)}
    for point in ("submit", "submitted", "create", "finished", "asset", "ready", "seen",
                  "import_end"):
        values = [t[point] for t in timeline if t[point] is not None]
        if values:
            out[f"{point} (from start)"] = {"first": min(values), "last": max(values)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=60, choices=sorted(RATE_LIMITS))
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--task-seconds", type=float, default=3.0)
    parser.add_argument("--json", type=Path, help="also write the timeline to this file")
    parser.add_argument("--worker-started", action="store_true",
                        help="start the jobs worker before the clock (what its start costs)")
    args = parser.parse_args(argv)
    run_as_blender_does("bench.batch_timeline", argv)
    out = run(args.limit, args.rows, args.task_seconds, args.worker_started)
    print(f"limit {out['limit']}: wall {out['wall_s']:.2f} s, floor {out['ideal_s']:.0f} s + "
          f"bare import {out['bare_import_s']:.2f} s -> {out['floor_ratio']:.3f}x; "
          f"{out['full_queue_answers']} full-queue answers, {out['rate_limited']} rate-limited; "
          f"first request to Meshy at {out['first_request_s']:.2f} s")
    print(f"requests Meshy counted per second: {out['requests_per_second']} "
          f"({out['requests_by_kind']})")
    for name, spread in out["stages"].items():
        print(f"  {name:28s} {spread}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
