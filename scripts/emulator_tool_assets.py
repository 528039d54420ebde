"""The emulator's files for Meshy's model tools, motion and views, made with Blender like the rest.

Called by ``make_emulator_assets.generate`` (part of its recipe hash): a UV-unwrapped GLB (UV
unwrap), a repaired closed mesh and a printability report measured with bmesh (3D print
analyze/repair), a multi-colour 3MF written from Blender's triangles (print multi-colour), a
motion as BVH and armature-only FBX plus the rig playing it (text-to-motion and animations with
``motion_task_id``), one GLB/FBX holding every library clip (animations with ``action_ids``),
four turntable views (multi-view concept images and ``thumbnail_urls``) and a transparent
thumbnail (``alpha_thumbnail_url``).
"""

from __future__ import annotations

import json
import math
import zipfile
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

VIEWS = ("front", "right", "back", "left")
# (bone, euler axis 0-2, amplitude in degrees, phase in cycles): make_emulator_assets.Motion
MOTION: list[tuple[str, int, float, float]] = [
    ("LeftArm", 1, 60.0, 0.0), ("RightArm", 1, 60.0, 0.5), ("Spine1", 0, 15.0, 0.25),
    ("Head", 2, 20.0, 0.0)]
PRINT_COLOURS = ("#C8553DFF", "#F2D0A4FF", "#588B8BFF", "#2E4057FF")


def generate(bpy: Any, out: Path, base: ModuleType) -> dict[str, Any]:
    """Every tool asset under `out`; returns the manifest entries (relative paths). ``base`` is
    make_emulator_assets, the caller, whose Blender helpers these assets are made with (handed
    in, never imported: the two modules do not import each other)."""
    made = {"uv_unwrap": make_unwrapped(bpy, out, base), "print": make_print(bpy, out, base),
            "motion": make_motion(bpy, out, base), "views": make_views(bpy, out, base)}
    # formats Blender has no exporter for in the mesh variants: 3MF (written here), .blend
    made["formats"] = {"3mf": made["print"]["model_3mf"], "blend": made["views"]["blend"]}
    return made


def _clay(bpy: Any, name: str) -> Any:
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = next(n for n in mat.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    bsdf.inputs["Base Color"].default_value = (0.6, 0.6, 0.6, 1.0)
    return mat


def make_unwrapped(bpy: Any, out: Path, base: ModuleType) -> dict[str, str]:
    """The vase with new seams-based UVs (Smart UV Project) and a plain grey material."""
    base.reset_scene(bpy)
    folder = out / "uv_unwrap"
    folder.mkdir(parents=True, exist_ok=True)
    vase = base.make_vase(bpy, "Meshy_Unwrapped")
    vase.data.uv_layers.remove(vase.data.uv_layers[0])
    vase.data.uv_layers.new(name="UVMap")
    base.select_only(bpy, [vase])
    bpy.ops.object.mode_set(mode="EDIT")
    bpy.ops.mesh.select_all(action="SELECT")
    bpy.ops.uv.smart_project(angle_limit=math.radians(66), island_margin=0.02)
    bpy.ops.object.mode_set(mode="OBJECT")
    vase.data.materials.append(_clay(bpy, "Meshy_Unwrapped_Grey"))
    base.export_glb(bpy, folder / "model.glb", [vase], animations=False)
    return {"glb": "uv_unwrap/model.glb"}


def printability(bpy: Any, obj: Any) -> dict[str, Any]:
    """Meshy's printability shape, measured on `obj` with bmesh (world scale, metres)."""
    import bmesh

    bm = bmesh.new()
    bm.from_mesh(obj.data)
    boundary = [e for e in bm.edges if e.is_boundary]
    non_manifold = sum(1 for e in bm.edges if not e.is_manifold and not e.is_boundary)
    degenerate = sum(1 for f in bm.faces if f.calc_area() < 1e-12)
    holes = _loops(boundary)
    volume = abs(bm.calc_volume(signed=True)) if not boundary else 0.0
    bm.free()
    watertight = not boundary and not non_manifold
    issues = holes + non_manifold + degenerate
    return {"status": "printable" if issues == 0 else "has_issues", "issue_count": issues,
            "metrics": {"is_watertight": watertight, "volume": round(volume * 1e6, 3),
                        "non_manifold_edges": non_manifold, "degenerate_faces": degenerate,
                        "holes": holes}}


def _loops(edges: list[Any]) -> int:
    """Connected groups of boundary edges: each is one hole."""
    seen: set[int] = set()
    by_vert: dict[int, list[Any]] = {}
    for e in edges:
        for v in e.verts:
            by_vert.setdefault(v.index, []).append(e)
    count = 0
    for e in edges:
        if e.index in seen:
            continue
        count += 1
        stack = [e]
        while stack:
            cur = stack.pop()
            if cur.index in seen:
                continue
            seen.add(cur.index)
            stack.extend(n for v in cur.verts for n in by_vert[v.index] if n.index not in seen)
    return count


def make_print(bpy: Any, out: Path, base: ModuleType) -> dict[str, str]:
    """The open vase's printability report; the repaired (closed, untextured) vase as GLB and
    STL; and a multi-colour 3MF of it, coloured in height bands."""
    import bmesh

    base.reset_scene(bpy)
    folder = out / "print"
    folder.mkdir(parents=True, exist_ok=True)
    vase = base.make_vase(bpy, "Meshy_Print")
    report = printability(bpy, vase)
    (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    bm = bmesh.new()
    bm.from_mesh(vase.data)
    bmesh.ops.holes_fill(bm, edges=[e for e in bm.edges if e.is_boundary], sides=0)
    bmesh.ops.triangulate(bm, faces=[f for f in bm.faces if len(f.verts) > 4])
    bm.to_mesh(vase.data)
    bm.free()
    vase.data.materials.append(_clay(bpy, "Meshy_Print_Grey"))
    repaired = printability(bpy, vase)
    (folder / "repaired_report.json").write_text(json.dumps(repaired, indent=1),
                                                 encoding="utf-8")
    base.export_glb(bpy, folder / "repaired.glb", [vase], animations=False)
    base.export_stl(bpy, folder / "repaired.stl", [vase])
    write_3mf(vase, folder / "multicolor.3mf", PRINT_COLOURS)
    write_3mf(vase, folder / "model.3mf", PRINT_COLOURS[:1])
    return {"report": "print/report.json", "repaired_report": "print/repaired_report.json",
            "repaired_glb": "print/repaired.glb", "repaired_stl": "print/repaired.stl",
            "multicolor_3mf": "print/multicolor.3mf", "model_3mf": "print/model.3mf"}


def write_3mf(obj: Any, path: Path, colours: tuple[str, ...]) -> None:
    """A 3MF core-spec package of `obj`'s triangles (millimetres), one base material per band."""
    mesh = obj.data
    mesh.calc_loop_triangles()
    zs = [v.co.z for v in mesh.vertices]
    lo, hi = min(zs), max(zs)
    verts = "".join(f'<vertex x="{v.co.x * 1000:.4f}" y="{v.co.y * 1000:.4f}" '
                    f'z="{v.co.z * 1000:.4f}"/>' for v in mesh.vertices)
    tris = []
    for tri in mesh.loop_triangles:
        z = sum(mesh.vertices[i].co.z for i in tri.vertices) / 3
        band = min(len(colours) - 1, int((z - lo) / max(hi - lo, 1e-9) * len(colours)))
        a, b, c = tri.vertices
        tris.append(f'<triangle v1="{a}" v2="{b}" v3="{c}" pid="1" p1="{band}"/>')
    materials = "".join(f'<base name="colour {i + 1}" displaycolor="{c}"/>'
                        for i, c in enumerate(colours))
    model = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<model unit="millimeter" xml:lang="en-US" '
             'xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">'
             f'<resources><basematerials id="1">{materials}</basematerials>'
             f'<object id="2" type="model" pid="1" pindex="0"><mesh><vertices>{verts}</vertices>'
             f'<triangles>{"".join(tris)}</triangles></mesh></object></resources>'
             '<build><item objectid="2"/></build></model>')
    types = ('<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats'
             '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
             'vnd.openxmlformats-package.relationships+xml"/><Default Extension="model" '
             'ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Target="/3D/3dmodel.'
            'model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/'
            '3dmodel"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("3D/3dmodel.model", model)


def make_motion(bpy: Any, out: Path, base: ModuleType) -> dict[str, str]:
    """A text-to-motion result (BVH and armature-only FBX), the rig playing it (GLB/FBX), and
    one GLB/FBX holding one clip per library action (animations with ``action_ids``)."""
    base.reset_scene(bpy)
    folder = out / "motion"
    folder.mkdir(parents=True, exist_ok=True)
    armature, body = base.make_rig(bpy)
    both = [armature, body]
    base.make_action(bpy, armature, "Meshy_Motion", MOTION, frames=2 * base.FPS)
    base.select_only(bpy, [armature])
    bpy.ops.export_anim.bvh(filepath=str(folder / "motion.bvh"), frame_start=1,
                            frame_end=1 + 2 * base.FPS)
    base.export_fbx(bpy, folder / "motion.fbx", [armature], animations=True)
    base.export_glb(bpy, folder / "applied.glb", both, animations=True)
    base.export_fbx(bpy, folder / "applied.fbx", both, animations=True)
    for n, (action_id, name) in enumerate(base.animation_library()):
        base.make_action(bpy, armature, name, base.library_motion(action_id),
                         frames=24 + 6 * (action_id % 3), keep_others=n > 0)
    armature.animation_data.action = None
    for action in bpy.data.actions:
        action.use_fake_user = True
    base.select_only(bpy, both)
    bpy.ops.export_scene.gltf(filepath=str(folder / "library_clips.glb"), export_format="GLB",
                              use_selection=True, export_animations=True, export_skins=True,
                              export_animation_mode="ACTIONS")
    bpy.ops.export_scene.fbx(filepath=str(folder / "library_clips.fbx"), use_selection=True,
                             bake_anim=True, bake_anim_use_all_actions=True,
                             bake_anim_use_nla_strips=False, add_leaf_bones=False)
    return {"bvh": "motion/motion.bvh", "fbx": "motion/motion.fbx",
            "applied_glb": "motion/applied.glb", "applied_fbx": "motion/applied.fbx",
            "library_clips_glb": "motion/library_clips.glb",
            "library_clips_fbx": "motion/library_clips.fbx"}


def make_views(bpy: Any, out: Path, base: ModuleType) -> dict[str, str]:
    """Four turntable renders of the textured vase (concept images, multi-view thumbnails)
    and one on a transparent background (alpha thumbnail)."""
    base.reset_scene(bpy)
    folder = out / "views"
    folder.mkdir(parents=True, exist_ok=True)
    vase = base.make_vase(bpy, "Meshy_Concept")
    images = {"base_color": base.save_png(bpy, "concept_base", base.pattern_base_color(
        base.TEX_SIZE, 0.3), folder / "concept_base.png")}
    vase.data.materials.append(base.make_material(bpy, "Meshy_Concept", images))
    bpy.ops.wm.save_as_mainfile(filepath=str(folder / "model.blend"), copy=True)
    entry: dict[str, str] = {"blend": "views/model.blend"}
    for n, view in enumerate(VIEWS):
        seed = 10 + n
        base.render_thumbnail(bpy, folder / f"{view}.png", vase,
                              partial(base.pattern_picture, base.THUMB_SIZE, seed),
                              turn=90.0 * n)
        entry[view] = f"views/{view}.png"
    base.render_thumbnail(bpy, folder / "alpha.png", vase,
                          lambda: base.pattern_picture(base.THUMB_SIZE, 20), transparent=True)
    entry["alpha"] = "views/alpha.png"
    return entry
