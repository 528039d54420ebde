"""`make bench`: every benchmark in its own process, then out/bench/report.md.

    PYTHONPATH=scripts python -m bench [--out out/bench] [--quick] [--only imports,stall]

Exits 1 when any benchmark FAILED or HUNG (targets missed are reported, not an error: the
figures are the figures). ``--quick`` shrinks every benchmark to prove the pipeline in about a
minute; its figures are not the published ones.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from .emulator import ROOT
from .report import charts, render, targets
from .runner import OK, run_bench

# name -> (full args, quick args, timeout seconds)
BENCHES: dict[str, tuple[list[str], list[str], float]] = {
    "imports": ([], ["--runs", "1", "--triangles", "20000"], 420),
    "stall": ([], ["--runs", "1", "--triangles", "20000", "--task-seconds", "0.5"], 420),
    "client": ([], ["--tasks", "3", "--task-seconds", "1", "--size-mb", "20", "--rounds", "2"],
               300),
    "jobs": ([], ["--task-seconds", "1", "--size-mb", "20", "--batch", "20"], 240),
    "startup": ([], ["--runs", "2", "--jobs", "100", "--timer-calls", "200"], 300),
    "batch": ([], ["--rounds", "1", "--rows", "8", "--task-seconds", "0.5"], 600),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "bench")
    ap.add_argument("--quick", action="store_true", help="tiny sizes: proves the pipeline")
    ap.add_argument("--only", help="comma-separated benchmark names")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    names = args.only.split(",") if args.only else list(BENCHES)
    started = time.monotonic()
    runs = {}
    for name in names:
        full, quick, timeout = BENCHES[name]
        runs[name] = run_bench(name, quick if args.quick else full, out / f"{name}.json",
                               timeout)
    (out / "runs.json").write_text(json.dumps(runs, indent=1))
    charts(runs, out)
    blender = next((r["data"]["blender"] for r in runs.values()
                    if r["data"] and "blender" in r["data"]), "?")
    meta = {"command": "make bench" if not args.quick else "python -m bench --quick",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": platform.machine(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "blender": blender,
            "seconds": time.monotonic() - started, "quick": args.quick}
    (out / "report.md").write_text(render(runs, meta))
    print(f"\nwrote {out / 'report.md'}")
    for what, _, measured, met in targets(runs):
        if not met:
            print(f"  target missed: {what}: {measured}")
    broken = [f"{n} {r['status']}" for n, r in runs.items() if r["status"] != OK]
    for line in broken:
        print(f"  benchmark {line}", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
