"""One Blender process of the thread-stress row (see thread_stress.py): our imports and exports
of a real GLB and FBX, in a loop, beside one kind of other Python activity.

Run by thread_stress.py as ``<bpy python> stress_child.py --phase P --seconds S --code-root R``
(``R``: the checkout whose meshy_blender is exercised, so older code can be tried as well).
It prints one JSON line with what it did and leaves with ``os._exit`` (the bpy module's
teardown can hang, see README); a native crash kills it with a signal and faulthandler prints
every thread's stack on stderr.

Phases:
- ``downloads``: our own jobs run against the emulator (MESHY_API_* environment) and download
  their results while the main thread imports and exports; the jobs' results are imported too.
- ``busy-thread``: one pure-Python thread computes without pause.
- ``other-addon``: our jobs download as above, and between our imports the main thread calls an
  operator under ``temp_override``, as another add-on might. That is only safe when no Python
  thread runs in Blender's process, so the phase is skipped (and says why) while ours do.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PHASES = ("downloads", "busy-thread", "other-addon")
JOBS_AT_ONCE = 3


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", choices=PHASES, required=True)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--code-root", type=Path, required=True)
    parser.add_argument("--glb", type=Path, required=True)
    parser.add_argument("--fbx", type=Path, required=True)
    return parser.parse_args(argv)


class Downloads:
    """Keeps JOBS_AT_ONCE of our jobs running (each downloads its model); the pump imports the
    finished ones through the add-on's own path."""

    def __init__(self) -> None:
        from meshy_blender.api import session
        from meshy_blender.jobs.request import JobRequest

        self.request = JobRequest
        self.rt = session.runtime()
        self.jobs: list[Any] = []
        self.submitted = 0

    def top_up(self) -> None:
        from meshy_blender.jobs import model

        self.jobs = [j for j in self.jobs if j.status not in model.FINISHED_STATUSES
                     or j.status == model.READY]
        while len(self.jobs) < JOBS_AT_ONCE:
            self.submitted += 1
            self.jobs.append(self.rt.submit(self.request(
                "text-to-3d", {"prompt": f"stress crate {self.submitted}",
                               "should_texture": False})))

    def pump(self) -> int:
        return self.rt.pump.tick(budget=0.01, max_imports=1).imports

    def imported(self) -> int:
        from meshy_blender.jobs import model

        return sum(1 for j in self.rt.manager.jobs() if j.status == model.IMPORTED)


def busy_thread(stop: threading.Event) -> threading.Thread:
    def spin() -> None:
        while not stop.is_set():  # pure Python that never sleeps: makes and drops objects
            table = {str(n): [n, n * 2.5] for n in range(64)}
            table.clear()

    thread = threading.Thread(target=spin, name="busy", daemon=True)
    thread.start()
    return thread


def other_addon(bpy: Any, calls: int = 20) -> None:
    """What another add-on may do from a timer or handler: operators under an override."""
    window = bpy.context.window_manager.windows[0]
    with bpy.context.temp_override(window=window, screen=window.screen):
        for _ in range(calls):
            bpy.ops.object.select_all(action="DESELECT")


def our_round(bpy: Any, glb: Path, fbx: Path, out: Path, n: int) -> None:
    """Import the GLB and the FBX through the add-on, export the GLB's meshes for an upload,
    then remove what was made (without operators) so the scene stays small."""
    from meshy_blender.blender.scene import export, importer

    made = [importer.import_model(glb, name=f"glb {n}", provenance={}),
            importer.import_model(fbx, name=f"fbx {n}", provenance={})]
    meshes = [o for o in made[0].objects + made[1].objects if o.type == "MESH"]
    export.export_glb(bpy.context, meshes[:1], out).path.unlink()
    for result in made:
        for obj in result.objects:
            bpy.data.objects.remove(obj)
        bpy.data.collections.remove(result.collection)
    for kind in ("meshes", "materials", "images", "armatures", "actions"):
        data = getattr(bpy.data, kind)
        orphans = [d for d in data if d.users == 0]
        if orphans:
            bpy.data.batch_remove(orphans)


def ours_alive() -> list[str]:
    return [t.name for t in threading.enumerate() if t is not threading.main_thread()]


def main(argv: list[str]) -> dict[str, Any]:
    args = _args(argv)
    faulthandler.enable()
    sys.path.insert(0, str(args.code_root))
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    out = Path(tempfile.mkdtemp(prefix="meshy-stress-"))
    stop = threading.Event()
    downloads = Downloads() if args.phase in ("downloads", "other-addon") else None
    if args.phase == "busy-thread":
        busy_thread(stop)
    if downloads is not None:
        downloads.top_up()
    if args.phase == "other-addon" and ours_alive():
        stop.set()
        return {"phase": args.phase, "skipped": "our downloads still run as Python threads in "
                "Blender's process (" + ", ".join(sorted(set(ours_alive()))[:3]) + "); another "
                "add-on's temp_override beside them crashes until they run in a worker process"}
    rounds = other_calls = 0
    start = time.monotonic()
    while time.monotonic() - start < args.seconds:
        our_round(bpy, args.glb, args.fbx, out, rounds)
        rounds += 1
        if downloads is not None:
            downloads.top_up()
            downloads.pump()
        if args.phase == "other-addon":
            other_addon(bpy)
            other_calls += 20
    stop.set()
    result = {"phase": args.phase, "seconds": round(time.monotonic() - start, 1),
              "rounds": rounds, "imports": 2 * rounds, "exports": rounds}
    if other_calls:
        result["other_addon_calls"] = other_calls
    if downloads is not None:
        result["jobs_imported"] = downloads.imported()
        result["jobs_submitted"] = downloads.submitted
    return result


if __name__ == "__main__":
    try:
        summary = main(sys.argv[1:])
        code = 0
    except Exception as exc:  # a Python error is a failure with its message, not a crash
        import traceback

        traceback.print_exc()
        summary, code = {"error": f"{type(exc).__name__}: {exc}"}, 1
    print(json.dumps(summary), flush=True)
    sys.stderr.flush()
    os._exit(code)
