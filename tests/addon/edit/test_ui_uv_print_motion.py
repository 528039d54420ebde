"""The sidebar's Selected Object tools in real Blender against the emulator: several library
animations in one task, text to motion on a rig, UV unwrap (alone or then retexture), 3D-print
analyze / repair / multi-colour, and buttons whose price Meshy does not publish.

Each test checks what the emulator received (the request an artist pays for) and draws the
Selected Object panel through the RNA-validating recording layout.
"""

from __future__ import annotations

import pytest

from meshy_blender.jobs import model

from fixtures.recording_layout import draw_panel

RIG_ID = "0123abcd-0000-4000-8000-00000000beef"


def _selected_panel(bpy):
    from meshy_blender.blender.features.edit.panel import MESHY_PT_selected

    return draw_panel(MESHY_PT_selected, bpy.context)


def _cube(bpy):
    bpy.ops.mesh.primitive_cube_add()
    return bpy.context.view_layer.objects.active


def _rig(bpy):
    bpy.ops.object.armature_add()
    rig = bpy.context.view_layer.objects.active
    rig["meshy_task_ids"] = f"rig={RIG_ID}"
    return rig


def _posts(meshy_ui, path):
    return [r for r in meshy_ui.posts() if r["path"] == path]


def _tick(bpy, ids):
    from meshy_blender.blender.core import calls, library

    bpy.ops.meshy.load_animation_library()
    calls.CALLS.wait(library.CALL)
    for item in bpy.context.window_manager.meshy.animations:
        item.selected = item.action_id in ids


def test_several_ticked_animations_go_in_one_task_with_action_ids(bpy, meshy_ui):
    _rig(bpy)
    _tick(bpy, (-2, 0, 4))  # the catalog's negative and zero ids are real animations
    layout = _selected_panel(bpy)
    assert "Animate (price not published)" in layout.texts()
    assert any("price not published: several animations in one task" in t
               for t in layout.texts())

    assert bpy.ops.meshy.animate() == {"FINISHED"}
    job = meshy_ui.last_job()
    assert [s.kind for s in job.steps] == ["animate"]  # one task, not one per animation
    assert job.steps[0].options["action_ids"] == [-2, 0, 4]
    assert job.steps[0].options["rig_task_id"] == RIG_ID


def test_a_click_whose_price_is_not_published_asks_first(bpy, meshy_ui):
    """The buttons' confirmation (``invoke_confirm``; background Blender has no window to show
    it, so the message it shows is checked): asked for an unpublished price, not otherwise."""
    from meshy_blender.blender.core import config, sidebar_requests
    from meshy_blender.blender.operators.dialog import unpublished_message

    rig = _rig(bpy)
    settings = config.resolve(bpy.context)
    s = bpy.context.scene.meshy
    _tick(bpy, (1, 2))
    req = sidebar_requests.animate(s, settings, RIG_ID, rig.name)
    assert unpublished_message(req, settings) == (
        "Meshy publishes no price for several animations in one task; it costs at least 3 "
        "credits. Send it anyway?")
    _tick(bpy, (1,))
    req = sidebar_requests.animate(s, settings, RIG_ID, rig.name)
    assert unpublished_message(req, settings) is None


def test_text_to_motion_is_made_and_applied_to_the_selected_rig(bpy, meshy_ui):
    _rig(bpy)
    n = bpy.context.scene.meshy_tools
    n.motion_prompt = "jumps over a puddle"
    n.motion_mode = "swift"
    n.motion_duration = 3.5
    layout = _selected_panel(bpy)
    assert {"motion_prompt", "motion_mode", "motion_duration"} <= set(layout.props())
    assert "Make Motion (price not published)" in layout.texts()

    assert bpy.ops.meshy.text_to_motion() == {"FINISHED"}
    job = meshy_ui.last_job()
    assert [s.kind for s in job.steps] == ["text-to-motion", "animate"]
    assert job.steps[1].options == {"rig_task_id": RIG_ID}
    assert job.steps[1].links == {"motion_task_id": "text-to-motion"}
    meshy_ui.run(job)
    assert len(_posts(meshy_ui, "/openapi/v2/text-to-motion")) == 1  # one motion, paid once
    assert meshy_ui.params(job.steps[0].task_id) == {
        "prompt": "jumps over a puddle", "mode": "swift", "duration": 3.5}


def test_text_to_motion_needs_a_description_before_any_spend(bpy, meshy_ui):
    _rig(bpy)
    layout = _selected_panel(bpy)
    assert "Make Motion" in layout.texts()  # no price: the reason is drawn instead
    with pytest.raises(RuntimeError):
        bpy.ops.meshy.text_to_motion()
    assert meshy_ui.posts() == []


def test_uv_unwrap_then_retexture_keeps_the_new_uvs(bpy, meshy_ui):
    _cube(bpy)
    n = bpy.context.scene.meshy_tools
    layout = _selected_panel(bpy)
    assert "UV Unwrap (5 credits)" in layout.texts()
    n.uv_then_retexture = True
    n.uv_retexture_prompt = "weathered bronze"
    layout = _selected_panel(bpy)
    assert "uv_retexture_prompt" in layout.props()
    assert "UV Unwrap (15 credits, 2 tasks)" in layout.texts()

    assert bpy.ops.meshy.uv_unwrap() == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    unwrap, retexture = job.steps
    assert (unwrap.kind, retexture.kind) == ("uv-unwrap", "retexture")
    # the plain mesh went as an uploaded GLB (the emulator keeps task ids, not uploads)
    assert "input_task_id" not in meshy_ui.params(unwrap.task_id)
    sent = meshy_ui.params(retexture.task_id)
    assert sent["input_task_id"] == unwrap.task_id  # the unwrapped model, never re-uploaded
    assert sent["uv_mode"] == "original"  # v1's enable_original_uv, sent under its v2 name
    assert sent["texture_prompt"] == "weathered bronze"


def test_uv_unwrap_refuses_a_mesh_over_the_face_limit_before_spending(bpy, meshy_ui):
    bpy.ops.mesh.primitive_grid_add(x_subdivisions=150, y_subdivisions=150)  # 44,402 triangles
    with pytest.raises(RuntimeError, match=r"UV unwrap accepts at most 40,000 faces"):
        bpy.ops.meshy.uv_unwrap()
    assert meshy_ui.posts() == [] and meshy_ui.jobs() == []


def test_print_analyze_is_free_shows_the_report_and_changes_nothing(bpy, meshy_ui):
    cube = _cube(bpy)
    layout = _selected_panel(bpy)
    assert "Analyze (free)" in layout.texts()
    names = sorted(o.name for o in bpy.data.objects)

    assert bpy.ops.meshy.print_analyze() == {"FINISHED"}
    job = meshy_ui.run()
    assert job.steps[0].report is not None
    assert sorted(o.name for o in bpy.data.objects) == names  # nothing imported or replaced
    assert not cube.hide_get()
    texts = _selected_panel(bpy).texts()
    metrics = job.steps[0].report["metrics"]
    assert ("Watertight" if metrics["is_watertight"] else "Not watertight") in texts
    assert f"Holes: {metrics['holes']:,}" in texts
    assert f"Non-manifold edges: {metrics['non_manifold_edges']:,}" in texts
    assert any(t.startswith("Volume: ") for t in texts)


def test_print_repair_and_multi_colour_send_their_options(bpy, meshy_ui):
    _cube(bpy)
    n = bpy.context.scene.meshy_tools
    n.print_max_colors = 6
    n.print_max_depth = 5
    layout = _selected_panel(bpy)
    assert {"Repair (10 credits)", "Multi-colour 3MF (10 credits)"} <= set(layout.texts())
    assert any("3MF is saved" in t for t in layout.texts())

    assert bpy.ops.meshy.print_multi_color() == {"FINISHED"}
    job = meshy_ui.last_job()
    meshy_ui.run(job)
    sent = meshy_ui.params(job.steps[0].task_id)
    assert (sent["max_colors"], sent["max_depth"]) == (6, 5)
    assert job.steps[0].downloads == ["3mf"]

    assert bpy.ops.meshy.print_repair() == {"FINISHED"}
    job = meshy_ui.last_job()
    assert [s.kind for s in job.steps] == ["print-repair"]


def test_each_library_action_shows_its_preview_where_meshy_gives_one(bpy, meshy_ui):
    _rig(bpy)
    _tick(bpy, ())
    wm_state = bpy.context.window_manager.meshy
    wm_state.animation_index = next(i for i, a in enumerate(wm_state.animations)
                                    if a.action_id == 0)
    layout = _selected_panel(bpy)
    [preview] = [c for c in layout.operators() if c["kwargs"]["operator"] == "wm.url_open"
                 and c["kwargs"].get("text", "").startswith("Preview")]
    assert preview["kwargs"]["text"] == "Preview 'Idle'"
    assert preview["props"]["url"].endswith("/Idle.gif")
    wm_state.animation_index = next(i for i, a in enumerate(wm_state.animations)
                                    if a.action_id == -2)
    assert "No preview for 'Catalog_Minus_2'" in _selected_panel(bpy).texts()
