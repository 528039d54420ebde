"""The emulator's files are real, made by Blender, and import back into real Blender intact."""

from __future__ import annotations

import hashlib
import json

import pytest

import make_emulator_assets
from conftest import ROOT

LIBRARY = make_emulator_assets.animation_library()
BIPED_BONES = {
    "Hips", "Spine", "Spine1", "Spine2", "Neck", "Head",
    *(f"{side}{part}" for side in ("Left", "Right")
      for part in ("Shoulder", "Arm", "ForeArm", "Hand", "UpLeg", "Leg", "Foot", "ToeBase")),
}


def _import(bpy, path):
    bpy.ops.wm.read_homefile(use_empty=True)
    if path.suffix == ".glb":
        bpy.ops.import_scene.gltf(filepath=str(path))
    elif path.suffix == ".fbx":
        bpy.ops.import_scene.fbx(filepath=str(path))
    else:
        bpy.ops.wm.obj_import(filepath=str(path))
    return list(bpy.context.scene.objects)


def _linked_images(material):
    """{Principled input name: image} for inputs fed (directly or via a normal map) by images."""
    tree = material.node_tree
    bsdf = next(n for n in tree.nodes if n.type == "BSDF_PRINCIPLED")
    found = {}
    for socket in bsdf.inputs:
        stack = [link.from_node for link in socket.links]
        while stack:
            node = stack.pop()
            if node.type == "TEX_IMAGE" and node.image is not None:
                found[socket.name] = node.image
            else:
                stack.extend(link.from_node for i in node.inputs for link in i.links)
    return found


def test_manifest_lists_existing_files_and_is_versioned_by_the_script(emulator_assets):
    manifest = emulator_assets.manifest
    recipe = [ROOT / "scripts" / "make_emulator_assets.py",
              ROOT / "scripts" / "emulator_tool_assets.py"]
    joined = "".join(hashlib.sha256(f.read_bytes()).hexdigest() for f in recipe)
    assert manifest["version"] == hashlib.sha256(joined.encode()).hexdigest()
    assert set(manifest["preview"]) >= {"glb", "fbx", "obj", "stl", "thumbnail"}
    assert set(manifest["textured"]) >= {"glb", "fbx", "obj", "mtl", "stl", "thumbnail", "textures"}
    assert set(manifest["textured"]["textures"]) == {"base_color"}
    assert set(manifest["textured_pbr"]["textures"]) == {"base_color", "metallic", "roughness",
                                                         "normal"}
    assert set(manifest["rig"]) == {
        "rigged_character_glb", "rigged_character_fbx", "walking_glb", "walking_fbx",
        "walking_armature_glb", "running_glb", "running_fbx", "running_armature_glb"}
    assert {int(k): v["name"] for k, v in manifest["animations"].items()} == dict(LIBRARY)
    assert len(LIBRARY) == 36
    assert len(manifest["images"]) == 3
    rel_paths = [
        *(v for kind in ("preview", "textured", "textured_pbr")
          for k, v in manifest[kind].items() if k != "textures"),
        *(v for kind in ("textured", "textured_pbr") for v in manifest[kind]["textures"].values()),
        *manifest["rig"].values(), *manifest["images"],
        *(e[f] for e in manifest["animations"].values() for f in ("glb", "fbx")),
    ]
    for rel in rel_paths:
        file = emulator_assets.root / rel
        assert file.is_file() and file.stat().st_size > 100, rel


def test_embedded_library_matches_the_reference_listing():
    reference = ROOT / "tests" / "assets" / "meshy" / make_emulator_assets.LIBRARY_JSON_NAME
    names = [e["name"] for e in json.loads(reference.read_text())]
    assert names == make_emulator_assets.LIBRARY_SAMPLE


def test_obj_mtl_names_textures_beside_it(emulator_assets):
    mtl = emulator_assets.path("textured_pbr", "mtl").read_text()
    for rel in emulator_assets.manifest["textured_pbr"]["textures"].values():
        name = rel.rsplit("/", 1)[-1]
        assert name in mtl and "/" not in mtl.split(name)[0].splitlines()[-1]


@pytest.mark.parametrize("fmt", ["glb", "fbx", "obj"])
def test_textured_mesh_has_an_image_textured_material(bpy, emulator_assets, fmt):
    objects = _import(bpy, emulator_assets.path("textured", fmt))
    meshes = [o for o in objects if o.type == "MESH"]
    assert len(meshes) == 1
    mesh = meshes[0].data
    assert 2000 <= len(mesh.polygons) <= 10000
    assert mesh.uv_layers, "the mesh must be UV-unwrapped"
    images = _linked_images(mesh.materials[0])
    assert "Base Color" in images
    image = images["Base Color"]
    assert image.size[0] == image.size[1] == 512
    assert image.has_data or image.pixels[:4]


@pytest.mark.parametrize("fmt", ["glb", "fbx", "obj"])
def test_pbr_mesh_connects_every_map(bpy, emulator_assets, fmt):
    objects = _import(bpy, emulator_assets.path("textured_pbr", fmt))
    (mesh_obj,) = [o for o in objects if o.type == "MESH"]
    images = _linked_images(mesh_obj.data.materials[0])
    assert {"Base Color", "Metallic", "Roughness", "Normal"} <= set(images)


def test_preview_mesh_is_untextured(bpy, emulator_assets):
    objects = _import(bpy, emulator_assets.path("preview", "glb"))
    (mesh_obj,) = [o for o in objects if o.type == "MESH"]
    assert all(not _linked_images(m) for m in mesh_obj.data.materials)


@pytest.mark.parametrize("key", ["rigged_character_glb", "rigged_character_fbx"])
def test_character_is_a_skinned_biped(bpy, emulator_assets, key):
    objects = _import(bpy, emulator_assets.path("rig", key))
    (armature,) = [o for o in objects if o.type == "ARMATURE"]
    assert set(armature.data.bones.keys()) >= BIPED_BONES
    (body,) = [o for o in objects if o.type == "MESH" and o.visible_get()]
    assert body.parent == armature
    modifier = next(m for m in body.modifiers if m.type == "ARMATURE")
    assert modifier.object == armature
    assert {g.name for g in body.vertex_groups} >= BIPED_BONES
    size = body.dimensions
    assert size.z > 1.5 and size.z > 1.2 * size.x and size.z > 3 * size.y  # biped, A-pose


def _skeleton_actions(bpy):
    from meshy_blender.blender.scene.actions import animated_bones, is_animated

    return [a for a in bpy.data.actions if animated_bones(a) and is_animated(a)]


@pytest.mark.parametrize("clip", ["walking", "running"])
@pytest.mark.parametrize("variant", ["glb", "fbx", "armature_glb"])
def test_walking_and_running_clips_move_the_skeleton(bpy, emulator_assets, clip, variant):
    objects = _import(bpy, emulator_assets.path("rig", f"{clip}_{variant}"))
    assert [o.type for o in objects].count("ARMATURE") == 1
    has_mesh = any(o.type == "MESH" and o.visible_get() for o in objects)
    assert has_mesh == (variant != "armature_glb")
    (action,) = _skeleton_actions(bpy)
    assert clip.capitalize() in action.name
    start, end = action.frame_range
    assert 20 <= end - start <= 61


def test_every_library_clip_imports_with_its_name_and_its_own_motion(bpy, emulator_assets):
    from meshy_blender.blender.scene.actions import fcurves_of

    signatures = set()
    for action_id, entry in emulator_assets.manifest["animations"].items():
        for fmt in ("glb", "fbx"):
            _import(bpy, emulator_assets.root / entry[fmt])
            (action,) = _skeleton_actions(bpy)
            # GLB: the library name (4.2's glTF importer appends "_<armature>");
            # FBX: "<armature>|<name>".
            short = action.name.split("|")[-1]
            assert short in (entry["name"], entry["name"] + "_Armature"), (action_id, action.name)
        signatures.add(tuple(sorted(
            (fc.data_path, fc.array_index, round(max(k.co[1] for k in fc.keyframe_points), 3))
            for fc in fcurves_of(action))))
    assert len(signatures) == len(emulator_assets.manifest["animations"])


def test_images_are_distinct_pngs(bpy, emulator_assets):
    pixels = []
    for rel in emulator_assets.manifest["images"]:
        image = bpy.data.images.load(str(emulator_assets.root / rel))
        assert image.file_format == "PNG" and tuple(image.size) == (512, 512)
        pixels.append(tuple(round(v, 2) for v in list(image.pixels)[::4099]))
        bpy.data.images.remove(image)
    assert len(set(pixels)) == 3
