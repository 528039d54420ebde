"""Benchmark our scene import against a bare glTF import of the same file (needs bpy).

Our path (``meshy_blender.blender.scene.importer.import_model``: collection, naming, placement,
provenance, rollback guard, one undo step) should cost almost nothing on top of Blender's own
importer, which does the real work. Both import the same 300,000-triangle textured GLB, made
with Blender into ``build/bench/`` on first use; each run starts from a fresh empty scene and the
runs alternate (ours, bare, ours, ...) so drift on a shared machine hits both sides alike.

    .venv/bin/python scripts/bench_import.py [--runs 5] [--triangles 300000] [--json out.json]

Target (issue 8): median overhead under 5 %.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_TRIANGLES = 300_000
TARGET_OVERHEAD_PCT = 5.0
GENERATOR_VERSION = 2  # bump when the generated file changes, so old copies are rebuilt


def grid_size(triangles: int) -> tuple[int, int]:
    """Quads (x, y) of a 5:3 grid whose triangle count is as close to ``triangles`` as can be."""
    quads = max(1, triangles // 2)
    y = max(1, round(math.sqrt(quads * 3 / 5)))
    x = max(1, quads // y)
    return x, y


def make_glb(path: Path, triangles: int = DEFAULT_TRIANGLES) -> int:
    """Write a wavy, UV-mapped, image-textured grid as GLB; return its triangle count."""
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    nx, ny = grid_size(triangles)
    verts = [((i / nx - 0.5) * 5, (j / ny - 0.5) * 3, 0.05 * math.sin(i * 0.3) * math.cos(j * 0.2))
             for j in range(ny + 1) for i in range(nx + 1)]
    faces = [(j * (nx + 1) + i, j * (nx + 1) + i + 1, (j + 1) * (nx + 1) + i + 1,
              (j + 1) * (nx + 1) + i) for j in range(ny) for i in range(nx)]
    mesh = bpy.data.meshes.new("BenchGrid")
    mesh.from_pydata(verts, [], faces)
    uvs: list[float] = []  # one UV per face corner, in the corner order given above
    for j in range(ny):
        for i in range(nx):
            for du, dv in ((0, 0), (1, 0), (1, 1), (0, 1)):
                uvs += [(i + du) / nx, (j + dv) / ny]
    mesh.uv_layers.new(name="UVMap").data.foreach_set("uv", uvs)
    obj = bpy.data.objects.new("BenchGrid", mesh)
    scene: Any = bpy.context.scene
    scene.collection.objects.link(obj)

    image = bpy.data.images.new("BenchTexture", 1024, 1024)
    image.generated_type = "COLOR_GRID"
    material = bpy.data.materials.new("BenchMaterial")
    material.use_nodes = True
    tree: Any = material.node_tree
    nodes = tree.nodes
    tex: Any = nodes.new("ShaderNodeTexImage")
    tex.image = image
    bsdf = next(n for n in nodes if n.type == "BSDF_PRINCIPLED")
    tree.links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])
    mesh.materials.append(material)

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part.glb")  # renamed only once complete
    bpy.ops.export_scene.gltf(filepath=str(partial), export_format="GLB", use_selection=False)
    partial.replace(path)
    return 2 * nx * ny


def ensure_glb(folder: Path, triangles: int) -> tuple[Path, int]:
    """The benchmark GLB, generated once per (triangle count, generator version)."""
    path = folder / f"grid-{triangles}-v{GENERATOR_VERSION}.glb"
    nx, ny = grid_size(triangles)
    if not path.is_file():
        # In its own process: Blender 4.2's glTF exporter leaves the bpy module crashing at exit.
        # Its exit status is not trusted for that reason; the finished file is.
        proc = subprocess.run([sys.executable, __file__, "--make-glb", str(path),
                               "--triangles", str(triangles)], capture_output=True, text=True)
        if not path.is_file():
            raise RuntimeError(f"could not make {path.name}: {proc.stderr[-2000:]}")
    return path, 2 * nx * ny


def _fresh_scene() -> None:
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)


def _count_triangles() -> int:
    import bpy

    total = 0
    scene: Any = bpy.context.scene
    for obj in scene.objects:
        if obj.type == "MESH":
            mesh: Any = obj.data
            mesh.calc_loop_triangles()
            total += len(mesh.loop_triangles)
    return total


class OperatorClock:
    """Time spent inside Blender operator calls while active (wraps bpy.ops' call method), so
    our own share of an import can be told apart from the glTF importer's work."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original: Any = None

    def __enter__(self) -> OperatorClock:
        from bpy import ops

        cls: Any = getattr(ops, "_BPyOpsSubModOp", None)
        if cls is None:
            return self
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

        setattr(cls, "__call__", timed)  # noqa: B010 (mypy: assigning a method)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._original is not None:
            from bpy import ops

            setattr(getattr(ops, "_BPyOpsSubModOp"), "__call__", self._original)  # noqa: B009, B010


def time_ours(path: Path) -> tuple[float, float]:
    """(total seconds, seconds inside the glTF operator) for one import through our path."""
    from meshy_blender.blender.scene.importer import import_model

    _fresh_scene()
    gc.collect()
    with OperatorClock() as clock:
        start = time.perf_counter()
        import_model(path, name="Bench grid", provenance={"meshy_job_id": "bench"})
        total = time.perf_counter() - start
    return total, clock.seconds


def time_bare(path: Path) -> float:
    import bpy

    _fresh_scene()
    gc.collect()
    start = time.perf_counter()
    bpy.ops.import_scene.gltf(filepath=str(path))
    return time.perf_counter() - start


def run(path: Path, runs: int) -> dict[str, Any]:
    """Warm both paths once (module loading), then alternate timed runs."""
    time_ours(path)
    imported = _count_triangles()
    time_bare(path)
    ours: list[float] = []
    own: list[float] = []
    bare: list[float] = []

    def one_ours() -> None:
        total, inside = time_ours(path)
        ours.append(total)
        own.append(total - inside)

    for n in range(runs):
        # Alternate which goes first, so neither always follows the other.
        if n % 2 == 0:
            one_ours()
            bare.append(time_bare(path))
        else:
            bare.append(time_bare(path))
            one_ours()
    _fresh_scene()
    ours_med = statistics.median(ours)
    bare_med = statistics.median(bare)
    overhead = 100 * (ours_med - bare_med) / bare_med
    own_med = statistics.median(own)
    return {"runs": runs, "file_mb": round(path.stat().st_size / 1e6, 2),
            "imported_triangles": imported, "ours_s": ours, "bare_s": bare, "own_s": own,
            "ours_median_s": ours_med, "bare_median_s": bare_med,
            "overhead_pct": overhead, "own_median_ms": own_med * 1000,
            "own_pct_of_bare": 100 * own_med / bare_med, "target_pct": TARGET_OVERHEAD_PCT,
            "target_met": overhead < TARGET_OVERHEAD_PCT}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--triangles", type=int, default=DEFAULT_TRIANGLES)
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--make-glb", type=Path, help=argparse.SUPPRESS)  # ensure_glb's helper
    args = parser.parse_args(argv)
    import bpy

    if args.make_glb:
        make_glb(args.make_glb, args.triangles)
        return 0

    path, triangles = ensure_glb(args.build_dir, args.triangles)
    result = {"blender": bpy.app.version_string, "triangles": triangles, "file": str(path),
              **run(path, args.runs)}
    print(f"import {triangles:,} triangles ({result['file_mb']} MB GLB), {args.runs} runs each, "
          f"Blender {result['blender']}: ours median {result['ours_median_s']:.3f} s, bare "
          f"glTF {result['bare_median_s']:.3f} s, overhead {result['overhead_pct']:+.2f} % "
          f"(target < {TARGET_OVERHEAD_PCT:.0f} %); our own code {result['own_median_ms']:.1f} ms "
          f"per import ({result['own_pct_of_bare']:.2f} % of the bare import)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
