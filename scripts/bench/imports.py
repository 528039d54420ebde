"""Import of a small and a realistic model: our scene import vs Blender's bare glTF importer.

For each model (``small``; ``large`` = 300k triangles, 3 x 4K textures) and each scene (empty;
5,000 objects, read back from a saved .blend before every run), ``--runs`` pairs of
``importer.import_model`` and ``bpy.ops.import_scene.gltf`` on the same file, in alternating
order, after one warm-up of each. Figures: the medians, their ratio, the per-pair ratios, and
"our own code" (time our call spends outside the glTF operator, timed inside the same call).
Leaves out: the download, the pump, and viewport drawing (background mode has none).

    PYTHONPATH=scripts python -m bench.imports [--runs 11] [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path
from typing import Any

from . import models, product
from .runner import say, write_json
from .stats import paired, ratios, summary

SCENES = (0, models.SCENE_OBJECTS)


class OperatorClock:
    """Time spent inside ``import_scene.gltf`` calls while active (wraps bpy.ops' call), so our
    own share of an import can be told apart from the glTF importer's work."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original: Any = None

    def __enter__(self) -> OperatorClock:
        from bpy import ops

        cls: Any = getattr(ops, "_BPyOpsSubModOp")  # noqa: B009
        self._original = original = cls.__call__
        clock = self

        def timed(op: Any, *args: Any, **kw: Any) -> Any:
            if op.idname_py() != "import_scene.gltf":
                return original(op, *args, **kw)
            start = time.perf_counter()
            try:
                return original(op, *args, **kw)
            finally:
                clock.seconds += time.perf_counter() - start

        setattr(cls, "__call__", timed)  # noqa: B010
        # Our importer runs Blender's through op_context.call_unevaluated (no bpy.ops evaluations).
        from meshy_blender.blender.scene import importer

        self._unevaluated = call = importer.call_unevaluated

        def timed_call(op: Any, **kw: Any) -> Any:
            start = time.perf_counter()
            try:
                return call(op, **kw)
            finally:
                clock.seconds += time.perf_counter() - start

        importer.call_unevaluated = timed_call
        return self

    def __exit__(self, *exc: object) -> None:
        from bpy import ops

        setattr(getattr(ops, "_BPyOpsSubModOp"), "__call__", self._original)  # noqa: B009, B010
        from meshy_blender.blender.scene import importer

        importer.call_unevaluated = self._unevaluated


def count_triangles() -> int:
    import bpy

    total = 0
    scene: Any = bpy.context.scene
    for obj in scene.objects:
        if obj.type == "MESH":
            mesh: Any = obj.data
            mesh.calc_loop_triangles()
            total += len(mesh.loop_triangles)
    return total


def compare(path: Path, objects: int, runs: int, build: Path = models.BUILD) -> dict[str, Any]:
    """Paired, alternating runs of ours and bare on ``path`` in a fresh ``objects`` scene."""
    import bpy

    own: list[float] = []

    def ours() -> float:
        models.open_scene(objects, build)
        gc.collect()
        with OperatorClock() as clock:
            start = time.perf_counter()
            product.import_model(path, name="Bench model", provenance={"meshy_job_id": "b"})
            total = time.perf_counter() - start
        own.append(total - clock.seconds)
        return total

    def bare() -> float:
        models.open_scene(objects, build)
        gc.collect()
        start = time.perf_counter()
        bpy.ops.import_scene.gltf(filepath=str(path))
        return time.perf_counter() - start

    models.open_scene(objects, build)
    before = count_triangles()
    ours()  # warm-up (module loading, file cache), and the model's own triangle count
    triangles = count_triangles() - before
    bare()
    own.clear()
    times = paired({"ours": ours, "bare": bare}, runs)
    ours_s, bare_s = summary(times["ours"]), summary(times["bare"])
    return {"objects": objects, "triangles": triangles, "ours_s": ours_s, "bare_s": bare_s,
            "ratio_of_medians": ours_s["median"] / bare_s["median"],
            "pair_ratios": summary(ratios(times["ours"], times["bare"])),
            "own_ms": summary([x * 1000 for x in own]), "samples": times}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--models", default="small,large")
    ap.add_argument("--scene-objects", type=int, default=models.SCENE_OBJECTS)
    ap.add_argument("--triangles", type=int, help="override (quick runs and tests)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    import bpy

    rows = []
    for name in args.models.split(","):
        path = models.ensure_model(name, triangles=args.triangles)
        for objects in (0, args.scene_objects):
            row = {"model": name, "file_mb": round(path.stat().st_size / 1e6, 1),
                   **compare(path, objects, args.runs)}
            say(f"{name} in {objects} objects: ours/bare {row['ratio_of_medians']:.3f}x")
            rows.append(row)
    write_json(args.json, {"blender": bpy.app.version_string, "runs": args.runs, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
