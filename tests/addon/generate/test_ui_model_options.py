"""Model options on the sidebar's Generate, Retexture and Remesh buttons, in real Blender:
Meshy-7 and ultra mode on the image modes, texture size, transparent thumbnail, smart topology's
own polycount range, real-world size on remesh, and multi-view retexture from views rendered
with a temporary camera.
"""

from __future__ import annotations

from fixtures.recording_layout import draw_panel


def _picture(bpy, tmp_path):
    img = bpy.data.images.new("pic", 16, 16)
    img.filepath_raw = str(tmp_path / "pic.png")
    img.file_format = "PNG"
    img.save()
    return img


def _generate_panel(bpy):
    from meshy_blender.blender.features.generate.panel import MESHY_PT_generate

    return draw_panel(MESHY_PT_generate, bpy.context)


def _selected_panel(bpy):
    from meshy_blender.blender.features.edit.panel import MESHY_PT_selected

    return draw_panel(MESHY_PT_selected, bpy.context)


def test_meshy7_ultra_texture_size_and_alpha_thumbnail_are_sent_from_image_mode(
        bpy, meshy_ui, tmp_path):
    s, n = bpy.context.scene.meshy, bpy.context.scene.meshy_tools
    s.mode = "IMAGE"
    s.image.image = _picture(bpy, tmp_path)
    assert "Generate (30 credits)" in _generate_panel(bpy).texts()
    n.meshy7 = True
    n.ultra_mode = True
    n.texture_resolution = "4k"
    n.alpha_thumbnail = True
    layout = _generate_panel(bpy)
    assert {"meshy7", "ultra_mode", "texture_resolution", "alpha_thumbnail"} <= \
        set(layout.props())
    assert "Generate (price not published)" in layout.texts()
    from meshy_blender.blender.core import config, sidebar_requests
    from meshy_blender.blender.operators.dialog import unpublished_message

    settings = config.resolve(bpy.context)
    asked = unpublished_message(sidebar_requests.generate(s, settings, estimate=True), settings)
    assert asked is not None and "Meshy-7" in asked  # click asks (ultra mode is priced: +5)

    assert bpy.ops.meshy.generate_image() == {"FINISHED"}
    sent = meshy_ui.last_job().steps[0].options
    assert sent["ai_model"] == "meshy-7" and sent["ultra_mode"] is True
    assert sent["texture_resolution"] == "4k" and sent["alpha_thumbnail"] is True


def test_text_mode_never_sends_the_image_only_options(bpy, meshy_ui):
    s, n = bpy.context.scene.meshy, bpy.context.scene.meshy_tools
    s.mode = "TEXT"
    s.prompt = "a lamp"
    n.meshy7 = True
    n.texture_resolution = "8k"
    layout = _generate_panel(bpy)
    assert "Generate (30 credits)" in layout.texts()  # priced, not refused
    assert "meshy7" not in layout.props()


def test_smart_topology_has_its_own_polycount_range(bpy, meshy_ui, tmp_path):
    s = bpy.context.scene.meshy
    s.mode = "IMAGE"
    s.image.image = _picture(bpy, tmp_path)
    s.model_type = "smart-topology"
    s.use_polycount = True
    s.target_polycount = 30_000
    layout = _generate_panel(bpy)
    assert any("15,000" in t for t in layout.texts())  # why the button is off
    assert "Generate" in layout.texts()
    s.target_polycount = 8_000
    assert "Generate (price not published)" in _generate_panel(bpy).texts()


def test_remesh_can_ask_for_real_world_size(bpy, meshy_ui):
    bpy.ops.mesh.primitive_cube_add()
    bpy.context.scene.meshy_tools.remesh_auto_size = True
    assert "remesh_auto_size" in _selected_panel(bpy).props()
    assert bpy.ops.meshy.remesh() == {"FINISHED"}
    assert meshy_ui.last_job().steps[0].options["auto_size"] is True


def test_multiview_retexture_is_refused_on_api_v2_without_paying_or_leaving_a_camera(
        bpy, meshy_ui):
    """Meshy API v2 names no field for views of the model (docs/meshy-api-v2.md, C5): the
    sidebar says so, sends nothing and leaves the scene as it was."""
    import pytest

    bpy.ops.mesh.primitive_cube_add()
    scene = bpy.context.scene
    engine, camera, samples = scene.render.engine, scene.camera, scene.cycles.samples
    objects, cameras = set(bpy.data.objects.keys()), len(bpy.data.cameras)
    n = scene.meshy_tools
    n.multiview_retexture = True
    n.multiview_count = 2
    layout = _selected_panel(bpy)
    assert "multiview_count" in layout.props() and "retexture_prompt" not in layout.props()
    assert "Meshy API v2" in " ".join(layout.texts())

    with pytest.raises(RuntimeError, match="views of the model"):
        bpy.ops.meshy.retexture()
    assert meshy_ui.posts() == [] and meshy_ui.jobs() == []
    assert set(bpy.data.objects.keys()) == objects and len(bpy.data.cameras) == cameras
    assert scene.render.engine == engine and scene.camera == camera
    assert scene.cycles.samples == samples
