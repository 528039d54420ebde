"""Rigging checks first and keeps the rig type, in real Blender against the emulator: the
Python API, the CLI and the sidebar's Animate list (only the clips for that rig type)."""

from __future__ import annotations

import json

import pytest

from meshy_blender import api, cli
from meshy_blender.client import errors

from fixtures.emulator import created_tasks
from fixtures.glb_shapes import box_glb
from fixtures.recording_layout import draw_panel


def test_a_quadruped_keeps_its_rig_type_and_is_offered_its_clips(bpy, addon, empty_scene,
                                                                meshy_env, tmp_path):
    from meshy_blender.blender.core import calls, library
    from meshy_blender.blender.features.edit.panel import MESHY_PT_selected

    dog = box_glb(tmp_path / "dog.glb", 2.0, 1.0, 0.6)
    rigged = api.rig(str(dog))
    assert list(rigged.task_ids) == ["rig_check", "rig"] and rigged.credits == 6
    assert rigged.rig_type == "quadruped"
    root = next(o for o in rigged.root_objects if "meshy_task_ids" in o)
    assert root["meshy_rig_type"] == "quadruped"

    bpy.context.view_layer.objects.active = rigged.armature
    assert bpy.ops.meshy.load_animation_library() == {"FINISHED"}
    calls.CALLS.wait(library.CALL)
    wm_state = bpy.context.window_manager.meshy
    for item in wm_state.animations:
        item.selected = item.action_id in (1, 9001)  # a biped clip and a quadruped one
    layout = draw_panel(MESHY_PT_selected, bpy.context)
    assert f"Meshy rig: {rigged.armature.name} (quadruped)" in layout.texts()
    (listed,) = [c for c in layout.calls if c["call"] == "template_list"]
    assert listed["kwargs"]["list_id"] == "quadruped"  # MESHY_UL_animations filters by it
    assert library.selected_ids("quadruped") == [9001]
    assert library.selected_ids("biped") == [1] and library.selected_ids() == [1, 9001]
    assert "Animate (3 credits)" in layout.texts()  # the biped clip is not sent
    for item in wm_state.animations:
        item.selected = False

    clip = api.animate(rigged.armature, 9001)
    assert len(clip.actions) == 1
    with pytest.raises(errors.InvalidRequestError, match=r"another kind of rig .* Animate"):
        api.animate(rigged.armature, 1)  # Meshy: 400 rig_type_mismatch, a biped's clip


def test_a_model_meshy_cannot_rig_costs_only_the_check(bpy, empty_scene, meshy_env, tmp_path):
    plate = box_glb(tmp_path / "plate.glb", 2.0, 0.01, 2.0)
    with pytest.raises(errors.NotRiggableError, match="cannot be rigged") as refused:
        api.rig(str(plate))
    assert set(refused.value.task_ids) == {"rig_check"}
    assert api.balance() == 10_000 - 1
    assert [r["kind"] for r in created_tasks(meshy_env)] == ["rig-check"]


def test_a_flat_selection_is_refused_before_the_check_is_paid(bpy, empty_scene, meshy_env):
    """A plane or a sheet in the scene cannot be a character: refused for free, before the
    1-credit check (a GLB file given by path still goes through Meshy's check, above)."""
    bpy.ops.mesh.primitive_plane_add(size=2.0)
    plane = bpy.context.active_object
    with pytest.raises(errors.ValidationError, match=r"flat \(2\.00 x 2\.00 x 0\.00 m\)"):
        api.rig(plane)
    assert created_tasks(meshy_env) == [] and api.balance() == 10_000
    bpy.ops.mesh.primitive_cube_add(size=1.0)
    slim = bpy.context.active_object
    for v in slim.data.vertices:  # a slim standing figure (3 % deep) is not flat
        v.co.x, v.co.y, v.co.z = v.co.x * 0.5, v.co.y * 0.05, v.co.z * 1.8
    api.rig(slim)
    assert [r["kind"] for r in created_tasks(meshy_env)] == ["rig-check", "rig"]


def test_the_cli_checks_first_unless_told_not_to(bpy, empty_scene, meshy_env, capfd,
                                                 tmp_path):
    dog = box_glb(tmp_path / "dog.glb", 2.0, 1.0, 0.6)
    code = cli.main(["rig", "--input", str(dog), "--json", "--quiet"])
    data = json.loads(capfd.readouterr().out)
    assert code == 0, data
    assert set(data["task_ids"]) == {"rig_check", "rig"} and data["rig_type"] == "quadruped"
    code = cli.main(["rig", "--input", str(dog), "--no-rig-check", "--json", "--quiet"])
    data = json.loads(capfd.readouterr().out)
    assert code == 0, data
    assert list(data["task_ids"]) == ["rig"] and data["rig_type"] == "quadruped"
