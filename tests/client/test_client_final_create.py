"""A create answer that is already final (SUCCEEDED or FAILED in the 202 body, reference §3)
is used at once: no stream, no poll, and its files download from that answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_client_e2e import preview

from meshy_blender.client import build_payload
from meshy_blender.client import errors as e


def _reads(emulator, task_id: str) -> list[dict]:
    return [r for r in emulator.requests("api")
            if r["method"] == "GET" and task_id in r["path"]]


@pytest.mark.parametrize("use_stream", [True, False])
def test_a_final_create_answer_is_not_read_again(emulator, meshy_client, tmp_path: Path,
                                                 use_stream: bool):
    shape = preview(meshy_client)
    emulator.set_fault("final_on_create")
    task_id = meshy_client.create_task("remesh", build_payload(
        "remesh", input_task_id=shape.id, target_formats=["glb"]))
    seen: list[str] = []
    task = meshy_client.wait_for_task("remesh", task_id, use_stream=use_stream,
                                      on_progress=lambda t: seen.append(t.status))
    assert task.succeeded and seen == ["SUCCEEDED"]
    glb = meshy_client.download_asset("remesh", task, "glb", dest_dir=tmp_path)
    assert Path(glb).read_bytes()[:4] == b"glTF"
    assert _reads(emulator, task_id) == []


def test_a_create_answered_failed_raises_without_a_read(emulator, meshy_client):
    shape = preview(meshy_client)
    emulator.set_fault("fail_tasks", "timeout")
    emulator.set_fault("final_on_create")
    task_id = meshy_client.create_task("remesh", build_payload(
        "remesh", input_task_id=shape.id, target_formats=["glb"]))
    with pytest.raises(e.TaskFailedError):
        meshy_client.wait_for_task("remesh", task_id)
    assert _reads(emulator, task_id) == []


def test_a_running_create_answer_is_still_followed(emulator, meshy_client):
    """Only a final answer skips the wait: the usual 202 (PENDING) is followed to its end."""
    shape = preview(meshy_client)
    task_id = meshy_client.create_task("remesh", build_payload(
        "remesh", input_task_id=shape.id, target_formats=["glb"]))
    assert meshy_client.wait_for_task("remesh", task_id).succeeded
    assert _reads(emulator, task_id)
