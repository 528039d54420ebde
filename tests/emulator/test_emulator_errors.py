"""Every documented error code comes from its documented cause, always as {"message": ...};
accounts, limits, queueing and refunds."""

from __future__ import annotations

import time

import pytest
import requests

from fixtures.emulator import Api
from meshy_emu import TEST_MODE_KEY, Emulator

T3D = "/openapi/v2/text-to-3d"


def assert_error(response: requests.Response, status: int, text: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message"} and isinstance(body["message"], str)
    assert text in body["message"]


def test_401_for_missing_or_unknown_key(v1_routes: Emulator) -> None:
    emulator = v1_routes  # v1's balance and Text to 3D dialect answer 401 too
    url = emulator.api_url + "/openapi/v1/balance"
    assert_error(requests.get(url, timeout=5), 401, "Invalid API key")
    assert_error(requests.get(url, headers={"Authorization": "Bearer msy-nope"}, timeout=5), 401)
    assert_error(requests.post(emulator.api_url + T3D, json={"mode": "preview", "prompt": "x"},
                               timeout=5), 401)
    assert emulator.tasks() == []


def test_any_key_format_is_accepted_when_configured() -> None:
    with Emulator(task_seconds=0.1, keys={"msy-dash-style": 7, "msy_under": 3}) as emu:
        for key, balance in (("msy-dash-style", 7), ("msy_under", 3)):
            assert Api(emu, key).get("/openapi/v1/balance").json() == {"balance": balance}
        assert Api(emu, TEST_MODE_KEY).get("/openapi/v1/balance").status_code == 401


def test_404_for_unknown_routes_and_tasks(api: Api) -> None:
    assert_error(api.get("/openapi/v1/nothing-here"), 404)
    assert_error(api.get("/openapi/v3/text-to-3d"), 404)
    assert_error(api.get(f"{T3D}/0193-unknown"), 404)
    assert_error(api.delete(f"{T3D}/0193-unknown"), 404)


def test_tasks_are_private_to_their_key() -> None:
    with Emulator(task_seconds=0.1, keys={"a": 100, "b": 100}) as emu:
        task_id = Api(emu, "a").create(T3D, {"mode": "preview", "prompt": "x"})
        assert_error(Api(emu, "b").get(f"{T3D}/{task_id}"), 404)
        assert Api(emu, "b").get(T3D).json() == []


@pytest.mark.parametrize(("body", "text"), [
    ({"mode": "preview"}, "prompt"),
    ({"mode": "preview", "prompt": "x" * 601}, "600"),
    ({"mode": "preview", "prompt": "x", "target_polycount": 99}, "target_polycount"),
    ({"mode": "preview", "prompt": "x", "target_polycount": 300_001}, "target_polycount"),
    ({"mode": "preview", "prompt": "x", "art_style": "cartoon"}, "art_style"),
    ({"mode": "preview", "prompt": "x", "topology": "hex"}, "topology"),
    ({"mode": "preview", "prompt": "x", "ai_model": "meshy-9"}, "ai_model"),
    ({"mode": "preview", "prompt": "x", "target_formats": ["dwg"]}, "target_formats"),
    ({"mode": "preview", "prompt": "x", "should_remesh": "yes"}, "should_remesh"),
    ({"mode": "refine"}, "preview_task_id"),
])
def test_400_for_invalid_parameters(api: Api, emulator: Emulator, body: dict,
                                    text: str) -> None:
    assert_error(api.post(T3D, body), 400, text)
    assert emulator.tasks() == [] and emulator.balance() == 10_000


def test_polycount_bounds_are_inclusive(api: Api) -> None:
    for count in (100, 300_000):
        assert api.post(T3D, {"mode": "preview", "prompt": "x",
                              "target_polycount": count}).status_code == 200


def test_400_for_malformed_json(api: Api) -> None:
    response = requests.post(api.base + T3D, data=b"{not json", timeout=5,
                             headers={**api.headers, "Content-Type": "application/json"})
    assert_error(response, 400)


def test_refine_only_from_a_succeeded_preview(api: Api) -> None:
    assert_error(api.post(T3D, {"mode": "refine", "preview_task_id": "missing"}), 404)
    pending = api.create(T3D, {"mode": "preview", "prompt": "x"})
    assert_error(api.post(T3D, {"mode": "refine", "preview_task_id": pending}), 400, "succeeded")
    refined = api.refine(api.wait(T3D, pending)["id"])
    assert_error(api.post(T3D, {"mode": "refine", "preview_task_id": refined["id"]}), 400)


def test_402_when_credits_run_short(api: Api, emulator: Emulator) -> None:
    emulator.set_balance(TEST_MODE_KEY, 19)
    assert_error(api.post(T3D, {"mode": "preview", "prompt": "x"}), 402)
    assert emulator.balance() == 19 and emulator.tasks() == []
    assert api.post(T3D, {"mode": "preview", "prompt": "x", "ai_model": "meshy-5"}).ok
    assert emulator.balance() == 14


def test_429_when_the_queue_is_full(api: Api, emulator: Emulator) -> None:
    emulator.queue_limit = 3
    for _ in range(3):
        api.create(T3D, {"mode": "preview", "prompt": "x"})
    assert_error(api.post(T3D, {"mode": "preview", "prompt": "x"}), 429, "NoMoreConcurrentTasks")
    assert emulator.balance() == 10_000 - 3 * 20
    emulator.advance()
    assert api.post(T3D, {"mode": "preview", "prompt": "x"}).ok


def test_429_when_requests_come_too_fast(api: Api, emulator: Emulator) -> None:
    emulator.set_rate_limit(5)
    codes = [api.get("/openapi/v1/balance").status_code for _ in range(8)]
    assert codes[:5] == [200] * 5 and 429 in codes[5:]
    assert_error(api.get("/openapi/v1/balance"), 429, "RateLimitExceeded")
    time.sleep(1.05)
    assert api.get("/openapi/v1/balance").status_code == 200


def test_queued_tasks_report_preceding_tasks(api: Api) -> None:
    ids = [api.create(T3D, {"mode": "preview", "prompt": f"x{i}"}) for i in range(6)]
    last = api.get(f"{T3D}/{ids[-1]}").json()
    assert last["status"] == "PENDING" and last["preceding_tasks"] >= 1
    first = api.get(f"{T3D}/{ids[0]}").json()
    assert first["preceding_tasks"] == 0
    done = api.wait(T3D, ids[-1])
    assert done["status"] == "SUCCEEDED" and done["preceding_tasks"] == 0
    # the last task had to wait for a worker: it started after the first one finished
    assert done["started_at"] >= api.get(f"{T3D}/{ids[0]}").json()["finished_at"]


def test_creation_may_answer_202(api: Api, emulator: Emulator) -> None:
    emulator.set_fault("accepted_202")
    response = api.post(T3D, {"mode": "preview", "prompt": "x"})
    assert response.status_code == 202 and set(response.json()) == {"result"}
