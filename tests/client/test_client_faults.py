"""Every emulator fault: the client recovers or raises the right error, never pays twice, and
never lets the key out (exception texts, reprs, chains, asset-host requests)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from meshy_blender.client import MeshyClient, build_payload
from meshy_blender.client import errors as e

KIND = "text-to-3d-preview"


def _create(client: MeshyClient, prompt: str = "a lantern") -> str:
    return client.create_task(KIND, build_payload(KIND, prompt=prompt))


def _posts(emulator: Any) -> list[dict[str, Any]]:
    return [r for r in emulator.requests("api") if r["method"] == "POST"]


def _wait_done(client: MeshyClient, task_id: str) -> Any:
    return client.wait_for_task(KIND, task_id)


# ------------------------------------------------------------------ reads recover
@pytest.mark.parametrize("fault", ["http_500", "http_503", "drop_connection",
                                   "rate_limit_burst", "malformed_json"])
def test_reads_recover_from_transient_faults(fault, emulator, meshy_client):
    task_id = _create(meshy_client)
    emulator.set_fault(fault, 2)
    task = meshy_client.get_task(KIND, task_id)
    assert task.id == task_id
    gets = [r for r in emulator.requests("api") if r["method"] == "GET"]
    assert len(gets) == 3  # two faulty answers, then the good one
    emulator.set_fault(fault, 1)
    assert meshy_client.balance() == emulator.balance()


def test_reads_give_up_with_the_right_error(emulator, meshy_client):
    emulator.set_fault("http_503", 10)
    with pytest.raises(e.ServerError) as info:
        meshy_client.balance()
    assert info.value.status == 503 and info.value.retryable
    emulator.clear_faults()
    emulator.set_fault("rate_limit_burst", 10)
    with pytest.raises(e.RateLimitedError):
        meshy_client.balance()
    emulator.clear_faults()
    emulator.set_fault("malformed_json", 10)
    with pytest.raises(e.MalformedResponseError):
        meshy_client.balance()


def test_retry_after_is_honoured(emulator, meshy_client):
    emulator.set_fault("retry_after", 0.3)
    emulator.set_fault("rate_limit_burst", 1)
    t0 = time.monotonic()
    assert meshy_client.balance() == emulator.balance()
    assert time.monotonic() - t0 >= 0.3


# ------------------------------------------------------------------ creation never pays twice
@pytest.mark.parametrize("fault", ["post_500_after_create", "drop_after_create"])
def test_ambiguous_create_adopts_the_task_that_was_made(fault, emulator, meshy_client,
                                                        meshy_key):
    start = emulator.balance(meshy_key)
    emulator.set_fault(fault, 1)
    task_id = _create(meshy_client, "a brass key")
    assert len(_posts(emulator)) == 1
    assert [t["id"] for t in emulator.tasks()] == [task_id]
    assert emulator.balance(meshy_key) == start - 20
    assert _wait_done(meshy_client, task_id).succeeded


def test_ambiguous_create_adopts_the_right_one_among_others(emulator, meshy_client):
    older = _create(meshy_client, "a brass key")  # same prompt, made earlier by this client
    other = _create(meshy_client, "something else")
    emulator.set_fault("post_500_after_create", 1)
    adopted = _create(meshy_client, "a brass key")
    assert adopted not in (older, other)
    assert len(emulator.tasks()) == 3 and len(_posts(emulator)) == 3


def test_ambiguous_create_never_adopts_another_programs_task_with_other_inputs(
        emulator, meshy_client, meshy_key):
    """Read through v2 the request echo is in `input`: it must still decide the match."""
    from fixtures.emulator import Api

    stranger = Api(emulator, meshy_key).create(  # same kind, same minute, another program
        "/openapi/v2/text-to-3d", {"prompt": "a tin soldier", "should_texture": False})
    emulator.set_fault("post_500_after_create", 1)
    adopted = _create(meshy_client, "a brass key")
    assert adopted != stranger and len(_posts(emulator)) == 2
    assert meshy_client.get_task(KIND, adopted).sent("prompt") == "a brass key"


@pytest.mark.parametrize(("fault", "error"), [("http_500", e.ServerError),
                                              ("http_503", e.ServerError),
                                              ("drop_connection", e.NetworkError)])
def test_create_that_never_ran_says_it_may_not_exist_without_a_second_post(
        fault, error, emulator, meshy_client):
    emulator.set_fault(fault, 1)
    with pytest.raises(error, match="may or may not have been created"):
        _create(meshy_client)
    assert len(_posts(emulator)) == 1 and emulator.tasks() == []


def test_create_read_timeout_does_not_post_twice(emulator, make_client):
    client = make_client(timeout=(2.0, 0.3))
    emulator.set_fault("latency", 0.6)
    with pytest.raises(e.NetworkError, match="may or may not"):
        _create(client)
    emulator.clear_faults()
    assert len(_posts(emulator)) == 1 and len(emulator.tasks()) == 1


def test_create_is_retried_after_a_refusing_429(emulator, meshy_client):
    emulator.set_fault("retry_after", 0.05)  # v2 says when; the 1 s default is just slower
    emulator.set_fault("rate_limit_burst", 2)
    task_id = _create(meshy_client)
    assert [t["id"] for t in emulator.tasks()] == [task_id]
    assert [r["status"] for r in _posts(emulator)] == [429, 429, 202]  # v2: 202 Accepted


def test_create_is_retried_when_the_connection_is_refused(emulator, make_client):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    client = make_client(base_url=dead, max_retries=1)
    with pytest.raises(e.NetworkError, match="refused") as info:
        _create(client)
    assert "may or may not" not in str(info.value)  # provably not sent: nothing to look for


def test_queue_full_and_credit_errors(emulator, meshy_client, meshy_key):
    for i in range(emulator.queue_limit):
        _create(meshy_client, f"item {i}")
    with pytest.raises(e.QueueFullError):
        _create(meshy_client, "one too many")
    emulator.advance()
    emulator.set_balance(meshy_key, 7)
    with pytest.raises(e.InsufficientCreditsError) as info:
        _create(meshy_client)
    assert (info.value.balance, info.value.required, info.value.status) == (7, 20, 402)
    assert "20" in str(info.value) and "7" in str(info.value)


def test_http_error_codes_map_to_artist_errors(emulator, make_client, meshy_client, tmp_path):
    with pytest.raises(e.InvalidRequestError):  # the server's own validation (client bypassed)
        meshy_client.create_task(KIND, {"prompt": "x" * 700})
    with pytest.raises(e.NotFoundError):
        meshy_client.get_task(KIND, "0190aaaa-0000-7000-8000-000000000000")
    with pytest.raises(e.NotFoundError):  # SSE error event after HTTP 200
        meshy_client.wait_for_task(KIND, "0190aaaa-0000-7000-8000-000000000000")
    with pytest.raises(e.AuthError):
        make_client(api_key="msy-not-a-valid-key-123456").balance()


def test_rigging_a_non_biped_is_a_cannot_process_error(emulator, meshy_client, tmp_path):
    glb = tmp_path / "flat.glb"
    glb.write_bytes(_flat_plane_glb())
    with pytest.raises(e.CannotProcessError) as info:
        meshy_client.create_task("rig", build_payload("rig", model_url=glb))
    assert info.value.status == 422 and info.value.server_message
    assert emulator.tasks() == []


# ------------------------------------------------------------------ task outcomes
# Read through API v2, whose task_error never has a null type or code: a failure Meshy gave no
# type is a server_error (retryable), and a code defaults to the type (the emulator's A7).
@pytest.mark.parametrize(("variant", "etype", "code", "retryable"), [
    ("server_error", "server_error", "server_error", True),
    ("invalid_input", "invalid_input", "image_too_complex", False),
    ("timeout", "timeout", "timeout", True),
    ("service_unavailable", "service_unavailable", "service_unavailable", True),
    ("busy", "server_error", "server_error", True),
    ("internal", "server_error", "server_error", True),
    ("moderation", "invalid_input", "moderation_blocked", False),
    ("empty_message", "server_error", "server_error", True),
    ("null_error", "server_error", "server_error", True),
])
def test_failed_tasks_raise_task_failed_and_are_refunded(variant, etype, code, retryable,
                                                         emulator, meshy_client, meshy_key):
    start = emulator.balance(meshy_key)
    emulator.set_fault("fail_tasks", variant)
    task_id = _create(meshy_client)
    with pytest.raises(e.TaskFailedError) as info:
        _wait_done(meshy_client, task_id)
    err = info.value
    assert (err.task_id, err.kind, err.error_type, err.code) == (task_id, KIND, etype, code)
    assert err.retryable is retryable and str(err)
    if code == "moderation_blocked":
        assert "moderation" in str(err)
    assert emulator.balance(meshy_key) == start
    assert meshy_client.get_task(KIND, task_id).consumed_credits == 0


def test_empty_string_formats_and_null_task_error_on_success(emulator, meshy_client):
    emulator.set_fault("model_urls_empty_string", 1)
    emulator.set_fault("task_error_null", 1)
    task_id = meshy_client.create_task(KIND, build_payload(KIND, prompt="a cup",
                                                           target_formats=["glb"]))
    task = _wait_done(meshy_client, task_id)
    assert task.task_error is None
    assert "" not in task.asset_urls().values() and set(task.model_urls) == {"glb"}


# ------------------------------------------------------------------ streaming falls back
@pytest.mark.parametrize("fault", ["sse_drop", "sse_keepalive_only"])
def test_broken_streams_fall_back_to_polling(fault, emulator, make_client):
    client = make_client(stream_stall_seconds=0.3)
    task_id = _create(client)
    emulator.set_fault(fault, 1)
    task = client.wait_for_task(KIND, task_id)
    assert task.succeeded
    paths = [r["path"] for r in emulator.requests("api") if r["method"] == "GET"]
    assert any(p.endswith("/stream") for p in paths)
    assert any(p.endswith(task_id) for p in paths)  # the poll that found it finished


def test_library_missing_returns_none(emulator, meshy_client):
    emulator.set_fault("library_missing", 1)
    assert meshy_client.animation_library() is None


def test_wait_timeout(emulator, make_client):
    client = make_client(poll_interval=0.05)
    ids = [_create(client, f"q{i}") for i in range(10)]
    with pytest.raises(e.WaitTimeoutError):
        client.wait_for_task(KIND, ids[-1], timeout=0.2, use_stream=False)


# ------------------------------------------------------------------ downloads
def test_truncated_download_is_retried_and_complete(emulator, meshy_client):
    task = _wait_done(meshy_client, _create(meshy_client))
    emulator.set_fault("truncate_download", 1)
    path = meshy_client.download_asset(KIND, task, "glb")
    expected = emulator.fetch_asset_url(task.asset_urls()["glb"])
    assert path.read_bytes() == expected
    assert len(emulator.requests("assets")) == 2


def test_persistent_truncation_fails_without_leaving_a_file(emulator, meshy_client):
    task = _wait_done(meshy_client, _create(meshy_client))
    emulator.set_fault("truncate_download", 10)
    with pytest.raises(e.DownloadError, match=r"interrupted|cut short"):
        meshy_client.download_asset(KIND, task, "glb")
    assert not list((meshy_client.cache_dir / task.id).glob("*"))


def test_expired_link_refetches_the_task_once(emulator, meshy_client):
    task = _wait_done(meshy_client, _create(meshy_client))
    emulator.set_fault("expire_links", 1)
    gets_before = len([r for r in emulator.requests("api") if r["path"].endswith(task.id)])
    path = meshy_client.download_asset(KIND, task, "fbx")
    assert path.read_bytes().startswith(b"Kaydara FBX Binary")
    gets_after = len([r for r in emulator.requests("api") if r["path"].endswith(task.id)])
    assert gets_after == gets_before + 1

    emulator.set_fault("expire_links", 5)
    with pytest.raises(e.AssetExpiredError):
        meshy_client.download_asset(KIND, task, "glb")


def test_size_cap(emulator, make_client):
    client = make_client(max_download_bytes=1024)
    task = _wait_done(client, _create(client))
    with pytest.raises(e.DownloadError, match="limit"):
        client.download_asset(KIND, task, "glb")


# ------------------------------------------------------------------ gate and key hygiene
def test_offline_gate_refuses_before_any_socket_but_allows_loopback(emulator, make_client):
    offline = make_client(base_url="https://api.meshy.ai", allow_network=lambda url: False)
    with pytest.raises(e.OnlineAccessError) as info:
        offline.balance()
    assert "Allow Online Access" in str(info.value) and "--online-mode" in str(info.value)
    local = make_client(allow_network=lambda url: False)
    assert local.balance() == emulator.balance()


def test_validation_errors_send_nothing(emulator, meshy_client):
    with pytest.raises(e.ValidationError):
        meshy_client.create_task(KIND, build_payload(KIND, prompt="x" * 601))
    with pytest.raises(e.ValidationError):
        meshy_client.get_task(KIND, "../balance")
    assert emulator.requests() == []


def _chain(exc: BaseException | None) -> list[BaseException]:
    out = []
    while exc is not None and exc not in out:
        out.append(exc)
        exc = exc.__cause__ or exc.__context__
    return out


def test_the_key_never_leaks(emulator, make_client, meshy_key):
    client = make_client(max_retries=1)
    caught: list[BaseException] = []

    def capture(fn: Any) -> None:
        try:
            fn()
        except e.MeshyError as exc:
            caught.append(exc)

    capture(lambda: make_client(api_key=meshy_key + "x").balance())
    emulator.set_fault("http_500", 5)
    capture(lambda: _create(client))
    emulator.clear_faults()
    emulator.set_fault("drop_connection", 5)
    capture(client.balance)
    emulator.clear_faults()
    emulator.set_fault("fail_tasks", "server_error")
    capture(lambda: _wait_done(client, _create(client)))
    emulator.clear_faults()
    task = _wait_done(client, _create(client))
    emulator.set_fault("expire_links", 5)
    capture(lambda: client.download_asset(KIND, task, "glb"))
    emulator.clear_faults()
    client.download_asset(KIND, task, "obj")
    capture(lambda: make_client(base_url="http://127.0.0.1:9").balance())

    assert len(caught) == 6
    for exc in caught:
        for link in _chain(exc):
            texts = [str(link), repr(link), *map(repr, link.args),
                     *map(repr, vars(link).values())]
            assert not any(meshy_key in t for t in texts), link
    assert meshy_key not in repr(client)
    assets = emulator.requests("assets")
    assert assets and not any(r["authorized"] for r in assets)


def _flat_plane_glb() -> bytes:
    """A valid one-triangle GLB lying flat (width 2 m, height ~0): clearly not a biped."""
    import json
    import struct

    positions = struct.pack("<9f", -1, 0, -1, 1, 0, -1, 0, 0.01, 1)
    gltf = {
        "asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "Plane"}],
        "meshes": [{"name": "Plane", "primitives": [{"attributes": {"POSITION": 0}}]}],
        "buffers": [{"byteLength": len(positions)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(positions)}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                       "min": [-1, 0, -1], "max": [1, 0.01, 1]}],
    }
    js = json.dumps(gltf).encode()
    js += b" " * (-len(js) % 4)
    body = (struct.pack("<I4s", len(js), b"JSON") + js
            + struct.pack("<I4s", len(positions), b"BIN\x00") + positions)
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body
