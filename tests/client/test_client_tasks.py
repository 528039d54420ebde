"""Task parsing tolerates every shape in meshy-api-notes.md; errors never show the key."""

from __future__ import annotations

import pytest

from meshy_blender.client import errors as e
from meshy_blender.client import merge_event, parse_task
from meshy_blender.client.downloads import check_magic, extension_for, safe_name
from meshy_blender.client.sse import parse_events

SEED_PREVIEW = {
    "id": "018a210d-8ba4-705c-b111-1f1776f7f578", "type": "text-to-3d-preview",
    "model_urls": {"glb": "https://assets.meshy.ai/t/model.glb?Expires=1",
                   "fbx": "https://assets.meshy.ai/t/model.fbx?Expires=1",
                   "usdz": "", "obj": None},
    "prompt": "a monster mask", "thumbnail_url": "https://assets.meshy.ai/t/preview.png",
    "progress": 100, "status": "SUCCEEDED", "created_at": 1692771650657,
    "started_at": 1692771667037, "finished_at": 1692771669037,
    "texture_urls": [{"base_color": "https://assets.meshy.ai/t/texture_0.png",
                      "metallic": "", "normal": "https://assets.meshy.ai/t/n.png"}],
    "preceding_tasks": 0, "task_error": {"message": ""}, "video_url": "kept-as-raw",
}
RIG = {
    "id": "r1", "type": "rig", "status": "SUCCEEDED", "progress": 100, "created_at": 1,
    "task_error": None, "consumed_credits": 5,
    "result": {"rigged_character_fbx_url": "https://a/Character_output.fbx",
               "rigged_character_glb_url": "https://a/Character_output.glb",
               "basic_animations": {"walking_glb_url": "https://a/w.glb",
                                    "walking_armature_glb_url": "https://a/wa.glb",
                                    "running_fbx_url": "https://a/r.fbx",
                                    "running_glb_url": ""}},
}


def test_seed_task_object_parses_with_empty_formats_dropped():
    task = parse_task(SEED_PREVIEW, "text-to-3d-preview")
    assert task.succeeded and task.is_terminal and task.progress == 100
    assert task.model_urls == {"glb": SEED_PREVIEW["model_urls"]["glb"],
                               "fbx": SEED_PREVIEW["model_urls"]["fbx"]}
    assert task.task_error is not None and task.task_error.message == ""
    assert task.raw["video_url"] == "kept-as-raw"
    assert task.asset_urls() == {
        "glb": "https://assets.meshy.ai/t/model.glb?Expires=1",
        "fbx": "https://assets.meshy.ai/t/model.fbx?Expires=1",
        "texture_0_base_color": "https://assets.meshy.ai/t/texture_0.png",
        "texture_0_normal": "https://assets.meshy.ai/t/n.png",
        "thumbnail": "https://assets.meshy.ai/t/preview.png",
    }


def test_rig_outputs_come_from_result_and_are_flattened():
    task = parse_task(RIG, "rig")
    assert task.task_error is None and task.consumed_credits == 5
    assert task.asset_urls() == {
        "rigged_character_fbx": "https://a/Character_output.fbx",
        "rigged_character_glb": "https://a/Character_output.glb",
        "walking_glb": "https://a/w.glb", "walking_armature_glb": "https://a/wa.glb",
        "running_fbx": "https://a/r.fbx"}


def test_pending_shapes_null_result_null_textures_and_rich_errors():
    pending = parse_task({"id": "a1", "type": "animate", "status": "PENDING", "result": None,
                          "texture_urls": None, "progress": None, "expires_at": 0},
                         "animate")
    assert pending.result == {} and pending.texture_urls == [] and pending.asset_urls() == {}
    assert not pending.is_terminal
    failed = parse_task({"id": "f", "status": "FAILED", "task_error": {
        "type": "invalid_input", "code": "image_too_complex", "message": "Too complex",
        "doc_url": "https://docs"}, "consumed_credits": 0}, "image-to-3d")
    assert failed.task_error is not None
    assert (failed.task_error.type, failed.task_error.code) == ("invalid_input",
                                                                "image_too_complex")
    images = parse_task({"id": "i", "status": "SUCCEEDED",
                         "image_urls": ["https://a/0.png", "", "https://a/2.png"]},
                        "text-to-image")
    assert images.asset_urls() == {"image_0": "https://a/0.png", "image_1": "https://a/2.png"}


def test_parse_rejects_only_what_has_no_id():
    with pytest.raises(e.MalformedResponseError):
        parse_task({"status": "SUCCEEDED"}, "remesh")
    with pytest.raises(e.MalformedResponseError):
        parse_task(["not", "a", "task"], "remesh")


def test_partial_sse_frames_merge_into_the_task():
    task = parse_task({"id": "t", "status": "PENDING", "prompt": "p"}, "text-to-3d-preview")
    task = merge_event(task, {"id": "t", "progress": 40, "status": "IN_PROGRESS"})
    assert (task.status, task.progress, task.raw["prompt"]) == ("IN_PROGRESS", 40, "p")
    task = merge_event(task, {**SEED_PREVIEW, "id": "t"})
    assert task.succeeded and "glb" in task.asset_urls()


def test_sse_parser_handles_crlf_comments_and_split_chunks():
    stream = (b": keep-alive\r\n\r\nevent: message\r\ndata: {\"id\": 1}\r\n\r\n"
              b"data: {\"a\":\ndata: 2}\n\nevent: error\ndata: {\"status_code\": 404}\n\n")
    chunks = [stream[i:i + 7] for i in range(0, len(stream), 7)]
    events = list(parse_events(iter(chunks)))
    assert [(ev.event, ev.data) for ev in events] == [
        ("message", '{"id": 1}'), ("message", '{"a":\n2}'), ("error", '{"status_code": 404}')]


def test_download_names_are_sanitised():
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("..") == "asset"
    assert extension_for("https://a/x/model.GLB?Expires=1&Signature=..%2F", "glb") == "glb"
    assert extension_for("https://a/x/download?id=3", "walking_armature_glb") == "glb"
    assert extension_for("https://a/x/%2e%2e%2Fevil.p/ng", "thumbnail") == "png"
    assert check_magic("glb", b"glTF\x02\x00") is None
    assert check_magic("glb", b"<?xml version='1.0'?><Error>") is not None
    assert check_magic("fbx", b"Kaydara FBX Binary  \x00") is None
    assert check_magic("obj", b"v 0 0 0\n") is None


KEY = "msy-Sup3rSecretKeyValue-0123456789"


def test_error_texts_never_show_the_key():
    e.register_secret(KEY)
    samples = [
        e.InvalidRequestError(f"bad {KEY}", server_message=f"Invalid key {KEY}"),
        e.AuthError(server_message=f"Authorization: Bearer {KEY}"),
        e.NetworkError(f"headers={{'Authorization': 'Bearer {KEY}'}}"),
        e.TaskFailedError(server_message=KEY, task_id="t"),
    ]
    for exc in samples:
        for text in (str(exc), repr(exc), *map(str, exc.args)):
            assert KEY not in text and "Sup3rSecret" not in text


def test_insufficient_credits_message_names_numbers():
    exc = e.InsufficientCreditsError(balance=12, required=30)
    assert "30" in str(exc) and "12" in str(exc) and exc.status == 402
