"""Every fault switch, shown happening (and then going away when it is a counted one)."""

from __future__ import annotations

import json
import time

import pytest
import requests

from fixtures.emulator import Api, sse_events
from meshy_emu import Emulator
from meshy_emu.faults import FAIL_VARIANTS
from meshy_emu.glb import Glb

T3D = "/openapi/v2/text-to-3d"
PREVIEW = {"mode": "preview", "prompt": "a monster mask"}


def test_latency_delays_every_api_response(api: Api, emulator: Emulator) -> None:
    emulator.set_fault("latency", 0.3)
    started = time.monotonic()
    assert api.get("/openapi/v1/balance").ok
    assert time.monotonic() - started >= 0.3


def test_asset_latency_delays_downloads(api: Api, emulator: Emulator) -> None:
    url = api.preview()["thumbnail_url"]
    emulator.set_fault("asset_latency", 0.3)
    started = time.monotonic()
    assert requests.get(url, timeout=5).ok
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize("status", [500, 503])
def test_http_5xx_answers_n_times_without_doing_anything(api: Api, emulator: Emulator,
                                                         status: int) -> None:
    emulator.set_fault(f"http_{status}", 2)
    for _ in range(2):
        response = api.post(T3D, PREVIEW)
        assert response.status_code == status and "message" in response.json()
    assert emulator.tasks() == [] and emulator.balance() == 10_000
    assert api.post(T3D, PREVIEW).status_code == 200


def test_post_500_after_create_still_creates_and_charges(api: Api, emulator: Emulator) -> None:
    emulator.set_fault("post_500_after_create")
    assert api.post(T3D, PREVIEW).status_code == 500
    [task] = emulator.tasks()
    assert emulator.balance() == 9_980
    assert emulator.requests()[-1]["created_task_id"] == task["id"]


def test_drop_connection_sends_no_response(api: Api, emulator: Emulator) -> None:
    emulator.set_fault("drop_connection")
    with pytest.raises(requests.ConnectionError):
        api.post(T3D, PREVIEW)
    assert emulator.tasks() == []
    assert emulator.requests()[-1]["status"] == 0
    assert api.post(T3D, PREVIEW).ok


def test_drop_after_create_loses_the_answer_but_not_the_task(api: Api,
                                                             emulator: Emulator) -> None:
    emulator.set_fault("drop_after_create")
    with pytest.raises(requests.ConnectionError):
        api.post(T3D, PREVIEW)
    assert len(emulator.tasks()) == 1 and emulator.balance() == 9_980


def test_rate_limit_burst_with_retry_after(api: Api, emulator: Emulator) -> None:
    emulator.set_fault("rate_limit_burst", 2)
    emulator.set_fault("retry_after", 3)
    for _ in range(2):
        response = api.get("/openapi/v1/balance")
        assert response.status_code == 429
        assert response.json() == {"message": "RateLimitExceeded"}
        assert response.headers["Retry-After"] == "3"
    assert api.get("/openapi/v1/balance").ok


def test_retry_after_also_marks_queue_full_429s(api: Api, emulator: Emulator) -> None:
    emulator.queue_limit = 1
    emulator.set_fault("retry_after", 7)
    api.create(T3D, PREVIEW)
    response = api.post(T3D, PREVIEW)
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"


def test_malformed_json_truncates_get_bodies(api: Api, emulator: Emulator) -> None:
    task_id = api.create(T3D, PREVIEW)
    emulator.set_fault("malformed_json")
    response = api.get(f"{T3D}/{task_id}")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    with pytest.raises(ValueError):
        json.loads(response.content)
    assert api.get(f"{T3D}/{task_id}").json()["id"] == task_id


def test_truncate_download_sends_less_than_content_length(api: Api,
                                                          emulator: Emulator) -> None:
    url = api.preview()["model_urls"]["glb"]
    emulator.set_fault("truncate_download")
    response = requests.get(url, stream=True, timeout=5)
    announced = int(response.headers["Content-Length"])
    got = b""
    with pytest.raises(requests.RequestException):
        for chunk in response.iter_content(1024):
            got += chunk
    assert 0 < len(got) < announced
    assert len(requests.get(url, timeout=5).content) == announced


def test_expire_links_answers_403_xml(api: Api, emulator: Emulator) -> None:
    url = api.preview()["model_urls"]["glb"]
    emulator.set_fault("expire_links")
    response = requests.get(url, timeout=5)
    assert response.status_code == 403 and "<Error>" in response.text
    assert "expired" in response.text
    assert requests.get(url, timeout=5).content[:4] == b"glTF"


@pytest.mark.parametrize("variant", list(FAIL_VARIANTS))
def test_fail_tasks_ends_failed_with_each_task_error_and_refunds(api: Api, emulator: Emulator,
                                                                 variant: str) -> None:
    emulator.set_fault("fail_tasks", variant)
    task_id = api.create(T3D, PREVIEW)
    assert emulator.balance() == 9_980
    emulator.advance(task_id)
    task = api.get(f"{T3D}/{task_id}").json()
    assert task["status"] == "FAILED" and task["consumed_credits"] == 0
    assert task["task_error"] == FAIL_VARIANTS[variant]
    assert task["model_urls"] == {}
    assert emulator.balance() == 10_000


def test_failed_task_documented_messages(api: Api, emulator: Emulator) -> None:
    emulator.set_fault("fail_tasks", "busy")
    busy = api.wait(T3D, api.create(T3D, PREVIEW))  # fails by itself, without advance()
    assert busy["task_error"]["message"] == "The server is busy. Please try again later."
    assert 0 < busy["progress"] < 100 and busy["finished_at"] > 0
    emulator.set_fault("fail_tasks", "moderation")
    blocked = api.wait(T3D, api.create(T3D, PREVIEW))
    assert blocked["task_error"]["code"] == "moderation_blocked"
    emulator.set_fault("fail_tasks", "null_error")
    assert api.wait(T3D, api.create(T3D, PREVIEW))["task_error"] is None


def test_sse_drop_closes_after_the_first_frame(api: Api, emulator: Emulator) -> None:
    task_id = api.create(T3D, PREVIEW)
    emulator.set_fault("sse_drop")
    events = sse_events(api.get(f"{T3D}/{task_id}/stream", stream=True))
    assert len(events) == 1 and events[0][1]["status"] == "PENDING"


def test_sse_keepalive_only_never_progresses(api: Api, emulator: Emulator) -> None:
    task_id = api.create(T3D, PREVIEW)
    emulator.set_fault("sse_keepalive_only")
    events = sse_events(api.get(f"{T3D}/{task_id}/stream", stream=True))
    assert len(events) >= 3 and all(data == events[0][1] for _, data in events)
    assert events[0][1]["status"] not in ("SUCCEEDED", "FAILED")
    assert emulator.task(task_id)["status"] == "SUCCEEDED", "the task itself went on"


def test_model_urls_empty_string_instead_of_omitted(api: Api, emulator: Emulator) -> None:
    emulator.set_fault("model_urls_empty_string")
    urls = api.preview(target_formats=["glb"])["model_urls"]
    assert urls["glb"].startswith("http") and urls["fbx"] == "" and urls["obj"] == ""


def test_task_error_null_on_success(api: Api, emulator: Emulator) -> None:
    emulator.set_fault("task_error_null")
    task = api.preview()
    assert task["status"] == "SUCCEEDED" and task["task_error"] is None


def test_library_missing(api: Api, emulator: Emulator) -> None:
    emulator.set_fault("library_missing")
    assert api.get("/openapi/v1/animations/library").status_code == 404


def test_asset_size_mb_streams_a_big_valid_glb(api: Api, emulator: Emulator) -> None:
    url = api.preview()["model_urls"]["glb"]
    small = Glb.parse(requests.get(url, timeout=5).content)
    emulator.set_fault("asset_size_mb", 3)
    response = requests.get(url, timeout=10)
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert 3 * 1024 * 1024 - 4 <= len(response.content) <= 3 * 1024 * 1024
    big = Glb.parse(response.content)
    assert big.face_count() == small.face_count() and big.root_name() == small.root_name()


def test_faults_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHY_EMULATOR_FAULTS", "http_503=1,retry_after=2")
    with Emulator(task_seconds=0.1) as emu:
        assert emu.faults.snapshot() == {"http_503": 1, "retry_after": 2}


def test_unknown_fault_is_refused(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        emulator.set_fault("make_it_slow")
    with pytest.raises(ValueError):
        emulator.set_fault("fail_tasks", "bogus")
