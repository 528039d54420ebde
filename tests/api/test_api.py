"""meshy_blender.api in real Blender against the emulator: every function, results in the
scene, the shared runtime (journal, cache), and the client's exceptions on failure."""

from __future__ import annotations

import pytest

from meshy_blender import api
from meshy_blender.client import errors


def meshy_env_cache(bpy):
    from pathlib import Path

    from meshy_blender.blender.core import runtime

    return Path(runtime.current_runtime().settings.cache_dir)


def test_text_to_3d_returns_the_imported_objects_with_progress(bpy, empty_scene, meshy_env):
    from meshy_blender.blender.core import runtime

    seen: list[api.Progress] = []
    result = api.text_to_3d("a bronze owl", progress=seen.append, enable_pbr=True)
    assert result.root_objects and all(o.name in bpy.context.scene.objects
                                       for o in result.root_objects)
    assert result.root_objects[0]["meshy_prompt"] == "a bronze owl"
    # Meshy API v2: one textured text-to-3d task (the "refine" step), 30 credits as before.
    assert set(result.task_ids) == {"refine"} and result.credits == 30
    assert meshy_env.task(result.task_ids["refine"])["enable_pbr"] is True
    percents = [p.percent for p in seen]
    assert percents == sorted(percents) and seen[-1].status == "IMPORTED"
    rt = runtime.current_runtime()  # the same runtime (journal, cache) the sidebar uses
    assert rt.manager.get(result.job_id).status == "IMPORTED"
    assert (rt.journal_dir / "done" / f"job-{result.job_id}.json").is_file()  # imported


def test_a_paid_task_is_reported_before_the_import_is_warmed_up(bpy, empty_scene, meshy_env,
                                                                 monkeypatch):
    """While a job runs, the API loads what its import needs (80-120 ms of modules), but only
    after the job's paid task was reported: a run killed in between has already printed the
    task id that `meshy resume` needs."""
    from meshy_blender.blender.core import runtime

    order: list[str] = []
    monkeypatch.setattr(runtime, "warm_importer", lambda: order.append("warm"))

    def progress(now) -> None:
        if now.task_ids and "reported" not in order:
            order.append("reported")

    api.text_to_3d("a tin cup", should_texture=False, progress=progress)
    assert order == ["reported", "warm"]


def test_image_and_multi_image_to_3d(bpy, empty_scene, meshy_env, emulator_assets):
    images = [emulator_assets.root / p for p in emulator_assets.manifest["images"]]
    one = api.image_to_3d(images[0], should_texture=False)
    assert one.kind == "image-to-3d" and one.root_objects
    assert meshy_env.task(one.task_ids["image-to-3d"])["status"] == "SUCCEEDED"
    many = api.multi_image_to_3d(images[:3])
    assert many.kind == "multi-image-to-3d" and many.root_objects


def test_retexture_a_plain_mesh_uploads_it_and_can_replace_it(bpy, empty_scene, meshy_env):
    bpy.ops.mesh.primitive_monkey_add(location=(2, 0, 0))
    monkey = bpy.context.active_object
    result = api.retexture(monkey, text_style_prompt="gold", placement="REPLACE")
    task = meshy_env.task(result.task_ids["retexture"])
    assert task["status"] == "SUCCEEDED" and "input_task_id" not in task  # sent as model_url
    uploads = list((meshy_env_cache(bpy) / "uploads").glob("*.glb"))
    assert len(uploads) == 1 and uploads[0].read_bytes()[:4] == b"glTF"
    root = result.root_objects[0]
    assert tuple(root.matrix_world.translation) == pytest.approx((2, 0, 0))
    assert monkey.hide_get() and root["meshy_replaces"] == monkey.name


def test_meshy_objects_reuse_their_task_remesh_rig_animate(bpy, empty_scene, meshy_env):
    model = api.text_to_3d("a knight")
    obj = model.root_objects[0]
    remeshed = api.remesh(obj, target_polycount=3000)
    task = meshy_env.task(remeshed.task_ids["remesh"])
    assert task["input_task_id"] == model.task_ids["refine"] and task["target_formats"] == ["glb"]

    rigged = api.rig(obj, height_meters=1.8, animations=[4])
    assert meshy_env.task(rigged.task_ids["rig"])["input_task_id"] == model.task_ids["refine"]
    assert rigged.armature is not None and rigged.armature.type == "ARMATURE"
    names = {a.name.split(".")[0] for a in rigged.actions}
    assert {"Walking", "Running", "Attack"} <= names  # library names, not ids

    anim = api.animate(rigged.armature, 5)
    assert meshy_env.task(anim.task_ids["animate"])["rig_task_id"] == rigged.task_ids["rig"]
    assert anim.armature == rigged.armature and len(anim.actions) == 1
    strips = {s.action for t in rigged.armature.animation_data.nla_tracks for s in t.strips}
    assert anim.actions[0] in strips


def test_chain_and_animate_by_rig_task_id(bpy, empty_scene, meshy_env):
    chained = api.text_to_3d("a dancer", rig={}, animations=[4])
    assert list(chained.task_ids) == ["refine", "rig_check", "rig", "animate"]
    bpy.ops.wm.read_homefile(use_empty=True)
    anim = api.animate(None, 5, rig_task_id=chained.task_ids["rig"])
    assert anim.armature is not None and anim.armature.name in bpy.context.scene.objects
    creates = [r for r in meshy_env.requests("api")
               if r["method"] == "POST" and r["kind"] == "rig"]
    assert len(creates) == 1  # importing the rig again cost nothing


def test_resume_balance_status_and_list(bpy, empty_scene, meshy_env):
    first = api.text_to_3d("a lamp", should_texture=False)
    task_id = first.task_ids["preview"]
    bpy.ops.wm.read_homefile(use_empty=True)
    again = api.resume(task_id, "text-to-3d")
    assert again.task_ids == {"preview": task_id} and again.root_objects
    assert api.balance() == 10_000 - 20
    assert api.status(task_id, "text-to-3d").status == "SUCCEEDED"
    assert task_id in [t.id for t in api.list_tasks("text-to-3d")]
    assert api.estimate("text-to-3d", prompt="x", rig={}) == 36  # 30 + 1 rig check + 5 rig
    assert api.estimate("text-to-3d", prompt="x", rig={}, rig_check=False) == 35
    with pytest.raises(errors.NotFoundError):
        api.resume("0000aaaa-0000", "rig")


def test_failures_raise_the_client_exception_family(bpy, empty_scene, meshy_env, monkeypatch):
    with pytest.raises(errors.ValidationError) as bad:
        api.text_to_3d("a cup", target_polycount=5)
    assert bad.value.field == "target_polycount"
    with pytest.raises(errors.ValidationError, match="needs a model"):
        api.rig(None)

    meshy_env.set_fault("fail_tasks", "moderation")
    with pytest.raises(errors.TaskFailedError) as failed:
        api.text_to_3d("a cup", should_texture=False)
    assert failed.value.task_id and failed.value.kind == "text-to-3d-preview"
    meshy_env.clear_faults()

    with pytest.raises(errors.WaitTimeoutError, match="resume"):
        api.text_to_3d("a cup", should_texture=False, timeout=0.05)

    monkeypatch.setenv("MESHY_API_BASE", "https://api.meshy.invalid")
    with pytest.raises(errors.OnlineAccessError, match="--online-mode"):
        api.text_to_3d("a cup", should_texture=False)
    with pytest.raises(errors.OnlineAccessError):
        api.balance()
