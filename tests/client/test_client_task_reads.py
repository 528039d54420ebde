"""The client reads through Meshy API v2: one task route for every kind, results from `output`,
the request from `input`, the v2 error object mapped by `code`, and the balance's split.

Against the emulator over real HTTP; tasks made on v1 routes (as every journal written before
this change recorded them) are read back through v2 with the emulator's v1 routes gone.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import time
from pathlib import Path

import pytest
import requests

from meshy_blender.blender.core.messages import for_error, for_job_error
from meshy_blender.client import errors as e
from meshy_blender.client import http, task_list
from meshy_blender.client.account_balance import parse_balance
from meshy_blender.client.client import _frame, _stream_error
from meshy_blender.client.tasks import parse_task
from meshy_blender.jobs import model

from conftest import ROOT
from fixtures.emulator import Api
from meshy_emu.error_object import CODES

# The codes Meshy's v2 pages name (errors, rate limits, metadata, animation); the emulator's
# other codes are docs/meshy-api-v2.md's assumption A7.
DOCUMENTED_CODES = {"parameters_conflict", "metadata_invalid", "input_task_not_ready",
                    "input_task_unsupported", "moderation_blocked_nsfw", "route_not_found",
                    "rate_limit_exceeded", "pending_task_limit_reached",
                    "concurrent_task_limit_reached"}

V1_ERA = ROOT / "tests" / "assets" / "journal-v1-era"
UI_SOURCES = ROOT / "meshy_blender" / "blender"


def _api_paths(emulator) -> list[str]:
    return [r["path"] for r in emulator.requests("api")]


def _v1_image_task(emulator, meshy_key, tmp_path) -> str:
    """An image-to-3d task made on the v1 create route, as the client did before v2 (the
    client itself creates on v2 now, so the request is sent here as the old client sent it)."""
    image = "data:image/png;base64," + base64.b64encode(_png(tmp_path).read_bytes()).decode()
    return Api(emulator, meshy_key).create("/openapi/v1/image-to-3d",
                                           {"image_url": image, "target_formats": ["glb"]})


def _png(tmp_path: Path) -> Path:
    import struct
    import zlib

    raw = b"".join(b"\x00" + bytes([90, 160, 220]) * 64 for _ in range(64))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    path = tmp_path / "front.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(
        ">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b""))
    return path


# -- reads: one route, kind from Meshy, v1-made tasks ------------------------------------------

def test_a_v1_made_task_is_read_waited_streamed_and_downloaded_through_v2_only(
        emulator, meshy_key, make_client, tmp_path):
    emulator.set_v1_gone(False)  # the old client makes its task the v1 way first
    task_id = _v1_image_task(emulator, meshy_key, tmp_path)
    emulator.set_v1_gone()  # 2027-03-15: every v1 route answers 404
    emulator.log.clear()
    client = make_client()
    # Asked as the wrong kind on purpose: the kind comes from Meshy's `type`.
    done = client.wait_for_task("text-to-image", task_id)
    assert (done.id, done.kind, done.status) == (task_id, "image-to-3d", "SUCCEEDED")
    assert done.sent("target_formats") == ["glb"] and done.sent("image_url") is None
    assert "glb" in done.asset_urls() and done.expires_at > done.finished_at > 0
    glb = client.download_asset(done.kind, done, "glb", dest_dir=tmp_path / "out")
    assert glb.read_bytes()[:4] == b"glTF"
    paths = _api_paths(emulator)
    assert f"/openapi/v2/tasks/{task_id}/stream" in paths
    assert all(p.startswith("/openapi/v2/tasks") for p in paths), paths


def test_listing_pages_through_v2_with_has_more_and_the_type_filter(
        emulator, meshy_key, make_client, tmp_path):
    api = Api(emulator, meshy_key)
    emulator.set_v1_gone(False)  # one task the old client made on v1 among v2 ones
    ids = [api.create("/openapi/v2/text-to-3d", {"prompt": f"rock {n}", "should_texture": False})
           for n in range(3)]
    image_id = _v1_image_task(emulator, meshy_key, tmp_path)
    emulator.set_v1_gone()
    emulator.log.clear()
    client = make_client()
    first = client.list_task_page("text-to-3d-preview", page_size=2)
    second = client.list_task_page("text-to-3d-preview", page_num=2, page_size=2)
    assert [t.id for t in first.tasks] == ids[::-1][:2] and first.has_more
    assert [t.id for t in second.tasks] == ids[:1] and not second.has_more
    assert {t.kind for t in first.tasks + second.tasks} == {"text-to-3d-preview"}
    assert [t.id for t in client.list_tasks("image-to-3d")] == [image_id]
    queries = [r["query"] for r in emulator.requests("api")]
    assert [q["type"] for q in queries] == ["text-to-3d", "text-to-3d", "image-to-3d"]
    assert (queries[1]["page_num"], queries[1]["page_size"]) == ("2", "2")
    assert all(p == "/openapi/v2/tasks" for p in _api_paths(emulator))


@pytest.mark.parametrize(("answer", "ids", "more"), [
    ([{"id": "a"}, {"id": "b"}], ["a", "b"], True),  # bare list, full page: maybe more
    ({"data": [{"id": "a"}], "has_more": False}, ["a"], False),
    ({"result": [{"id": "a"}, "junk", {"no": "id"}]}, ["a"], True),  # 3 entries: full
    ({"tasks": [], "has_more": True}, [], True),
])
def test_list_answers_of_every_accepted_shape_parse(answer, ids, more):
    page = task_list.parse_page(answer, "remesh", page_size=2)
    assert ([t.id for t in page.tasks], page.has_more) == (ids, more)


def test_a_list_answer_that_is_no_list_is_malformed():
    with pytest.raises(e.MalformedResponseError):
        task_list.parse_page({"data": "nope"}, "remesh", page_size=10)


def test_delete_refunds_a_pending_task_and_refuses_a_running_one_in_artist_words(
        emulator, meshy_key, make_client):
    api = Api(emulator, meshy_key)
    emulator.queue_limit = 50
    client = make_client()
    start = emulator.balance(meshy_key)
    running = api.create("/openapi/v2/text-to-3d", {"prompt": "a bell", "should_texture": False})
    deadline = time.monotonic() + 5
    while emulator.task(running)["status"] != "IN_PROGRESS" and time.monotonic() < deadline:
        time.sleep(0.005)
    if emulator.task(running)["status"] != "IN_PROGRESS":
        pytest.skip("the emulator task ended before it could be seen running (machine load)")
    with pytest.raises(e.InvalidRequestError, match="Cancel on Meshy") as info:
        client.delete_task("text-to-3d-preview", running)
    assert info.value.code == "task_not_deletable"
    assert client.get_task("text-to-3d-preview", running).id == running  # still there
    client.wait_for_task("text-to-3d-preview", running)
    client.delete_task("text-to-3d-preview", running)  # finished: removed (no refund)
    with pytest.raises(e.NotFoundError):
        client.get_task("text-to-3d-preview", running)
    assert emulator.balance(meshy_key) == start - 20
    assert ("DELETE", f"/openapi/v2/tasks/{running}") in [
        (r["method"], r["path"]) for r in emulator.requests("api")]


# -- the v2 task object --------------------------------------------------------------------------

V2_RIG = {
    "id": "r1", "type": "rig", "status": "SUCCEEDED", "progress": 100, "created_at": 5,
    "started_at": 6, "finished_at": 9, "expires_at": None, "preceding_tasks": 0,
    "consumed_credits": 5, "task_error": None,
    "input": {"input_task_id": "m1", "height_meters": 1.7, "texture_prompt": None},
    "output": {"rigged_character_glb_url": "https://a/r.glb", "rigged_character_fbx_url": None,
               "basic_animations": {"walking_glb_url": "https://a/w.glb",
                                    "running_glb_url": None},
               "thumbnail_url": "https://a/t.png", "thumbnail_urls": {"front": "https://a/f.png"},
               "motion_url": None},
}


def test_results_come_from_output_the_request_from_input_and_null_means_not_set():
    task = parse_task(V2_RIG, "remesh")
    assert task.kind == "rig"  # Meshy's type, not the caller's guess
    assert task.asset_urls() == {"rigged_character_glb": "https://a/r.glb",
                                 "walking_glb": "https://a/w.glb", "thumbnail": "https://a/t.png",
                                 "thumbnail_front": "https://a/f.png"}
    assert (task.sent("input_task_id"), task.sent("texture_prompt")) == ("m1", None)
    assert task.expires_at == 0 and task.task_error is None
    # null expiry (always so for Text to 3D) does not mean kept: 3 days after the finish
    assert task.files_expire_at == 9 + 3 * 24 * 3600 * 1000
    pending = parse_task({**V2_RIG, "status": "PENDING", "started_at": None,
                          "finished_at": None, "output": None, "preceding_tasks": 3}, "rig")
    assert (pending.started_at, pending.asset_urls(), pending.preceding_tasks) == (0, {}, 3)
    assert pending.files_expire_at == 0


@pytest.mark.parametrize(("reported", "asked", "kind"), [
    ("image-to-3d", "remesh", "image-to-3d"), ("rigging", "remesh", "rig"),
    ("animation", "rig", "animate"), ("text-to-3d-refine", "text-to-3d-preview",
                                      "text-to-3d-refine"),
    ("a-kind-from-the-future", "remesh", "remesh"), (None, "retexture", "retexture"),
])
def test_the_kind_is_read_from_meshys_type_with_the_callers_as_fallback(reported, asked, kind):
    assert parse_task({"id": "x", "type": reported}, asked).kind == kind


@pytest.mark.parametrize(("echo", "asked", "kind"), [
    ({"should_texture": False}, "", "text-to-3d-preview"),
    ({"mode": "preview"}, "", "text-to-3d-preview"),
    ({"texture_model": "meshy-7"}, "", "text-to-3d-refine"),
    ({"prompt": "a lamp"}, "", "text-to-3d-refine"),  # v2's should_texture defaults to true
    ({"prompt": "a lamp"}, "text-to-3d-preview", "text-to-3d-preview"),  # the caller knows
])
def test_a_v2_text_to_3d_is_a_shape_or_textured_by_the_request_it_echoes(echo, asked, kind):
    assert parse_task({"id": "x", "type": "text-to-3d", "input": echo}, asked).kind == kind


def test_a_list_of_every_kind_asks_no_type_and_keeps_each_tasks_own(emulator, meshy_key,
                                                                    make_client):
    api = Api(emulator, meshy_key)
    shape = api.create("/openapi/v2/text-to-3d", {"prompt": "rock", "should_texture": False})
    api.wait("/openapi/v2/tasks", shape)
    remesh = api.create("/openapi/v2/remesh", {"input_task_id": shape})
    emulator.log.clear()
    tasks = make_client().list_tasks("", page_size=10)
    assert [(t.id, t.kind) for t in tasks] == [(remesh, "remesh"), (shape, "text-to-3d-preview")]
    assert [r["query"] for r in emulator.requests("api")] == [
        {"page_num": "1", "page_size": "10", "sort_by": "-created_at"}]


@pytest.mark.parametrize("frame", [
    {"id": "t", "status": "IN_PROGRESS", "progress": 5},
    {"data": {"id": "t", "status": "IN_PROGRESS", "progress": 5}},
    {"task": {"status": "IN_PROGRESS", "progress": 5}},
])
def test_sse_frames_are_read_whole_or_wrapped(frame):
    assert _frame(frame)["progress"] == 5


@pytest.mark.parametrize("frame", [{"ping": 1}, [1, 2], "text", {"data": "x"}])
def test_sse_frames_without_a_task_are_skipped(frame):
    assert _frame(frame) is None


def test_a_v2_stream_error_event_maps_by_code():
    err = _stream_error(json.dumps({"type": "not_found", "code": "task_not_found",
                                    "message": "Task x not found", "doc_url": None}))
    assert isinstance(err, e.NotFoundError) and "Generate" in err.message
    assert isinstance(_stream_error(json.dumps({"status_code": 401, "message": "bad"})),
                      e.AuthError)


# -- the error table -----------------------------------------------------------------------------

def _ui_labels() -> str:
    return "\n".join(p.read_text() for p in UI_SOURCES.rglob("*.py"))


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_v2_error_code_has_a_sentence_naming_a_label_the_artist_sees(code):
    """The emulator serves every documented code and the assumed ones (docs A7)."""
    entry = e.API_ERROR_CODES[code]  # by code, never only by the type fallback
    assert entry.label in entry.sentence
    assert re.search(rf"""["']{re.escape(entry.label)}""", _ui_labels()), \
        f"{entry.label!r} is not a label in the sidebar or the preferences"
    assert entry.documented == (code in DOCUMENTED_CODES)
    status, _type = CODES[code]
    err = e.from_api_error(entry, status=status, code=code, server_message="x",
                           retry_after=2.0)
    assert isinstance(err, entry.error) and err.code == code and str(err)
    # The sidebar and the Tasks rows show the code's own sentence, not a per-class one.
    shown = entry.sentence.rstrip(".")
    assert for_error(err) == shown
    assert for_job_error({"type": type(err).__name__, "message": str(err)}) == shown


def test_an_unknown_code_falls_back_on_its_type_then_on_the_status():
    entry = e.known_error("brand_new_code", "rate_limited")
    assert entry is e.API_ERROR_CODES["rate_limit_exceeded"]
    assert e.known_error("brand_new_code", "brand_new_type") is None


def _answer(api: Api, path: str, body: dict) -> requests.Response:
    resp = api.post(path, body)
    assert resp.status_code >= 400, resp.text
    return resp


def test_429_only_rate_limit_exceeded_keeps_retry_after_and_the_queue_codes_wait(
        emulator, meshy_key):
    api = Api(emulator, meshy_key)
    body = {"prompt": "a cup", "should_texture": False}
    emulator.set_fault("rate_limit_burst", 1)
    emulator.set_fault("retry_after", 3)
    rate = http.error_from_response(_answer(api, "/openapi/v2/text-to-3d", body))
    assert type(rate) is e.RateLimitedError and rate.retry_after == 3.0
    assert rate.code == "rate_limit_exceeded" and "Retry" in rate.message
    emulator.clear_faults()
    emulator.queue_limit = 0
    queue = http.error_from_response(_answer(api, "/openapi/v2/text-to-3d", body))
    assert type(queue) is e.QueueFullError and queue.queue_full and queue.retry_after is None
    assert queue.code == "pending_task_limit_reached" and "Max Concurrent Jobs" in queue.message


def test_402_key_credit_limit_is_told_apart_from_not_enough_credits(emulator, meshy_key):
    api = Api(emulator, meshy_key)
    body = {"prompt": "a cup", "should_texture": False}
    emulator.set_account(meshy_key, key_credit_limit=5)
    limit = http.error_from_response(_answer(api, "/openapi/v2/text-to-3d", body))
    assert type(limit) is e.KeyCreditLimitError and limit.key_limit
    assert "still has credits" in limit.message and "API Key" in limit.message
    # Creating adds the balance to a credits error (creation._credits_error rebuilds it): the
    # key's limit stays told apart, and the sentence says the balance is positive.
    with_balance = e.InsufficientCreditsError(code=limit.code, balance=10_000, required=20,
                                              status=402)
    assert type(with_balance) is e.KeyCreditLimitError and with_balance.required == 20
    assert "still has 10,000 credits" in with_balance.message
    assert "API Key" in for_error(with_balance) and "Buy Credits" not in for_error(with_balance)
    emulator.reset()
    emulator.set_balance(meshy_key, 1)
    short = http.error_from_response(_answer(api, "/openapi/v2/text-to-3d", body))
    assert type(short) is e.InsufficientCreditsError and not short.key_limit
    assert "Buy Credits" in short.message and "Buy Credits" in for_error(short)


def test_a_v1_error_body_still_maps_by_status(emulator, meshy_key):
    emulator.set_v1_gone(False)  # an answer in v1's words, as before 2027-03-15
    resp = Api(emulator, meshy_key).get("/openapi/v1/image-to-3d/nope")
    assert resp.status_code == 404 and "code" not in resp.json()
    assert type(http.error_from_response(resp)) is e.NotFoundError


# -- balance and the library ---------------------------------------------------------------------

def test_balance_has_its_monthly_and_permanent_split_and_reset_date(emulator, meshy_key,
                                                                    make_client):
    emulator.set_account(meshy_key, permanent_credits=960)
    client = make_client()
    found = client.balance_details()
    assert (found.balance, found.monthly, found.permanent) == (10_000, 9_040, 960)
    assert client.balance() == 10_000
    day = found.reset_date()
    assert day is not None and day.endswith("-01")
    assert found.split_text() == f"9,040 monthly (resets {day}) + 960 permanent"
    assert found.reset_date(now_ms=found.resets_at_ms + 1) is None  # a past date is not shown
    assert _api_paths(emulator) == ["/openapi/v2/balance"] * 2


def test_a_balance_without_the_split_still_reads_and_a_broken_one_does_not():
    assert parse_balance({"balance": 7}).split_text() == ""
    with pytest.raises(e.MalformedResponseError):
        parse_balance({"monthly_credits": 7})


def test_the_animation_library_is_read_on_v2(emulator, make_client):
    emulator.set_v1_gone()
    actions = make_client().animation_library()
    assert actions and all("action_id" in a for a in actions)
    assert _api_paths(emulator) == ["/openapi/v2/animations/library"]


# -- a journal written before the move to v2 ------------------------------------------------------

def test_a_v1_era_journal_resumes_through_v2_with_v1_gone_and_pays_nothing(
        emulator, meshy_key, make_client, make_manager, tmp_path):
    from fixtures.jobs import wait_finished

    journal = tmp_path / "journal"
    shutil.copytree(V1_ERA / "journal", journal)
    recorded = json.loads((V1_ERA / "emulator-tasks.json").read_text())
    assert "/openapi/v1/image-to-3d" in recorded["created_on"]  # made on v1's create route
    emulator.set_v1_gone(False)  # until the old client's tasks are made again below
    # Meshy still has the paid tasks: made again here on the same v1 routes, with the same
    # parameters; the journal's ids are pointed at them (nothing else in it changes).
    api = Api(emulator, meshy_key)
    image = "data:image/png;base64," + base64.b64encode(_png(tmp_path).read_bytes()).decode()
    made = {}
    for old_id, task in recorded["tasks"].items():
        if task["kind"] == "image-to-3d":
            made[old_id] = api.create("/openapi/v1/image-to-3d",
                                      {**task["params"], "image_url": image})
        else:
            made[old_id] = api.create("/openapi/v2/text-to-3d", {"mode": "preview",
                                                                 **task["params"]})
    for path in journal.glob("job-*.json"):
        text = path.read_text()
        for old_id, new_id in made.items():
            text = text.replace(old_id, new_id)
        path.write_text(text)
    emulator.set_v1_gone()
    emulator.log.clear()
    manager = make_manager(make_client(), journal_dir=journal)
    resumed, ready = manager.resume_from_journal()
    assert {j.id for j in resumed} == {"d50b77248fc9", "89f6d55862e1"} and ready == []
    wait_finished(manager, [j.id for j in resumed], timeout=30)
    for job in resumed:
        job = manager.get(job.id)
        assert job.status == model.READY, job.detail
        (step,) = job.steps
        assert step.task_id in made.values()
        assert any(Path(p).suffix == ".glb" and Path(p).is_file() for p in step.files.values())
    paths = _api_paths(emulator)
    assert not any(p.startswith("/openapi/v1/") for p in paths), paths
    assert not [r for r in emulator.requests("api") if r["method"] == "POST"]


def test_the_account_header_shows_the_balance_with_its_split(bpy, meshy_ui, meshy_key):
    """Read on the worker like every sidebar read; the header line says the split and the
    reset day, and a balance read without a split (an older answer) shows the total alone."""
    from types import SimpleNamespace

    from meshy_blender.blender.core import account, calls
    from meshy_blender.blender.features.account.panel import MESHY_PT_account

    from fixtures.recording_layout import RecordingLayout

    meshy_ui.emulator.set_account(meshy_key, permanent_credits=960)
    assert bpy.ops.meshy.refresh_balance() == {"FINISHED"}
    calls.CALLS.wait(account.BALANCE_CALL)

    def header() -> list[str]:
        layout = RecordingLayout()
        MESHY_PT_account.draw_header(SimpleNamespace(layout=layout), bpy.context)
        return layout.texts()

    texts = header()
    assert texts[0] == "10,000 credits"
    assert re.fullmatch(r"9,040 monthly \(resets \d{4}-\d\d-01\) \+ 960 permanent", texts[1])
    calls.CALLS.outcomes[account.BALANCE_CALL] = calls.Outcome(value={"balance": 7})
    assert header() == ["7 credits"]
