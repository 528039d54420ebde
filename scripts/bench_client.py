"""Benchmark the Meshy client against the emulator (run as a separate process).

1. The same 20 tasks (one key each, so they run side by side) waited for with SSE, then again
   with polling (default 5 s x1.5 back-off): HTTP requests per task and completion-detection
   latency (client noticed - task's finished_at).
2. A 500 MB GLB (emulator ``asset_size_mb``): ``MeshyClient.download_asset`` vs a plain copy
   of the same URL into a file on the same disk (``shutil.copyfileobj`` from the raw stream;
   the target) and, for reference, a stream read to nowhere; plus peak RSS growth while
   downloading. Best of ``--rounds``.

    python scripts/bench_client.py [--tasks 20] [--task-seconds 6] [--size-mb 500] [--json]

Targets (issue 4): SSE detection < 250 ms, download >= 80 % of plain, peak growth < 64 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meshy_blender.client import MeshyClient, build_payload  # noqa: E402

KIND = "text-to-3d-preview"


class EmulatorProcess:
    """``scripts/meshy_emulator.py`` in its own process (so it doesn't share our GIL)."""

    def __init__(self, task_seconds: float, keys: list[str]) -> None:
        cmd = [sys.executable, str(ROOT / "scripts" / "meshy_emulator.py"), "--port", "0",
               "--asset-port", "0", "--task-seconds", str(task_seconds),
               "--queue-limit", "50", "--rate-limit", "1000"]
        for key in keys:
            cmd += ["--key", f"{key}:100000"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.api = self.assets = ""
        assert self.proc.stdout is not None
        while not (self.api and self.assets):
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the emulator exited before printing its ports")
            if line.startswith("api:"):
                self.api = line.split(":", 1)[1].strip()
            elif line.startswith("assets:"):
                self.assets = line.split(":", 1)[1].strip()

    def admin(self, method: str, path: str, **kw: Any) -> Any:
        resp = requests.request(method, f"{self.api}/_emulator/{path}", timeout=30, **kw)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def log(self) -> list[dict[str, Any]]:
        data = self.admin("GET", "log")
        return data if isinstance(data, list) else data.get("requests", [])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wait_phase(emu: EmulatorProcess, keys: list[str], use_stream: bool,
               cache: Path) -> dict[str, Any]:
    emu.admin("POST", "reset")
    clients = [MeshyClient(k, emu.api, cache_dir=cache) for k in keys]
    ids = [c.create_task(KIND, build_payload(KIND, prompt=f"bench item {i}"))
           for i, c in enumerate(clients)]
    latencies: list[float] = [0.0] * len(ids)

    def wait(i: int) -> None:
        task = clients[i].wait_for_task(KIND, ids[i], use_stream=use_stream)
        latencies[i] = time.time() * 1000 - task.finished_at

    threads = [threading.Thread(target=wait, args=(i,)) for i in range(len(ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    log = [r for r in emu.log() if r.get("origin") == "api"
           and not r["path"].startswith("/_emulator")]
    per_task = len(log) / len(ids)
    return {"mode": "sse" if use_stream else "polling", "tasks": len(ids),
            "requests_per_task": round(per_task, 2),
            "latency_ms_median": round(statistics.median(latencies), 1),
            "latency_ms_p95": round(sorted(latencies)[int(0.95 * (len(latencies) - 1))], 1),
            "latency_ms_max": round(max(latencies), 1),
            "latencies_ms": [round(x, 1) for x in latencies]}


class RssSampler(threading.Thread):
    """Peak VmRSS of this process, sampled every 5 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.base = self.peak = rss_kb()
        self.stop_flag = threading.Event()

    def run(self) -> None:
        while not self.stop_flag.wait(0.005):
            self.peak = max(self.peak, rss_kb())

    def growth_mb(self) -> float:
        self.stop_flag.set()
        self.join()
        return (self.peak - self.base) / 1024


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def download_phase(emu: EmulatorProcess, key: str, size_mb: int, cache: Path,
                   rounds: int) -> dict[str, Any]:
    emu.admin("POST", "reset")
    emu.admin("POST", "faults", json={"asset_size_mb": size_mb})
    client = MeshyClient(key, emu.api, cache_dir=cache)
    task = client.wait_for_task(KIND, client.create_task(KIND, build_payload(KIND, prompt="big")))
    url = task.asset_urls()["glb"]
    null_s, plain_s, client_s, growth = [], [], [], []
    size = 0
    for r in range(rounds):
        t0 = time.perf_counter()
        with requests.get(url, stream=True, timeout=60) as resp:
            resp.raise_for_status()
            size = sum(len(chunk) for chunk in resp.iter_content(1024 * 1024))
        null_s.append(time.perf_counter() - t0)

        copy = cache / f"plain{r}.glb"  # the plain copy of the same file onto the same disk
        t0 = time.perf_counter()
        with requests.get(url, stream=True, timeout=60) as resp, open(copy, "wb") as out:
            resp.raise_for_status()
            shutil.copyfileobj(resp.raw, out, 1024 * 1024)
        plain_s.append(time.perf_counter() - t0)
        copy.unlink()

        dest = cache / f"round{r}"
        sampler = RssSampler()
        sampler.start()
        t0 = time.perf_counter()
        path = client.download_asset(KIND, task, "glb", dest_dir=dest)
        client_s.append(time.perf_counter() - t0)
        growth.append(sampler.growth_mb())
        assert path.stat().st_size == size, "client download size differs"
        path.unlink()
    client.close()
    plain = size / 1024**2 / min(plain_s)
    ours = size / 1024**2 / min(client_s)
    return {"size_mb": round(size / 1024**2, 1),
            "to_nowhere_mb_s": round(size / 1024**2 / min(null_s), 1),
            "plain_mb_s": round(plain, 1),
            "client_mb_s": round(ours, 1), "ratio": round(ours / plain, 3),
            "peak_rss_growth_mb": round(max(growth), 1), "rounds": rounds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=20)
    ap.add_argument("--task-seconds", type=float, default=6.0)
    ap.add_argument("--size-mb", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)

    keys = [f"msy-bench-key-{i:02d}" for i in range(args.tasks)]
    emu = EmulatorProcess(args.task_seconds, keys)
    try:
        with tempfile.TemporaryDirectory(prefix="meshy-bench-") as tmp:
            cache = Path(tmp)
            sse = wait_phase(emu, keys, True, cache)
            poll = wait_phase(emu, keys, False, cache)
            dl = download_phase(emu, keys[0], args.size_mb, cache, args.rounds)
    finally:
        emu.stop()
    targets = {"sse_detection_under_250ms": sse["latency_ms_max"] < 250,
               "download_at_least_80pct": dl["ratio"] >= 0.8,
               "peak_growth_under_64mb": dl["peak_rss_growth_mb"] < 64}
    result: dict[str, Any] = {"wait": [sse, poll], "download": dl, "targets": targets}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{'mode':<8} {'tasks':>5} {'req/task':>9} {'median ms':>10} {'p95 ms':>8} "
          f"{'max ms':>8}")
    for row in (sse, poll):
        print(f"{row['mode']:<8} {row['tasks']:>5} {row['requests_per_task']:>9} "
              f"{row['latency_ms_median']:>10} {row['latency_ms_p95']:>8} "
              f"{row['latency_ms_max']:>8}")
    print(f"\ndownload {dl['size_mb']} MB: client {dl['client_mb_s']} MB/s, plain copy to a "
          f"file {dl['plain_mb_s']} MB/s ({dl['ratio'] * 100:.0f} %), read to nowhere "
          f"{dl['to_nowhere_mb_s']} MB/s; peak RSS growth {dl['peak_rss_growth_mb']} MB")
    for name, ok in targets.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
