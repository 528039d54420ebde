"""Resuming a task id of a journalled chain finishes the chain (issue 26): free when every
step was created, otherwise only after the caller heard the exact cost; api.status reports the
kind Meshy reports (a shape is a preview, a textured model its refine)."""

from __future__ import annotations

import json

import pytest

from meshy_blender import api, cli
from meshy_blender.client import errors

from fixtures.emulator import created_tasks


def _stopped_once_paid(meshy_env, prompt: str, step: str, **options) -> dict[str, str]:
    """The task ids of a text-to-3d run stopped (Ctrl-C) as soon as ``step`` was paid for."""
    meshy_env.set_fault("latency", 0.2)  # every call slow: the stop comes before the next step

    def stop_once_paid(progress) -> None:
        if step in progress.task_ids:
            raise KeyboardInterrupt

    with pytest.raises(api.Interrupted) as stopped:
        api.text_to_3d(prompt, progress=stop_once_paid, **options)
    meshy_env.clear_faults()
    return dict(stopped.value.task_ids)


# A chain: a shape (the "preview" step), then a remesh of it. (A textured model is one call on
# Meshy API v2, not a preview / refine chain any more.)
CHAIN = {"should_texture": False, "remesh": {"target_formats": ["glb"]}}


def _timed_out_after_the_preview(meshy_env) -> str:
    """A text-to-3d chain stopped (Ctrl-C) as soon as its shape was paid for."""
    ids = _stopped_once_paid(meshy_env, "a slow cup", "preview", **CHAIN)
    assert "remesh" not in ids
    return ids["preview"]


def _new_process(bpy) -> None:
    """No runtime, an empty scene, the first "process" gone (its workers stopped, so its
    journal locks are released)."""
    from meshy_blender.blender.core import runtime

    rt = runtime.current_runtime()
    if rt is not None:
        rt.manager.shutdown(cancel_running=True, wait=True)
    runtime.shutdown_runtime()
    bpy.ops.wm.read_homefile(use_empty=True)


def test_status_reports_the_kind_meshy_reports(bpy, empty_scene, meshy_env):
    shape = api.text_to_3d("a lamp", should_texture=False)
    textured = api.text_to_3d("a lamp")
    # Both are v2 text-to-3d tasks; the request each echoes tells a shape from a textured one.
    assert api.status(shape.task_ids["preview"], "text-to-3d").kind == "text-to-3d-preview"
    assert api.status(textured.task_ids["refine"], "text-to-3d").kind == "text-to-3d-refine"


def test_resuming_the_preview_of_a_chain_names_the_cost_then_finishes_it(
        bpy, empty_scene, meshy_env):
    preview = _timed_out_after_the_preview(meshy_env)
    _new_process(bpy)
    assert not any(r["kind"] == "remesh" for r in created_tasks(meshy_env))
    paid = len(created_tasks(meshy_env))
    with pytest.raises(errors.ValidationError, match=r"costs \d+ credits") as asked:
        api.resume(preview, "text-to-3d")
    assert asked.value.field == "finish_chain" and len(created_tasks(meshy_env)) == paid
    result = api.resume(preview, "text-to-3d", finish_chain=True)
    assert result.task_ids["preview"] == preview and "remesh" in result.task_ids
    assert [r["kind"] for r in created_tasks(meshy_env)][paid:] == ["remesh"]
    assert result.root_objects


def test_only_this_task_imports_the_shape_alone_for_free(bpy, empty_scene, meshy_env):
    preview = _timed_out_after_the_preview(meshy_env)
    _new_process(bpy)
    paid = len(created_tasks(meshy_env))
    result = api.resume(preview, "text-to-3d", finish_chain=False)
    assert result.task_ids == {"preview": preview} and len(created_tasks(meshy_env)) == paid


def test_a_chain_with_every_step_created_finishes_for_free(bpy, empty_scene, meshy_env):
    ids = _stopped_once_paid(meshy_env, "a lamp", "remesh", **CHAIN)
    _new_process(bpy)
    paid = len(created_tasks(meshy_env))
    result = api.resume(ids["preview"], "text-to-3d")  # any id of the chain
    assert result.task_ids == ids and len(created_tasks(meshy_env)) == paid


def test_the_cli_resume_says_the_cost_and_exits_without_paying(bpy, empty_scene, meshy_env,
                                                               capfd):
    preview = _timed_out_after_the_preview(meshy_env)
    _new_process(bpy)
    capfd.readouterr()
    assert not any(r["kind"] == "remesh" for r in created_tasks(meshy_env))
    paid = len(created_tasks(meshy_env))
    code = cli.main(["resume", preview, "--json", "--quiet"])
    data = json.loads(capfd.readouterr().out)
    assert code != 0 and "--finish-chain" in data["error"]["message"]
    assert len(created_tasks(meshy_env)) == paid
    code = cli.main(["resume", preview, "--finish-chain", "--json", "--quiet"])
    data = json.loads(capfd.readouterr().out)
    assert code == 0 and set(data["task_ids"]) == {"preview", "remesh"}
