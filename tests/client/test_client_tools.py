"""Each model tool and generation option of Meshy's API through the real client against the emulator
over HTTP: request checked and priced, task created once, result read and downloaded as real
files (Blender-made), error codes mapped to the errors an artist sees."""

from __future__ import annotations

import zipfile

import pytest
from test_client_e2e import png_bytes, preview, run

from meshy_blender.client import MeshyClient, build_payload
from meshy_blender.client import errors as e
from meshy_blender.client.library import public_catalog
from meshy_blender.client.pricing import quote


def _posts(emulator, path: str) -> list[dict]:
    return [r for r in emulator.requests("api") if r["method"] == "POST" and r["path"] == path]


def _rig(client: MeshyClient):
    refined = run(client, "text-to-3d-refine", preview_task_id=preview(client).id)
    return run(client, "rig", input_task_id=refined.id)


def test_text_to_image_then_image_to_3d_from_the_image_task(emulator, meshy_client, tmp_path):
    images = run(meshy_client, "text-to-image", ai_model="nano-banana", prompt="a lantern",
                 generate_multi_view=True)
    assert [n for n in images.asset_urls() if n.startswith("image_")] == [
        "image_0", "image_1", "image_2"]
    views = [meshy_client.download_asset("text-to-image", images, f"image_{i}",
                                         dest_dir=tmp_path) for i in range(3)]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in views)
    assert len({p.read_bytes() for p in views}) == 3, "three different views"
    model = run(meshy_client, "image-to-3d", input_task_id=images.id, ai_model="meshy-7",
                alpha_thumbnail=True, multi_view_thumbnails=True)
    assert {"glb", "alpha_thumbnail", "thumbnail_front", "thumbnail_left"} <= set(
        model.asset_urls())
    alpha = meshy_client.download_asset("image-to-3d", model, "alpha_thumbnail", dest_dir=tmp_path)
    assert alpha.read_bytes()[25] == 6, "a PNG with an alpha channel (colour type 6)"
    assert model.sent("input_task_id") == images.id and model.sent("image_url") is None, \
        "the image task's id is sent, not a re-upload"


def test_image_to_image_with_every_option(meshy_client, tmp_path):
    (tmp_path / "ref.png").write_bytes(png_bytes())
    task = run(meshy_client, "image-to-image", ai_model="gpt-image-2", prompt="in bronze",
               reference_image_urls=[tmp_path / "ref.png"] * 2, generate_multi_view=False)
    assert task.kind == "image-to-image" and len(task.image_urls) == 1
    assert task.consumed_credits == quote("image-to-image", {"ai_model": "gpt-image-2"}).credits


def test_several_animations_in_one_task_including_negative_ids(emulator, meshy_client, tmp_path):
    rig = _rig(meshy_client)
    payload = build_payload("animate", rig_task_id=rig.id, action_ids=[-2, 0, 4])
    task_id = meshy_client.create_task("animate", payload)
    task = meshy_client.wait_for_task("animate", task_id)
    glb = meshy_client.download_asset("animate", task, "animation_glb", dest_dir=tmp_path)
    from meshy_emu.glb import Glb

    names = Glb.parse(glb.read_bytes()).animation_names()
    assert names == ["Catalog_Minus_2", "Idle", "Attack"], "one clip per action, in order"
    assert len(_posts(emulator, "/openapi/v2/animations")) == 1


def test_text_to_motion_applied_to_a_rig(emulator, meshy_client, tmp_path):
    swift = run(meshy_client, "text-to-motion", prompt="a slow bow", mode="swift", duration=3.5)
    bvh = meshy_client.download_asset("text-to-motion", swift, "motion", dest_dir=tmp_path)
    assert bvh.suffix == ".bvh" and bvh.read_text().startswith("HIERARCHY")
    prime = run(meshy_client, "text-to-motion", prompt="a slow bow", mode="prime")
    fbx = meshy_client.download_asset("text-to-motion", prime, "motion", dest_dir=tmp_path / "p")
    assert fbx.read_bytes().startswith(b"Kaydara FBX Binary")
    rig = _rig(meshy_client)
    applied = run(meshy_client, "animate", rig_task_id=rig.id, motion_task_id=prime.id)
    assert {"animation_glb", "animation_fbx"} <= set(applied.asset_urls())
    assert emulator.balance() == 10_000 - 10 - 10 - (20 + 10 + 5) - 3


def test_uv_unwrap_of_a_meshy_model_and_its_face_limit(emulator, meshy_client, bpy, tmp_path):
    source = preview(meshy_client)
    task = run(meshy_client, "uv-unwrap", input_task_id=source.id)
    glb = meshy_client.download_asset("uv-unwrap", task, "glb", dest_dir=tmp_path)
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=str(glb))
    mesh = next(o for o in bpy.context.scene.objects if o.type == "MESH")
    assert len(mesh.data.uv_layers) == 1 and mesh.data.polygons
    assert task.consumed_credits == 5
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.mesh.primitive_grid_add(x_subdivisions=160, y_subdivisions=160)  # 51,200 triangles
    big = tmp_path / "big.glb"
    bpy.ops.export_scene.gltf(filepath=str(big), export_format="GLB")
    with pytest.raises(e.ValidationError, match="at most 40,000 faces; this mesh has 51,200"):
        build_payload("uv-unwrap", model_url=big)  # counted locally: nothing uploaded or paid
    with pytest.raises(e.ValidationError, match="51,200"):
        build_payload("uv-unwrap", encode_files=False, model_url=str(big))
    assert not [r for r in emulator.requests("api") if r["path"] == "/openapi/v2/uv-unwrap"
                and r["method"] == "POST" and r["status"] != 202]


def test_print_analyze_repair_and_multicolor(emulator, meshy_client, tmp_path):
    source = preview(meshy_client)
    report = run(meshy_client, "print-analyze", input_task_id=source.id)
    assert report.consumed_credits == 0
    found = report.printability
    assert found is not None and found.is_watertight is False and found.holes == 1
    repaired = run(meshy_client, "print-repair", input_task_id=source.id)
    assert set(repaired.asset_urls()) >= {"glb", "stl"} and repaired.consumed_credits == 10
    again = run(meshy_client, "print-analyze", input_task_id=repaired.id).printability
    assert again is not None and again.is_watertight and again.holes == 0 and again.volume
    colour = run(meshy_client, "print-multi-color", input_task_id=source.id, max_colors=4,
                 max_depth=3)
    path = meshy_client.download_asset("print-multi-color", colour, "3mf", dest_dir=tmp_path)
    with zipfile.ZipFile(path) as zf:
        model = zf.read("3D/3dmodel.model").decode()
    assert model.count("<base ") == 4 and "<triangle " in model


def test_remesh_to_3mf_with_auto_size_and_convert_to_blend(meshy_client, tmp_path):
    source = preview(meshy_client)
    remeshed = run(meshy_client, "remesh", input_task_id=source.id,
                   target_formats=["3mf", "glb"], auto_size=True)
    path = meshy_client.download_asset("remesh", remeshed, "3mf", dest_dir=tmp_path)
    assert zipfile.is_zipfile(path)
    converted = run(meshy_client, "convert", input_task_id=source.id, target_formats=["blend"])
    blend = meshy_client.download_asset("convert", converted, "blend", dest_dir=tmp_path)
    assert blend.read_bytes()[:7] == b"BLENDER"


def test_multiview_retexture_and_the_generation_options(emulator, meshy_client, tmp_path):
    (tmp_path / "v.png").write_bytes(png_bytes())
    source = preview(meshy_client)
    with pytest.raises(e.ValidationError, match="views of the model"):  # no v2 field for them
        run(meshy_client, "retexture", input_task_id=source.id, ai_model="meshy-7",
            multiview_image_urls=[tmp_path / "v.png"] * 2, texture_resolution="4k")
    assert not _posts(emulator, "/openapi/v2/retexture"), "refused before any request"
    model = run(meshy_client, "multi-image-to-3d", image_urls=[tmp_path / "v.png"],
                ultra_mode=True, model_type="smart-topology", target_polycount=8_000)
    assert model.succeeded
    sent = emulator.store.get(model.id).request  # the v2 body as the emulator received it
    assert sent["geometry_resolution"] == "2k" and sent["ai_model"] == "meshy-t2.5"
    assert not {"ultra_mode", "model_type"} & set(sent)
    with pytest.raises(e.ValidationError, match="Meshy-7"):
        build_payload("retexture", input_task_id=source.id, multiview_image_urls=["https://x/v.png"])


def test_both_animation_library_shapes_read_the_same(emulator, meshy_client):
    listing = meshy_client.animation_library()
    catalog = public_catalog(meshy_client)
    assert listing and catalog
    assert [(a["action_id"], a["name"], a["sub_category"]) for a in listing] == [
        (a["action_id"], a["name"], a["sub_category"]) for a in catalog]
    assert listing[0]["action_id"] == -2 and any(a["preview_url"] for a in listing)
    public = [r for r in emulator.requests("api") if r["path"].startswith("/web/public")]
    assert public and not public[0]["authorized"], "the public catalog never gets the key"


@pytest.mark.parametrize("key", ["code", "error_code"])
def test_error_codes_a_full_queue_waits_and_credits_map(emulator, meshy_client, meshy_key, key):
    emulator.set_fault("error_codes", key)
    # Every create speaks Meshy API v2 now: the error object's own code, whatever the v1
    # dialect's error-code switch says
    for i in range(emulator.queue_limit):
        meshy_client.create_task("text-to-3d-preview",
                                 build_payload("text-to-3d-preview", prompt=f"lamp {i}"))
    with pytest.raises(e.QueueFullError) as full:
        meshy_client.create_task("text-to-3d-preview", build_payload(
            "text-to-3d-preview", prompt="one too many"))
    assert full.value.code == "pending_task_limit_reached" and full.value.queue_full
    assert not isinstance(full.value, e.RateLimitedError), "a full queue is not a rate limit"
    emulator.advance()
    emulator.set_balance(meshy_key, 2)
    with pytest.raises(e.InsufficientCreditsError) as poor:
        meshy_client.create_task("text-to-3d-preview", build_payload(
            "text-to-3d-preview", prompt="lamp"))
    assert poor.value.code == "insufficient_credits" and poor.value.required == 20


def test_request_rate_429_backs_off_and_sends_once_more(emulator, meshy_client):
    emulator.set_fault("rate_limit_burst", 2)
    task_id = meshy_client.create_task("text-to-motion",
                                       build_payload("text-to-motion", prompt="wave"))
    statuses = [r["status"] for r in _posts(emulator, "/openapi/v2/text-to-motion")]
    assert statuses == [429, 429, 202] and [t["id"] for t in emulator.tasks()] == [task_id]
