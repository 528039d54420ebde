"""The tools' results land through the pump in real Blender (API notes): concept images as
Blender images, several clips as one action each on the rig, a text-to-motion applied to a rig
or imported on its own, an unwrapped or repaired model (in place where asked), the printability
report where the sidebar reads it, a 3MF beside the .blend."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_client_e2e import preview

from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job


@pytest.fixture
def land(make_client, emulator, make_manager):
    """land(request, options, **import_options) -> the finished job and what it landed."""
    from meshy_blender.blender.core.pump import Pump, run_until_done
    from meshy_blender.blender.scene.import_job import import_job

    client = make_client(base_url=emulator.api_url)
    pump = Pump(make_manager(client), import_job)

    def go(request, options, **import_options):
        job = pump.manager.submit(plan_job(request, options, import_options=import_options))
        run_until_done(pump, [job.id], timeout=60)
        assert job.status == model.IMPORTED, (job.detail, job.import_error)
        return job, pump.results[job.id]

    go.client = client
    return go


def _rig(bpy, land):
    """A Meshy rig in the scene (its armature and rig task id)."""
    job, result = land("text-to-3d", {"prompt": "a knight", "rig": {}})
    return result.armature, job.step("rig").task_id


def test_concept_images_load_as_blender_images(bpy, empty_scene, land):
    job, landed = land("text-to-image", {"ai_model": "nano-banana", "prompt": "a lamp",
                                         "generate_multi_view": True})
    assert [i.name for i in landed.images] and len(landed.images) == 3
    assert all(i.name in bpy.data.images and i.size[0] > 0 for i in landed.images)
    assert {Path(i.filepath).resolve() for i in landed.images} == {
        Path(p).resolve() for p in job.files.values()}


def test_several_actions_land_as_one_action_each_in_order(bpy, empty_scene, land):
    armature, rig_id = _rig(bpy, land)
    names = {"-2": "Alert", "0": "Arise", "3": "Agree_Gesture"}
    job, actions = land("animate", {"rig_task_id": rig_id, "action_ids": [-2, 3, 0]},
                        target_armature=armature.name, action_names=names)
    assert [a.name for a in actions] == ["Alert", "Agree_Gesture", "Arise"]
    tracks = {s.action for t in armature.animation_data.nla_tracks for s in t.strips}
    assert set(actions) <= tracks  # NLA-ready: one track per clip
    assert all(a["meshy_job_id"] == job.id for a in actions)


def test_text_to_motion_applied_to_a_rig_is_an_action(bpy, empty_scene, land):
    armature, rig_id = _rig(bpy, land)
    objects_before = set(bpy.data.objects)
    _, actions = land("text-to-motion", {"prompt": "a deep bow", "mode": "swift",
                                         "apply_to_rig": rig_id},
                      target_armature=armature.name)
    assert len(actions) == 1 and actions[0].name.startswith("Motion a deep bow")
    assert set(bpy.data.objects) == objects_before  # no second copy of the character
    tracks = {s.action for t in armature.animation_data.nla_tracks for s in t.strips}
    assert actions[0] in tracks


@pytest.mark.parametrize("mode", ["swift", "prime"])
def test_standalone_motion_imports_an_animated_armature(bpy, empty_scene, land, mode):
    job, result = land("text-to-motion", {"prompt": "a jump", "mode": mode})
    assert Path(job.files["text-to-motion.motion"]).suffix == (".bvh" if mode == "swift"
                                                               else ".fbx")
    assert result.armature is not None and result.armature.animation_data is not None
    assert result.root_objects[0]["meshy_kind"] == "text-to-motion"


def test_uv_unwrap_and_print_repair_replace_in_place(bpy, empty_scene, land):
    source = preview(land.client)
    bpy.ops.mesh.primitive_cube_add(location=(3, 0, 0))
    cube = bpy.context.active_object
    _, unwrapped = land("uv-unwrap", {"input_task_id": source.id}, placement="REPLACE",
                        source_object=cube.name)
    root = unwrapped.root_objects[0]
    assert tuple(root.matrix_world.translation) == pytest.approx((3, 0, 0))
    assert cube.hide_get() and root["meshy_replaces"] == cube.name
    assert root.data.uv_layers, "the unwrapped model has UVs"
    _, repaired = land("print-repair", {"input_task_id": source.id})
    assert repaired.root_objects and repaired.root_objects[0]["meshy_kind"] == "print-repair"


def test_print_report_is_stored_on_the_object_and_scene(bpy, empty_scene, land):
    from meshy_blender.blender.core.notices import imported_text
    from meshy_blender.blender.scene.import_images_motion_print import read_print_report

    source = preview(land.client)
    bpy.ops.mesh.primitive_cube_add()
    cube = bpy.context.active_object
    vertices = len(cube.data.vertices)
    _, landed = land("print-analyze", {"input_task_id": source.id}, source_object=cube.name)
    assert landed.report["metrics"]["holes"] == 1
    for holder in (cube, bpy.context.scene):
        assert read_print_report(holder)["metrics"]["is_watertight"] is False
    assert len(cube.data.vertices) == vertices and not cube.hide_get()  # nothing destructive
    text = imported_text({}, landed)  # the status-bar line when the job lands
    assert "not watertight" in text and "1 holes" in text


def test_multicolour_3mf_is_saved_next_to_the_blend(bpy, empty_scene, land, tmp_path,
                                                    monkeypatch):
    """Saved where results are saved (save_location.py), and the report says where: the
    chosen folder (MESHY_SAVE_DIR here), else beside the saved .blend."""
    import zipfile

    from meshy_blender.blender.core.notices import imported_text

    source = preview(land.client)
    chosen = tmp_path / "prints"
    monkeypatch.setenv("MESHY_SAVE_DIR", str(chosen))
    job, unsaved = land("print-multi-color", {"input_task_id": source.id})
    (copied,) = unsaved.saved_files
    assert Path(copied).parent == chosen.resolve() and zipfile.is_zipfile(copied)
    assert Path(job.files["print-multi-color.3mf"]).is_file()  # the cache keeps its copy
    assert imported_text({}, unsaved) == f"Meshy: saved {Path(copied).name} to {chosen}"
    monkeypatch.delenv("MESHY_SAVE_DIR")
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "shot.blend"))
    try:
        _, landed = land("print-multi-color", {"input_task_id": source.id, "max_colors": 4})
    finally:
        bpy.ops.wm.read_factory_settings(use_empty=True)
    (saved,) = landed.saved_files
    assert Path(saved).parent == tmp_path and zipfile.is_zipfile(saved)
    assert imported_text({}, landed) == f"Meshy: saved {Path(saved).name} to {tmp_path}"
