"""Resize through meshy_blender.api and `meshy resize` in real Blender against the emulator:
the request Meshy receives (the model by task id, height, origin), 1 credit, the resized model
landing in the scene, a rerun under the same job key paying nothing, and a height of 0 refused
before anything is sent."""

from __future__ import annotations

import pytest
from test_cli import run

from meshy_blender import api, cli
from meshy_blender.client import errors


def _resizes(env):
    return [r for r in env.requests("api") if r["method"] == "POST" and r["kind"] == "resize"]


def test_api_resize_lands_in_place_and_a_rerun_under_its_job_key_pays_nothing(
        bpy, empty_scene, meshy_env):
    shape = api.text_to_3d("a lamp post", should_texture=False)
    [lamp] = shape.root_objects
    kw = dict(resize_height=1.8, origin_at="bottom", placement="REPLACE", job_key="lamp 1.8 m")
    result = api.resize(lamp, **kw)
    assert result.kind == "resize" and result.credits == 1
    sent = meshy_env.task(result.task_ids["resize"])
    assert (sent["input_task_id"], sent["resize_height"], sent["origin_at"]) == (
        shape.task_ids["preview"], 1.8, "bottom")
    [resized] = result.root_objects
    assert resized["meshy_source"]["operation"] == "resize"  # the emulator's resized GLB
    assert resized["meshy_replaces"] == lamp.name and lamp.hide_get()

    again = api.resize(lamp, **kw)
    assert again.task_ids == result.task_ids
    assert len(_resizes(meshy_env)) == 1  # paid once


def test_api_resize_refuses_a_height_of_zero_before_anything_is_sent(bpy, empty_scene,
                                                                     meshy_env):
    with pytest.raises(errors.ValidationError, match="more than 0") as refused:
        api.resize(input_task_id="0123abcd-0000-4000-8000-00000000cafe", resize_height=0)
    assert refused.value.field == "resize_height"
    assert [r for r in meshy_env.requests("api") if r["method"] == "POST"] == []


def test_cli_resize_by_task_id_then_again_under_the_job_key(bpy, empty_scene, meshy_env,
                                                            capfd):
    code, data = run(capfd, "text-to-3d", "a lamp post", "--should-texture", "false")
    task = data["task_ids"]["preview"]
    argv = ("resize", "--task-id", task, "--resize-height", "1.8", "--origin-at", "bottom",
            "--job-key", "lamp-1.8")
    code, data = run(capfd, *argv)
    assert code == 0, data
    assert data["kind"] == "resize" and data["credits"] == 1 and data["root_objects"]
    sent = meshy_env.task(data["task_ids"]["resize"])
    assert (sent["input_task_id"], sent["resize_height"], sent["origin_at"]) == (
        task, 1.8, "bottom")
    code, again = run(capfd, *argv)
    assert code == 0 and again["task_ids"] == data["task_ids"]
    assert len(_resizes(meshy_env)) == 1

    code, refused = run(capfd, "resize", "--task-id", task, "--resize-height", "0")
    assert code == cli.EXIT_BAD_INPUT, refused
    assert len(_resizes(meshy_env)) == 1
