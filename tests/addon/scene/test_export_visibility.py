"""Meshes the artist cannot see are exported whole (or refused in words), never as an empty GLB
that Meshy charges for, nor with a raw RuntimeError; the upload's name is its content, so a
rerun under a job key asks for exactly the same thing."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest


def glb_triangles(path: Path) -> int:
    """Triangles in a GLB written by Blender's exporter (from its JSON chunk's accessors)."""
    data = path.read_bytes()
    length = struct.unpack_from("<I", data, 12)[0]
    doc = json.loads(data[20:20 + length])
    total = 0
    for mesh in doc.get("meshes", []):
        for prim in mesh["primitives"]:
            total += doc["accessors"][prim["indices"]]["count"] // 3
    return total


def _monkey(bpy):
    bpy.ops.mesh.primitive_monkey_add()
    return bpy.context.active_object


def _export(bpy, obj, tmp_path):
    from meshy_blender.blender.scene.export import export_glb

    return export_glb(bpy.context, [obj], tmp_path / "uploads")


@pytest.mark.parametrize("how", ["eye", "viewport", "unselectable", "excluded",
                                 "hidden_collection", "other_scene"])
def test_an_invisible_mesh_is_exported_whole_and_put_back(bpy, empty_scene, tmp_path, how):
    monkey = _monkey(bpy)
    layer = bpy.context.view_layer
    if how == "eye":
        monkey.hide_set(True)
    elif how == "viewport":
        monkey.hide_viewport = True
    elif how == "unselectable":
        monkey.hide_select = True
    elif how in ("excluded", "hidden_collection"):
        coll = bpy.data.collections.new("Props")
        bpy.context.scene.collection.children.link(coll)
        coll.objects.link(monkey)
        bpy.context.scene.collection.objects.unlink(monkey)
        if how == "excluded":
            layer.layer_collection.children["Props"].exclude = True
        else:
            coll.hide_viewport = True
    else:
        other = bpy.data.scenes.new("Elsewhere")
        other.collection.objects.link(monkey)
        bpy.context.scene.collection.objects.unlink(monkey)
    before = (monkey.hide_get(), monkey.hide_viewport, monkey.hide_select,
              set(monkey.users_collection), layer.objects.get(monkey.name) is not None)

    result = _export(bpy, monkey, tmp_path)

    assert glb_triangles(result.path) == result.faces == 968  # the whole monkey, not nothing
    after = (monkey.hide_get(), monkey.hide_viewport, monkey.hide_select,
             set(monkey.users_collection), layer.objects.get(monkey.name) is not None)
    assert after == before  # the artist's visibility and collections are put back


def test_the_upload_is_named_by_its_content(bpy, empty_scene, tmp_path):
    monkey = _monkey(bpy)
    first = _export(bpy, monkey, tmp_path).path
    again = _export(bpy, monkey, tmp_path).path
    assert first == again and first.is_file()  # same mesh, same request: a key rerun matches
    monkey.scale = (2, 2, 2)
    bpy.context.view_layer.update()
    assert _export(bpy, monkey, tmp_path).path != first
