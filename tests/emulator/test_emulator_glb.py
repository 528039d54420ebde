"""The emulator's pure-Python GLB reader/rewriter agrees with Blender about the same files."""

from __future__ import annotations

import math

import pytest

from meshy_emu.glb import Glb, GlbError, padded_glb
from meshy_emu.models import read_model, sniff_model


@pytest.fixture
def transformed_glb(bpy, tmp_path):
    """A Blender-made GLB whose mesh sits under a rotated, scaled, moved parent."""
    import mathutils

    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.object.empty_add(location=(0, 0, 2))
    parent = bpy.context.active_object
    parent.name = "Holder"
    parent.rotation_euler = (0, math.radians(90), 0)
    parent.scale = (2, 2, 2)
    bpy.ops.mesh.primitive_cylinder_add(vertices=16, radius=0.5, depth=3)
    child = bpy.context.active_object
    child.name = "Column"
    child.parent = parent
    bpy.context.view_layer.update()
    corners = [child.matrix_world @ mathutils.Vector(c) for c in child.bound_box]
    path = tmp_path / "column.glb"
    bpy.ops.export_scene.gltf(filepath=str(path), export_format="GLB")
    faces = sum(len(p.vertices) - 2 for p in child.data.polygons)
    return path.read_bytes(), corners, faces


def test_bounds_faces_and_names_match_blender(transformed_glb) -> None:
    data, corners, faces = transformed_glb
    glb = Glb.parse(data)
    assert glb.face_count() == faces
    assert glb.root_name() == "Holder" and "Column" in glb.node_names()
    lo, hi = glb.bounds()
    # glTF is Y-up: Blender (x, y, z) -> glTF (x, z, -y)
    blender_lo = [min(c[i] for c in corners) for i in range(3)]
    blender_hi = [max(c[i] for c in corners) for i in range(3)]
    assert lo[0] == pytest.approx(blender_lo[0], abs=1e-4)
    assert hi[0] == pytest.approx(blender_hi[0], abs=1e-4)
    assert lo[1] == pytest.approx(blender_lo[2], abs=1e-4)
    assert hi[1] == pytest.approx(blender_hi[2], abs=1e-4)
    assert lo[2] == pytest.approx(-blender_hi[1], abs=1e-4)


def test_rewrite_keeps_the_model_importable(bpy, transformed_glb, tmp_path) -> None:
    data, _corners, faces = transformed_glb
    glb = Glb.parse(data)
    glb.set_extras("meshy_source", {"name": "Column", "faces": faces})
    out = tmp_path / "rewritten.glb"
    out.write_bytes(glb.to_bytes())
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=str(out))
    holder = bpy.data.objects["Holder"]
    assert holder["meshy_source"]["faces"] == faces
    assert sum(len(p.vertices) - 2 for p in bpy.data.objects["Column"].data.polygons) == faces


def test_padded_glb_declares_the_padding_in_its_buffer(transformed_glb) -> None:
    data, _corners, faces = transformed_glb
    prefix, pad = padded_glb(data, 1_000_000)
    whole = prefix + b"\0" * pad
    assert len(whole) == int.from_bytes(whole[8:12], "little") <= 1_000_000
    assert Glb.parse(whole).face_count() == faces


def test_not_a_glb() -> None:
    with pytest.raises(GlbError):
        Glb.parse(b"Kaydara FBX Binary  \0")
    assert sniff_model(b"Kaydara FBX Binary  \0\x1a\0") == "fbx"
    obj = read_model(b"o Crate\nv 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nf 1 2 4 3\n")
    assert (obj.format, obj.name, obj.faces) == ("obj", "Crate", 2)
    with pytest.raises(ValueError):
        read_model(b"\x00\x01 nothing")
