"""Concept Images in real Blender against the emulator: Text / Image to Image with their
options, results as Blender images with thumbnails, Open / Pack, and "Make 3D" sending the image
task's id (``input_task_id``) instead of uploading the picture again.
"""

from __future__ import annotations

from meshy_blender.jobs import model

from fixtures.recording_layout import draw_panel


def _draw(bpy):
    from meshy_blender.blender.features.concept.panel import MESHY_PT_concept

    return draw_panel(MESHY_PT_concept, bpy.context)


def _make_concept(bpy, meshy_ui, **settings):
    return meshy_ui.press(bpy.ops.meshy.concept_image, bpy.context.scene.meshy_tools, **settings)


def test_text_to_image_sends_every_option_and_lands_images_with_thumbnails(bpy, meshy_ui):
    n = bpy.context.scene.meshy_tools
    n.concept_prompt = "a brass robot owl"
    n.concept_model = "nano-banana-pro"
    n.concept_aspect_ratio = "16:9"
    n.concept_pose = "t-pose"
    layout = _draw(bpy)
    assert {"concept_prompt", "concept_model", "concept_aspect_ratio", "concept_pose",
            "concept_multi_view"} <= set(layout.props())
    assert "Make Image (9 credits)" in layout.texts()

    job = _make_concept(bpy, meshy_ui)
    sent = meshy_ui.params(job.steps[0].task_id)
    assert sent["ai_model"] == "nano-banana-pro" and sent["prompt"] == "a brass robot owl"
    assert sent["aspect_ratio"] == "16:9" and sent["pose_mode"] == "t-pose"

    layout = _draw(bpy)
    icons = [c for c in layout.calls if c["call"] == "template_icon"]
    assert icons  # a thumbnail per picture
    opened = [c for c in layout.operators() if c["kwargs"]["operator"] == "meshy.concept_open"]
    assert opened and "Make 3D (30 credits)" in layout.texts()


def test_make_3d_sends_the_image_task_id_never_a_reupload(bpy, meshy_ui):
    job = _make_concept(bpy, meshy_ui, concept_prompt="a clay teapot")
    image_task = job.steps[0].task_id
    posts = len(meshy_ui.posts())
    assert bpy.ops.meshy.concept_to_3d(job_id=job.id) == {"FINISHED"}
    made = meshy_ui.run()
    assert made.status == model.IMPORTED, made.detail
    assert [s.kind for s in made.steps] == ["image-to-3d"]
    assert len(meshy_ui.posts()) == posts + 1
    sent = meshy_ui.params(made.steps[0].task_id)
    assert sent.get("input_task_id") == image_task
    assert "image_url" not in made.steps[0].options


def test_multi_view_concepts_feed_multi_image_to_3d(bpy, meshy_ui):
    job = _make_concept(bpy, meshy_ui, concept_prompt="a knight", concept_multi_view=True)
    assert "Make 3D (Multi-image) (30 credits)" in _draw(bpy).texts()
    assert bpy.ops.meshy.concept_to_3d(job_id=job.id) == {"FINISHED"}
    made = meshy_ui.last_job()
    assert made.steps[0].kind == "multi-image-to-3d"
    assert made.steps[0].options["input_task_id"] == job.steps[0].task_id


def test_pack_keeps_the_concept_image_in_the_blend(bpy, meshy_ui):
    from meshy_blender.blender.features.concept import concepts

    job = _make_concept(bpy, meshy_ui, concept_prompt="a lantern")
    [concept] = [c for c in concepts.results() if c.job_id == job.id]
    image = concepts.image_for(concept.paths[0])
    assert image is not None and image.packed_file is None
    assert bpy.ops.meshy.concept_pack(image=image.name) == {"FINISHED"}
    assert image.packed_file is not None


def test_image_to_image_needs_a_reference_picture_before_any_spend(bpy, meshy_ui, tmp_path):
    n = bpy.context.scene.meshy_tools
    n.concept_mode = "IMAGE"
    n.concept_prompt = "same owl, in silver"
    layout = _draw(bpy)
    assert "Make Image" in layout.texts()  # unpriced: the missing picture is said instead
    assert meshy_ui.posts() == []
    img = bpy.data.images.new("ref", 8, 8)
    img.filepath_raw = str(tmp_path / "ref.png")
    img.file_format = "PNG"
    img.save()
    n.concept_reference_1.image = img
    layout = _draw(bpy)
    assert "Make Image (3 credits)" in layout.texts()
    assert bpy.ops.meshy.concept_image() == {"FINISHED"}
    job = meshy_ui.last_job()
    assert job.steps[0].kind == "image-to-image"
    assert len(job.steps[0].options["reference_image_urls"]) == 1
