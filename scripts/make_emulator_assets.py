"""Make the Meshy emulator's result files with Blender itself.

The emulator must hand out real, importable files (never hand-written bytes), so this script
builds them in background Blender: a UV-unwrapped textured vase (GLB, FBX, OBJ+MTL, STL, USDZ)
with generated image textures, a skinned humanoid rig with walking/running clips, one clip per
animation-library entry, thumbnails and a few PNG images. It writes ``DIR/manifest.json`` whose
``version`` is the hash of this file, so callers regenerate only when the recipe changes.

Usage: ``python scripts/make_emulator_assets.py --out DIR`` with a Python that has ``bpy``, or
``ensure_assets(DIR)`` from Python (importing this module does not import bpy).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
LIBRARY_JSON_NAME = "animation-library-sample.json"
FPS = 30
TEX_SIZE = 512
THUMB_SIZE = 256
IMAGE_SIZE = 512

Vec3 = tuple[float, float, float]


RECIPE = (HERE, HERE.with_name("emulator_tool_assets.py"))


def script_version() -> str:
    """Hash of the recipe (this file and emulator_tool_assets.py beside it): the manifest's
    version, so a changed recipe means regenerated assets."""
    return recipe_hash(RECIPE)


def recipe_hash(files: Sequence[Path]) -> str:
    """sha256 of one file, or of the files' own hashes joined when there are several."""
    if len(files) == 1:
        return hashlib.sha256(files[0].read_bytes()).hexdigest()
    joined = "".join(hashlib.sha256(f.read_bytes()).hexdigest() for f in files)
    return hashlib.sha256(joined.encode()).hexdigest()


# ------------------------------------------------------------------ library of animation names

# Ids 0-35 of Meshy's animation library, copied from ../shared/reference/ so a fresh clone
# (no shared folder beside it) builds the same clips; that file wins when it is found.
LIBRARY_SAMPLE = [
    "Idle", "Walking_Woman", "Alert", "Arise", "Attack", "BackLeft_run", "BackRight_Run",
    "BeHit_FlyUp", "Dead", "ForwardLeft_Run_Fight", "ForwardRight_Run_Fight", "Idle_02",
    "Idle_03", "Jump_Run", "Run_02", "Run_03", "RunFast", "Skill_01", "Skill_02", "Skill_03",
    "Walk_Fight_Back", "Walk_Fight_Forward", "FunnyDancing_01", "FunnyDancing_02",
    "FunnyDancing_03", "Agree_Gesture", "Angry_Stomp", "Big_Heart_Gesture", "Big_Wave_Hello",
    "Call_Gesture", "Casual_Walk", "Catching_Breath", "Chair_Sit_Idle_F", "Chair_Sit_Idle_M",
    "Checkout_Gesture", "Clapping_Run",
]


def find_library_json() -> Path | None:
    """The shared reference library (``shared/reference/`` beside some parent of this checkout)."""
    for parent in HERE.parents:
        candidate = parent / "shared" / "reference" / LIBRARY_JSON_NAME
        if candidate.is_file():
            return candidate
    return None


def animation_library() -> list[tuple[int, str]]:
    """(action_id, name) for every library entry the emulator serves."""
    found = find_library_json()
    if found is not None:
        entries = json.loads(found.read_text(encoding="utf-8"))
        return [(int(e["action_id"]), str(e["name"])) for e in entries]
    return list(enumerate(LIBRARY_SAMPLE))


# ------------------------------------------------------------------ scene helpers

def reset_scene(bpy: Any) -> None:
    """Empty the file between assets so each export holds exactly one asset's data."""
    for obj in list(bpy.data.objects):
        bpy.data.objects.remove(obj, do_unlink=True)
    for coll in (bpy.data.meshes, bpy.data.armatures, bpy.data.materials, bpy.data.images,
                 bpy.data.actions, bpy.data.cameras, bpy.data.lights, bpy.data.node_groups):
        for block in list(coll):
            coll.remove(block)
    scene = bpy.context.scene
    scene.render.fps = FPS
    scene.frame_start = 1
    scene.frame_end = FPS
    bpy.context.view_layer.update()


def select_only(bpy: Any, objects: Iterable[Any]) -> None:
    for obj in bpy.context.scene.objects:
        obj.select_set(False)
    objects = list(objects)
    for obj in objects:
        obj.select_set(True)
    bpy.context.view_layer.objects.active = objects[0]


def export_glb(bpy: Any, path: Path, objects: Sequence[Any], *, animations: bool) -> None:
    select_only(bpy, objects)
    bpy.ops.export_scene.gltf(
        filepath=str(path), export_format="GLB", use_selection=True,
        export_animations=animations, export_skins=True, export_yup=True,
    )


def export_fbx(bpy: Any, path: Path, objects: Sequence[Any], *, animations: bool) -> None:
    select_only(bpy, objects)
    bpy.ops.export_scene.fbx(
        filepath=str(path), use_selection=True, object_types={"ARMATURE", "MESH"},
        add_leaf_bones=False, bake_anim=animations, bake_anim_use_all_actions=False,
        bake_anim_use_nla_strips=False, path_mode="COPY", embed_textures=True,
    )


def export_obj(bpy: Any, path: Path, objects: Sequence[Any], *, materials: bool) -> None:
    select_only(bpy, objects)
    # STRIP: the .mtl names each texture by its bare file name; the PNGs sit beside it.
    bpy.ops.wm.obj_export(
        filepath=str(path), export_selected_objects=True, export_materials=materials,
        path_mode="STRIP", export_uv=True, export_normals=True,
    )


def export_stl(bpy: Any, path: Path, objects: Sequence[Any]) -> None:
    select_only(bpy, objects)
    bpy.ops.wm.stl_export(filepath=str(path), export_selected_objects=True)


def try_export_usdz(bpy: Any, path: Path, objects: Sequence[Any]) -> bool:
    """USDZ is optional: include it only when this Blender writes it cleanly in background."""
    select_only(bpy, objects)
    try:
        bpy.ops.wm.usd_export(filepath=str(path), selected_objects_only=True)
    except (RuntimeError, TypeError):
        return False
    return path.is_file() and path.stat().st_size > 0


# ------------------------------------------------------------------ images

def save_png(bpy: Any, name: str, rgba: Any, path: Path, *, non_color: bool = False) -> Any:
    """Write an RGBA float array (h, w, 4) into a Blender image and save it as PNG."""
    height, width = rgba.shape[:2]
    # RGB only: an alpha channel would make FBX/glTF readers wire it up as transparency.
    image = bpy.data.images.new(name, width=width, height=height, alpha=False)
    if non_color:
        image.colorspace_settings.name = "Non-Color"
    image.pixels.foreach_set(rgba.astype("float32").ravel())
    image.filepath_raw = str(path)
    image.file_format = "PNG"
    image.save()
    image.filepath = str(path)  # keep it linked to the file on disk (exporters read it there)
    return image


def _grid(size: int) -> tuple[Any, Any]:
    import numpy as np

    lin = (np.arange(size, dtype="float32") + 0.5) / size
    return np.meshgrid(lin, lin)  # u, v in [0, 1]


def pattern_base_color(size: int, hue_shift: float = 0.0) -> Any:
    """A glazed-pottery look: bands plus a wave ornament, painted into pixels."""
    import numpy as np

    u, v = _grid(size)
    bands = 0.5 + 0.5 * np.sin(v * math.tau * 6)
    wave = np.abs(np.sin((u * 12 + np.sin(v * math.tau * 3) * 0.6) * math.pi)) > 0.85
    rgba = np.ones((size, size, 4), dtype="float32")
    rgba[..., 0] = 0.55 + 0.35 * bands + hue_shift
    rgba[..., 1] = 0.25 + 0.25 * bands
    rgba[..., 2] = 0.12 + 0.10 * (1 - bands)
    rgba[wave, 0:3] = (0.08, 0.18, 0.45)
    rgba[..., 0:3] = np.clip(rgba[..., 0:3], 0, 1)
    return rgba


def height_field(size: int) -> Any:
    import numpy as np

    u, v = _grid(size)
    return 0.5 + 0.5 * np.sin(u * math.tau * 12) * np.sin(v * math.tau * 8)


def pattern_normal(size: int) -> Any:
    """Tangent-space normal map derived from a bump pattern (OpenGL convention, like glTF)."""
    import numpy as np

    h = height_field(size) * 4.0
    dy, dx = np.gradient(h)
    n = np.stack([-dx, -dy, np.ones_like(h)], axis=-1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    rgba = np.ones((size, size, 4), dtype="float32")
    rgba[..., 0:3] = n * 0.5 + 0.5
    return rgba


def pattern_gray(values: Any) -> Any:
    import numpy as np

    rgba = np.ones((*values.shape, 4), dtype="float32")
    rgba[..., 0] = rgba[..., 1] = rgba[..., 2] = values
    return rgba


def pattern_metallic(size: int) -> Any:
    import numpy as np

    _u, v = _grid(size)
    return pattern_gray(np.where(np.sin(v * math.tau * 6) > 0.6, 1.0, 0.0))


def pattern_roughness(size: int) -> Any:
    return pattern_gray(0.25 + 0.5 * height_field(size))


def pattern_picture(size: int, seed: int) -> Any:
    """Text/image-to-image results: a recognisably different picture per seed."""
    import numpy as np

    u, v = _grid(size)
    cx, cy = 0.35 + 0.15 * seed, 0.55 - 0.1 * seed
    disc = ((u - cx) ** 2 + (v - cy) ** 2) < (0.12 + 0.04 * seed) ** 2
    rgba = np.ones((size, size, 4), dtype="float32")
    rgba[..., 0] = 0.2 + 0.6 * v * (seed == 0) + 0.3 * u
    rgba[..., 1] = 0.3 + 0.5 * v * (seed == 1) + 0.2 * (1 - u)
    rgba[..., 2] = 0.4 + 0.5 * v * (seed == 2)
    rgba[v < 0.3, 0:3] = (0.15, 0.35 + 0.1 * seed, 0.15)
    rgba[disc, 0:3] = (1.0, 0.85, 0.2 + 0.3 * seed)
    rgba[..., 0:3] = np.clip(rgba[..., 0:3], 0, 1)
    return rgba


# ------------------------------------------------------------------ vase mesh

def vase_radius(t: float) -> float:
    """Profile of the vase, t = 0 (foot) .. 1 (lip)."""
    return 0.18 + 0.14 * math.sin(math.pi * t * 1.2) + 0.05 * math.cos(math.tau * t * 1.5)


def make_vase(bpy: Any, name: str, *, segments: int = 64, rings: int = 40) -> Any:
    """A lathed vase (~2,600 faces) with cylindrical UVs and a closed base."""
    height = 0.9
    verts: list[Vec3] = []
    for r in range(rings + 1):
        t = r / rings
        rad = vase_radius(t)
        for s in range(segments):
            a = math.tau * s / segments
            verts.append((rad * math.cos(a), rad * math.sin(a), height * t))
    faces: list[tuple[int, ...]] = []
    uvs: list[list[tuple[float, float]]] = []
    for r in range(rings):
        for s in range(segments):
            s2 = (s + 1) % segments
            faces.append((r * segments + s, r * segments + s2,
                          (r + 1) * segments + s2, (r + 1) * segments + s))
            u0, u1 = s / segments, (s + 1) / segments
            v0, v1 = r / rings, (r + 1) / rings
            uvs.append([(u0, v0), (u1, v0), (u1, v1), (u0, v1)])
    # base: a fan of triangles around a centre vertex, mapped to a small disc in UV space
    centre = len(verts)
    verts.append((0.0, 0.0, 0.0))
    for s in range(segments):
        s2 = (s + 1) % segments
        faces.append((centre, s2, s))
        a1, a2 = math.tau * s2 / segments, math.tau * s / segments
        uvs.append([(0.5, 0.5), (0.5 + 0.05 * math.cos(a1), 0.5 + 0.05 * math.sin(a1)),
                    (0.5 + 0.05 * math.cos(a2), 0.5 + 0.05 * math.sin(a2))])
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts, [], faces)
    layer = mesh.uv_layers.new(name="UVMap")
    flat = [c for face in uvs for corner in face for c in corner]
    layer.data.foreach_set("uv", flat)
    for poly in mesh.polygons:
        poly.use_smooth = True
    mesh.update()
    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    return obj


def make_material(bpy: Any, name: str, images: dict[str, Any]) -> Any:
    """Principled BSDF fed by image textures (base color, and PBR maps when given)."""
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    bsdf = next(n for n in nodes if n.type == "BSDF_PRINCIPLED")

    def tex(key: str, y: float) -> Any:
        node = nodes.new("ShaderNodeTexImage")
        node.image = images[key]
        node.location = (-600, y)
        return node

    if "base_color" in images:
        links.new(tex("base_color", 300).outputs["Color"], bsdf.inputs["Base Color"])
    if "metallic" in images:
        links.new(tex("metallic", 0).outputs["Color"], bsdf.inputs["Metallic"])
    if "roughness" in images:
        links.new(tex("roughness", -300).outputs["Color"], bsdf.inputs["Roughness"])
    if "normal" in images:
        normal_map = nodes.new("ShaderNodeNormalMap")
        normal_map.location = (-250, -600)
        links.new(tex("normal", -600).outputs["Color"], normal_map.inputs["Color"])
        links.new(normal_map.outputs["Normal"], bsdf.inputs["Normal"])
    return mat


# ------------------------------------------------------------------ thumbnails

def render_thumbnail(bpy: Any, path: Path, target: Any, fallback: Callable[[], Any], *,
                     turn: float = 0.0, transparent: bool = False) -> None:
    """A small Cycles render of the asset (seen from `turn` degrees around it, optionally on a
    transparent background); a painted preview if rendering is unavailable."""
    scene = bpy.context.scene
    cam_data = bpy.data.cameras.new("ThumbCam")
    cam = bpy.data.objects.new("ThumbCam", cam_data)
    light_data = bpy.data.lights.new("ThumbSun", type="SUN")
    light_data.energy = 3.0
    light = bpy.data.objects.new("ThumbSun", light_data)
    for obj in (cam, light):
        scene.collection.objects.link(obj)
    centre = target.location.copy()
    centre.z += 0.45
    ang = math.atan2(-1.9, 1.4) + math.radians(turn)
    cam.location = (centre.x + 2.36 * math.cos(ang), centre.y + 2.36 * math.sin(ang),
                    centre.z + 0.7)
    cam.rotation_euler = (centre - cam.location).to_track_quat("-Z", "Y").to_euler()
    light.rotation_euler = (math.radians(50), 0.0, math.radians(30))
    scene.camera = cam
    scene.render.engine = "CYCLES"
    scene.cycles.samples = 4
    scene.cycles.use_denoising = False
    scene.cycles.device = "CPU"
    scene.render.resolution_x = scene.render.resolution_y = THUMB_SIZE
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.film_transparent = transparent
    scene.render.image_settings.color_mode = "RGBA" if transparent else "RGB"
    scene.render.filepath = str(path)
    if scene.world is None:
        scene.world = bpy.data.worlds.new("World")
    try:
        bpy.ops.render.render(write_still=True)
        ok = path.is_file()
    except RuntimeError:
        ok = False
    if not ok:
        save_png(bpy, path.stem, fallback(), path)
    bpy.data.objects.remove(cam, do_unlink=True)
    bpy.data.objects.remove(light, do_unlink=True)


# ------------------------------------------------------------------ mesh variants

def make_mesh_variant(bpy: Any, out: Path, kind: str) -> dict[str, Any]:
    """kind: 'preview' (untextured), 'textured' (base color) or 'textured_pbr' (all maps)."""
    reset_scene(bpy)
    folder = out / kind
    folder.mkdir(parents=True, exist_ok=True)
    vase = make_vase(bpy, "Meshy_Vase")
    entry: dict[str, Any] = {}
    textures: dict[str, str] = {}
    if kind == "preview":
        mat = bpy.data.materials.new("Clay")
        mat.use_nodes = True
        bsdf = next(n for n in mat.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
        bsdf.inputs["Base Color"].default_value = (0.7, 0.7, 0.7, 1.0)
    else:
        images = {"base_color": save_png(bpy, "base_color", pattern_base_color(TEX_SIZE),
                                         folder / "texture_base_color.png")}
        if kind == "textured_pbr":
            for key, pattern in (("metallic", pattern_metallic), ("roughness", pattern_roughness),
                                 ("normal", pattern_normal)):
                images[key] = save_png(bpy, key, pattern(TEX_SIZE), folder / f"texture_{key}.png",
                                       non_color=True)
        for key, image in images.items():
            textures[key] = f"{kind}/{Path(image.filepath_raw).name}"
        mat = make_material(bpy, "Meshy_Material", images)
    vase.data.materials.append(mat)
    objs = [vase]
    export_glb(bpy, folder / "model.glb", objs, animations=False)
    export_fbx(bpy, folder / "model.fbx", objs, animations=False)
    export_obj(bpy, folder / "model.obj", objs, materials=kind != "preview")
    export_stl(bpy, folder / "model.stl", objs)
    for key in ("glb", "fbx", "obj", "stl"):
        entry[key] = f"{kind}/model.{key}"
    if kind != "preview":
        entry["mtl"] = f"{kind}/model.mtl"
    if try_export_usdz(bpy, folder / "model.usdz", objs):
        entry["usdz"] = f"{kind}/model.usdz"
    render_thumbnail(bpy, folder / "thumbnail.png", vase,
                     lambda: pattern_base_color(THUMB_SIZE, 0.1))
    entry["thumbnail"] = f"{kind}/thumbnail.png"
    if kind != "preview":
        entry["textures"] = textures
    return entry


# ------------------------------------------------------------------ humanoid rig

# name: (head, tail, parent, half-thickness of its body box or 0 for none); front is -Y, +X is
# the character's left (it faces the viewer in Blender's front view).
BONES: dict[str, tuple[Vec3, Vec3, str | None, float]] = {
    "Hips": ((0, 0, 0.95), (0, 0, 1.05), None, 0.15),
    "Spine": ((0, 0, 1.05), (0, 0, 1.18), "Hips", 0.14),
    "Spine1": ((0, 0, 1.18), (0, 0, 1.31), "Spine", 0.15),
    "Spine2": ((0, 0, 1.31), (0, 0, 1.45), "Spine1", 0.16),
    "Neck": ((0, 0, 1.45), (0, 0, 1.55), "Spine2", 0.05),
    "Head": ((0, 0, 1.55), (0, 0, 1.78), "Neck", 0.1),
}
_ARM_DOWN = math.radians(40)  # A-pose: arms 40 degrees below horizontal


def _along_arm(sx: float, dist: float) -> Vec3:
    return (sx * (0.17 + dist * math.cos(_ARM_DOWN)), 0.0, 1.42 - dist * math.sin(_ARM_DOWN))


for _side, _sx in (("Left", 1.0), ("Right", -1.0)):
    BONES.update({
        f"{_side}Shoulder": ((0.04 * _sx, 0, 1.42), (0.17 * _sx, 0, 1.42), "Spine2", 0.05),
        f"{_side}Arm": (_along_arm(_sx, 0), _along_arm(_sx, 0.27), f"{_side}Shoulder", 0.045),
        f"{_side}ForeArm": (_along_arm(_sx, 0.27), _along_arm(_sx, 0.51), f"{_side}Arm", 0.04),
        f"{_side}Hand": (_along_arm(_sx, 0.51), _along_arm(_sx, 0.61), f"{_side}ForeArm", 0.035),
        f"{_side}UpLeg": ((0.1 * _sx, 0, 0.95), (0.1 * _sx, 0, 0.52), "Hips", 0.07),
        f"{_side}Leg": ((0.1 * _sx, 0, 0.52), (0.1 * _sx, 0, 0.09), f"{_side}UpLeg", 0.055),
        f"{_side}Foot": ((0.1 * _sx, 0, 0.09), (0.1 * _sx, -0.12, 0.03), f"{_side}Leg", 0.045),
        f"{_side}ToeBase": ((0.1 * _sx, -0.12, 0.03), (0.1 * _sx, -0.2, 0.03), f"{_side}Foot",
                            0.035),
    })


def bone_box(head: Vec3, tail: Vec3, half: float) -> list[Vec3]:
    """8 corners of a box around a bone (oriented along it), in the order a cube's corner bits
    (bit 0: along the bone, bit 1/2: across it) give; slightly longer than the bone so joints
    overlap."""
    from mathutils import Vector

    h, t = Vector(head), Vector(tail)
    axis: Any = (t - h).normalized()
    up = Vector((0, 0, 1)) if abs(axis.z) < 0.9 else Vector((0, 1, 0))
    side = axis.cross(up).normalized()
    depth = axis.cross(side)
    ends = (h - axis * half * 0.5, t + axis * half * 0.5)
    corners = []
    for corner in range(8):
        point = (ends[corner & 1] + side * (half if corner & 2 else -half)
                 + depth * (half if corner & 4 else -half))
        corners.append((point.x, point.y, point.z))
    return corners


def make_rig(bpy: Any) -> tuple[Any, Any]:
    """An armature with Mixamo-like bone names and a boxy biped skinned to it (rigid weights)."""
    arm_data = bpy.data.armatures.new("Armature")
    armature = bpy.data.objects.new("Armature", arm_data)
    bpy.context.scene.collection.objects.link(armature)
    select_only(bpy, [armature])
    bpy.ops.object.mode_set(mode="EDIT")
    edit_bones = arm_data.edit_bones
    for name, (head, tail, parent, _) in BONES.items():
        bone = edit_bones.new(name)
        bone.head, bone.tail = head, tail
        if parent:
            bone.parent = edit_bones[parent]
            bone.use_connect = False
    bpy.ops.object.mode_set(mode="OBJECT")

    verts: list[Vec3] = []
    faces: list[tuple[int, ...]] = []
    groups: dict[str, list[int]] = {}
    for name, (head, tail, _, half) in BONES.items():
        if half <= 0:
            continue
        base = len(verts)
        verts.extend(bone_box(head, tail, half))
        for quad in ((0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2),
                     (1, 3, 7, 5)):
            faces.append(tuple(base + q for q in quad))
        groups[name] = list(range(base, base + 8))
    mesh = bpy.data.meshes.new("Character")
    mesh.from_pydata(verts, [], faces)
    mesh.update()
    body = bpy.data.objects.new("Character", mesh)
    bpy.context.scene.collection.objects.link(body)
    for name, indices in groups.items():
        body.vertex_groups.new(name=name).add(indices, 1.0, "REPLACE")
    body.parent = armature
    modifier = body.modifiers.new("Armature", "ARMATURE")
    modifier.object = armature
    skin = bpy.data.materials.new("Skin")
    skin.use_nodes = True
    bsdf = next(n for n in skin.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    bsdf.inputs["Base Color"].default_value = (0.8, 0.55, 0.4, 1.0)
    mesh.materials.append(skin)
    return armature, body


# A motion: (bone, euler axis 0-2, amplitude in degrees, phase in cycles); all loop over the clip.
Motion = list[tuple[str, int, float, float]]

WALKING: Motion = [
    ("LeftUpLeg", 0, 25, 0.0), ("RightUpLeg", 0, 25, 0.5), ("LeftLeg", 0, 15, 0.25),
    ("RightLeg", 0, 15, 0.75), ("LeftArm", 1, 18, 0.5), ("RightArm", 1, 18, 0.0),
    ("Spine1", 2, 5, 0.0),
]
RUNNING: Motion = [
    ("LeftUpLeg", 0, 50, 0.0), ("RightUpLeg", 0, 50, 0.5), ("LeftLeg", 0, 40, 0.25),
    ("RightLeg", 0, 40, 0.75), ("LeftArm", 1, 35, 0.5), ("RightArm", 1, 35, 0.0),
    ("LeftForeArm", 2, 45, 0.25), ("RightForeArm", 2, 45, 0.75), ("Spine", 0, 10, 0.0),
]
_ANIMATABLE = [b for b in BONES if b not in ("Hips",)]


def library_motion(action_id: int) -> Motion:
    """A small, different motion per library clip (deterministic in the id)."""
    n = len(_ANIMATABLE)
    first, second = _ANIMATABLE[action_id % n], _ANIMATABLE[(action_id * 7 + 3) % n]
    amp = 10.0 + 3.0 * action_id
    return [(first, action_id % 3, amp, 0.0), (second, (action_id + 1) % 3, amp / 2, 0.25),
            ("Spine2", 2, 2.0 + action_id % 5, 0.5)]


def make_action(bpy: Any, armature: Any, name: str, motion: Motion, *, frames: int = FPS,
                bob: float = 0.02, keep_others: bool = False) -> Any:
    """Keyframe Euler rotations (and a hip bob) over one loop; the action is named `name`.

    Other actions are deleted (exporters pick up every action) unless `keep_others`, which the
    several-clips-in-one-file asset (animation ``action_ids``) needs."""
    from mathutils import Euler

    for action in [] if keep_others else list(bpy.data.actions):
        bpy.data.actions.remove(action)
    if armature.animation_data is None:
        armature.animation_data_create()
    armature.animation_data.action = None
    pose = armature.pose
    for pbone in pose.bones:
        pbone.rotation_mode = "QUATERNION"
        pbone.rotation_quaternion = (1, 0, 0, 0)
        pbone.location = (0, 0, 0)
    steps = 8
    for step in range(steps + 1):
        frame = 1 + frames * step / steps
        phase = step / steps
        for bone, axis, amp, offset in motion:
            angles = [0.0, 0.0, 0.0]
            angles[axis] = math.radians(amp) * math.sin(math.tau * (phase + offset))
            pbone = pose.bones[bone]
            pbone.rotation_quaternion = Euler(angles).to_quaternion()
            pbone.keyframe_insert("rotation_quaternion", frame=frame, group=bone)
        hips = pose.bones["Hips"]
        hips.location = (0.0, bob * math.cos(2 * math.tau * phase), 0.0)
        hips.keyframe_insert("location", frame=frame, group="Hips")
    action = armature.animation_data.action
    action.name = name
    action.use_fake_user = keep_others
    scene = bpy.context.scene
    scene.frame_start, scene.frame_end = 1, 1 + frames
    # FBX names its take after the scene when exporting the active action only.
    scene.name = name
    return action


def make_rig_assets(bpy: Any, out: Path) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    reset_scene(bpy)
    rig_dir, anim_dir = out / "rig", out / "animations"
    rig_dir.mkdir(parents=True, exist_ok=True)
    anim_dir.mkdir(parents=True, exist_ok=True)
    armature, body = make_rig(bpy)
    both = [armature, body]
    rig: dict[str, str] = {}
    scene_name = bpy.context.scene.name
    export_glb(bpy, rig_dir / "character.glb", both, animations=False)
    export_fbx(bpy, rig_dir / "character.fbx", both, animations=False)
    rig["rigged_character_glb"] = "rig/character.glb"
    rig["rigged_character_fbx"] = "rig/character.fbx"
    for key, name, motion, bob in (("walking", "Walking", WALKING, 0.02),
                                   ("running", "Running", RUNNING, 0.05)):
        make_action(bpy, armature, name, motion, bob=bob)
        export_glb(bpy, rig_dir / f"{key}_withSkin.glb", both, animations=True)
        export_fbx(bpy, rig_dir / f"{key}_withSkin.fbx", both, animations=True)
        export_glb(bpy, rig_dir / f"{key}_armature.glb", [armature], animations=True)
        rig[f"{key}_glb"] = f"rig/{key}_withSkin.glb"
        rig[f"{key}_fbx"] = f"rig/{key}_withSkin.fbx"
        rig[f"{key}_armature_glb"] = f"rig/{key}_armature.glb"
    animations: dict[str, dict[str, str]] = {}
    for action_id, name in animation_library():
        frames = 24 + 6 * (action_id % 3)
        make_action(bpy, armature, name, library_motion(action_id), frames=frames,
                    bob=0.01 * (action_id % 4))
        stem = f"{action_id:03d}_{name}"
        export_glb(bpy, anim_dir / f"{stem}.glb", both, animations=True)
        export_fbx(bpy, anim_dir / f"{stem}.fbx", both, animations=True)
        animations[str(action_id)] = {"name": name, "glb": f"animations/{stem}.glb",
                                      "fbx": f"animations/{stem}.fbx"}
    bpy.context.scene.name = scene_name
    return rig, animations


def make_images(bpy: Any, out: Path) -> list[str]:
    reset_scene(bpy)
    folder = out / "images"
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for seed in range(3):
        save_png(bpy, f"image_{seed}", pattern_picture(IMAGE_SIZE, seed),
                 folder / f"image_{seed}.png")
        names.append(f"images/image_{seed}.png")
    return names


# ------------------------------------------------------------------ entry point

def generate(out: Path) -> dict[str, Any]:
    """Build every asset into `out` and write out/manifest.json (returned)."""
    os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="meshy-assets-"))
    import bpy

    out.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    manifest: dict[str, Any] = {"version": script_version(), "blender": bpy.app.version_string}
    for kind in ("preview", "textured", "textured_pbr"):
        manifest[kind] = make_mesh_variant(bpy, out, kind)
    manifest["rig"], manifest["animations"] = make_rig_assets(bpy, out)
    manifest["images"] = make_images(bpy, out)
    import emulator_tool_assets  # beside this script: the model tools' files

    manifest.update(emulator_tool_assets.generate(bpy, out, sys.modules[__name__]))
    reset_scene(bpy)
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(out / "manifest.json")  # written last and atomically: present means complete
    return manifest


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest in `out` if it is complete and made by this version of the script."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("version") != script_version():
        return None
    return manifest


def ensure_assets(out: Path, *, python: str | None = None, timeout: float = 300) -> dict[str, Any]:
    """Reuse `out` when its manifest matches this script, else regenerate it in a subprocess.

    A subprocess keeps the caller's Blender session (if any) untouched. A lock file beside `out`
    makes concurrent callers (test fixtures, the emulator) wait for one generation, not race.
    """
    import subprocess

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "w") as lock:
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # Windows: no advisory lock; a lone developer run is fine
            pass
        manifest = read_manifest(out)
        if manifest is None:
            run = subprocess.run([python or sys.executable, str(HERE), "--out", str(out)],
                                 capture_output=True, text=True, timeout=timeout)
            manifest = read_manifest(out)
            if run.returncode != 0 or manifest is None:
                raise RuntimeError(f"{HERE.name} failed (exit {run.returncode}) writing {out}:\n"
                                   + run.stderr[-3000:])
        return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True, help="folder to write assets into")
    args = parser.parse_args(argv)
    start = time.monotonic()
    with contextlib.redirect_stdout(sys.stderr):  # exporters chatter; keep stdout for the summary
        manifest = generate(args.out.resolve())
    print(f"wrote {args.out / 'manifest.json'} (Blender {manifest['blender']}) "
          f"in {time.monotonic() - start:.1f} s")
    return 0


def _exit_now(code: int) -> None:
    """Leave without interpreter teardown: Blender 4.2's bpy module segfaults at exit after a
    glTF export (exit status 139 although every file was written). Nothing is left to clean up."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit_now(main())
