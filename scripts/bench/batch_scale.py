"""A big headless batch: does each row's import cost stay flat while the scene fills up?

One ``api.batch`` of ``--rows`` small rows (text-to-3d shapes, queue limit 100, tasks of
``--task-seconds``) against the emulator, every import timed on Blender's main thread (the
pump's importer, wrapped here; the package is not changed); and Blender's glTF importer alone
on the same files, one after the other into one empty scene, each timed. Rounds alternate which
of the two goes first (a bare-first round imports the previous round's files). Per path: the
median import of the first and of the last ``--window`` rows (ms), last / first, and the sum of
all the imports; median, min-max and n over the rounds.

    PYTHONPATH=scripts .venv/bin/python -m bench.batch_scale [--rows 200] [--rounds 3]
        [--window 25] [--task-seconds 0.5] [--json F]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from .batch import run_as_blender_does, start_run
from .stats import summary

LIMIT = 100


def batch_imports(rows: int, task_seconds: float) -> tuple[list[float], list[str]]:
    """Seconds of each row's import in one headless batch, in import order, and its GLBs."""
    from meshy_blender import api
    from meshy_blender.blender.core import runtime

    emu = start_run(LIMIT, task_seconds, "meshy-bench-scale-")
    importer = runtime._default_importer
    spent: list[float] = []

    def timed(snapshot: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return importer(snapshot)
        finally:
            spent.append(time.perf_counter() - started)

    runtime._default_importer = timed
    try:
        result = api.batch([{"id": f"r{n}", "prompt": f"scale prop {n}", "should_texture": False}
                            for n in range(rows)], name="scale")
    finally:
        runtime._default_importer = importer
        runtime.shutdown_runtime()
        emu.stop()
    if result.done != rows:
        raise SystemExit(f"batch_scale: only {result.done} of {rows} rows done")
    return spent, [f for r in result.rows for f in r.files.values() if f.lower().endswith(".glb")]


def bare_imports(files: list[str]) -> list[float]:
    """Seconds of each of Blender's glTF importer calls, the files one after the other."""
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    spent = []
    for path in files:
        started = time.perf_counter()
        bpy.ops.import_scene.gltf(filepath=path)
        spent.append(time.perf_counter() - started)
    bpy.ops.wm.read_homefile(use_empty=True)
    return spent


def shape(spent: list[float], window: int) -> dict[str, float]:
    first = statistics.median(spent[:window]) * 1000
    last = statistics.median(spent[-window:]) * 1000
    return {"first_ms": round(first, 1), "last_ms": round(last, 1),
            "last_over_first": round(last / first, 2), "sum_s": round(sum(spent), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=int, default=25)
    parser.add_argument("--task-seconds", type=float, default=0.5)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    run_as_blender_does("bench.batch_scale", argv)
    runs: dict[str, list[dict[str, float]]] = {"batch": [], "bare": []}
    files: list[str] = []
    for round_no in range(args.rounds):
        bare_first = round_no % 2 == 1 and bool(files)
        if bare_first:
            runs["bare"].append(shape(bare_imports(files), args.window))
        spent, files = batch_imports(args.rows, args.task_seconds)
        runs["batch"].append(shape(spent, args.window))
        if not bare_first:
            runs["bare"].append(shape(bare_imports(files), args.window))
        print(f"round {round_no + 1}: batch {runs['batch'][-1]}, bare {runs['bare'][-1]}",
              file=sys.stderr, flush=True)
    out = {path: {key: summary([r[key] for r in items]) for key in items[0]}
           for path, items in runs.items()}
    for path, figures in out.items():
        print(f"{path}: import of the first {args.window} rows {figures['first_ms']['median']:.1f}"
              f" ms, of the last {args.window} (rows to {args.rows}) "
              f"{figures['last_ms']['median']:.1f} ms -> {figures['last_over_first']['median']}x"
              f" (min {figures['last_over_first']['min']}, max "
              f"{figures['last_over_first']['max']}, n={figures['last_over_first']['n']}); "
              f"all imports {figures['sum_s']['median']:.2f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"summary": out, "runs": runs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
