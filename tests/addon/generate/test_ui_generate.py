"""Generate operators end to end in real Blender: sidebar settings -> emulator -> pump -> scene."""

from __future__ import annotations

import pytest

from meshy_blender.jobs import model


def _meshy_roots(bpy):
    return [o for o in bpy.data.objects if "meshy_job_id" in o]


def test_text_prompt_lands_at_the_cursor_textured_with_provenance_in_one_undo_step(
        bpy, meshy_ui, undo_as_in_the_ui):
    s = bpy.context.scene.meshy
    s.prompt = "a bronze compass"
    s.ai_model = "meshy-6-lite"
    s.topology = "quad"
    s.use_polycount = True
    s.target_polycount = 12_000
    s.symmetry_mode = "on"
    s.pose_mode = "a-pose"
    s.texture_source = "PROMPT"
    s.texture_prompt = "weathered bronze"
    s.target_formats = {"obj"}
    bpy.context.scene.cursor.location = (1.0, 2.0, 3.0)
    bpy.ops.ed.undo_push(message="before")

    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    job = meshy_ui.run()

    assert job.status == model.IMPORTED, job.detail
    assert job.estimated_credits == 15  # Meshy-6 Lite, textured: one Meshy API v2 task
    preview = refine = meshy_ui.params(job.step("refine").task_id)
    assert preview["prompt"] == "a bronze compass" and preview["ai_model"] == "meshy-6-lite"
    assert (preview["topology"], preview["target_polycount"]) == ("quad", 12_000)
    assert (preview["symmetry_mode"], preview["pose_mode"]) == ("on", "a-pose")
    assert refine["texture_prompt"] == "weathered bronze" and refine["enable_pbr"] is True
    assert sorted(refine["target_formats"]) == ["glb", "obj"]  # the import format is added

    [root] = _meshy_roots(bpy)
    assert tuple(round(v, 5) for v in root.matrix_world.translation) == (1.0, 2.0, 3.0)
    assert root["meshy_prompt"] == "a bronze compass"
    assert root["meshy_task_ids"] == f"refine={job.step('refine').task_id}"
    assert root.users_collection[0].name in bpy.data.collections["Meshy"].children
    assert root.type == "MESH" and len(root.data.materials) >= 1
    assert any(img.size[0] > 0 for img in bpy.data.images), "no texture came with the model"

    bpy.ops.ed.undo()
    assert _meshy_roots(bpy) == []


def test_long_prompt_from_a_text_datablock_and_preview_only(bpy, meshy_ui):
    s = bpy.context.scene.meshy
    text = bpy.data.texts.new("brief")
    text.write("A carved wooden owl\nperched on a branch")
    s.prompt_text = text
    s.should_texture = False

    bpy.ops.meshy.generate_text()
    job = meshy_ui.run()

    assert [st.kind for st in job.steps] == ["text-to-3d-preview"]
    assert meshy_ui.params(job.steps[0].task_id)["prompt"] == \
        "A carved wooden owl\nperched on a branch"
    assert len(_meshy_roots(bpy)) == 1


def test_image_datablock_is_uploaded_without_changing_the_artists_image(bpy, meshy_ui):
    image = bpy.data.images.new("sketch", 8, 8)
    image.pixels.foreach_set([0.5] * (8 * 8 * 4))
    s = bpy.context.scene.meshy
    s.mode = "IMAGE"
    s.image.image = image
    s.should_texture = False

    assert bpy.ops.meshy.generate_image() == {"FINISHED"}
    job = meshy_ui.run()

    # The emulator decodes image_url and answers 400 unless it holds PNG/JPEG bytes.
    assert job.status == model.IMPORTED, job.detail
    assert job.estimated_credits == 20
    assert (image.source, image.filepath, image.name) == ("GENERATED", "", "sketch")
    assert "meshy-upload" not in bpy.data.images
    assert _meshy_roots(bpy)[0].name.startswith("sketch")


def test_multi_image_mixes_a_file_on_disk_and_an_image_datablock(bpy, meshy_ui, tmp_path):
    on_disk = bpy.data.images.new("front", 4, 4)
    on_disk.filepath_raw = str(tmp_path / "front.png")
    on_disk.file_format = "PNG"
    on_disk.save()
    bpy.data.images.remove(on_disk)
    side = bpy.data.images.new("side", 4, 4)
    s = bpy.context.scene.meshy
    s.multi_image_1.filepath = str(tmp_path / "front.png")
    s.multi_image_3.image = side

    assert bpy.ops.meshy.generate_multi_image() == {"FINISHED"}
    job = meshy_ui.run()

    assert job.status == model.IMPORTED, job.detail  # the emulator checked both images' bytes
    assert job.steps[0].kind == "multi-image-to-3d"


def test_nothing_is_sent_without_a_key(bpy, meshy_ui):
    meshy_ui.prefs.api_key = ""
    bpy.context.scene.meshy.prompt = "a lamp"
    with pytest.raises(RuntimeError, match="MESHY_API_KEY"):
        bpy.ops.meshy.generate_text()
    assert meshy_ui.emulator.requests() == []


def test_nothing_is_sent_while_blender_is_offline(bpy, meshy_ui):
    assert not bpy.app.online_access  # the bpy module starts offline
    meshy_ui.prefs.api_base = "https://api.meshy.ai"
    bpy.context.scene.meshy.prompt = "a lamp"
    with pytest.raises(RuntimeError, match=r"Allow Online Access.*--online-mode"):
        bpy.ops.meshy.generate_text()
    assert meshy_ui.jobs() == []


@pytest.mark.parametrize("setup, message", [
    (lambda s: None, r"Type a prompt first \(Prompt\)"),
    (lambda s: setattr(s, "prompt", "x") or setattr(s, "texture_source", "PROMPT"),
     "Type a texture prompt, or set Texture From to Automatic"),
    (lambda s: setattr(s, "mode", "IMAGE"), r"Pick a picture first \(Picture\)"),
])
def test_invalid_settings_are_reported_before_anything_is_sent(bpy, meshy_ui, setup, message):
    s = bpy.context.scene.meshy
    setup(s)
    op = {"TEXT": bpy.ops.meshy.generate_text, "IMAGE": bpy.ops.meshy.generate_image}[s.mode]
    with pytest.raises(RuntimeError, match=message):
        op()
    assert meshy_ui.emulator.requests() == [] and meshy_ui.jobs() == []
