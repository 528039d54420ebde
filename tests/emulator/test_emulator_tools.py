"""The emulator's model-tool endpoints over raw HTTP, as the API notes describe them, and the
Blender-made files behind them importing back into real Blender."""

from __future__ import annotations

import zipfile

import requests
from test_emulator_endpoints import _cube_glb, data_uri, download

from fixtures.emulator import Api, sse_events
from meshy_emu import Emulator

V1 = "/openapi/v1"


def test_print_resources_live_under_print_and_follow_the_task_lifecycle(api: Api) -> None:
    source = api.preview()
    for sub, kind in (("analyze", "print-analyze"), ("repair", "print-repair"),
                      ("multi-color", "print-multi-color")):
        task_id = api.create(f"{V1}/print/{sub}", {"input_task_id": source["id"]})
        events = sse_events(api.get(f"{V1}/print/{sub}/{task_id}/stream", stream=True))
        assert events[-1][1]["status"] == "SUCCEEDED" and events[-1][1]["type"] == kind
        listed = api.get(f"{V1}/print/{sub}").json()
        assert isinstance(listed, list) and listed[0]["id"] == task_id
    assert api.get(f"{V1}/print/slice").status_code == 404
    analyze = api.get(f"{V1}/print/analyze").json()[0]
    assert analyze["printability"]["metrics"]["holes"] == 1
    assert analyze["consumed_credits"] == 0
    bad = api.post(f"{V1}/print/multi-color", {"input_task_id": source["id"], "max_depth": 7})
    assert bad.status_code == 400 and "max_depth" in bad.json()["message"]


def test_printability_is_null_until_done(emulator: Emulator, api: Api) -> None:
    source = api.preview()
    emulator.store.task_seconds = 5.0
    task_id = api.create(f"{V1}/print/analyze", {"input_task_id": source["id"]})
    pending = api.get(f"{V1}/print/analyze/{task_id}").json()
    assert pending["status"] in ("PENDING", "IN_PROGRESS") and pending["printability"] is None


def test_error_codes_beside_the_message(emulator: Emulator, api: Api, meshy_key, bpy, tmp_path):
    emulator.set_fault("error_codes", "error_code")
    png = data_uri(emulator.manifest.read(emulator.manifest.images()[0]), "image/png")
    bad_model = api.post(f"{V1}/image-to-3d", {"image_url": png, "ai_model": "meshy-9"})
    assert bad_model.json() == {"message": bad_model.json()["message"],
                                "error_code": "InvalidModel:meshy-9"}
    big = _cube_glb(bpy, tmp_path / "big.glb", "Big", cuts=160)
    limit = api.post(f"{V1}/uv-unwrap", {"model_url": data_uri(big, "model/gltf-binary")})
    assert limit.status_code == 400 and limit.json()["error_code"] == "LimitExceeded"
    assert "40,000" in limit.json()["message"]
    emulator.set_balance(meshy_key, 0)
    poor = api.post(f"{V1}/text-to-motion", {"prompt": "wave"})
    assert poor.status_code == 402 and poor.json()["error_code"] == "InsufficientCredits"
    emulator.clear_faults()
    plain = api.post(f"{V1}/text-to-motion", {"prompt": "wave"})
    assert plain.json() == {"message": "Insufficient credits to perform this task."}


def test_public_catalog_is_camel_case_and_needs_no_key(emulator: Emulator) -> None:
    body = requests.get(emulator.api_url + "/web/public/animations/resources", timeout=10).json()
    entries = body["result"]["list"]
    assert body["result"]["total"] == len(entries) == len(emulator.library)
    assert set(entries[0]) == {"id", "key", "name", "category", "subCategory", "previewUrl",
                               "rigType", "isDefault", "isFree"}
    assert [e["id"] for e in entries[:3]] == [-2, -1, 0]


def test_generation_options_are_checked(api: Api, emulator: Emulator) -> None:
    source = api.preview()
    png = data_uri(emulator.manifest.read(emulator.manifest.images()[0]), "image/png")
    views = api.post(f"{V1}/retexture", {"input_task_id": source["id"],
                                         "multiview_image_urls": [png]})
    assert views.status_code == 400 and "meshy-7" in views.json()["message"]
    ultra = api.post(f"{V1}/image-to-3d", {"image_url": png, "ai_model": "meshy-6",
                                           "ultra_mode": True})
    assert ultra.status_code == 400 and "ultra_mode" in ultra.json()["message"]
    smart = api.post(f"{V1}/image-to-3d", {"image_url": png, "model_type": "smart-topology",
                                           "target_polycount": 20_000})
    assert smart.status_code == 400 and "15,000" in smart.json()["message"]
    both = api.post(f"{V1}/animations", {"rig_task_id": "r", "action_id": 1, "action_ids": [2]})
    assert both.status_code == 400 and "Exactly one" in both.json()["message"]
    motion = api.post(f"{V1}/text-to-motion", {"prompt": "wave", "duration": 2.25})
    assert motion.status_code == 400 and "0.5" in motion.json()["message"]
    wrong = api.post(f"{V1}/image-to-3d", {"input_task_id": source["id"]})
    assert wrong.status_code == 400 and "text-to-image" in wrong.json()["message"]


def test_blender_made_motion_3mf_and_unwrapped_files_import(api: Api, bpy, tmp_path) -> None:
    swift = api.run(f"{V1}/text-to-motion", {"prompt": "wave", "mode": "swift"})
    bvh = tmp_path / "motion.bvh"
    bvh.write_bytes(download(swift["result"]["motion_url"]))
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.import_anim.bvh(filepath=str(bvh))
    armature = next(o for o in bpy.context.scene.objects if o.type == "ARMATURE")
    assert "Hips" in armature.data.bones and bpy.data.actions
    source = api.preview()
    unwrapped = api.run(f"{V1}/uv-unwrap", {"input_task_id": source["id"]})
    glb = tmp_path / "unwrapped.glb"
    glb.write_bytes(download(unwrapped["model_urls"]["glb"]))
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=str(glb))
    mesh = next(o for o in bpy.context.scene.objects if o.type == "MESH")
    uvs = [tuple(d.uv) for d in mesh.data.uv_layers[0].data]
    assert len(set(uvs)) > 100, "a real unwrap, not a constant"
    colour = api.run(f"{V1}/print/multi-color", {"input_task_id": source["id"],
                                                 "max_colors": 4})
    path = tmp_path / "colour.3mf"
    path.write_bytes(download(colour["model_urls"]["3mf"]))
    with zipfile.ZipFile(path) as zf:
        assert {"[Content_Types].xml", "_rels/.rels", "3D/3dmodel.model"} <= set(zf.namelist())


def test_multi_view_images_are_three_different_renders(api: Api) -> None:
    task = api.run(f"{V1}/text-to-image", {"ai_model": "nano-banana", "prompt": "a vase",
                                           "generate_multi_view": True})
    images = [download(u) for u in task["image_urls"]]
    assert len(images) == 3 and len(set(images)) == 3
    assert all(i.startswith(b"\x89PNG") for i in images)
