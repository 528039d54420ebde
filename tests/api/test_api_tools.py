"""The tools through meshy_blender.api in real Blender against the emulator:
concept images (packed on request, then to 3D by task id), several actions in one task,
text-to-motion on a rig, UV unwrap (face limit before anything is sent), 3D print analyze /
repair / multi-colour; unpublished prices refused unless accepted, before any request."""

from __future__ import annotations

import pytest

from meshy_blender import api
from meshy_blender.client import errors


def _posts(env, kind=None):
    return [r for r in env.requests("api") if r["method"] == "POST"
            and (kind is None or r["kind"] == kind)]


def test_concept_images_then_3d_from_the_image_task(bpy, empty_scene, meshy_env):
    images = api.text_to_image("a brass lamp", ai_model="nano-banana", pack=True)
    assert images.images and all(i.packed_file is not None for i in images.images)
    task_id = images.task_ids["text-to-image"]
    model = api.image_task_to_3d(task_id, should_texture=False)
    assert model.root_objects
    assert meshy_env.task(model.task_ids["image-to-3d"])["input_task_id"] == task_id
    again = api.image_to_image([images.images[0].filepath_raw or images.files[
        "text-to-image.image_0"]], "the same lamp in copper", ai_model="nano-banana")
    assert again.kind == "image-to-image" and again.images and not again.images[0].packed_file


def test_several_actions_need_the_price_accepted_then_land_in_order(bpy, empty_scene,
                                                                    meshy_env):
    rigged = api.rig(None, input_task_id=api.text_to_3d("a knight").task_ids["refine"])
    before = len(_posts(meshy_env, "animate"))
    with pytest.raises(errors.ValidationError, match="does not publish") as refused:
        api.animate(rigged.armature, action_ids=[-2, 0, 3])
    assert refused.value.field == "accept_unpublished_price"
    assert len(_posts(meshy_env, "animate")) == before  # nothing was sent
    anim = api.animate(rigged.armature, action_ids=[-2, 0, 3], accept_unpublished_price=True)
    names = {a["action_id"]: a["name"] for a in api.animation_library()}
    assert [a.name for a in anim.actions] == [names[-2], names[0], names[3]]  # in that order
    assert meshy_env.task(anim.task_ids["animate"])["action_ids"] == [-2, 0, 3]


def test_text_to_motion_on_a_rig_and_on_its_own(bpy, empty_scene, meshy_env):
    rigged = api.text_to_3d("a dancer", rig={})
    with pytest.raises(errors.ValidationError, match="accept_unpublished_price"):
        api.text_to_motion("a bow", armature=rigged.armature)
    applied = api.text_to_motion("a bow", armature=rigged.armature, mode="swift",
                                 accept_unpublished_price=True)
    assert len(applied.actions) == 1 and applied.actions[0].name.startswith("Motion a bow")
    assert meshy_env.task(applied.task_ids["animate"])["rig_task_id"] == \
        rigged.task_ids["rig"]
    alone = api.text_to_motion("a jump", mode="swift", duration=3)
    assert alone.armature is not None and alone.credits == 10


def test_uv_unwrap_checks_the_face_limit_before_anything_is_sent(bpy, empty_scene, meshy_env):
    bpy.ops.mesh.primitive_uv_sphere_add(segments=256, ring_count=128)  # ~65k triangles
    with pytest.raises(errors.ValidationError, match="40,000 faces"):
        api.uv_unwrap(bpy.context.active_object)
    assert _posts(meshy_env) == []
    bpy.ops.mesh.primitive_monkey_add(location=(1, 2, 0))
    monkey = bpy.context.active_object
    result = api.uv_unwrap(monkey, placement="REPLACE", retexture={"text_style_prompt": "oak"})
    assert list(result.task_ids) == ["uv-unwrap", "retexture"] and result.credits == 15
    assert tuple(result.root_objects[0].matrix_world.translation) == pytest.approx((1, 2, 0))
    assert monkey.hide_get()


def test_print_analyze_repair_and_multicolour(bpy, empty_scene, meshy_env, tmp_path):
    from meshy_blender.blender.scene.import_images_motion_print import read_print_report

    model = api.text_to_3d("a vase", should_texture=False)
    vase = model.root_objects[0]
    report = api.print_analyze(vase)
    assert report.credits == 0 and report.report["metrics"]["holes"] == 1
    assert read_print_report(vase) == report.report
    repaired = api.print_repair(vase, placement="REPLACE")
    assert repaired.root_objects[0]["meshy_replaces"] == vase.name
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "print.blend"))
    colour = api.print_multicolor(None, input_task_id=model.task_ids["preview"], max_colors=4,
                                  label="vase colours")
    (saved,) = colour.saved_files
    assert saved == str(tmp_path / "vase colours.3mf")
    assert meshy_env.task(colour.task_ids["print-multi-color"])["max_colors"] == 4
