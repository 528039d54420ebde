"""The emulator's core: text-to-3d preview/refine lifecycle, task object shape, streaming,
balance, signed asset downloads, the admin endpoints and the Python control API."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from fixtures.emulator import Api, sse_events
from meshy_emu import TEST_MODE_KEY, Emulator

T3D = "/openapi/v2/text-to-3d"
TASK_FIELDS = {"id", "type", "status", "progress", "created_at", "started_at", "finished_at",
               "expires_at", "preceding_tasks", "task_error", "consumed_credits"}


def test_preview_lifecycle_goes_pending_in_progress_succeeded(api: Api) -> None:
    task_id = api.create(T3D, {"mode": "preview", "prompt": "a monster mask",
                               "negative_prompt": "low quality", "art_style": "realistic",
                               "should_remesh": True})
    seen, progress = [], []
    while True:
        task = api.get(f"{T3D}/{task_id}").json()
        seen.append(task["status"])
        progress.append(task["progress"])
        if task["status"] == "SUCCEEDED":
            break
        time.sleep(0.01)
    statuses = list(dict.fromkeys(seen))
    assert statuses == ["PENDING", "IN_PROGRESS", "SUCCEEDED"]
    assert progress == sorted(progress) and progress[-1] == 100
    assert 99 in progress, "the long stall near 99 % is visible"
    assert task.keys() >= TASK_FIELDS
    assert task["type"] == "text-to-3d-preview" and task["prompt"] == "a monster mask"
    assert task["task_error"] == {"message": ""}
    assert task["consumed_credits"] == 20
    # epoch milliseconds, ordered, and 3 days of retention
    assert task["created_at"] <= task["started_at"] <= task["finished_at"]
    assert abs(task["created_at"] / 1000 - time.time()) < 60
    assert task["expires_at"] - task["finished_at"] == 3 * 24 * 3600 * 1000
    assert set(task["model_urls"]) == {"glb", "fbx", "obj", "stl", "usdz"}
    assert task["texture_urls"] == []  # a preview is an untextured mesh


def test_pending_task_has_zero_timestamps_and_no_outputs(api: Api, emulator: Emulator) -> None:
    task_id = api.create(T3D, {"mode": "preview", "prompt": "a chair"})
    task = api.get(f"{T3D}/{task_id}").json()
    assert task["status"] == "PENDING"
    assert task["started_at"] == task["finished_at"] == task["expires_at"] == 0
    assert task["model_urls"] == {} and task["progress"] == 0
    emulator.advance(task_id)
    assert api.get(f"{T3D}/{task_id}").json()["status"] == "SUCCEEDED"


def test_preview_refine_download_imports_textured_in_blender(api: Api, bpy, tmp_path) -> None:
    preview = api.preview()
    glb = requests.get(preview["model_urls"]["glb"], timeout=10)
    assert glb.status_code == 200 and glb.content[:4] == b"glTF"
    refined = api.refine(preview["id"])
    assert refined["type"] == "text-to-3d-refine" and refined["consumed_credits"] == 10
    assert refined["prompt"] == "a monster mask"
    assert set(refined["texture_urls"][0]) == {"base_color"}
    assert "mtl" in refined["model_urls"]
    path = tmp_path / "refined_model.glb"
    path.write_bytes(requests.get(refined["model_urls"]["glb"], timeout=10).content)

    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=str(path))
    meshes = [o for o in bpy.context.scene.objects if o.type == "MESH"]
    assert meshes
    images = [node.image for o in meshes for slot in o.material_slots if slot.material
              for node in slot.material.node_tree.nodes
              if node.type == "TEX_IMAGE" and node.image is not None]
    assert images and images[0].size[0] > 0, "the refined GLB carries an image texture"


def test_refine_with_pbr_returns_all_maps(api: Api) -> None:
    refined = api.refine(api.preview()["id"], enable_pbr=True)
    maps = refined["texture_urls"][0]
    assert set(maps) == {"base_color", "metallic", "roughness", "normal"}
    for url in maps.values():
        body = requests.get(url, timeout=10).content
        assert body[:8] == b"\x89PNG\r\n\x1a\n"


def test_target_formats_omit_the_rest(api: Api) -> None:
    task = api.preview(target_formats=["glb", "fbx"])
    assert set(task["model_urls"]) == {"glb", "fbx"}
    fbx = requests.get(task["model_urls"]["fbx"], timeout=10).content
    assert fbx.startswith(b"Kaydara FBX Binary")


def test_stream_sends_progress_frames_then_the_full_object(api: Api) -> None:
    task_id = api.create(T3D, {"mode": "preview", "prompt": "a lamp"})
    response = api.get(f"{T3D}/{task_id}/stream", stream=True,
                       headers={"Accept": "text/event-stream"})
    assert response.headers["Content-Type"].startswith("text/event-stream")
    events = sse_events(response)
    *running, final = events
    assert running and all(e == "message" and set(d) == {"id", "progress", "status"}
                           for e, d in running)
    assert {d["status"] for _, d in running} <= {"PENDING", "IN_PROGRESS"}
    assert final[0] == "message" and final[1]["status"] == "SUCCEEDED"
    assert final[1].keys() >= TASK_FIELDS and "glb" in final[1]["model_urls"]


def test_stream_sends_the_final_object_when_the_task_ends_not_on_the_progress_grid() -> None:
    """A server pushes the final event when the task finishes. The emulator looks at a running
    task once a progress step (here 50 ms), so the end used to be noticed up to a step late:
    every client (and every benchmark) saw each task that much longer than it ran."""
    with Emulator(task_seconds=2.0) as emu:
        api = Api(emu, TEST_MODE_KEY)
        ids = [api.create(T3D, {"mode": "preview", "prompt": f"a lamp {n}"}) for n in range(6)]

        def lateness(task_id: str) -> float:
            final = sse_events(api.get(f"{T3D}/{task_id}/stream", stream=True))[-1][1]
            return time.time() - final["finished_at"] / 1000

        with ThreadPoolExecutor(len(ids)) as pool:
            late = list(pool.map(lateness, ids))
    assert max(late) < 0.03, f"final frames came {[round(x * 1000) for x in late]} ms late"


def test_stream_of_unknown_task_is_an_error_event_after_200(api: Api) -> None:
    response = api.get(f"{T3D}/no-such-task/stream", stream=True)
    assert response.status_code == 200
    assert sse_events(response) == [("error", {"status_code": 404,
                                               "message": "Task not found"})]


def test_stream_sends_keepalives_while_stalled() -> None:
    """With a long task the same frame is re-sent as a keep-alive (Meshy: every ~10 s)."""
    with Emulator(task_seconds=0.6) as emu:
        api = Api(emu, TEST_MODE_KEY)
        task_id = api.create(T3D, {"mode": "preview", "prompt": "a lamp"})
        events = sse_events(api.get(f"{T3D}/{task_id}/stream", stream=True))
    frames = [d for _, d in events[:-1]]
    repeats = [a for a, b in itertools.pairwise(frames) if a == b]
    assert repeats, "the 99 % stall re-sends the same frame"
    assert repeats[0]["progress"] == 99


def test_balance_is_charged_at_creation(api: Api, emulator: Emulator) -> None:
    assert api.get("/openapi/v1/balance").json() == {"balance": 10_000}
    api.preview()
    assert api.get("/openapi/v1/balance").json() == {"balance": 9_980}
    assert emulator.balance() == 9_980


def test_list_get_and_delete(api: Api) -> None:
    ids = [api.create(T3D, {"mode": "preview", "prompt": f"thing {i}"}) for i in range(3)]
    listed = api.get(T3D, params={"page_size": 2}).json()
    assert isinstance(listed, list) and [t["id"] for t in listed] == ids[::-1][:2]
    oldest = api.get(T3D, params={"sort_by": "+created_at", "page_num": 2,
                                  "page_size": 2}).json()
    assert [t["id"] for t in oldest] == ids[2:]
    assert api.get(T3D, params={"page_size": 51}).status_code == 400
    assert api.delete(f"{T3D}/{ids[0]}").status_code == 200
    gone = api.get(f"{T3D}/{ids[0]}")
    assert gone.status_code == 404 and "message" in gone.json()
    assert api.get("/openapi/v1/image-to-3d/" + ids[1]).status_code == 404


def test_assets_live_on_a_second_origin_and_never_see_the_key(api: Api,
                                                              emulator: Emulator) -> None:
    task = api.preview()
    url = task["model_urls"]["glb"]
    assert url.startswith(emulator.assets_url + "/") and emulator.assets_url != emulator.api_url
    assert "Expires=" in url and "Signature=" in url
    response = requests.get(url, timeout=10)
    assert int(response.headers["Content-Length"]) == len(response.content)
    assets = emulator.requests(origin="assets")
    assert [r["authorized"] for r in assets] == [False]
    requests.get(url, headers=api.headers, timeout=10)
    assert emulator.requests(origin="assets")[-1]["authorized"] is True
    api_log = emulator.requests(origin="api")
    assert api_log[0]["method"] == "POST" and api_log[0]["kind"] == "text-to-3d-preview"
    assert api_log[0]["created_task_id"] == task["id"] and api_log[0]["status"] == 200


def test_tampered_and_expired_links_answer_403_xml(api: Api, emulator: Emulator) -> None:
    task = api.preview()
    url = task["model_urls"]["glb"]
    tampered = requests.get(url.replace("Signature=", "Signature=0"), timeout=10)
    assert tampered.status_code == 403 and tampered.text.startswith("<?xml")
    base, _, _query = url.partition("?")
    file_part = base[len(emulator.assets_url) + 1:]
    task_id, filename = file_part.split("/")
    past = int(time.time()) - 10
    expired_url = (f"{base}?Expires={past}&Signature="
                   f"{emulator.signer.signature(task_id, filename, past)}")
    expired = requests.get(expired_url, timeout=10)
    assert expired.status_code == 403 and "expired" in expired.text


def test_admin_endpoints_over_http(api: Api, emulator: Emulator) -> None:
    base = emulator.api_url + "/_emulator"
    task_id = api.create(T3D, {"mode": "preview", "prompt": "x"})
    log = requests.get(f"{base}/log", timeout=5).json()
    assert log[0]["created_task_id"] == task_id
    assert [t["id"] for t in requests.get(f"{base}/tasks", timeout=5).json()] == [task_id]
    assert requests.get(f"{base}/balance", params={"key": TEST_MODE_KEY},
                        timeout=5).json() == {"balance": 9_980}
    assert requests.post(f"{base}/faults", json={"http_503": 1}, timeout=5).ok
    assert api.get("/openapi/v1/balance").status_code == 503
    requests.post(f"{base}/faults", json={"http_500": 3}, timeout=5)
    assert requests.delete(f"{base}/faults", timeout=5).json() == {}
    assert api.get("/openapi/v1/balance").status_code == 200
    assert requests.post(f"{base}/faults", json={"nonsense": 1}, timeout=5).status_code == 400
    requests.post(f"{base}/reset", timeout=5)
    assert emulator.tasks() == [] and emulator.balance() == 10_000


def test_python_control_api(emulator: Emulator, api: Api) -> None:
    task_id = api.create(T3D, {"mode": "preview", "prompt": "x"})
    emulator.advance()
    assert emulator.task(task_id)["status"] == "SUCCEEDED"
    emulator.set_balance(TEST_MODE_KEY, 5)
    assert api.get("/openapi/v1/balance").json() == {"balance": 5}
    started_with = emulator.store.task_seconds
    emulator.store.task_seconds = 7.0  # a test slowing tasks down must not slow the next test
    emulator.reset()
    assert emulator.requests() == [] and emulator.balance() == 10_000
    assert emulator.store.task_seconds == started_with
    with pytest.raises(KeyError):
        emulator.task(task_id)
