"""Resize from the sidebar in real Blender against the emulator: the Selected Object sub-panel
for a Meshy model, its 1-credit priced button, the request Meshy receives (height, origin, the
model by task id), the resized model landing in the model's place; and what is refused before
any credit (a mesh Meshy did not make, a height of 0)."""

from __future__ import annotations

import pytest

from meshy_blender.jobs import model

from fixtures.recording_layout import draw_panel
from fixtures.ui import select_only

SHAPE_ID = "0123abcd-0000-4000-8000-00000000cafe"


def _resize_panel(bpy):
    from meshy_blender.blender.features.resize.panel import MESHY_PT_resize

    assert MESHY_PT_resize.poll(bpy.context)
    return draw_panel(MESHY_PT_resize, bpy.context)


def _resize_posts(meshy_ui):
    return [r for r in meshy_ui.posts() if r["path"] == "/openapi/v2/resize"]


def test_a_meshy_model_is_resized_by_task_id_and_lands_in_its_place(bpy, meshy_ui, meshy_key):
    s = bpy.context.scene.meshy
    first = meshy_ui.press(bpy.ops.meshy.generate_text, s, prompt="a lamp post",
                           should_texture=False)
    [shape] = [o for o in bpy.data.objects if o.get("meshy_job_id") == first.id]
    select_only(bpy, shape)
    r = bpy.context.scene.meshy_resize
    r.height, r.origin = 1.8, "bottom"
    s.replace_selection = True

    layout = _resize_panel(bpy)
    assert {"height", "origin", "replace_selection"} <= set(layout.props())
    assert "Resize (1 credit)" in layout.texts()
    balance = meshy_ui.emulator.balance(meshy_key)

    assert bpy.ops.meshy.resize() == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    assert [s.kind for s in job.steps] == ["resize"]
    sent = meshy_ui.params(job.steps[0].task_id)
    assert sent == {"input_task_id": first.step("preview").task_id, "resize_height": 1.8,
                    "origin_at": "bottom"}
    assert len(_resize_posts(meshy_ui)) == 1
    assert meshy_ui.emulator.balance(meshy_key) == balance - 1
    [resized] = [o for o in bpy.data.objects if o.get("meshy_job_id") == job.id]
    assert resized["meshy_kind"] == "resize" and resized["meshy_credits"] == 1
    # the emulator's GLB records what the resize was asked for
    assert resized["meshy_source"]["operation"] == "resize"
    assert resized["meshy_source"]["resize_height"] == pytest.approx(1.8)
    assert resized["meshy_replaces"] == shape.name and shape.hide_get()


def test_a_mesh_meshy_did_not_make_is_refused_in_artist_words(bpy, meshy_ui):
    from meshy_blender.blender.features.resize.panel import MESHY_PT_resize

    bpy.ops.mesh.primitive_cube_add()
    assert not MESHY_PT_resize.poll(bpy.context)  # no Resize section for it
    assert not bpy.ops.meshy.resize.poll()
    with pytest.raises(RuntimeError, match="Select a model Meshy made"):
        bpy.ops.meshy.resize()
    assert meshy_ui.posts() == []


def test_a_height_of_zero_is_refused_before_any_credit(bpy, meshy_ui):
    bpy.ops.mesh.primitive_cube_add()
    bpy.context.view_layer.objects.active["meshy_task_ids"] = f"preview={SHAPE_ID}"
    bpy.context.scene.meshy_resize.height = 0.0

    texts = _resize_panel(bpy).texts()
    assert "Resize" in texts and not any(t.startswith("Resize (") for t in texts)  # no price
    assert "Height: it must be more than 0 and" in texts  # the reason, by its label
    with pytest.raises(RuntimeError, match="Height: it must be more than 0"):
        bpy.ops.meshy.resize()
    assert meshy_ui.posts() == []
