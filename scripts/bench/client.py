"""Client benchmarks against the emulator: waiting for tasks (SSE vs polling), the client's own
share of the SSE latency, and downloads against curl.

1. The same ``--tasks`` tasks (one key each, so they run side by side) waited for with SSE, then
   with polling (5 s x1.5 back-off). Detection latency = client noticed - task's finished_at:
   mostly the emulator's frame cadence (SSE) or the poll interval (polling), not our code.
   The client's own share: from the moment the bytes of the final SSE frame were read off the
   socket to ``wait_for_task`` returning (parsing, merging, checks), measured per task.
2. A ``--size-mb`` GLB: ``MeshyClient.download_asset`` vs ``curl`` writing the same URL to a file
   and to /dev/null (curl's own ``time_total``, so its process start is left out), ``--rounds``
   rounds in rotated order; per-round speed ratios; peak RSS growth of ours.

    PYTHONPATH=scripts python -m bench.client [--tasks 20] [--size-mb 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import product
from .emulator import EmulatorProcess
from .runner import say, write_json
from .stats import paired, ratios, summary

KIND = "text-to-3d-preview"


class FinalFrameClock:
    """Wraps the client's SSE chunk reader: when each thread last read bytes off its stream."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self._original = product.sse.iter_chunks

    def __enter__(self) -> FinalFrameClock:
        original, arrived = self._original, self.arrived

        def timed(resp: Any, size: int = 65536) -> Iterator[bytes]:
            for chunk in original(resp, size):
                arrived[threading.get_ident()] = time.perf_counter()
                yield chunk

        product.sse.iter_chunks = timed
        return self

    def __exit__(self, *exc: object) -> None:
        product.sse.iter_chunks = self._original


def wait_phase(emu: EmulatorProcess, keys: list[str], use_stream: bool,
               cache: Path) -> dict[str, Any]:
    emu.admin("POST", "reset")
    clients = [product.MeshyClient(k, emu.api, cache_dir=cache) for k in keys]
    ids = [c.create_task(KIND, product.build_payload(KIND, prompt=f"bench item {i}"))
           for i, c in enumerate(clients)]
    latencies = [0.0] * len(ids)
    own = [0.0] * len(ids)

    def wait(i: int, clock: FinalFrameClock) -> None:
        task = clients[i].wait_for_task(KIND, ids[i], use_stream=use_stream)
        done = time.perf_counter()
        latencies[i] = time.time() * 1000 - task.finished_at
        own[i] = (done - clock.arrived.get(threading.get_ident(), done)) * 1000

    with FinalFrameClock() as clock:
        threads = [threading.Thread(target=wait, args=(i, clock)) for i in range(len(ids))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for c in clients:
        c.close()
    log = [r for r in emu.log() if r.get("origin") == "api"
           and not r["path"].startswith("/_emulator")]
    row = {"mode": "sse" if use_stream else "polling", "tasks": len(ids),
           "requests_per_task": round(len(log) / len(ids), 2),
           "detection_ms": summary(latencies), "latencies_ms": [round(x, 1) for x in latencies]}
    if use_stream:
        row["client_share_ms"] = summary(own)
    return row


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


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


def curl_seconds(url: str, target: str) -> float:
    """curl's own transfer time for the URL written to ``target`` (a file or /dev/null)."""
    proc = subprocess.run(["curl", "-sS", "--fail", "-o", target, "-w", "%{time_total}", url],
                          capture_output=True, text=True, check=True, timeout=300)
    return float(proc.stdout.strip())


def download_phase(emu: EmulatorProcess, key: str, size_mb: int, cache: Path,
                   rounds: int) -> dict[str, Any]:
    emu.admin("POST", "reset")
    emu.admin("POST", "faults", json={"asset_size_mb": size_mb})
    client = product.MeshyClient(key, emu.api, cache_dir=cache)
    task = client.wait_for_task(KIND, client.create_task(
        KIND, product.build_payload(KIND, prompt="big")))
    url = task.asset_urls()["glb"]
    growth: list[float] = []
    sizes: list[int] = []
    counter = iter(range(10_000))

    def curl_file() -> float:
        target = cache / f"curl{next(counter)}.glb"
        seconds = curl_seconds(url, str(target))
        sizes.append(target.stat().st_size)
        target.unlink()
        return seconds

    def ours() -> float:
        dest = cache / f"ours{next(counter)}"
        sampler = RssSampler()
        sampler.start()
        t0 = time.perf_counter()
        path = client.download_asset(KIND, task, "glb", dest_dir=dest)
        seconds = time.perf_counter() - t0
        growth.append(sampler.growth_mb())
        sizes.append(path.stat().st_size)
        path.unlink()
        return seconds

    times = paired({"curl_file": curl_file, "curl_null": lambda: curl_seconds(url, "/dev/null"),
                    "ours": ours}, rounds)
    client.close()
    if len(set(sizes)) != 1:
        raise RuntimeError(f"downloads differ in size: {sorted(set(sizes))}")
    mb = sizes[0] / 1024**2
    return {"size_mb": round(mb, 1), "rounds": rounds,
            "mb_s": {name: summary([mb / t for t in ts]) for name, ts in times.items()},
            "ratio_vs_curl_file": summary(ratios(times["curl_file"], times["ours"])),
            "ratio_vs_curl_null": summary(ratios(times["curl_null"], times["ours"])),
            "peak_rss_growth_mb": summary(growth), "seconds": times}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=20)
    ap.add_argument("--task-seconds", type=float, default=6.0)
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    keys = [f"msy-bench-key-{i:02d}" for i in range(args.tasks)]
    key_args = [a for k in keys for a in ("--key", f"{k}:100000")]
    with EmulatorProcess("--task-seconds", str(args.task_seconds), "--queue-limit", "50",
                         "--rate-limit", "1000", *key_args) as emu, \
            tempfile.TemporaryDirectory(prefix="meshy-bench-") as tmp:
        cache = Path(tmp)
        sse = wait_phase(emu, keys, True, cache)
        say(f"SSE detection median {sse['detection_ms']['median']:.0f} ms, client's own share "
            f"median {sse['client_share_ms']['median']:.2f} ms")
        poll = wait_phase(emu, keys, False, cache)
        dl = download_phase(emu, keys[0], args.size_mb, cache, args.rounds)
        say(f"download {dl['size_mb']} MB: ours/curl-to-file median "
            f"{dl['ratio_vs_curl_file']['median']:.2f}x")
    write_json(args.json, {"wait": [sse, poll], "download": dl})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
