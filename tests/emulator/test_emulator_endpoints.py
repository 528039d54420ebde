"""Contract tests: every endpoint the add-on uses answers the documented shape (seeds 000-004
and meshy-api-notes.md), with real Blender-made files behind every link."""

from __future__ import annotations

import base64

import pytest
import requests

from fixtures.emulator import Api, sse_events
from meshy_emu import Emulator
from meshy_emu.glb import Glb

V1 = "/openapi/v1"


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def png_uri(emulator: Emulator) -> str:
    """A Blender-made PNG (the emulator's own image asset) as a data URI."""
    return data_uri(emulator.manifest.read(emulator.manifest.images()[0]), "image/png")


def download(url: str) -> bytes:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return response.content


def test_image_to_3d_textured_and_untextured_prices(api: Api, emulator: Emulator,
                                                    png_uri: str) -> None:
    task = api.run(f"{V1}/image-to-3d", {"image_url": png_uri, "enable_pbr": True,
                                         "should_remesh": True, "target_polycount": 100000,
                                         "should_texture": True, "pose_mode": "a-pose",
                                         "save_pre_remeshed_model": True})
    assert task["type"] == "image-to-3d" and task["status"] == "SUCCEEDED"
    assert task["consumed_credits"] == 30
    assert {"glb", "fbx", "obj", "usdz", "stl", "pre_remeshed_glb"} <= task["model_urls"].keys()
    assert set(task["texture_urls"][0]) == {"base_color", "metallic", "roughness", "normal"}
    assert download(task["thumbnail_url"]).startswith(b"\x89PNG")
    plain = api.run(f"{V1}/image-to-3d", {"image_url": png_uri, "should_texture": False})
    assert plain["consumed_credits"] == 20 and plain["texture_urls"] == []
    older = api.run(f"{V1}/image-to-3d", {"image_url": png_uri, "ai_model": "meshy-5"})
    assert older["consumed_credits"] == 15
    assert emulator.balance() == 10_000 - 30 - 20 - 15


def test_image_inputs_accept_jpeg_and_emulator_links_but_check_bytes(api: Api, bpy, tmp_path,
                                                                    png_uri: str) -> None:
    image = bpy.data.images.new("probe", 8, 8)
    image.filepath_raw = str(tmp_path / "probe.jpg")
    image.file_format = "JPEG"
    image.save()
    jpeg = (tmp_path / "probe.jpg").read_bytes()
    assert api.post(f"{V1}/image-to-3d",
                    {"image_url": data_uri(jpeg, "image/jpeg")}).status_code == 200
    # a JPEG label on bytes that aren't an image is refused
    wrong = api.post(f"{V1}/image-to-3d", {"image_url": data_uri(b"GIF89a....", "image/png")})
    assert wrong.status_code == 400 and "image" in wrong.json()["message"]
    # a link to an image on the emulator's asset host is reachable ...
    made = api.run(f"{V1}/text-to-image", {"ai_model": "nano-banana", "prompt": "a robot"})
    assert api.post(f"{V1}/image-to-3d", {"image_url": made["image_urls"][0]}).status_code == 200
    # ... the internet is not
    far = api.post(f"{V1}/image-to-3d", {"image_url": "https://example.com/photo.jpg"})
    assert far.status_code == 400 and "unreachable" in far.json()["message"]


def test_multi_image_to_3d_takes_one_to_four_images(api: Api, png_uri: str) -> None:
    task = api.run(f"{V1}/multi-image-to-3d", {"image_urls": [png_uri] * 4,
                                               "should_texture": False})
    assert task["type"] == "multi-image-to-3d" and task["consumed_credits"] == 20
    assert download(task["model_urls"]["glb"])[:4] == b"glTF"
    for bad in ([], [png_uri] * 5, png_uri):
        response = api.post(f"{V1}/multi-image-to-3d", {"image_urls": bad})
        assert response.status_code == 400 and response.json()["message"]


def test_text_to_image_and_image_to_image_prices_and_counts(api: Api, emulator: Emulator,
                                                            png_uri: str) -> None:
    one = api.run(f"{V1}/text-to-image", {"ai_model": "nano-banana", "prompt": "a robot"})
    assert one["type"] == "text-to-image" and one["consumed_credits"] == 3
    assert len(one["image_urls"]) == 1 and download(one["image_urls"][0]).startswith(b"\x89PNG")
    three = api.run(f"{V1}/text-to-image", {"ai_model": "nano-banana-2", "prompt": "a robot",
                                            "generate_multi_view": True})
    assert len(three["image_urls"]) == 3 and three["consumed_credits"] == 6
    assert api.run(f"{V1}/text-to-image", {"ai_model": "gpt-image-2",
                                           "prompt": "x"})["consumed_credits"] == 9
    i2i = api.run(f"{V1}/image-to-image", {"ai_model": "gpt-image-2", "prompt": "make it red",
                                           "reference_image_urls": [png_uri]})
    assert i2i["type"] == "image-to-image" and i2i["consumed_credits"] == 12
    assert api.run(f"{V1}/image-to-image", {"ai_model": "nano-banana-pro", "prompt": "x",
                                            "reference_image_urls": [png_uri]}
                   )["consumed_credits"] == 9
    both = api.post(f"{V1}/text-to-image", {"ai_model": "nano-banana", "prompt": "x",
                                            "generate_multi_view": True, "aspect_ratio": "16:9"})
    assert both.status_code == 400
    too_many = api.post(f"{V1}/image-to-image", {"ai_model": "nano-banana", "prompt": "x",
                                                 "reference_image_urls": [png_uri] * 6})
    assert too_many.status_code == 400
    assert emulator.balance() == 10_000 - 3 - 6 - 9 - 12 - 9


def test_list_works_for_every_task_resource(api: Api, png_uri: str) -> None:
    made = api.create(f"{V1}/text-to-image", {"ai_model": "nano-banana", "prompt": "x"})
    for resource in ("text-to-image", "image-to-3d", "multi-image-to-3d", "retexture", "remesh",
                     "rigging", "animations", "image-to-image", "convert", "resize"):
        listed = api.get(f"{V1}/{resource}")
        assert listed.status_code == 200 and isinstance(listed.json(), list)
        assert [t["id"] for t in listed.json()] == ([made] if resource == "text-to-image" else [])
    assert api.get("/openapi/v2/text-to-3d").json() == []
    assert api.get(f"{V1}/text-to-3d").status_code == 404, "text-to-3d lives under v2"


def test_get_stream_and_delete_work_for_every_resource(api: Api, png_uri: str) -> None:
    task_id = api.create(f"{V1}/image-to-image", {"ai_model": "nano-banana", "prompt": "x",
                                                  "reference_image_urls": [png_uri]})
    events = sse_events(api.get(f"{V1}/image-to-image/{task_id}/stream", stream=True))
    assert events[-1][1]["status"] == "SUCCEEDED" and len(events[-1][1]["image_urls"]) == 1
    assert api.get(f"{V1}/image-to-image/{task_id}").json()["id"] == task_id
    assert api.delete(f"{V1}/image-to-image/{task_id}").status_code == 200
    assert api.get(f"{V1}/image-to-image/{task_id}").status_code == 404
    gone = sse_events(api.get(f"{V1}/image-to-image/{task_id}/stream", stream=True))
    assert gone == [("error", {"status_code": 404, "message": "Task not found"})]


def test_animation_library_is_a_filterable_bare_array(api: Api) -> None:
    library = api.get(f"{V1}/animations/library").json()
    # ids -2, -1 and 0-35 (biped), 9001-9002 (quadruped)
    assert isinstance(library, list) and len(library) == 40
    assert {e["rig_type"] for e in library if e["action_id"] > 9000} == {"quadruped"}
    assert {-2, -1, 0} <= {e["action_id"] for e in library}
    assert {"action_id", "name", "category", "sub_category", "preview_url"} <= library[0].keys()
    walks = api.get(f"{V1}/animations/library", params={"search": "walk"}).json()
    assert walks and all("walk" in e["name"].lower() for e in walks)
    dances = api.get(f"{V1}/animations/library", params={"category": "Dancing"}).json()
    assert dances and {e["category"] for e in dances} == {"Dancing"}


def _cube_glb(bpy, path, name: str, *, size=(1.0, 1.0, 1.0), cuts: int = 0) -> bytes:
    """A model made by Blender for the test (named, exported as GLB)."""
    bpy.ops.wm.read_homefile(use_empty=True)
    if cuts:
        bpy.ops.mesh.primitive_grid_add(x_subdivisions=cuts, y_subdivisions=cuts, size=1)
    else:
        bpy.ops.mesh.primitive_cube_add()
    obj = bpy.context.active_object
    obj.name = name
    obj.scale = size
    bpy.ops.object.transform_apply(scale=True)
    bpy.ops.export_scene.gltf(filepath=str(path), export_format="GLB", use_selection=True)
    return path.read_bytes()


def test_remesh_answers_for_the_model_it_was_given(api: Api, bpy, tmp_path) -> None:
    glb = _cube_glb(bpy, tmp_path / "crate.glb", "MyCrate")
    task = api.run(f"{V1}/remesh", {"model_url": data_uri(glb, "model/gltf-binary"),
                                    "target_polycount": 500, "topology": "quad"})
    assert task["type"] == "remesh" and task["consumed_credits"] == 5
    assert set(task["model_urls"]) == {"glb"}, "remesh defaults to target_formats ['glb']"
    out = Glb.parse(download(task["model_urls"]["glb"]))
    assert out.root_name() == "MyCrate" and out.face_count() == 12
    assert out.doc["asset"]["extras"]["meshy_source"]["name"] == "MyCrate"
    assert out.doc["asset"]["extras"]["meshy_source"]["faces"] == 12
    multi = api.run(f"{V1}/remesh", {"model_url": data_uri(glb, "application/octet-stream"),
                                     "target_formats": ["glb", "fbx", "blend"]})
    assert set(multi["model_urls"]) == {"glb", "fbx", "blend"}, "only the formats asked for"
    assert download(multi["model_urls"]["blend"]).startswith(b"BLENDER"), "a real .blend"
    # a signed link from the emulator's own asset host works as model_url too
    again = api.run(f"{V1}/remesh", {"model_url": task["model_urls"]["glb"]})
    assert Glb.parse(download(again["model_urls"]["glb"])).root_name() == "MyCrate"
    far = api.post(f"{V1}/remesh", {"model_url": "https://example.com/model.glb"})
    assert far.status_code == 400 and "unreachable" in far.json()["message"]


def test_retexture_textures_the_given_model(api: Api, bpy, tmp_path) -> None:
    preview = api.preview()
    source = Glb.parse(download(preview["model_urls"]["glb"]))
    task = api.run(f"{V1}/retexture", {"input_task_id": preview["id"],
                                       "text_style_prompt": "red bricks", "enable_pbr": True})
    assert task["type"] == "retexture" and task["consumed_credits"] == 10
    assert set(task["texture_urls"][0]) == {"base_color", "metallic", "roughness", "normal"}
    path = tmp_path / "retextured.glb"
    path.write_bytes(download(task["model_urls"]["glb"]))
    out = Glb.parse(path.read_bytes())
    assert out.root_name() == source.root_name()
    assert out.face_count() == source.face_count()
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=str(path))
    mesh = next(o for o in bpy.context.scene.objects if o.type == "MESH")
    assert mesh.get("meshy_source", {}).get("faces") == source.face_count()
    nodes = mesh.active_material.node_tree.nodes
    assert any(n.type == "TEX_IMAGE" and n.image for n in nodes)
    missing = api.post(f"{V1}/retexture", {"input_task_id": preview["id"]})
    assert missing.status_code == 400


def test_rigging_and_animation_import_as_armature_with_actions(api: Api, bpy, tmp_path) -> None:
    refined = api.refine(api.preview()["id"])
    rig = api.run(f"{V1}/rigging", {"input_task_id": refined["id"], "height_meters": 1.8})
    assert rig["type"] == "rig" and rig["consumed_credits"] == 5
    result = rig["result"]
    assert {"rigged_character_glb_url", "rigged_character_fbx_url"} <= result.keys()
    assert set(result["basic_animations"]) == {
        f"{m}_{k}_url" for m in ("walking", "running") for k in ("glb", "fbx", "armature_glb")}
    character = tmp_path / "Character_output.glb"
    character.write_bytes(download(result["rigged_character_glb_url"]))
    record = Glb.parse(character.read_bytes()).doc["asset"]["extras"]["meshy_source"]
    assert record["faces"] == Glb.parse(download(refined["model_urls"]["glb"])).face_count()

    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=str(character))
    armature = next(o for o in bpy.context.scene.objects if o.type == "ARMATURE")
    skinned = [o for o in bpy.context.scene.objects if o.type == "MESH"
               and any(m.type == "ARMATURE" for m in o.modifiers)]
    assert len(armature.data.bones) > 10 and skinned
    for motion in ("walking", "running"):
        clip = tmp_path / f"{motion}.glb"
        clip.write_bytes(download(result["basic_animations"][f"{motion}_armature_glb_url"]))
        bpy.ops.import_scene.gltf(filepath=str(clip))
    names = " ".join(a.name.lower() for a in bpy.data.actions)
    assert "walking" in names and "running" in names
    for url in (result["rigged_character_fbx_url"], result["basic_animations"]["walking_fbx_url"]):
        assert download(url).startswith(b"Kaydara FBX Binary")

    anim = api.run(f"{V1}/animations", {"rig_task_id": rig["id"], "action_id": 2,
                                        "post_process": {"operation_type": "change_fps",
                                                         "fps": 30}})
    assert anim["type"] == "animate" and anim["consumed_credits"] == 3
    assert set(anim["result"]) == {"animation_glb_url", "animation_fbx_url",
                                   "processed_animation_fps_fbx_url"}
    clip = tmp_path / "anim.glb"
    clip.write_bytes(download(anim["result"]["animation_glb_url"]))
    assert "Alert" in Glb.parse(clip.read_bytes()).animation_names()
    pending = api.create(f"{V1}/rigging", {"input_task_id": refined["id"]})
    assert api.get(f"{V1}/rigging/{pending}").json()["result"] is None
    early = api.post(f"{V1}/animations", {"rig_task_id": pending, "action_id": 0})
    assert early.status_code == 400
    unknown = api.post(f"{V1}/animations", {"rig_task_id": rig["id"], "action_id": 9999})
    assert unknown.status_code == 400


def test_rigging_refuses_huge_and_non_biped_models(api: Api, bpy, tmp_path) -> None:
    flat = _cube_glb(bpy, tmp_path / "box.glb", "Box")
    response = api.post(f"{V1}/rigging", {"model_url": data_uri(flat, "model/gltf-binary")})
    assert response.status_code == 422 and "humanoid" in response.json()["message"]
    big = _cube_glb(bpy, tmp_path / "big.glb", "Big", size=(1, 1, 1), cuts=390)
    assert 300_000 < Glb.parse(big).face_count() <= 320_000
    response = api.post(f"{V1}/rigging", {"model_url": data_uri(big, "model/gltf-binary")})
    assert response.status_code == 422, "up to 320,000 faces pass the size check (API notes)"
    huge = _cube_glb(bpy, tmp_path / "huge.glb", "Huge", size=(1, 1, 1), cuts=405)
    assert Glb.parse(huge).face_count() > 320_000
    response = api.post(f"{V1}/rigging", {"model_url": data_uri(huge, "model/gltf-binary")})
    assert response.status_code == 400 and "320,000" in response.json()["message"]
    bpy.ops.export_scene.fbx(filepath=str(tmp_path / "box.fbx"))
    fbx = (tmp_path / "box.fbx").read_bytes()
    response = api.post(f"{V1}/rigging", {"model_url": data_uri(fbx, "application/octet-stream")})
    assert response.status_code == 400 and "GLB" in response.json()["message"]


def test_convert_and_resize_cost_one_credit(api: Api, emulator: Emulator) -> None:
    preview = api.preview()
    converted = api.run(f"{V1}/convert", {"input_task_id": preview["id"],
                                          "target_formats": ["fbx", "glb"]})
    assert converted["type"] == "convert" and converted["consumed_credits"] == 1
    assert set(converted["model_urls"]) == {"fbx", "glb"}
    assert api.post(f"{V1}/convert", {"input_task_id": preview["id"]}).status_code == 400
    resized = api.run(f"{V1}/resize", {"input_task_id": preview["id"], "resize_height": 1.5,
                                       "origin_at": "bottom"})
    assert resized["type"] == "resize" and resized["consumed_credits"] == 1
    assert api.post(f"{V1}/resize", {"input_task_id": preview["id"]}).status_code == 400
    assert emulator.balance() == 10_000 - 20 - 1 - 1
