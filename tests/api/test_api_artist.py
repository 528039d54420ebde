"""The artist workflow from scripts, in real Blender against the emulator: shape first and
``api.refine``, ``candidates=``, thumbnails in ``Result.files`` and ``mark_asset=``."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshy_blender import api
from meshy_blender.client import errors

from fixtures.emulator import created_tasks


def _sent(emulator, task_id: str) -> dict:
    """The Meshy API v2 request the emulator received for a task."""
    return dict(emulator.store.get(task_id).request)


def test_refine_textures_a_shape_in_place_with_one_refine_task(bpy, empty_scene, meshy_env):
    shape = api.text_to_3d("a clay teapot", should_texture=False, placement="ORIGIN")
    root = shape.root_objects[0]
    root.location = (1.0, 2.0, 0.0)
    bpy.context.view_layer.update()
    name = root.name
    textured = api.refine(root, enable_pbr=True, texture_prompt="glazed blue")
    assert set(textured.task_ids) == {"refine"}
    sent = _sent(meshy_env, textured.task_ids["refine"])  # one v2 retexture of the shape
    assert sent["input_task_id"] == shape.task_ids["preview"]
    assert sent["texture_prompt"] == "glazed blue" and sent["enable_pbr"] is True
    assert len(created_tasks(meshy_env)) == 2  # one shape, one texture
    new_root = textured.root_objects[0]
    assert tuple(new_root.matrix_world.translation) == pytest.approx((1.0, 2.0, 0.0))
    assert name not in bpy.data.objects and new_root["meshy_replaces"] == name  # removed
    assert new_root["meshy_prompt"] == "a clay teapot"


def test_refine_refuses_what_is_not_a_shape_before_paying(bpy, empty_scene, meshy_env):
    bpy.ops.mesh.primitive_cube_add()
    with pytest.raises(errors.ValidationError, match="not a Meshy text to 3D shape"):
        api.refine(bpy.context.active_object)
    assert created_tasks(meshy_env) == []


def test_candidates_and_thumbnails_in_result_files(bpy, empty_scene, meshy_env):
    results = api.text_to_3d("a wooden chair", candidates=3, placement="ORIGIN")
    assert len(results) == 3 and len(created_tasks(meshy_env)) == 3
    xs = [r.root_objects[0].matrix_world.translation.x for r in results]
    assert xs == sorted(xs) and xs[0] == pytest.approx(0.0) and xs[1] - xs[0] >= 1.0
    for result in results:
        assert set(result.task_ids) == {"preview"}  # shapes only
        thumb = Path(result.files["preview.thumbnail"])
        assert thumb.is_file() and thumb.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    picked = api.refine(results[1])
    assert len(created_tasks(meshy_env)) == 4
    assert _sent(meshy_env, picked.task_ids["refine"])["input_task_id"] == \
        results[1].task_ids["preview"]


def test_candidates_refuse_texturing_or_too_many_before_paying(bpy, empty_scene, meshy_env):
    with pytest.raises(errors.ValidationError, match="Texture off"):
        api.text_to_3d("a chair", candidates=2, should_texture=True)
    with pytest.raises(errors.ValidationError, match="1 to 4"):
        api.text_to_3d("a chair", candidates=5)
    assert created_tasks(meshy_env) == []


def test_mark_asset_overrides_the_preference(bpy, empty_scene, meshy_env):
    plain = api.text_to_3d("a mug", should_texture=False, mark_asset=False)
    assert plain.root_objects[0].asset_data is None
    marked = api.text_to_3d("a mug", should_texture=False, mark_asset=True)
    assert marked.root_objects[0].asset_data is not None
    assert "mug" in {t.name for t in marked.root_objects[0].asset_data.tags}


def test_cli_candidates_then_refine_the_picked_one(bpy, empty_scene, meshy_env, capfd):
    import json

    from meshy_blender import cli

    def run(*argv):
        code = cli.main([*argv, "--json", "--quiet"])
        return code, json.loads(capfd.readouterr().out)

    code, data = run("text-to-3d", "a lantern", "--candidates", "2", "--no-mark-asset")
    assert code == 0, data
    shapes = data["candidates"]
    assert [set(c["task_ids"]) for c in shapes] == [{"preview"}, {"preview"}]
    picked = shapes[1]["task_ids"]["preview"]
    code, data = run("refine", picked, "--texture-prompt", "rusty iron", "--enable-pbr", "true")
    assert code == 0, data
    assert _sent(meshy_env, data["task_ids"]["refine"])["input_task_id"] == picked
    assert _sent(meshy_env, data["task_ids"]["refine"])["texture_prompt"] == "rusty iron"
    assert len(created_tasks(meshy_env)) == 3
    code, data = run("text-to-3d", "a lantern", "--candidates", "2", "--out", "x.glb")
    assert code == 2 and "--candidates" in data["error"]["message"]


def test_refine_keep_shape_keeps_it_hidden_and_not_an_asset(bpy, empty_scene, meshy_env):
    shape = api.text_to_3d("a clay jar", should_texture=False, placement="ORIGIN",
                           mark_asset=True)
    root = shape.root_objects[0]
    assert root.asset_data is not None
    textured = api.refine(root, keep_shape=True, mark_asset=True)
    assert root.hide_get() and root.asset_data is None
    assert textured.root_objects[0].asset_data is not None


def test_refine_discard_others_leaves_one_prop_and_deletes_the_rest_on_meshy(
        bpy, empty_scene, meshy_env):
    """Issue 24, headless: 3 candidates, refine one with discard_others: one collection and
    one asset remain, and Meshy deleted the other two shapes (nothing else paid)."""
    results = api.text_to_3d("a tin bucket", candidates=3, placement="ORIGIN", mark_asset=True)
    others = {r.task_ids["preview"] for r in results if r is not results[0]}
    textured = api.refine(results[0], discard_others=True, mark_asset=True)
    [prop] = textured.root_objects
    assert [o.name for o in bpy.data.objects if o.get("meshy_job_id")] == [prop.name]
    assert [o.name for o in bpy.data.objects if o.asset_data is not None] == [prop.name]
    assert [c.name for c in bpy.data.collections["Meshy"].children] == \
        [prop.users_collection[0].name]
    deleted = {r["path"].rsplit("/", 1)[-1] for r in meshy_env.requests("api")
               if r["method"] == "DELETE"}
    assert deleted == others
    assert len(created_tasks(meshy_env)) == 4
