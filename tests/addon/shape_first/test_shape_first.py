"""Shape first in real Blender against the emulator: Generate with Texture off lands the
untextured shape; "Texture It" sends exactly one refine task of that preview and the textured
model takes the shape's place (same transform, the shape hidden, one undo step)."""

from __future__ import annotations

import time

import pytest

from meshy_blender.client.errors import ValidationError
from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job

from fixtures.recording_layout import draw_panel
from fixtures.ui import select_only

PREVIEW_ID = "0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"


def _roots(bpy, job):
    return [o for o in bpy.data.objects if o.get("meshy_job_id") == job.id]


def _kinds(meshy_ui):
    return [p["path"] for p in meshy_ui.posts()]


def _shape(bpy, meshy_ui, prompt):
    """Generate with Texture off; returns (job, the untextured shape)."""
    s = bpy.context.scene.meshy
    s.prompt = prompt
    s.should_texture = False
    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    [shape] = _roots(bpy, job)
    return job, shape


def test_texturing_an_existing_preview_plans_one_refine_task_and_nothing_else():
    job = plan_job("text-to-3d", {"preview_task_id": PREVIEW_ID, "prompt": "a vase",
                                  "should_texture": False, "enable_pbr": True,
                                  "texture_prompt": "blue glaze"})
    [step] = job.steps
    assert step.kind == "text-to-3d-refine"
    assert step.options["preview_task_id"] == PREVIEW_ID
    assert step.options["texture_prompt"] == "blue glaze"
    assert job.estimated_credits == step.estimated_credits > 0
    # What made the shape (here as a studio policy would pin it) no longer applies: dropped.
    [step] = plan_job("text-to-3d", {"preview_task_id": PREVIEW_ID, "topology": "quad",
                                     "target_polycount": 5000}).steps
    assert "topology" not in step.options and "target_polycount" not in step.options
    with pytest.raises(ValidationError, match="texture_promt"):
        plan_job("text-to-3d", {"preview_task_id": PREVIEW_ID, "texture_promt": "x"})


def test_shape_first_then_texture_it_replaces_the_shape_in_place(bpy, meshy_ui):
    from meshy_blender.blender import panels

    s = bpy.context.scene.meshy
    shape_job, shape = _shape(bpy, meshy_ui, "a tall ceramic vase")
    assert [st.kind for st in shape_job.steps] == ["text-to-3d-preview"]
    assert shape["meshy_untextured"]
    shape.location = (3.0, -2.0, 0.5)
    shape.rotation_euler = (0.0, 0.0, 0.8)
    bpy.context.view_layer.update()
    before = shape.matrix_world.copy()
    select_only(bpy, shape)

    selected = next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_selected")
    drawn = draw_panel(selected, bpy.context)
    [button] = [c for c in drawn.operators() if c["kwargs"]["operator"] == "meshy.texture_shape"]
    assert button["kwargs"]["text"].startswith("Texture It (")
    assert "credits" in button["kwargs"]["text"]

    # The shape's Tasks row offers it too, priced, naming its shape.
    tasks = next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_tasks")
    [row_button] = [c for c in draw_panel(tasks, bpy.context).operators()
                    if c["kwargs"]["operator"] == "meshy.texture_shape"]
    assert row_button["kwargs"]["text"] == button["kwargs"]["text"]
    assert row_button["props"] == {"object_name": shape.name}

    shape_name = shape.name
    textured_job = meshy_ui.press(bpy.ops.meshy.texture_shape, s, texture_prompt="blue glaze",
                                  texture_source="PROMPT")

    # Exactly one shape and one texturing task were paid for: a v2 retexture of that very shape.
    paid = [p for p in meshy_ui.posts() if p.get("created_task_id")]
    assert len(paid) == 2, _kinds(meshy_ui)
    assert [p["path"] for p in paid] == ["/openapi/v2/text-to-3d", "/openapi/v2/retexture"]
    [refine] = textured_job.steps
    assert refine.kind == "text-to-3d-refine"
    params = meshy_ui.params(refine.task_id)
    assert params["input_task_id"] == shape_job.steps[0].task_id
    assert params["texture_prompt"] == "blue glaze"

    [textured] = _roots(bpy, textured_job)
    assert "meshy_untextured" not in textured
    assert textured["meshy_replaces"] == shape_name
    assert textured["meshy_prompt"] == "a tall ceramic vase"
    assert all(abs(a - b) < 1e-4 for ra, rb in zip(textured.matrix_world, before, strict=True)
               for a, b in zip(ra, rb, strict=True))
    assert shape_name not in bpy.data.objects  # done with: removed (issue 24), undo brings it
    # A textured model is no shape any more: no second "Texture It" for it.
    select_only(bpy, textured)
    assert not bpy.ops.meshy.texture_shape.poll()


def test_texture_it_is_offered_only_for_an_untextured_shape(bpy, meshy_ui):
    from meshy_blender.blender.ui import menus

    bpy.ops.mesh.primitive_cube_add()
    assert not bpy.ops.meshy.texture_shape.poll()
    assert "meshy.texture_shape" not in [a[0] for a in menus.object_actions(bpy.context)]
    _, shape = _shape(bpy, meshy_ui, "a lamp")
    select_only(bpy, shape)
    assert bpy.ops.meshy.texture_shape.poll()
    assert menus.object_actions(bpy.context)[0][0] == "meshy.texture_shape"


def test_three_candidates_side_by_side_then_pick_one_makes_one_refine_task(bpy, meshy_ui):
    from meshy_blender.blender import panels
    from meshy_blender.blender.core import calls, costs, sidebar_requests
    from meshy_blender.blender.core.config import resolve

    s = bpy.context.scene.meshy
    s.prompt = "a stone garden lantern"
    s.should_texture = False
    s.candidates = 3
    generate = next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_generate")
    drawn = draw_panel(generate, bpy.context)
    one = costs.estimate(sidebar_requests.generate(s, resolve(bpy.context), estimate=True))
    [button] = [c for c in drawn.operators()
                if c["kwargs"]["operator"] == "meshy.generate_text"]
    assert button["kwargs"]["text"] == f"Generate 3 Candidates ({3 * one.credits} credits, 3 tasks)"

    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    jobs = meshy_ui.jobs()[-3:]
    for job in jobs:
        meshy_ui.run(job)
        assert job.status == model.IMPORTED, job.detail
    roots = [_roots(bpy, job)[0] for job in jobs]
    assert sorted(r["meshy_candidate"] for r in roots) == [1, 2, 3]
    assert len({r["meshy_candidate_group"] for r in roots}) == 1
    assert [r.name for r in sorted(roots, key=lambda r: r["meshy_candidate"])] == [
        "a stone garden lantern 1", "a stone garden lantern 2", "a stone garden lantern 3"]
    xs = sorted(r.matrix_world.translation.x for r in roots)
    assert xs[1] - xs[0] >= 1.0 and xs[2] - xs[1] >= 1.0  # side by side, not on top
    assert len(meshy_ui.posts()) == 3

    picked = next(r for r in roots if r["meshy_candidate"] == 2)
    picked_id = picked["meshy_task_ids"].split("=")[1]
    others = {r.name: r["meshy_task_ids"].split("=")[1] for r in roots if r is not picked}
    select_only(bpy, picked)
    s.discard_candidates = True
    drawn = draw_panel(next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_selected"),
                       bpy.context)
    assert "discard_candidates" in drawn.props()
    assert bpy.ops.meshy.texture_shape() == {"FINISHED"}
    refine_job = meshy_ui.run()
    assert refine_job.status == model.IMPORTED, refine_job.detail
    creating = [p for p in meshy_ui.posts() if p.get("created_task_id")]
    assert len(creating) == 4  # three shapes, one texture: nothing else was paid for
    params = meshy_ui.params(refine_job.steps[0].task_id)
    assert params["input_task_id"] == picked_id
    assert not set(others) & set(bpy.data.objects.keys())  # removed from the file
    calls.CALLS.wait("discard_candidates")
    deleted = {r["path"].rsplit("/", 1)[-1] for r in meshy_ui.emulator.requests("api")
               if r["method"] == "DELETE"}
    assert deleted == set(others.values())


def test_a_chain_shows_its_shape_at_once_and_the_result_replaces_it(bpy, meshy_ui,
                                                                   monkeypatch):
    """A shape then a remesh: the shape lands while the remesh is still being made, is not
    offered for texturing (the chain goes on from it), and the result takes its place (the
    artist moved it meanwhile: the result lands where it is now). Texture on is one call now:
    no shape on the way."""
    from meshy_blender.blender.core.pump import run_until_done

    monkeypatch.setattr(meshy_ui.emulator.store, "task_seconds", 1.5)
    s = bpy.context.scene.meshy
    s.prompt = "a marble bust"
    s.should_texture = False
    s.chain_remesh = True
    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    job = meshy_ui.last_job()
    pump = meshy_ui.runtime().pump

    def shape_landed(_pump):
        return any(o.get("meshy_intermediate") for o in _roots(bpy, job))

    deadline = time.monotonic() + 30
    while not shape_landed(pump) and time.monotonic() < deadline:
        pump.tick(budget=0.01)
        time.sleep(0.02)
    [shape] = _roots(bpy, job)
    assert shape.get("meshy_intermediate") and job.is_active  # early: the remesh still runs
    assert shape["meshy_task_ids"].startswith("preview=")
    select_only(bpy, shape)
    assert not bpy.ops.meshy.texture_shape.poll()
    shape.location = (0.0, 4.0, 0.0)
    bpy.context.view_layer.update()

    run_until_done(pump, [job.id], timeout=60)
    assert job.status == model.IMPORTED, job.detail
    [result] = _roots(bpy, job)  # the stand-in is gone, only the result remains
    assert not result.get("meshy_intermediate") and "meshy_replaces" not in result
    assert tuple(result.matrix_world.translation) == pytest.approx((0.0, 4.0, 0.0))
    assert "remesh=" in result["meshy_task_ids"]
    assert len([p for p in meshy_ui.posts() if p.get("created_task_id")]) == 2


def test_texture_it_from_a_tasks_row_textures_the_named_shape_in_one_undo_step(
        bpy, meshy_ui, undo_as_in_the_ui):
    shape_job, shape = _shape(bpy, meshy_ui, "a lamp")
    bpy.ops.mesh.primitive_cube_add(location=(5, 0, 0))  # something else is active now
    bpy.ops.ed.undo_push(message="before texturing")
    name = shape.name
    assert bpy.ops.meshy.texture_shape(object_name=name) == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    assert meshy_ui.params(job.steps[0].task_id)["input_task_id"] == \
        shape_job.steps[0].task_id
    assert _roots(bpy, job)[0]["meshy_replaces"] == name
    assert name not in bpy.data.objects

    bpy.ops.ed.undo()  # one step takes the textured model back and shows the shape again
    assert _roots(bpy, job) == []
    assert not bpy.data.objects[name].hide_get()


def test_an_untextured_image_shape_is_textured_by_one_retexture_in_place(bpy, meshy_ui,
                                                                        emulator_assets):
    s = bpy.context.scene.meshy
    s.mode = "IMAGE"
    s.image.filepath = str(emulator_assets.root / emulator_assets.manifest["images"][0])
    s.should_texture = False
    assert bpy.ops.meshy.generate_image() == {"FINISHED"}
    shape_job = meshy_ui.run()
    assert shape_job.status == model.IMPORTED, shape_job.detail
    [shape] = _roots(bpy, shape_job)
    shape.location = (-2.0, 1.0, 0.0)
    bpy.context.view_layer.update()
    select_only(bpy, shape)
    assert bpy.ops.meshy.texture_shape.poll()

    shape_name = shape.name
    job = meshy_ui.press(bpy.ops.meshy.texture_shape, s, texture_source="PROMPT",
                         texture_prompt="painted wood")
    [step] = job.steps
    assert step.kind == "retexture"
    params = meshy_ui.params(step.task_id)
    assert params["input_task_id"] == shape_job.steps[0].task_id
    assert params["texture_prompt"] == "painted wood"  # v2 name
    assert len([p for p in meshy_ui.posts() if p.get("created_task_id")]) == 2
    [textured] = _roots(bpy, job)
    assert tuple(textured.matrix_world.translation) == pytest.approx((-2.0, 1.0, 0.0))
    assert textured["meshy_replaces"] == shape_name and shape_name not in bpy.data.objects


PAID = ("meshy.texture_shape", "meshy.retexture", "meshy.remesh", "meshy.rig",
        "meshy.retry_job")


def _enabled_paid_buttons(bpy, layout):
    """Paid buttons an artist could press: drawn in an enabled layout, operator poll true."""
    return [c["kwargs"]["operator"] for c in layout.operators()
            if c["kwargs"]["operator"] in PAID and c["layout"].is_enabled()
            and getattr(bpy.ops.meshy, c["kwargs"]["operator"].split(".")[1]).poll()]


def test_undo_after_texture_it_with_deletion_offers_nothing_paid_for_the_deleted(
        bpy, meshy_ui, undo_as_in_the_ui):
    """Issue 24: Ctrl-Z brought the deleted candidates back with a working "Texture It (10
    credits)"; Meshy no longer had them. Deleted task ids are remembered outside the undo
    stack, so after undo no panel offers a paid action on them."""
    from meshy_blender.blender import panels
    from meshy_blender.blender.core import calls

    s = bpy.context.scene.meshy
    s.prompt = "a clay pot"
    s.should_texture = False
    s.candidates = 3
    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    jobs = meshy_ui.jobs()[-3:]
    for job in jobs:
        assert meshy_ui.run(job).status == model.IMPORTED
    roots = [_roots(bpy, job)[0] for job in jobs]
    picked = next(r for r in roots if r["meshy_candidate"] == 1)
    other_names = [r.name for r in roots if r is not picked]
    select_only(bpy, picked)
    s.discard_candidates = True
    bpy.ops.ed.undo_push(message="before texturing")
    assert bpy.ops.meshy.texture_shape() == {"FINISHED"}
    assert meshy_ui.run().status == model.IMPORTED
    calls.CALLS.wait("discard_candidates")
    posts_before = len(meshy_ui.posts())

    bpy.ops.ed.undo()
    back = [bpy.data.objects[n] for n in other_names if n in bpy.data.objects]
    assert back, "undo brings the discarded candidates back into the file"
    selected = next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_selected")
    tasks = next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_tasks")
    for obj in back:
        obj.hide_set(False)  # even shown again and active
        select_only(bpy, obj)
        drawn = draw_panel(selected, bpy.context)
        assert _enabled_paid_buttons(bpy, drawn) == [], obj.name
        assert "Meshy deleted this shape's task" in " ".join(drawn.texts())
        for op in ("texture_shape", "retexture", "remesh", "rig"):
            assert not getattr(bpy.ops.meshy, op).poll(), op
        rows = draw_panel(tasks, bpy.context)
        shape_buttons = [c for c in rows.operators()
                         if c["kwargs"]["operator"] == "meshy.texture_shape"
                         and c.get("props", {}).get("object_name") in other_names]
        assert shape_buttons == []
    with pytest.raises(RuntimeError):  # called anyway (a script): refused, nothing sent
        bpy.ops.meshy.texture_shape(object_name=back[0].name)
    assert len(meshy_ui.posts()) == posts_before


def test_a_failure_running_again_cannot_fix_offers_no_retry(bpy, meshy_ui):
    """A job whose input Meshy deleted (NotFoundError) shows its error and no Retry; a server
    hiccup still offers a priced Retry."""
    from meshy_blender.blender import panels

    job, _shape_obj = _shape(bpy, meshy_ui, "a jug")
    rt = meshy_ui.runtime()
    tasks = next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_tasks")
    snap = rt.pump.view[job.id]
    rt.pump.view[job.id] = {**snap, "status": model.FAILED, "error": {
        "type": "NotFoundError", "message": "Meshy no longer has this task",
        "retryable": False, "task_ids": {}}}
    drawn = draw_panel(tasks, bpy.context)
    assert "meshy.retry_job" not in drawn.operator_ids()
    with pytest.raises(RuntimeError, match="cannot succeed by running it again"):
        bpy.ops.meshy.retry_job(job_id=job.id)
    assert meshy_ui.jobs()[-1].id == job.id  # nothing submitted
    rt.pump.view[job.id] = {**snap, "status": model.FAILED, "error": {
        "type": "ServerError", "message": "boom", "retryable": True, "task_ids": {}}}
    drawn = draw_panel(tasks, bpy.context)
    assert "meshy.retry_job" in drawn.operator_ids()


def _meshy_collections(bpy):
    top = bpy.data.collections.get("Meshy")
    return [c.name for c in top.children] if top is not None else []


def _assets(bpy):
    return [o.name for o in bpy.data.objects if o.asset_data is not None]


def _candidate_shapes_landed(bpy, meshy_ui, prompt: str, count: int):
    """``count`` untextured candidates of ``prompt``, marked as assets, imported."""
    meshy_ui.prefs.mark_assets = True
    s = bpy.context.scene.meshy
    s.prompt = prompt
    s.should_texture = False
    s.candidates = count
    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    for job in meshy_ui.jobs()[-count:]:
        assert meshy_ui.run(job).status == model.IMPORTED
    return s


def test_one_prop_through_shape_first_leaves_one_collection_and_one_asset(bpy, meshy_ui,
                                                                          tmp_path):
    """Issue 24: 3 candidates, pick one, Texture It deleting the others: the file keeps the
    textured prop only (the replaced shape and the discarded candidates are removed, none is
    left behind as an asset), and so does the saved file, whose catalogs name only its
    catalog."""
    from meshy_blender.blender.scene import assets

    s = _candidate_shapes_landed(bpy, meshy_ui, "a copper kettle", 3)
    assert len(_meshy_collections(bpy)) == 3 and len(_assets(bpy)) == 3
    picked = next(o for o in bpy.data.objects if o.get("meshy_candidate") == 3)
    select_only(bpy, picked)
    s.discard_candidates = True
    assert bpy.ops.meshy.texture_shape() == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    [textured] = _roots(bpy, job)
    assert len(_meshy_collections(bpy)) == 1, _meshy_collections(bpy)
    assert _assets(bpy) == [textured.name]
    assert [o.name for o in bpy.data.objects if o.get("meshy_job_id")] == [textured.name]

    name, collections = textured.name, _meshy_collections(bpy)
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "kettle.blend"))
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "kettle.blend"))
    assert _meshy_collections(bpy) == collections and _assets(bpy) == [name]
    cats = [line.split(":")[1] for line in (tmp_path / assets.CATS_FILE).read_text().splitlines()
            if line and not line.startswith(("#", "VERSION"))]
    catalog = bpy.data.objects[name][assets.CATALOG_PROP]
    assert sorted(cats) == ["Meshy", catalog] and "shape" not in catalog
    assert bpy.data.objects[name].asset_data.catalog_id == assets.catalog_id(catalog)


def test_keep_the_shapes_keeps_them_hidden_and_not_assets(bpy, meshy_ui):
    s = _candidate_shapes_landed(bpy, meshy_ui, "a tin cup", 2)
    shapes = [o for o in bpy.data.objects if o.get("meshy_candidate")]
    names = [o.name for o in shapes]
    select_only(bpy, shapes[0])
    s.discard_candidates = True
    assert bpy.ops.meshy.texture_shape(keep_shapes=True) == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    [textured] = _roots(bpy, job)
    kept = [bpy.data.objects[n] for n in names]
    assert all(o.hide_get() for o in kept)
    assert _assets(bpy) == [textured.name]
    from meshy_blender.jobs import deleted_tasks

    deleted_tasks.forget_all()  # a later session: the kept candidate still says it is gone
    other = next(o for o in kept if o.name != names[0])  # not the picked one
    other.hide_set(False)
    select_only(bpy, other)
    assert not bpy.ops.meshy.texture_shape.poll() and not bpy.ops.meshy.remesh.poll()
