"""The emulator's Meshy API v2 (reference: meshy-api-v2.md; assumptions: docs/meshy-api-v2.md):
202 creates with the task object, reads through /openapi/v2/tasks, the field table's 400s, the
error object, the three 429 codes, 402 variants, null rules, the balance split and --v1-gone."""

from __future__ import annotations

import base64
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests

import meshy_emu
from fixtures.emulator import Api, sse_events
from meshy_emu import TEST_MODE_KEY, Emulator
from meshy_emu.error_object import CODES
from meshy_emu.request_fields import RENAMED_FIELDS, REQUEST_FIELDS

V2 = "/openapi/v2"
TASKS = f"{V2}/tasks"
TASK_KEYS = {"id", "type", "status", "progress", "created_at", "started_at", "finished_at",
             "expires_at", "preceding_tasks", "consumed_credits", "task_error", "input", "output"}


class TasksApi(Api):
    """The `Api` helper speaking v2: creates answer the task object, reads go through Tasks."""

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None,
             **kw: Any) -> requests.Response:
        return requests.post(self.base + path, headers={**self.headers, **(headers or {})},
                             json=body, timeout=10, **kw)

    def start(self, route: str, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
        response = self.post(f"{V2}/{route}", body, **kw)
        assert response.status_code == 202, response.text
        task = response.json()
        assert set(task) == TASK_KEYS
        assert response.headers["Location"] == f"{TASKS}/{task['id']}"
        return task

    def finish(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.wait(TASKS, self.start(route, body)["id"])


@pytest.fixture
def api(v1_routes: Emulator, meshy_key: str) -> TasksApi:
    """The emulator with its v1 routes still served: they are tested here too."""
    return TasksApi(v1_routes, meshy_key)


def png_uri(emu: Emulator) -> str:
    data = emu.manifest.read(emu.manifest.images()[0])
    return f"data:image/png;base64,{base64.b64encode(data).decode()}"


def assert_error_object(response: requests.Response, status: int, code: str,
                    text: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"type", "code", "message", "doc_url"}, body
    assert body["code"] == code and body["type"] == CODES[code][1]
    assert CODES[code][0] == status
    assert isinstance(body["message"], str) and text in body["message"]
    assert body["doc_url"] is None if status >= 500 else body["doc_url"].startswith("https://")
    return body


UNTEXTURED = {"prompt": "a monster mask", "should_texture": False}
TEXTURED = {"prompt": "a monster mask", "texture_model": "meshy-7"}


# -- creates and the task object ---------------------------------------------------------------
def test_text_to_3d_in_one_call_with_nulls_until_done(api: TasksApi, emulator: Emulator) -> None:
    created = api.start("text-to-3d", TEXTURED)
    assert created["type"] == "text-to-3d" and created["status"] in ("PENDING", "IN_PROGRESS")
    assert created["input"] == TEXTURED    # only the fields sent
    assert created["output"] is None and created["task_error"] is None
    assert created["finished_at"] is None and created["expires_at"] is None
    if created["status"] == "PENDING":
        assert created["started_at"] is None
    assert created["consumed_credits"] == 30
    done = api.wait(TASKS, created["id"])
    assert done["status"] == "SUCCEEDED" and done["progress"] == 100
    assert done["expires_at"] is None              # always null for Text to 3D
    assert done["finished_at"] >= done["started_at"] >= done["created_at"]
    assert "model_urls" not in done and done["output"]["texture_urls"]
    glb = requests.get(done["output"]["model_urls"]["glb"], timeout=10)
    assert glb.status_code == 200 and glb.content[:4] == b"glTF"
    plain = api.finish("text-to-3d", UNTEXTURED)
    assert plain["consumed_credits"] == 20 and plain["output"]["texture_urls"] == []
    assert emulator.balance() == 10_000 - 30 - 20


def test_text_to_3d_without_mode_is_v2_with_mode_still_v1(api: TasksApi) -> None:
    assert_error_object(api.post(f"{V2}/text-to-3d", {"prompt": "x"}), 400, "missing_parameter",
                    "texture_model")
    legacy = api.post(f"{V2}/text-to-3d", {"mode": "preview", "prompt": "x"})
    assert legacy.status_code == 200 and set(legacy.json()) == {"result"}
    v1_read = api.get(f"{V2}/text-to-3d/{legacy.json()['result']}").json()
    assert "input" not in v1_read and "output" not in v1_read    # v1's object on v1's route
    assert v1_read["prompt"] == "x" and isinstance(v1_read["finished_at"], int)
    read = api.wait(TASKS, legacy.json()["result"])   # a v1 task read through v2
    assert read["type"] == "text-to-3d-preview" and read["input"]["prompt"] == "x"
    assert read["output"]["model_urls"]["glb"] and read["expires_at"] is None


def test_every_create_route_answers_202_and_succeeds(api: TasksApi, emulator: Emulator) -> None:
    png = png_uri(emulator)
    base = api.finish("text-to-3d", TEXTURED)
    rig = api.finish("rigging", {"input_task_id": base["id"], "height_meters": 1.8})
    motion = api.finish("text-to-motion", {"prompt": "wave"})
    image = api.finish("text-to-image", {"ai_model": "nano-banana-2-1", "prompt": "a cat"})
    bodies: dict[str, dict[str, Any]] = {
        "image-to-3d": {"image_url": png, "texture_model": "meshy-n1"},
        "multi-image-to-3d": {"image_urls": [png, png], "should_texture": False},
        "retexture": {"input_task_id": base["id"], "texture_model": "meshy-7",
                      "texture_prompt": "wood", "uv_mode": "original"},
        "remesh": {"input_task_id": base["id"], "topology": "quad"},
        "convert": {"input_task_id": base["id"], "target_formats": ["fbx"]},
        "resize": {"input_task_id": base["id"], "resize_height": 2.0},
        "uv-unwrap": {"input_task_id": api.finish("text-to-3d", UNTEXTURED)["id"]},
        "rigging/check": {"input_task_id": base["id"]},
        "animations": {"rig_task_id": rig["id"], "action_ids": [0, 1]},
        "print/analyze": {"input_task_id": base["id"]},
        "print/repair": {"input_task_id": base["id"]},
        "print/multi-color": {"input_task_id": base["id"], "max_colors": 3},
        "image-to-image": {"ai_model": "nano-banana", "prompt": "red",
                           "input_task_id": image["id"]},
    }
    assert set(bodies) | {"text-to-3d", "rigging", "text-to-motion", "text-to-image"} \
        == set(REQUEST_FIELDS)
    for route, body in bodies.items():
        done = api.finish(route, body)
        assert done["status"] == "SUCCEEDED", (route, done)
        assert done["input"] == body and done["output"], route
        assert done["expires_at"] == done["finished_at"] + 3 * 24 * 3600 * 1000, route
    assert rig["output"]["rigged_character_glb_url"].startswith(emulator.assets_url)
    assert motion["output"]["motion_url"] and image["output"]["image_urls"]
    check = api.finish("rigging/check", {"input_task_id": base["id"]})
    assert check["type"] == "rig-check" and check["consumed_credits"] == 1
    assert check["output"] == {"riggable": True, "rig_type": "biped"}


def test_image_to_3d_defaults_to_glb_only_and_prices_geometry(api: TasksApi,
                                                               emulator: Emulator) -> None:
    png = png_uri(emulator)
    done = api.finish("image-to-3d", {"image_url": png, "texture_model": "meshy-7",
                                      "geometry_resolution": "2k"})
    assert set(done["output"]["model_urls"]) == {"glb"} and done["consumed_credits"] == 35
    lite = api.finish("image-to-3d", {"image_url": png, "ai_model": "meshy-6-lite",
                                      "should_texture": False,
                                      "target_formats": ["glb", "fbx"]})
    assert set(lite["output"]["model_urls"]) == {"glb", "fbx"} and lite["consumed_credits"] == 5


def test_a_cached_print_analysis_is_final_in_the_create_answer(api: TasksApi) -> None:
    base = api.finish("text-to-3d", UNTEXTURED)
    api.finish("print/analyze", {"input_task_id": base["id"]})
    response = api.post(f"{V2}/print/analyze", {"input_task_id": base["id"]})
    assert response.status_code == 202 and "Retry-After" not in response.headers
    assert response.json()["status"] == "SUCCEEDED" and response.json()["output"]
    fresh = api.post(f"{V2}/text-to-3d", UNTEXTURED)
    assert fresh.json()["status"] != "SUCCEEDED" and int(fresh.headers["Retry-After"]) >= 1


def test_failed_tasks_carry_the_error_object_and_are_refunded(api: TasksApi,
                                                              emulator: Emulator) -> None:
    emulator.set_fault("fail_tasks", "busy")   # a v1 error without type or code
    failed = api.finish("text-to-3d", UNTEXTURED)
    assert failed["status"] == "FAILED" and failed["output"] is None
    assert failed["consumed_credits"] == 0 and emulator.balance() == 10_000
    error = failed["task_error"]
    assert set(error) == {"type", "code", "message", "doc_url"}
    assert error["type"] and error["code"] and error["message"]


# -- task routes -------------------------------------------------------------------------------
def test_list_filters_by_type_and_pages(api: TasksApi) -> None:
    ids = [api.start("text-to-3d", UNTEXTURED)["id"] for _ in range(3)]
    api.post(f"{V2}/text-to-motion", {"prompt": "wave"})
    page = api.get(f"{TASKS}?type=text-to-3d&page_size=2").json()
    assert set(page) == {"data", "has_more"} and page["has_more"] is True
    assert [t["id"] for t in page["data"]] == ids[::-1][:2]
    rest = api.get(f"{TASKS}?type=text-to-3d&page_size=2&page_num=2").json()
    assert [t["id"] for t in rest["data"]] == [ids[0]] and rest["has_more"] is False
    everything = api.get(f"{TASKS}?sort_by=%2Bcreated_at").json()["data"]
    assert len(everything) == 4 and everything[0]["id"] == ids[0]
    assert_error_object(api.get(f"{TASKS}?page_size=51"), 400, "invalid_parameter")


def test_per_kind_routes_do_not_exist_in_v2(api: TasksApi) -> None:
    task = api.start("text-to-motion", {"prompt": "wave"})
    for path in (f"{V2}/text-to-motion/{task['id']}", f"{V2}/text-to-motion",
                 f"{V2}/image-to-3d/{task['id']}/stream"):
        assert_error_object(api.get(path), 404, "route_not_found")
    assert_error_object(api.get(f"{TASKS}/no-such-task"), 404, "task_not_found")
    assert_error_object(api.delete(f"{TASKS}/no-such-task"), 404, "task_not_found")


def test_delete_refunds_pending_refuses_running_removes_finished(
        api: TasksApi, emulator: Emulator) -> None:
    emulator.store.task_seconds = 5
    first = api.start("text-to-3d", UNTEXTURED)
    waiting = [api.start("text-to-3d", UNTEXTURED) for _ in range(3)]  # 3 run at once
    assert api.get(f"{TASKS}/{waiting[-1]['id']}").json()["status"] == "PENDING"
    assert emulator.balance() == 10_000 - 4 * 20
    assert api.delete(f"{TASKS}/{waiting[-1]['id']}").status_code == 200
    assert emulator.balance() == 10_000 - 3 * 20
    assert_error_object(api.get(f"{TASKS}/{waiting[-1]['id']}"), 404, "task_not_found")
    time.sleep(0.6)   # 10 % of 5 s pending, then running
    assert api.get(f"{TASKS}/{first['id']}").json()["status"] == "IN_PROGRESS"
    assert_error_object(api.delete(f"{TASKS}/{first['id']}"), 400, "task_not_deletable")
    emulator.advance(first["id"])
    assert api.delete(f"{TASKS}/{first['id']}").status_code == 200
    assert emulator.balance() == 10_000 - 3 * 20     # a finished task is not refunded


def test_stream_sends_v2_objects_until_final(api: TasksApi) -> None:
    task = api.start("text-to-3d", TEXTURED)
    response = api.get(f"{TASKS}/{task['id']}/stream", stream=True)
    events = sse_events(response)
    assert all(event == "message" and set(data) == TASK_KEYS for event, data in events)
    assert events[-1][1]["status"] == "SUCCEEDED" and events[-1][1]["output"]["model_urls"]
    assert all(data["output"] is None for _, data in events[:-1])
    (event, data), = sse_events(api.get(f"{TASKS}/missing/stream"))
    assert event == "error" and data["code"] == "task_not_found"


def test_stream_faults_keep_v2_frames(api: TasksApi, emulator: Emulator) -> None:
    task = api.finish("text-to-3d", UNTEXTURED)
    emulator.set_fault("sse_keepalive_only")
    events = sse_events(api.get(f"{TASKS}/{task['id']}/stream", stream=True))
    assert events and all(set(data) == TASK_KEYS and data["status"] == "IN_PROGRESS"
                          and data["output"] is None for _, data in events)


# -- the field table ---------------------------------------------------------------------------
RENAMED = [(route, old, new) for route, names in RENAMED_FIELDS.items()
           for old, new in names.items()]


@pytest.mark.parametrize(("route", "old", "new"), RENAMED)
def test_renamed_or_removed_v1_fields_are_400(api: TasksApi, emulator: Emulator, route: str,
                                              old: str, new: str | None) -> None:
    if old == "mode":   # while v1 lives, a body with `mode` is a v1 request on this path
        emulator.set_v1_gone()
    body = {old: "x"}
    error = assert_error_object(api.post(f"{V2}/{route}", body), 400, "unknown_parameter", old)
    assert new is None or new in error["message"]
    assert emulator.tasks() == [] and emulator.balance() == 10_000


@pytest.mark.parametrize("route", sorted(REQUEST_FIELDS))
def test_an_undefined_field_is_400_on_every_route(api: TasksApi, emulator: Emulator,
                                                  route: str) -> None:
    assert_error_object(api.post(f"{V2}/{route}", {"colour_of_sky": "blue"}), 400,
                    "unknown_parameter", "colour_of_sky")
    assert emulator.tasks() == []


@pytest.mark.parametrize(("route", "body", "code", "text"), [
    ("text-to-3d", {"prompt": "x", "should_texture": False, "target_polycount": 99},
     "invalid_parameter", "target_polycount"),
    ("text-to-3d", {"prompt": "x", "should_texture": False, "ai_model": "meshy-5"},
     "invalid_parameter", "ai_model"),
    ("text-to-3d", {"prompt": "x", "texture_model": "meshy-5"}, "invalid_parameter",
     "texture_model"),
    ("text-to-3d", {"prompt": "x", "should_texture": "no"}, "invalid_parameter",
     "should_texture"),
    ("text-to-3d", {"prompt": "x" * 601, "should_texture": False}, "invalid_parameter", "600"),
    ("text-to-3d", {"should_texture": False}, "missing_parameter", "prompt"),
    ("text-to-3d", {"prompt": "x", "texture_model": "meshy-7", "texture_prompt": "a",
                    "texture_image_url": "https://example.invalid/a.png"},
     "parameters_conflict", "texture_prompt"),
    ("text-to-3d", {"prompt": "x", "ai_model": "meshy-6", "should_texture": False,
                    "geometry_resolution": "4k"}, "invalid_parameter", "geometry_resolution"),
    ("multi-image-to-3d", {"image_urls": ["a"], "geometry_resolution": "4k"},
     "invalid_parameter", "geometry_resolution"),
    ("retexture", {"model_url": "x", "texture_prompt": "x"}, "missing_parameter",
     "texture_model"),
    ("retexture", {"model_url": "x", "input_task_id": "y", "texture_model": "meshy-7"},
     "parameters_conflict", "model_url"),
    ("retexture", {"model_url": "x", "texture_model": "meshy-7", "uv_mode": "sideways"},
     "invalid_parameter", "uv_mode"),
    ("resize", {"model_url": "x", "resize_height": 1.0, "auto_size": True},
     "parameters_conflict", "auto_size"),
    ("text-to-motion", {"prompt": "x", "duration": 11}, "invalid_parameter", "duration"),
    ("text-to-image", {"prompt": "x", "ai_model": "dall-e"}, "invalid_parameter", "ai_model"),
    ("image-to-image", {"prompt": "x", "ai_model": "nano-banana",
                        "reference_image_urls": ["a"] * 6}, "invalid_parameter",
     "reference_image_urls"),
])
def test_the_field_table_checks_types_ranges_and_conflicts(
        api: TasksApi, emulator: Emulator, route: str, body: dict[str, Any], code: str,
        text: str) -> None:
    assert_error_object(api.post(f"{V2}/{route}", body), 400, code, text)
    assert emulator.tasks() == [] and emulator.balance() == 10_000


# -- the error object --------------------------------------------------------------------------
def test_error_object_for_auth_routes_json_and_metadata(api: TasksApi, emulator: Emulator) -> None:
    assert_error_object(requests.get(emulator.api_url + f"{V2}/balance", timeout=5), 401,
                    "invalid_api_key")
    assert_error_object(api.get(f"{V2}/nothing-here"), 404, "route_not_found")
    bad_json = requests.post(api.base + f"{V2}/image-to-3d", data=b"{oops", timeout=5,
                             headers={**api.headers, "Content-Type": "application/json"})
    assert_error_object(bad_json, 400, "invalid_json")
    too_many = ",".join(f"k{i}=v" for i in range(65))
    assert_error_object(api.post(f"{V2}/text-to-3d", UNTEXTURED,
                             headers={"X-Meshy-Metadata": too_many}), 400, "metadata_invalid")
    assert_error_object(api.post(f"{V2}/text-to-3d", UNTEXTURED,
                             headers={"X-Meshy-Metadata": "no-equals"}), 400, "metadata_invalid")
    ok = api.post(f"{V2}/text-to-3d", UNTEXTURED,
                  headers={"X-Meshy-Metadata": "project=demo,shot=010"})
    assert ok.status_code == 202


def test_moderation_blocks_with_403(api: TasksApi, emulator: Emulator) -> None:
    blocked = api.post(f"{V2}/text-to-3d", {**UNTEXTURED, "prompt": "an NSFW thing",
                                            "moderation": True})
    assert_error_object(blocked, 403, "moderation_blocked_nsfw")
    assert emulator.tasks() == [] and emulator.balance() == 10_000
    assert api.post(f"{V2}/text-to-3d", {**UNTEXTURED, "prompt": "an NSFW thing"}).ok


def test_animation_source_codes(api: TasksApi, emulator: Emulator) -> None:
    base = api.finish("text-to-3d", TEXTURED)
    assert_error_object(api.post(f"{V2}/animations", {"rig_task_id": base["id"], "action_id": 0}),
                    400, "input_task_unsupported")
    emulator.store.task_seconds = 30
    rig = api.start("rigging", {"input_task_id": base["id"]})
    assert_error_object(api.post(f"{V2}/animations", {"rig_task_id": rig["id"], "action_id": 0}),
                    400, "input_task_not_ready")


def test_server_faults_answer_the_error_object(api: TasksApi, emulator: Emulator) -> None:
    emulator.set_fault("http_500")
    assert_error_object(api.get(f"{V2}/balance"), 500, "internal_server_error")
    emulator.set_fault("http_503")
    assert_error_object(api.get(f"{TASKS}"), 503, "service_unavailable")
    emulator.set_fault("http_503")
    v1 = api.get("/openapi/v1/balance")    # v1 keeps its own words while it lives
    assert v1.status_code == 503 and set(v1.json()) == {"message"}


def test_402_variants(api: TasksApi, emulator: Emulator) -> None:
    emulator.set_balance(TEST_MODE_KEY, 19)
    assert_error_object(api.post(f"{V2}/text-to-3d", UNTEXTURED), 402, "insufficient_credits")
    emulator.set_balance(TEST_MODE_KEY, 500)
    emulator.set_account(key_credit_limit=25)
    api.start("text-to-3d", UNTEXTURED)
    limited = api.post(f"{V2}/text-to-3d", UNTEXTURED)
    assert_error_object(limited, 402, "api_key_credit_limit_reached", "API key credit limit")
    assert api.get(f"{V2}/balance").json()["balance"] == 480 > 0
    v1 = api.post(f"{V2}/text-to-3d", {"mode": "preview", "prompt": "x"})
    assert v1.status_code == 402 and "API key credit limit" in v1.json()["message"]


def test_the_three_429_codes_and_retry_after(api: TasksApi, emulator: Emulator) -> None:
    emulator.set_rate_limit(3)
    codes = [api.get(f"{V2}/balance") for _ in range(5)]
    limited = next(r for r in codes if r.status_code == 429)
    assert_error_object(limited, 429, "rate_limit_exceeded")
    assert int(limited.headers["Retry-After"]) >= 1
    time.sleep(1.05)
    emulator.set_rate_limit(1000)
    emulator.queue_limit = 2
    emulator.store.task_seconds = 30
    for _ in range(2):
        api.start("text-to-3d", UNTEXTURED)
    full = api.post(f"{V2}/text-to-3d", UNTEXTURED)
    assert_error_object(full, 429, "pending_task_limit_reached")
    assert "Retry-After" not in full.headers
    emulator.queue_limit = 10
    emulator.set_balance(TEST_MODE_KEY, 0)
    emulator.set_account(no_credit_slots=1)
    free = api.start("text-to-3d", UNTEXTURED)
    assert free["consumed_credits"] == 0
    slots = api.post(f"{V2}/text-to-3d", UNTEXTURED)
    assert_error_object(slots, 429, "concurrent_task_limit_reached")
    assert "Retry-After" not in slots.headers
    emulator.set_fault("rate_limit_burst")
    emulator.set_fault("retry_after", 7)
    burst = api.get(f"{V2}/balance")
    assert_error_object(burst, 429, "rate_limit_exceeded")
    assert burst.headers["Retry-After"] == "7"


# -- balance -----------------------------------------------------------------------------------
def test_balance_splits_monthly_and_permanent_credits(api: TasksApi, emulator: Emulator) -> None:
    emulator.set_account(permanent_credits=9_990)
    body = api.get(f"{V2}/balance").json()
    assert set(body) == {"balance", "monthly_credits", "permanent_credits", "monthly_resets_at"}
    assert (body["balance"], body["monthly_credits"], body["permanent_credits"]) == \
        (10_000, 10, 9_990)
    assert body["monthly_resets_at"] > time.time() * 1000
    api.start("text-to-3d", UNTEXTURED)   # 20 credits: the 10 monthly ones go first
    after = api.get(f"{V2}/balance").json()
    assert (after["balance"], after["monthly_credits"], after["permanent_credits"]) == \
        (9_980, 0, 9_980)
    assert api.get("/openapi/v1/balance").json() == {"balance": 9_980}
    library = api.get(f"{V2}/animations/library").json()
    assert library == api.get("/openapi/v1/animations/library").json() and library


def test_usage_lists_credits_per_task(api: TasksApi) -> None:
    task = api.start("text-to-3d", UNTEXTURED)
    body = api.get(f"{V2}/usage/tasks").json()
    assert body["has_more"] is False
    assert body["data"][0]["task_id"] == task["id"] and body["data"][0]["consumed_credits"] == 20


# -- v1 gone -----------------------------------------------------------------------------------
V1_ROUTES = [("GET", "/openapi/v1/balance"), ("GET", "/openapi/v1/animations/library"),
             ("POST", "/openapi/v1/image-to-3d"), ("GET", "/openapi/v1/image-to-3d"),
             ("GET", "/openapi/v1/retexture/abc"), ("DELETE", "/openapi/v1/remesh/abc"),
             ("GET", "/openapi/v1/rigging/abc/stream"), ("POST", "/openapi/v1/print/analyze"),
             ("GET", "/openapi/v2/text-to-3d"), ("GET", "/openapi/v2/text-to-3d/abc"),
             ("GET", "/openapi/v2/text-to-3d/abc/stream")]


def test_v1_gone_answers_every_v1_route_with_404(api: TasksApi, emulator: Emulator) -> None:
    made_on_v1 = api.create("/openapi/v1/text-to-motion", {"prompt": "wave"})
    emulator.set_v1_gone()
    for method, path in V1_ROUTES:
        response = requests.request(method, api.base + path, headers=api.headers, json={},
                                    timeout=5)
        assert_error_object(response, 404, "route_not_found")
    legacy = api.post(f"{V2}/text-to-3d", {"mode": "preview", "prompt": "x"})
    assert_error_object(legacy, 400, "unknown_parameter", "mode")
    assert api.wait(TASKS, made_on_v1)["status"] == "SUCCEEDED"   # v1 tasks read through v2
    assert api.finish("text-to-3d", UNTEXTURED)["status"] == "SUCCEEDED"
    assert api.get(f"{V2}/balance").status_code == 200
    public = requests.get(api.base + "/web/public/animations/resources", timeout=5)
    assert public.status_code == 200   # not a v1 route


def test_v1_gone_switches_at_run_time_and_reset_restores_it(meshy_key: str) -> None:
    # Its own emulator, v1 served (the class's default; the suite's shared one starts gone).
    with Emulator(task_seconds=0.1) as emulator:
        url = emulator.api_url
        headers = {"Authorization": f"Bearer {meshy_key}"}
        assert requests.post(f"{url}/_emulator/settings", json={"v1_gone": True},
                             timeout=5).json()["v1_gone"] is True
        assert requests.get(f"{url}/openapi/v1/balance", headers=headers, timeout=5).status_code \
            == 404
        emulator.set_account(permanent_credits=5, key_credit_limit=3, no_credit_slots=1)
        emulator.reset()
        assert emulator.settings() == {"v1_gone": False, "permanent_credits": {},
                                       "key_credit_limit": {}, "no_credit_slots": {}}
        assert requests.get(f"{url}/openapi/v1/balance", headers=headers, timeout=5).json() == \
            {"balance": 10_000}
        bad = requests.post(f"{url}/_emulator/settings", json={"v1_gon": True}, timeout=5)
        assert bad.status_code == 400 and "v1_gon" in bad.json()["message"]


def test_v1_gone_from_the_constructor_survives_reset() -> None:
    with Emulator(task_seconds=0.1, v1_gone=True) as emu:
        api = TasksApi(emu, TEST_MODE_KEY)
        assert_error_object(api.get("/openapi/v1/balance"), 404, "route_not_found")
        emu.set_v1_gone(False)
        assert api.get("/openapi/v1/balance").status_code == 200
        emu.reset()
        assert_error_object(api.get("/openapi/v1/balance"), 404, "route_not_found")


def test_the_command_line_flag_starts_with_v1_gone(emulator_server: Emulator) -> None:
    proc = subprocess.Popen(meshy_emu.command("--task-seconds", "0.1", "--v1-gone"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=meshy_emu.child_env())
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip().split(" ", 1)[1]
        headers = {"Authorization": f"Bearer {TEST_MODE_KEY}"}
        gone = requests.get(f"{url}/openapi/v1/balance", headers=headers, timeout=5)
        assert_error_object(gone, 404, "route_not_found")
        assert requests.get(f"{url}/openapi/v2/balance", headers=headers,
                            timeout=5).json()["balance"] == 10_000
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_rig_check_tells_what_rigging_refuses(api: TasksApi, bpy, tmp_path: Path) -> None:
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.mesh.primitive_cube_add()
    path = tmp_path / "box.glb"
    bpy.ops.export_scene.gltf(filepath=str(path), export_format="GLB", use_selection=True)
    box = f"data:model/gltf-binary;base64,{base64.b64encode(path.read_bytes()).decode()}"
    check = api.finish("rigging/check", {"model_url": box})
    assert check["output"] == {"riggable": False, "rig_type": None}
    assert_error_object(api.post(f"{V2}/rigging", {"model_url": box}), 422, "unprocessable_input",
                    "biped")
