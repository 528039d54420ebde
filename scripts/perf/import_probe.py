"""Our import against Blender's bare glTF importer, per scene size and model, per step.

Models and filled scenes are made with Blender in child processes (``python -m perf make-model``,
``make-scene``) into ``build/perf/`` and reused; timing runs in this process with bpy imported.
"""

from __future__ import annotations

import gc
import math
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import child_env

CHILD_COMMANDS = ("make-model", "make-scene")
VERSION = 1  # bump when generated files change
# name: (triangles, texture size, texture count)
MODELS = {"small": (5_000, 1024, 1), "large": (300_000, 4096, 3)}


# ------------------------------------------------------------------ generated inputs (children)

def _grid(bpy: Any, triangles: int) -> Any:
    quads = max(1, triangles // 2)
    ny = max(1, round(math.sqrt(quads * 3 / 5)))
    nx = max(1, -(-quads // ny))
    bpy.ops.mesh.primitive_grid_add(x_subdivisions=nx, y_subdivisions=ny, size=4)
    obj = bpy.context.object
    mod = obj.modifiers.new("wave", "WAVE")
    mod.height = 0.1
    bpy.ops.object.modifier_apply(modifier=mod.name)
    return obj


def _noise_image(bpy: Any, name: str, size: int, seed: int) -> Any:
    import numpy as np

    rng = np.random.default_rng(seed)
    small = rng.random((size // 16, size // 16, 4), dtype=np.float32)
    pixels = np.kron(small, np.ones((16, 16, 1), dtype=np.float32))  # blocky, not flat
    pixels += rng.random(pixels.shape, dtype=np.float32) * 0.1  # and not trivially compressed
    pixels[..., 3] = 1.0
    image = bpy.data.images.new(name, size, size)
    image.pixels.foreach_set(pixels.clip(0, 1).ravel())
    image.pack()
    return image


def make_model(path: Path, triangles: int, tex_size: int, tex_count: int) -> None:
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    obj = _grid(bpy, triangles)
    material = bpy.data.materials.new("PerfMaterial")
    material.use_nodes = True
    tree: Any = material.node_tree
    bsdf = next(n for n in tree.nodes if n.type == "BSDF_PRINCIPLED")
    for i, socket in enumerate(("Base Color", "Roughness", "Normal")[:tex_count]):
        tex: Any = tree.nodes.new("ShaderNodeTexImage")
        tex.image = _noise_image(bpy, f"Tex{i}", tex_size, i)
        if socket == "Normal":
            tex.image.colorspace_settings.name = "Non-Color"
            nmap = tree.nodes.new("ShaderNodeNormalMap")
            tree.links.new(tex.outputs["Color"], nmap.inputs["Color"])
            tree.links.new(nmap.outputs["Normal"], bsdf.inputs["Normal"])
        else:
            if socket != "Base Color":
                tex.image.colorspace_settings.name = "Non-Color"
            tree.links.new(tex.outputs["Color"], bsdf.inputs[socket])
    obj.data.materials.append(material)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part.glb")
    bpy.ops.export_scene.gltf(filepath=str(partial), export_format="GLB")
    partial.replace(path)


def make_scene(path: Path, count: int) -> None:
    """``count`` objects, each with its own small mesh, spread over 10 collections."""
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    scene: Any = bpy.context.scene
    colls = []
    for i in range(10 if count else 0):
        coll = bpy.data.collections.new(f"Set {i}")
        scene.collection.children.link(coll)
        colls.append(coll)
    bpy.ops.mesh.primitive_cube_add(size=0.2)
    proto: Any = bpy.context.object
    scene.collection.objects.unlink(proto)
    for i in range(count):
        obj = proto.copy()
        obj.data = proto.data.copy()
        obj.location = (i % 71 * 0.5, i // 71 % 71 * 0.5, i // 5041)
        colls[i % 10].objects.link(obj)
    bpy.data.objects.remove(proto)
    path.parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(path))


def child(argv: list[str]) -> int:
    if argv[0] == "make-model":
        make_model(Path(argv[1]), *(int(a) for a in argv[2:5]))
    else:
        make_scene(Path(argv[1]), int(argv[2]))
    sys.stdout.flush()
    import os

    os._exit(0)  # Blender 4.2's exporter may crash the bpy module at exit; the file is what counts


def _ensure(path: Path, *args: object) -> Path:
    if not path.is_file():
        proc = subprocess.run([sys.executable, "-m", "perf", *map(str, args)],
                              capture_output=True, text=True, env=child_env())
        if not path.is_file():
            raise RuntimeError(f"could not make {path.name}: {proc.stderr[-2000:]}")
    return path


def ensure_model(folder: Path, name: str) -> Path:
    tris, size, count = MODELS[name]
    path = folder / f"model-{name}-{tris}-{size}x{count}-v{VERSION}.glb"
    return _ensure(path, "make-model", path, tris, size, count)


def ensure_scene(folder: Path, count: int) -> Path:
    path = folder / f"scene-{count}-v{VERSION}.blend"
    return _ensure(path, "make-scene", path, count)


# ------------------------------------------------------------------ timing (this process)

class StepClock:
    """Wall time per named step of our importer, by wrapping module functions while active."""

    def __init__(self, targets: list[tuple[Any, str, str]]) -> None:
        self.targets = targets
        self.seconds: dict[str, float] = {}
        self._saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> StepClock:
        for owner, attr, label in self.targets:
            original = getattr(owner, attr, None)
            if original is None:
                continue
            self._saved.append((owner, attr, original))
            setattr(owner, attr, self._wrap(original, label))
        return self

    def _wrap(self, fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        def timed(*args: Any, **kw: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start
        return timed

    def __exit__(self, *exc: object) -> None:
        for owner, attr, original in reversed(self._saved):
            setattr(owner, attr, original)
        self._saved.clear()


def _load(scene_file: Path) -> None:
    import bpy

    bpy.ops.wm.open_mainfile(filepath=str(scene_file), load_ui=False)
    view_layer: Any = bpy.context.view_layer
    view_layer.update()  # a live scene is already evaluated before the import
    gc.collect()


def _settle() -> None:
    """Evaluate whatever is still pending (nothing in background mode, where both sides already
    evaluated once): counted on both sides, as the next redraw would."""
    import bpy

    view_layer: Any = bpy.context.view_layer
    view_layer.update()


def _clocks() -> tuple[float, float]:
    # Wall time is what the artist waits; process CPU time (all threads) is what the import
    # costs, and is far steadier than wall time on a shared machine.
    return time.perf_counter(), time.process_time()


def time_ours(scene_file: Path, model: Path) -> tuple[float, float, dict[str, float]]:
    from meshy_blender.blender.scene import importer, scene_state

    _load(scene_file)
    targets: list[tuple[Any, str, str]] = [(importer, name, name) for name in
               ("_job_collection", "_run_importer", "_finish", "push_undo_step")]
    targets.append((importer, "call_unevaluated", "gltf operator"))
    targets += [(scene_state.DataSnapshot, "take", "DataSnapshot.take"),
                (scene_state.SelectionState, "take", "SelectionState.take")]
    with StepClock(targets) as clock:
        wall, cpu = _clocks()
        importer.import_model(model, name="Perf probe", provenance={"meshy_job_id": "perf"})
        total = time.perf_counter() - wall
        _settle()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    steps = dict(clock.seconds)
    if "_run_importer" in steps:  # our own share of _run_importer, outside Blender's operator
        steps["_run_importer"] -= steps.get("gltf operator", 0.0)
    steps["other"] = total - sum(steps.values())
    return wall, cpu, steps


def time_bare(scene_file: Path, model: Path) -> tuple[float, float]:
    import bpy

    _load(scene_file)
    wall, cpu = _clocks()
    bpy.ops.import_scene.gltf(filepath=str(model))
    _settle()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_one(scene_file: Path, model: Path, runs: int) -> dict[str, Any]:
    time_ours(scene_file, model)  # warm-up: module loading, file cache
    time_bare(scene_file, model)
    raw: dict[str, list[float]] = {"ours": [], "bare": [], "ours_cpu": [], "bare_cpu": []}
    steps: dict[str, list[float]] = {}

    def one_ours() -> None:
        wall, cpu, parts = time_ours(scene_file, model)
        raw["ours"].append(wall)
        raw["ours_cpu"].append(cpu)
        for key, value in parts.items():
            steps.setdefault(key, []).append(value)

    def one_bare() -> None:
        wall, cpu = time_bare(scene_file, model)
        raw["bare"].append(wall)
        raw["bare_cpu"].append(cpu)

    for n in range(runs):
        first, second = (one_ours, one_bare) if n % 2 == 0 else (one_bare, one_ours)
        first()
        second()
    out: dict[str, Any] = dict(raw)
    out["ratio"] = [o / b for o, b in zip(raw["ours"], raw["bare"], strict=True)]
    out["ratio_cpu"] = [o / b for o, b in zip(raw["ours_cpu"], raw["bare_cpu"], strict=True)]
    out["steps"] = steps
    return out


def run_all(folder: Path, sizes: list[int], models: list[str], runs: int,
            summary: Callable[..., dict[str, float]], fmt: Callable[..., str]) -> dict[str, Any]:
    import bpy  # noqa: F401 (loaded before timing)

    out: dict[str, Any] = {}
    model_files = {name: ensure_model(folder, name) for name in models}
    for name in models:
        for size in sizes:
            scene_file = ensure_scene(folder, size)
            raw = run_one(scene_file, model_files[name], runs)
            row: dict[str, Any] = {key: summary(raw[key])
                                   for key in ("ours", "bare", "ours_cpu", "bare_cpu")}
            row["ratio"] = summary(raw["ratio"], 1.0)
            row["ratio_cpu"] = summary(raw["ratio_cpu"], 1.0)
            row["steps"] = {k: summary(v) for k, v in raw["steps"].items()}
            out[f"{name}@{size}"] = row
            print(f"import {name:5} in {size:5} objects: wall ours {fmt(row['ours'])} | bare "
                  f"{fmt(row['bare'])} | ratio {fmt(row['ratio'], 'x')}", flush=True)
            print(f"{'':28}CPU  ours {fmt(row['ours_cpu'])} | bare {fmt(row['bare_cpu'])}"
                  f" | ratio {fmt(row['ratio_cpu'], 'x')}", flush=True)
            print(" " * 28 + "our steps (wall, median ms): " + "; ".join(
                f"{k} {v['median']:.1f}" for k, v in sorted(row["steps"].items())), flush=True)
    return out
