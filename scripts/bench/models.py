"""Benchmark inputs made with Blender into build/bench/ (never committed): models and scenes.

- ``small``: 5,000 triangles, one 1K base-color texture (about what a preview weighs).
- ``large``: 300,000 triangles with three 4K textures (base color, normal, roughness), the
  realistic refined Meshy model the import figures are about.
- a 5,000-object scene (each object with its own small mesh) saved as a .blend, opened fresh
  before each timed run.
Each file is made in its own process (Blender 4.2's glTF exporter can crash the bpy module at
exit); the finished file, written under a temporary name and renamed, is what is trusted.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

from .emulator import ROOT

BUILD = ROOT / "build" / "bench"
VERSION = 3  # bump when a generated file changes, so old copies are rebuilt
MODELS = {"small": (5_000, 1024, 1), "large": (300_000, 4096, 3)}  # triangles, px, textures
SCENE_OBJECTS = 5_000


def grid_size(triangles: int) -> tuple[int, int]:
    """Quads (x, y) of a 5:3 grid whose triangle count is as close to ``triangles`` as can be."""
    quads = max(1, triangles // 2)
    y = max(1, round(math.sqrt(quads * 3 / 5)))
    return max(1, quads // y), y


def _image(bpy: Any, name: str, px: int, seed: int, non_color: bool) -> Any:
    """A photo-like texture: smooth bands plus fine noise (PNG cannot squeeze it to nothing)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = np.linspace(0, 8 * math.pi, px, dtype=np.float32)
    base = 0.5 + 0.25 * np.sin(x)[None, :] * np.cos(x * 0.7)[:, None]
    rgba = np.empty((px, px, 4), dtype=np.float32)
    for c in range(3):
        rgba[..., c] = base * (0.6 + 0.2 * c) + rng.random((px, px), dtype=np.float32) * 0.08
    rgba[..., 3] = 1.0
    image = bpy.data.images.new(name, px, px)
    image.pixels.foreach_set(rgba.ravel())
    if non_color:
        image.colorspace_settings.name = "Non-Color"
    image.pack()
    return image


def make_glb(path: Path, triangles: int, px: int, textures: int) -> None:
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    nx, ny = grid_size(triangles)
    verts = [((i / nx - 0.5) * 5, (j / ny - 0.5) * 3, 0.05 * math.sin(i * 0.3) * math.cos(j * 0.2))
             for j in range(ny + 1) for i in range(nx + 1)]
    faces = [(j * (nx + 1) + i, j * (nx + 1) + i + 1, (j + 1) * (nx + 1) + i + 1,
              (j + 1) * (nx + 1) + i) for j in range(ny) for i in range(nx)]
    mesh = bpy.data.meshes.new("BenchModel")
    mesh.from_pydata(verts, [], faces)
    uvs: list[float] = []
    for j in range(ny):
        for i in range(nx):
            for du, dv in ((0, 0), (1, 0), (1, 1), (0, 1)):
                uvs += [(i + du) / nx, (j + dv) / ny]
    mesh.uv_layers.new(name="UVMap").data.foreach_set("uv", uvs)
    obj = bpy.data.objects.new("BenchModel", mesh)
    scene: Any = bpy.context.scene
    scene.collection.objects.link(obj)
    material = bpy.data.materials.new("BenchMaterial")
    material.use_nodes = True
    tree: Any = material.node_tree
    bsdf = next(n for n in tree.nodes if n.type == "BSDF_PRINCIPLED")
    color = tree.nodes.new("ShaderNodeTexImage")
    color.image = _image(bpy, "base_color", px, 1, False)
    tree.links.new(color.outputs["Color"], bsdf.inputs["Base Color"])
    if textures >= 2:
        normal = tree.nodes.new("ShaderNodeTexImage")
        normal.image = _image(bpy, "normal", px, 2, True)
        normal_map = tree.nodes.new("ShaderNodeNormalMap")
        tree.links.new(normal.outputs["Color"], normal_map.inputs["Color"])
        tree.links.new(normal_map.outputs["Normal"], bsdf.inputs["Normal"])
    if textures >= 3:
        rough = tree.nodes.new("ShaderNodeTexImage")
        rough.image = _image(bpy, "roughness", px, 3, True)
        tree.links.new(rough.outputs["Color"], bsdf.inputs["Roughness"])
    mesh.materials.append(material)
    partial = path.with_suffix(".part.glb")
    bpy.ops.export_scene.gltf(filepath=str(partial), export_format="GLB", use_selection=False)
    partial.replace(path)


def make_scene(path: Path, objects: int) -> None:
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    scene: Any = bpy.context.scene
    cube = [(x, y, z) for x in (0, 1) for y in (0, 1) for z in (0, 1)]
    quads = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    for n in range(objects):
        mesh = bpy.data.meshes.new(f"Prop{n}")
        mesh.from_pydata(cube, [], quads)
        obj = bpy.data.objects.new(f"Prop{n}", mesh)
        obj.location = (n % 100 * 2.0, n // 100 * 2.0, 0.0)
        scene.collection.objects.link(obj)
    partial = path.with_suffix(".part.blend")
    bpy.ops.wm.save_as_mainfile(filepath=str(partial))
    partial.replace(path)


def _ensure(path: Path, *args: str) -> Path:
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([sys.executable, "-m", "bench.models", *args, str(path)],
                              capture_output=True, text=True, cwd=ROOT, timeout=600,
                              env=_env())
        if not path.is_file():
            raise RuntimeError(f"could not make {path.name}: {proc.stderr[-2000:]}")
    return path


def _env() -> dict[str, str]:
    import os

    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "scripts"), str(ROOT)]))


def ensure_model(name: str, build: Path = BUILD, triangles: int | None = None) -> Path:
    """build/bench/<name>-v<VERSION>.glb, made on first use (``triangles`` overrides, for tests)."""
    tris, px, textures = MODELS[name]
    tris = triangles or tris
    px = px if triangles is None else 256
    return _ensure(build / f"{name}-{tris}-{px}-v{VERSION}.glb", "--model",
                   f"{tris},{px},{textures}")


def ensure_scene(objects: int = SCENE_OBJECTS, build: Path = BUILD) -> Path:
    return _ensure(build / f"scene-{objects}-v{VERSION}.blend", "--scene", str(objects))


def open_scene(objects: int, build: Path = BUILD) -> None:
    """A fresh main file: empty, or the saved ``objects``-object scene read back from disk."""
    import bpy

    if objects == 0:
        bpy.ops.wm.read_homefile(use_empty=True)
    else:
        bpy.ops.wm.open_mainfile(filepath=str(ensure_scene(objects, build)), load_ui=False)


def emulator_assets_with(model: Path, build: Path = BUILD) -> Path:
    """A copy of the emulator's asset folder whose preview/textured GLB is ``model``."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from meshy_emu import ensure_assets

    source = ensure_assets(python=sys.executable)
    out = build / f"emulator-assets-{model.stem}"
    out.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        link = out / entry.name
        if entry.name != "manifest.json" and not link.exists():
            link.symlink_to(entry)
    manifest = json.loads((source / "manifest.json").read_text())
    for variant in ("preview", "textured"):
        manifest[variant]["glb"] = str(model)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="make one benchmark input (internal)")
    ap.add_argument("--model", help="triangles,px,textures")
    ap.add_argument("--scene", type=int)
    ap.add_argument("path", type=Path)
    args = ap.parse_args(argv)
    if args.model:
        tris, px, textures = (int(v) for v in args.model.split(","))
        make_glb(args.path, tris, px, textures)
    else:
        make_scene(args.path, args.scene)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
