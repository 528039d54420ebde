"""Jobs layer benchmarks: main-thread responsiveness during downloads, and batch throughput.

1. A 2 ms main-thread task (pure Python, calibrated to 2 ms when idle) runs every 10 ms beside
   the product's pump tick, idle and while 5 jobs each download a ``--size-mb`` model at
   loopback speed, in 4 alternating idle / download windows pooled. Its p99 while downloading
   against its idle p99 is what the network work costs the UI. The task's timing excludes the
   pump tick and the imports; on Linux each sample also records how long the thread waited
   for a CPU (schedstat), which tells preemption from slowdown. ``--compare N``:
   N rounds each of the product's way (the jobs worker process) and of a JobManager on threads
   in this process (the way before issue 21), in rotated order; the p99 ratio per round.
2. Batch throughput: 40 jobs against a Meshy queue limit of 10; wall time vs the ideal
   ceil(40/10) x task duration. One run (n=1): it is a throughput check, not a timing series.

    PYTHONPATH=scripts python -m bench.jobs [--size-mb 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from . import product
from .emulator import TEST_KEY, EmulatorProcess
from .runner import say, write_json
from .stats import percentile, summary

TASK_MS = 2.0


def calibrate(target_ms: float = TASK_MS) -> int:
    """Loop count of ``work`` that takes ``target_ms`` (median of 21) on this machine now."""
    n = 20_000
    for _ in range(3):
        samples = []
        for _ in range(21):
            t0 = time.perf_counter()
            work(n)
            samples.append((time.perf_counter() - t0) * 1000)
        n = max(1, int(n * target_ms / sorted(samples)[10]))
    return n


def work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def _run_delay_ns() -> int | None:
    """Nanoseconds this thread has waited on a run queue so far (Linux schedstat), else None."""
    try:
        with open("/proc/thread-self/schedstat", "rb") as f:
            return int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None


def sample_task(n: int, pump: Any, until: Any, min_samples: int,
                waits: list[float] | None = None) -> list[float]:
    """Run the task every 10 ms beside a pump tick until ``until()`` and ``min_samples``.

    ``waits`` gets, per sample, the milliseconds the thread waited for a CPU during the task
    (Linux only): it tells a preempted sample from a slowed one."""
    samples: list[float] = []
    while len(samples) < min_samples or not until():
        w0 = _run_delay_ns()
        t0 = time.perf_counter()
        work(n)
        samples.append((time.perf_counter() - t0) * 1000)
        w1 = _run_delay_ns()
        if waits is not None and w0 is not None and w1 is not None:
            waits.append((w1 - w0) / 1e6)
        pump.tick()
        time.sleep(0.01)
    return samples


def _manager(mode: str, api: str, cache: Path, jobs: int) -> Any:
    """The product's jobs worker process ("worker"), or a JobManager whose threads run in this
    process ("threads": the way before issue 21, for comparison)."""
    if mode == "threads":
        client = product.MeshyClient(TEST_KEY, api, cache_dir=cache / "downloads")
        return product.JobManager(client, cache / "journal", max_workers=jobs)
    return product.RemoteJobs(dict(
        api_key=TEST_KEY, api_base=api, journal_dir=str(cache / "journal"),
        download_dir=str(cache / "downloads"), ca_bundle="", proxy="", max_jobs=jobs,
        use_stream=True, start=jobs, rate=20.0, rate_known=False, online=True), resume=False)


def bench_main_thread(size_mb: int, jobs: int, task_seconds: float,
                      mode: str = "worker", server_nice: int = 0,
                      windows: int = 4, server_idle: bool = False) -> dict[str, Any]:
    """``windows`` download windows of ``jobs`` x ``size_mb`` MB, each after an idle window of
    as many samples: idle and busy alternate, so a slow minute of the machine hits both, and
    the p99 is taken over all the windows' samples pooled (one window holds ~80 samples, whose
    p99 would be its maximum)."""
    import bpy  # noqa: F401  (the pump's redraw tagging and the imports run in real Blender)

    with EmulatorProcess("--task-seconds", str(task_seconds), "--fault",
                         f"asset_size_mb={size_mb}", nice=server_nice,
                         idle=server_idle) as emu, \
            tempfile.TemporaryDirectory(prefix="meshy-bench-jobs-") as tmp:
        cache = Path(tmp)
        manager = _manager(mode, emu.api, cache, jobs)
        pump = product.pump_module().Pump(manager, product.import_job)
        n = calibrate()
        idle: list[float] = []
        busy: list[float] = []
        idle_waits: list[float] = []
        busy_waits: list[float] = []
        bad: list[Any] = []
        window = 80
        for w in range(windows):
            idle += sample_task(n, pump, lambda: True, window, idle_waits)
            submitted = [manager.submit(product.plan_job(
                "text-to-3d", {"prompt": f"bench {w}-{i}", "should_texture": False},
                label=f"b{w}-{i}")) for i in range(jobs)]
            # Only the download window counts: from the first byte to the last job downloaded.
            while not any(j.status == product.DOWNLOADING for j in submitted) and \
                    any(j.is_active for j in submitted):
                pump.tick()
                time.sleep(0.005)
            got = sample_task(n, pump, lambda batch=submitted: not any(j.is_active for j in batch),
                              1, busy_waits)
            busy += got
            window = max(20, len(got))
            deadline = time.monotonic() + 60
            while pump.busy([j.id for j in submitted]) and time.monotonic() < deadline:
                pump.tick(max_imports=jobs)
                time.sleep(0.01)
            bad += [j for j in submitted if j.status != product.IMPORTED]
        manager.shutdown()
    total = jobs * windows
    problems = [f"{len(bad)} of {total} jobs never landed in the scene within 60 s of their "
                f"download (status {', '.join(sorted({j.status for j in bad}))})"] if bad else []
    idle_p99, busy_p99 = percentile(idle, 99), percentile(busy, 99)

    def preempted(waits: list[float]) -> dict[str, Any]:
        hit = [x for x in waits if x > 0.1]
        return {"samples": len(waits), "waited_over_0_1_ms": len(hit),
                "wait_ms_p99": percentile(waits, 99) if waits else None}

    return {"mode": mode, "jobs": jobs, "download_mb_each": size_mb, "task_ms": TASK_MS,
            "windows": windows, "idle_ms": summary(idle), "busy_ms": summary(busy),
            "idle_p99_ms": idle_p99, "busy_p99_ms": busy_p99, "p99_ratio": busy_p99 / idle_p99,
            "idle_cpu_wait": preempted(idle_waits), "busy_cpu_wait": preempted(busy_waits),
            "problems": problems, "busy_samples_ms": [round(x, 3) for x in busy],
            "idle_samples_ms": [round(x, 3) for x in idle]}


def bench_batch(task_seconds: float, jobs: int, queue_limit: int) -> dict[str, Any]:
    with EmulatorProcess("--task-seconds", str(task_seconds), "--queue-limit", str(queue_limit),
                         "--parallelism", str(queue_limit)) as emu, \
            tempfile.TemporaryDirectory(prefix="meshy-bench-batch-") as tmp:
        cache = Path(tmp)
        client = product.MeshyClient(TEST_KEY, emu.api, cache_dir=cache / "downloads")
        manager = product.JobManager(client, cache / "journal", max_workers=queue_limit)
        started = time.perf_counter()
        started_ms = time.time() * 1000
        batch = [manager.submit(product.plan_job("text-to-3d", {"prompt": f"batch {n}",
                                                                "should_texture": False}))
                 for n in range(jobs)]
        while any(job.is_active for job in batch):
            manager.drain()
            time.sleep(0.01)
        wall = time.perf_counter() - started
        statuses = sorted({job.status for job in batch})
        finished_s = sorted((job.finished_ms or 0) / 1000 - started_ms / 1000 for job in batch)
        manager.shutdown()
        client.close()
    ideal = math.ceil(jobs / queue_limit) * task_seconds
    return {"jobs": jobs, "queue_limit": queue_limit, "task_seconds": task_seconds,
            "wall_s": wall, "ideal_s": ideal, "overhead_pct": 100 * (wall - ideal) / ideal,
            "statuses": statuses, "finished_s": [round(t, 3) for t in finished_s]}


def compare(rounds: int, size_mb: int, out: Path | None, server_nice: int = 0,
            server_idle: bool = False) -> int:
    """The p99 ratio (busy/idle) of the worker process and of in-process threads, paired by
    round, rotated (worker, threads, threads, worker, ...)."""
    from .stats import paired

    found: dict[str, list[dict[str, Any]]] = {"worker": [], "threads": []}

    def run(mode: str) -> float:
        result = bench_main_thread(size_mb, 5, 1.0, mode, server_nice,
                                   server_idle=server_idle)
        found[mode].append(result)
        waits = result["busy_cpu_wait"], result["idle_cpu_wait"]
        say(f"{mode}: p99 idle {result['idle_p99_ms']:.2f} ms, busy {result['busy_p99_ms']:.2f}"
            f" ms ({result['p99_ratio']:.2f}x), samples that waited for a CPU: busy "
            f"{waits[0]['waited_over_0_1_ms']}/{waits[0]['samples']}, idle "
            f"{waits[1]['waited_over_0_1_ms']}/{waits[1]['samples']}"
            f"{' ' + '; '.join(result['problems']) if result['problems'] else ''}")
        return float(result["p99_ratio"])

    ratios = paired({"worker": lambda: run("worker"), "threads": lambda: run("threads")},
                    rounds)
    report = {mode: summary(values) for mode, values in ratios.items()}
    for mode, figures in report.items():
        say(f"{mode}: p99 busy/idle median {figures['median']:.2f}x "
            f"({figures['min']:.2f}-{figures['max']:.2f}, n={figures['n']})")
    write_json(out, {"ratios": ratios, "summary": report, "server_nice": server_nice,
                     "server_idle": server_idle,
                     "runs": {m: [{k: v for k, v in r.items() if not k.endswith("samples_ms")}
                                  for r in rs] for m, rs in found.items()}})
    return 1 if any(r["problems"] for rs in found.values() for r in rs) else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--task-seconds", type=float, default=3.0)
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--compare", type=int, default=0,
                    help="rounds of worker process vs in-process threads (main thread only)")
    ap.add_argument("--server-nice", type=int, default=0,
                    help="run the emulator (standing in for Meshy's servers) at this nice value")
    ap.add_argument("--server-idle", action="store_true",
                    help="run the emulator under SCHED_IDLE (Linux; it stands in for a remote "
                         "server, whose CPU is not the artist's)")
    args = ap.parse_args(argv)
    if args.compare:
        return compare(args.compare, args.size_mb, args.json, args.server_nice,
                       args.server_idle)
    mt = bench_main_thread(args.size_mb, 5, 1.0)
    say(f"2 ms task p99: idle {mt['idle_p99_ms']:.2f} ms, during 5 x {args.size_mb} MB "
        f"downloads {mt['busy_p99_ms']:.2f} ms ({mt['p99_ratio']:.2f}x)")
    batch = bench_batch(args.task_seconds, args.batch, 10)
    say(f"batch of {args.batch}: {batch['wall_s']:.2f} s vs ideal {batch['ideal_s']:.2f} s")
    write_json(args.json, {"main_thread": mt, "batch": batch, "problems": mt["problems"]})
    for problem in mt["problems"]:
        say(f"FAILED: {problem}")
    return 1 if mt["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
