"""Probe the add-on's own costs on this machine and print them (issue 17, product side).

Three figures, each as median [min-max] n=...:

- ``import``: our import (``importer.import_model``) against Blender's bare
  ``bpy.ops.import_scene.gltf`` of the same file, in scenes of 0 / 500 / 2,000 / 5,000 objects,
  with a small model (5k triangles, one 1K texture) and a large one (300k triangles, three 4K
  textures), both made with Blender into ``build/perf/`` on first use. Pairs alternate (ours
  first, then bare first), each run starting from the same freshly loaded, already evaluated
  scene; the ratio is the median of the per-pair ratios. In background mode both sides include
  exactly one evaluation of the scene (bpy.ops evaluates after the bare operator; ours evaluates
  once at the end); each side then evaluates whatever is still pending (what the next redraw
  would do), inside the timing. Wall time is what the artist waits; CPU time (the process, all
  threads) is what the import costs and is far steadier on a shared machine. Our own steps are
  timed apart (``other``: the final evaluation and the rest). No undo push on either side
  (background mode has no undo).
- ``enable``: ``addon_utils.enable`` of this add-on beside a trivial add-on, each in a fresh
  process, alternating; and which network modules the enable imported (should be none).
- ``idle``: CPU time the persistent pump timer costs while nothing runs.

- ``journal``: start-up journal cost with 1,000 finished old jobs (``journal_probe.py``; plain
  Python, its own options: ``journal --help``).

    PYTHONPATH=scripts python -m perf [import|enable|idle|all] [--runs 11] [--json out.json]
    PYTHONPATH=scripts python -m perf journal [--jobs 1000] [--rounds 21] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import ROOT, enable_probe, idle_probe, import_probe, journal_probe


def summary(values: list[float], scale: float = 1000.0) -> dict[str, float]:
    """Median, min, max (scaled, ms by default) and n of a list of seconds."""
    return {"median": statistics.median(values) * scale, "min": min(values) * scale,
            "max": max(values) * scale, "n": len(values)}


def fmt(s: dict[str, float], unit: str = "ms") -> str:
    digits = 3 if unit == "x" else 1
    return (f"{s['median']:.{digits}f} {unit} [{s['min']:.{digits}f}-{s['max']:.{digits}f}] "
            f"n={s['n']}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in import_probe.CHILD_COMMANDS:
        return import_probe.child(argv)
    if argv and argv[0] == "journal":
        return journal_probe.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m perf",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("what", nargs="?", default="all",
                        choices=("import", "enable", "idle", "all", "journal"),
                        help="journal has options of its own: journal --help")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--sizes", default="0,500,2000,5000")
    parser.add_argument("--models", default="small,large")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    out: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], Any]]] = []
    if args.what in ("import", "all"):
        sizes = [int(s) for s in args.sizes.split(",") if s]
        steps.append(("import", lambda: import_probe.run_all(
            ROOT / "build" / "perf", sizes, args.models.split(","), args.runs, summary, fmt)))
    if args.what in ("enable", "all"):
        steps.append(("enable", lambda: enable_probe.run(ROOT, max(5, args.runs), summary, fmt)))
    if args.what in ("idle", "all"):
        steps.append(("idle", lambda: idle_probe.run(ROOT, summary)))
    for name, step in steps:
        start = time.perf_counter()
        out[name] = step()
        print(f"# {name} done in {time.perf_counter() - start:.0f} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
