"""Scene import (meshy_blender.blender.scene.importer) in real Blender, with real files."""

from __future__ import annotations

import pytest

from conftest import KHRONOS

PROVENANCE = {"task_id": "0193bfc5-ee4f-73f8-8525-44b398884ce9", "kind": "text-to-3d-refine",
              "prompt": "an ornate vase", "model": "meshy-5", "credits": 10, "job_id": "job-1"}


@pytest.fixture
def importer(empty_scene):
    from meshy_blender.blender.scene import importer as module

    return module


def _scene_objects(bpy):
    return sorted(o.name for o in bpy.context.scene.objects)


def _image_fed_inputs(material):
    bsdf = next(n for n in material.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    fed = set()
    for socket in bsdf.inputs:
        stack = [link.from_node for link in socket.links]
        while stack:
            node = stack.pop()
            if node.type == "TEX_IMAGE" and node.image is not None and node.image.size[0] > 0:
                fed.add(socket.name)
            stack.extend(link.from_node for i in node.inputs for link in i.links)
    return fed


@pytest.mark.parametrize("fmt", ["glb", "fbx"])
def test_textured_model_lands_in_a_meshy_collection_with_provenance(bpy, importer,
                                                                    emulator_assets, fmt):
    result = importer.import_model(emulator_assets.path("textured_pbr", fmt),
                                   name="An ornate vase!", provenance=PROVENANCE)
    assert result.collection.name == "An ornate vase"
    meshy = bpy.data.collections["Meshy"]
    assert meshy.name in bpy.context.scene.collection.children
    assert result.collection.name in meshy.children
    assert len(result.objects) == 1 and result.root_objects == result.objects
    (obj,) = result.objects
    assert obj.name == "An ornate vase" and obj.type == "MESH"
    assert list(obj.users_collection) == [result.collection]
    assert len(obj.data.materials) == 1
    assert {"Base Color", "Metallic", "Roughness", "Normal"} <= _image_fed_inputs(
        obj.data.materials[0])
    assert obj["meshy_task_id"] == PROVENANCE["task_id"]
    assert obj["meshy_kind"] == "text-to-3d-refine"
    assert obj["meshy_prompt"] == "an ornate vase"
    assert obj["meshy_credits"] == 10 and obj["meshy_job_id"] == "job-1"
    assert obj.select_get() and bpy.context.view_layer.objects.active == obj
    assert result.armature is None and result.actions == []


def test_provenance_never_stores_urls_or_keys(bpy, importer, emulator_assets):
    key_like = "msy_" + "abcdefghijklmnop1234"  # assembled so no key-shaped literal is committed
    result = importer.import_model(
        emulator_assets.path("textured", "glb"), name="vase",
        provenance={"task_id": "t1", "glb_url": "https://assets.meshy.ai/x.glb?Signature=abc",
                    "note": f"key {key_like}", "image": "data:image/png;base64,AAA",
                    "meshy_model": "meshy-5"})
    root = result.root_objects[0]
    props = {k: root[k] for k in root.keys()}  # noqa: SIM118 (IDs are not iterable)
    assert props["meshy_task_id"] == "t1" and props["meshy_model"] == "meshy-5"
    assert not {"meshy_glb_url", "meshy_note", "meshy_image"} & set(props)
    assert not any("://" in str(v) or "msy_" in str(v) for v in props.values())


def test_placed_at_the_3d_cursor_or_origin(bpy, importer, emulator_assets):
    bpy.context.scene.cursor.location = (2.0, -3.0, 0.5)
    at_cursor = importer.import_model(emulator_assets.path("textured", "glb"), name="a",
                                      provenance={})
    at_origin = importer.import_model(emulator_assets.path("textured", "glb"), name="b",
                                      provenance={}, placement="ORIGIN")
    assert tuple(round(v, 5) for v in at_cursor.root_objects[0].location) == (2.0, -3.0, 0.5)
    assert tuple(at_origin.root_objects[0].location) == (0.0, 0.0, 0.0)


def test_replace_takes_the_source_transform_and_hides_it(bpy, importer, emulator_assets):
    from mathutils import Euler, Matrix, Vector

    mesh = bpy.data.meshes.new("old")
    source = bpy.data.objects.new("Old vase", mesh)
    bpy.context.scene.collection.objects.link(source)
    source.location = Vector((1.0, 2.0, 3.0))
    source.rotation_euler = Euler((0.1, 0.2, 0.7))
    source.scale = (2.0, 2.0, 2.0)
    bpy.context.view_layer.update()
    expected = source.matrix_world.copy()
    result = importer.import_model(emulator_assets.path("textured", "glb"), name="new vase",
                                   provenance={"task_id": "r1"}, placement="REPLACE",
                                   source_object=source)
    bpy.context.view_layer.update()
    got = result.root_objects[0].matrix_world
    assert all(abs(a - b) < 1e-5 for ra, rb in zip(got, expected, strict=True)
               for a, b in zip(ra, rb, strict=True))
    assert source.name in bpy.data.objects  # kept, not deleted
    assert source.hide_viewport and source.hide_render and not source.visible_get()
    assert result.root_objects[0]["meshy_replaces"] == "Old vase"
    assert isinstance(expected, Matrix)


def test_replace_without_a_source_is_refused_before_touching_the_scene(bpy, importer,
                                                                      emulator_assets):
    with pytest.raises(importer.MeshyImportError, match="Replace"):
        importer.import_model(emulator_assets.path("textured", "glb"), name="x",
                              provenance={}, placement="REPLACE")
    assert _scene_objects(bpy) == [] and "Meshy" not in bpy.data.collections


def test_imports_from_edit_mode(bpy, importer, emulator_assets):
    bpy.ops.mesh.primitive_cube_add()
    cube = bpy.context.object
    bpy.ops.object.mode_set(mode="EDIT")
    assert cube.mode == "EDIT"
    result = importer.import_model(emulator_assets.path("textured", "glb"), name="vase",
                                   provenance={})
    assert cube.mode == "OBJECT"
    assert result.objects[0].name in bpy.context.scene.objects


def test_imports_without_a_window_in_context(bpy, importer, emulator_assets):
    """A context without a window (the bpy module has one; other background setups may not):
    the importers run in it as it is. The override here only takes the window away; the add-on
    itself never calls operators under one."""
    with bpy.context.temp_override(window=None):
        assert bpy.context.window is None
        result = importer.import_model(emulator_assets.path("textured", "glb"), name="vase",
                                       provenance={})
    assert result.objects[0].name in bpy.context.scene.objects


def test_corrupt_file_raises_and_leaves_the_scene_unchanged(bpy, importer, emulator_assets,
                                                            tmp_path):
    importer.import_model(emulator_assets.path("textured", "glb"), name="first", provenance={})
    good = emulator_assets.path("textured", "glb").read_bytes()
    broken = tmp_path / "broken.glb"
    broken.write_bytes(good[: len(good) // 3])
    before = {kind: sorted(b.name for b in getattr(bpy.data, kind))
              for kind in ("objects", "meshes", "materials", "images", "collections", "actions")}
    frame_end = bpy.context.scene.frame_end
    with pytest.raises(importer.MeshyImportError) as info:
        importer.import_model(broken, name="second", provenance={})
    assert "broken.glb" in str(info.value) and str(broken) in str(info.value)
    after = {kind: sorted(b.name for b in getattr(bpy.data, kind)) for kind in before}
    assert after == before
    assert bpy.context.scene.frame_end == frame_end
    assert broken.exists()  # files stay in the cache


def test_unsupported_extension_is_a_clear_error(bpy, importer, emulator_assets):
    with pytest.raises(importer.MeshyImportError, match="GLB/glTF, FBX and BVH"):
        importer.import_model(emulator_assets.path("textured", "obj"), name="x", provenance={})
    assert _scene_objects(bpy) == []


def test_one_import_is_exactly_one_undo_step(bpy, importer, emulator_assets, undo_as_in_the_ui):
    """Blender's undo stack isn't exposed to Python; observe it: one ed.undo() right after the
    import must return to the state before it (nothing half-imported in between)."""
    bpy.ops.mesh.primitive_cube_add()
    bpy.ops.ed.undo_push(message="cube")
    importer.import_rig(emulator_assets.path("rig", "rigged_character_glb"), name="hero",
                        clips={"Walking": emulator_assets.path("rig", "walking_armature_glb")},
                        provenance={})
    assert len(bpy.context.scene.objects) == 3
    bpy.ops.ed.undo()
    assert _scene_objects(bpy) == ["Cube"]
    assert "Walking" not in bpy.data.actions
    bpy.ops.ed.redo()
    assert len(bpy.context.scene.objects) == 3


@pytest.mark.parametrize("variant", ["glb", "armature_glb", "fbx"])
def test_rig_lands_as_one_armature_with_walking_and_running_actions(bpy, importer,
                                                                     emulator_assets, variant):
    from meshy_blender.blender.scene.actions import animated_bones

    ext = "fbx" if variant == "fbx" else "glb"
    result = importer.import_rig(
        emulator_assets.path("rig", f"rigged_character_{ext}"), name="Knight in armour",
        clips={"Walking": emulator_assets.path("rig", f"walking_{variant}"),
               "Running": emulator_assets.path("rig", f"running_{variant}")},
        provenance={"task_id": "rig-1", "kind": "rig"})
    armature = result.armature
    assert armature is not None and armature.name == "Knight in armour"
    assert armature["meshy_task_id"] == "rig-1"
    assert result.root_objects == [armature]
    (body,) = [o for o in result.objects if o.type == "MESH"]
    assert body.parent == armature and body.name.startswith("Knight in armour_")
    # the clip files' duplicate characters are gone, and so are their meshes and materials
    assert sorted(o.type for o in bpy.context.scene.objects) == ["ARMATURE", "MESH"]
    assert len(bpy.data.meshes) == 1 and len(bpy.data.armatures) == 1
    assert len(bpy.data.materials) == len(body.data.materials)
    assert [a.name for a in result.actions] == ["Walking", "Running"]
    tracks = armature.animation_data.nla_tracks
    assert [t.name for t in tracks] == ["Walking", "Running"]
    assert [t.strips[0].action for t in tracks] == result.actions
    for action in result.actions:
        assert animated_bones(action) <= set(armature.data.bones.keys())
        assert len(animated_bones(action)) >= 4
    assert sorted(a.name for a in bpy.data.actions) == ["Running", "Walking"]


def test_add_animation_puts_a_library_clip_on_the_existing_armature(bpy, importer,
                                                                   emulator_assets):
    rig = importer.import_rig(emulator_assets.path("rig", "rigged_character_glb"), name="hero",
                              clips={}, provenance={})
    entry = emulator_assets.manifest["animations"]["4"]
    action = importer.add_animation(rig.armature, emulator_assets.root / entry["fbx"],
                                    action_name=entry["name"],
                                    provenance={"task_id": "anim-1", "action_id": 4})
    assert action.name == entry["name"] == "Attack"
    assert action["meshy_task_id"] == "anim-1" and action["meshy_action_id"] == 4
    assert rig.armature.animation_data.nla_tracks[-1].strips[0].action == action
    assert len(bpy.context.scene.objects) == 2 and len(bpy.data.armatures) == 1


def test_add_animation_refuses_a_clip_whose_bones_do_not_match(bpy, importer, emulator_assets):
    base = importer.import_model(KHRONOS / "03_skinned_cylinder.glb", name="cyl", provenance={})
    before = _scene_objects(bpy), sorted(a.name for a in bpy.data.actions)
    with pytest.raises(importer.MeshyImportError, match="does not fit armature") as info:
        importer.add_animation(base.armature, emulator_assets.path("rig", "walking_armature_glb"),
                               action_name="Walking", provenance={})
    assert "Hips" in str(info.value) or "missing" in str(info.value)
    assert (_scene_objects(bpy), sorted(a.name for a in bpy.data.actions)) == before


def test_add_animation_needs_an_armature(bpy, importer, emulator_assets):
    model = importer.import_model(emulator_assets.path("textured", "glb"), name="v",
                                  provenance={})
    with pytest.raises(importer.MeshyImportError, match="armature"):
        importer.add_animation(model.root_objects[0], emulator_assets.path("rig", "walking_glb"),
                               action_name="Walking", provenance={})


def test_khronos_skinned_file_keeps_armature_and_action(bpy, importer):
    from meshy_blender.blender.scene.actions import animated_bones, is_animated

    result = importer.import_model(KHRONOS / "03_skinned_cylinder.glb", name="cylinder",
                                   provenance={"task_id": "k1"})
    assert result.armature is not None
    skinned = [o for o in result.objects if o.type == "MESH"]
    assert any(m.object == result.armature for o in skinned for m in o.modifiers
               if m.type == "ARMATURE")
    assert len(result.actions) == 1
    assert animated_bones(result.actions[0]) and is_animated(result.actions[0])
    assert all(o.name in result.collection.objects for o in result.objects)
    assert all("meshy_task_id" in r for r in result.root_objects)
    assert "glTF_not_exported" not in bpy.data.collections


def test_khronos_object_animations_survive(bpy, importer):
    for file, count in (("03_all_animations.glb", 3), ("07_nla-anim.glb", 3)):
        result = importer.import_model(KHRONOS / file, name=file, provenance={})
        assert len(result.actions) == count, file
        animated = [o for o in result.objects if o.animation_data is not None]
        assert len(animated) == count


def test_saved_and_reloaded_blend_keeps_objects_and_provenance(bpy, importer, emulator_assets,
                                                             tmp_path):
    result = importer.import_rig(emulator_assets.path("rig", "rigged_character_glb"),
                                 name="hero", clips={"Walking":
                                                     emulator_assets.path("rig", "walking_glb")},
                                 provenance=PROVENANCE)
    names = sorted(o.name for o in result.objects)
    blend = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    bpy.ops.wm.read_homefile(use_empty=True)
    assert "hero" not in bpy.data.objects
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    assert sorted(o.name for o in bpy.data.collections["hero"].objects) == names
    armature = bpy.data.objects["hero"]
    from meshy_blender.blender.scene.provenance import read_provenance

    assert read_provenance(armature)["meshy_task_id"] == PROVENANCE["task_id"]
    assert armature["meshy_prompt"] == "an ornate vase"
    assert armature.animation_data.nla_tracks[0].strips[0].action.name == "Walking"
    data = blend.read_bytes()
    assert b"msy_" not in data and b"Signature=" not in data


def test_no_undo_step_is_recorded_headless(bpy, importer, emulator_assets):
    """In background mode nobody can undo: the import records no (whole-file) undo step."""
    from meshy_blender.blender.scene import op_context

    assert bpy.app.background and not op_context.UNDO_IN_BACKGROUND
    assert op_context.push_undo_step("Meshy import") is False


WARM = """
import json, sys
import bpy
before = {kind: len(getattr(bpy.data, kind)) for kind in ("objects", "meshes", "collections",
                                                           "images", "materials")}
gltf = [m for m in sys.modules if m.startswith("io_scene_gltf2.blender.imp.")]
from meshy_blender.blender.core.runtime import warm_importer
warm_importer()
print(json.dumps({"before": before, "gltf_before": gltf,
                  "after": {kind: len(getattr(bpy.data, kind)) for kind in before},
                  "loaded": sorted(m for m in sys.modules if m.startswith(
                      ("io_scene_gltf2.blender.imp.", "io_scene_gltf2.io.imp.",
                       "meshy_blender.blender.scene.import_job")))}))
"""


def test_a_headless_run_loads_the_importer_while_it_waits_and_changes_nothing(tmp_path):
    """A fresh Blender's first glTF import loads the importer's modules (about 90 ms, five
    imports' worth): a headless run does that while its tasks run on Meshy, so its first import
    costs what the others cost. Nothing in the file changes."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", WARM], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["gltf_before"] == []  # a fresh process: nothing was loaded before
    assert data["after"] == data["before"]
    loaded = set(data["loaded"])
    assert "meshy_blender.blender.scene.import_job" in loaded
    assert "io_scene_gltf2.io.imp.gltf2_io_gltf" in loaded
    assert loaded & {"io_scene_gltf2.blender.imp.blender_gltf",
                     "io_scene_gltf2.blender.imp.gltf2_blender_gltf"}
