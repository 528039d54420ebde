"""Selected-object operators end to end: Retexture, Remesh, Rig and Animate in real Blender.

Plain meshes are exported to GLB and uploaded; Meshy-made objects go back by task id.
"""

from __future__ import annotations

import pytest

from meshy_blender.jobs import model

from fixtures.ui import select_only


def _new_roots(bpy, job):
    return [o for o in bpy.data.objects if o.get("meshy_job_id") == job.id]


def _close(a, b, tol=1e-4):
    return all(abs(x - y) < tol for ra, rb in zip(a, b, strict=True)
               for x, y in zip(ra, rb, strict=True))


def _plain_cube(bpy):
    bpy.ops.mesh.primitive_cube_add(location=(4.0, -1.0, 0.5), rotation=(0.0, 0.0, 0.7))
    cube = bpy.context.view_layer.objects.active
    cube.scale = (2.0, 2.0, 2.0)
    cube.modifiers.new("bevel", "BEVEL")
    return cube


def test_retexture_of_a_plain_mesh_in_edit_mode_uploads_it_and_replaces_it(bpy, meshy_ui):
    cube = _plain_cube(bpy)
    bpy.ops.object.mode_set(mode="EDIT")
    s = bpy.context.scene.meshy
    s.retexture_prompt = "mossy stone"
    s.replace_selection = True
    before = cube.matrix_world.copy()

    assert bpy.ops.meshy.retexture() == {"FINISHED"}
    assert cube.mode == "EDIT"  # the export put the artist back where they were
    job = meshy_ui.run()

    assert job.status == model.IMPORTED, job.detail
    [root] = _new_roots(bpy, job)
    # The emulator returns the uploaded GLB itself and records what it received.
    received = root["meshy_source"]
    assert received["format"] == "glb"
    assert received["faces"] > 12  # the bevel modifier was applied before upload
    assert meshy_ui.params(job.steps[0].task_id)["texture_prompt"] == "mossy stone"
    assert "input_task_id" not in meshy_ui.params(job.steps[0].task_id)
    assert _close(root.matrix_world, before)  # exactly where the original was
    assert cube.hide_get() and cube.hide_render and cube.name in bpy.data.objects
    assert root["meshy_replaces"] == cube.name
    assert bpy.context.view_layer.objects.active == root


def test_meshy_model_goes_back_by_task_id_through_remesh_rig_and_animate(bpy, meshy_ui):
    """The whole chain a character artist runs, each step from the sidebar on the result of
    the previous one: generate -> remesh -> rig -> add a library animation."""
    s = bpy.context.scene.meshy
    s.prompt = "a knight"
    s.should_texture = False
    bpy.ops.meshy.generate_text()
    first = meshy_ui.run()
    [generated] = _new_roots(bpy, first)
    select_only(bpy, generated)

    s.remesh_topology = "triangle"
    s.remesh_polycount = 5000
    s.remesh_use_height = True
    s.remesh_height = 1.8
    assert bpy.ops.meshy.remesh() == {"FINISHED"}
    remesh_job = meshy_ui.run()
    assert remesh_job.status == model.IMPORTED, remesh_job.detail
    params = meshy_ui.params(remesh_job.steps[0].task_id)
    assert params["input_task_id"] == first.step("preview").task_id
    assert (params["topology"], params["target_polycount"]) == ("triangle", 5000)
    [remeshed] = _new_roots(bpy, remesh_job)
    assert generated.hide_get() and remeshed["meshy_replaces"] == generated.name

    select_only(bpy, remeshed)
    s.rig_height = 1.9
    assert bpy.ops.meshy.rig() == {"FINISHED"}
    rig_job = meshy_ui.run()
    assert rig_job.status == model.IMPORTED, rig_job.detail
    assert meshy_ui.params(rig_job.steps[0].task_id)["input_task_id"] == \
        remesh_job.steps[0].task_id
    armature = next(o for o in _new_roots(bpy, rig_job) if o.type == "ARMATURE")
    tracks = {t.name for t in armature.animation_data.nla_tracks}
    assert {"Walking", "Running"} <= tracks

    # Animate: only enabled for a Meshy rig; the picker's library names the action.
    select_only(bpy, remeshed)
    assert not bpy.ops.meshy.animate.poll()
    select_only(bpy, armature)
    assert bpy.ops.meshy.animate.poll()
    from meshy_blender.blender.core import calls, library

    assert bpy.ops.meshy.load_animation_library() == {"FINISHED"}
    calls.CALLS.wait(library.CALL)
    wm_state = bpy.context.window_manager.meshy
    assert len(wm_state.animations) == 40  # the emulator's catalog: ids -2..35, 9001-9002
    wm_state.animation_index = next(i for i, a in enumerate(wm_state.animations)
                                    if a.action_id == 4)
    assert s.action_id == 4
    assert bpy.ops.meshy.animate() == {"FINISHED"}
    anim_job = meshy_ui.run()
    assert anim_job.status == model.IMPORTED, anim_job.detail
    name = wm_state.animations[wm_state.animation_index].name
    assert name in {t.name for t in armature.animation_data.nla_tracks}
    assert sum(1 for o in bpy.data.objects if o.type == "ARMATURE") == 1


def test_rig_of_a_plain_mesh_uploads_a_glb_and_lands_an_armature(bpy, meshy_ui):
    bpy.ops.mesh.primitive_cube_add(location=(3.0, 0.0, 0.0))
    cube = bpy.context.view_layer.objects.active
    cube.scale = (0.3, 0.2, 1.8)  # a standing, humanoid-proportioned block (the emulator checks)
    select_only(bpy, cube)
    assert bpy.ops.meshy.rig() == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    assert "input_task_id" not in meshy_ui.params(job.steps[0].task_id)
    assert cube.matrix_world.translation.x == pytest.approx(3.0)  # export put it back
    roots = _new_roots(bpy, job)
    assert [o.type for o in roots] == ["ARMATURE"]
    assert not cube.hide_get()  # rigging adds a character; it does not replace the mesh


def test_rigging_refuses_too_many_faces_before_uploading(bpy, meshy_ui):
    bpy.ops.mesh.primitive_grid_add(x_subdivisions=405, y_subdivisions=405)  # 163,216 quads
    grid = bpy.context.view_layer.objects.active
    select_only(bpy, grid)
    with pytest.raises(RuntimeError, match=r"at most 320,000"):
        bpy.ops.meshy.rig()
    assert meshy_ui.posts() == [] and meshy_ui.jobs() == []


def test_nothing_to_send_disables_the_buttons(bpy, meshy_ui):
    bpy.ops.object.camera_add()
    assert not bpy.ops.meshy.retexture.poll()
    assert not bpy.ops.meshy.remesh.poll()
    assert not bpy.ops.meshy.rig.poll()
    assert not bpy.ops.meshy.animate.poll()


def test_negative_catalog_action_ids_are_kept(bpy, meshy_ui):
    """Meshy's catalog has ids -2, -1 and 0: picking one must not be clamped to 0."""
    s = bpy.context.scene.meshy
    s.action_id = -2
    assert s.action_id == -2
