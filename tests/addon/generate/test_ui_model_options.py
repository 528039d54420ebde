"""Model options on the sidebar's Generate, Retexture and Remesh buttons, in real Blender:
Meshy-7 and the geometry pass on the image modes, texture model and size, texture views,
transparent thumbnail, smart topology's own polycount range, real-world size on remesh, and
multi-view retexture refused on API v2.
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


def test_meshy7_geometry_texture_size_and_alpha_thumbnail_are_sent_from_image_mode(
        bpy, meshy_ui, tmp_path):
    s, n = bpy.context.scene.meshy, bpy.context.scene.meshy_tools
    s.mode = "IMAGE"
    s.image.image = _picture(bpy, tmp_path)
    assert "Generate (30 credits)" in _generate_panel(bpy).texts()
    n.geometry_resolution = "4k"
    assert "Generate (35 credits)" in _generate_panel(bpy).texts()  # the geometry pass: +5
    n.meshy7 = True
    layout = _generate_panel(bpy)  # Meshy-7 makes 2K geometry at most: refused in words
    assert not any(t.startswith("Generate (") for t in layout.texts())
    assert "Geometry: 4K geometry is made by Meshy-7.1 (Latest) only" in " ".join(layout.texts())
    n.geometry_resolution = "2k"
    n.texture_resolution = "4k"
    n.alpha_thumbnail = True
    s.texture_model = "meshy-n1"
    layout = _generate_panel(bpy)
    assert {"meshy7", "geometry_resolution", "texture_resolution", "alpha_thumbnail",
            "texture_model"} <= set(layout.props())
    assert "ultra_mode" not in layout.props()  # API v1's name: Geometry replaces it
    assert "Generate (price not published)" in layout.texts()
    from meshy_blender.blender.core import config, sidebar_requests
    from meshy_blender.blender.operators.dialog import unpublished_message

    settings = config.resolve(bpy.context)
    asked = unpublished_message(sidebar_requests.generate(s, settings, estimate=True), settings)
    assert asked is not None and "Meshy-7" in asked  # click asks (the geometry pass is +5)

    assert bpy.ops.meshy.generate_image() == {"FINISHED"}
    sent = meshy_ui.last_job().steps[0].options
    assert sent["ai_model"] == "meshy-7" and sent["geometry_resolution"] == "2k"
    assert sent["texture_resolution"] == "4k" and sent["alpha_thumbnail"] is True
    assert sent["texture_model"] == "meshy-n1" and "ultra_mode" not in sent


def test_a_file_saved_with_ultra_mode_reads_back_as_the_2k_geometry_pass(bpy, meshy_ui):
    """Before Geometry, Meshy-7's Ultra Mode asked for the pass: such a file keeps it, and
    choosing a Geometry clears the old switch so the pass is never asked twice."""
    n = bpy.context.scene.meshy_tools
    assert n.geometry_resolution == "standard"
    n.ultra_mode = True
    assert n.geometry_resolution == "standard"  # Ultra Mode applied with Meshy-7 only
    n.meshy7 = True
    assert n.geometry_resolution == "2k"
    n.geometry_resolution = "standard"
    assert n.geometry_resolution == "standard" and n.ultra_mode is False


def test_text_mode_sends_geometry_and_texture_size_but_never_meshy7(bpy, meshy_ui):
    """API v2's Text to 3D takes the Ultra geometry pass (+5) and 8K textures; Meshy-7 as a 3D
    model is the image endpoints' alone."""
    s, n = bpy.context.scene.meshy, bpy.context.scene.meshy_tools
    s.mode = "TEXT"
    s.prompt = "a lamp"
    n.meshy7 = True
    layout = _generate_panel(bpy)
    assert "Generate (30 credits)" in layout.texts()
    assert "meshy7" not in layout.props() and "geometry_resolution" in layout.props()
    n.geometry_resolution = "2k"
    assert "Generate (35 credits)" in _generate_panel(bpy).texts()  # the geometry pass: +5
    n.texture_resolution = "8k"  # API v2: text to 3D takes 8K textures
    layout = _generate_panel(bpy)
    assert "texture_resolution" in layout.props()
    assert "Generate (price not published)" in layout.texts()
    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    sent = meshy_ui.last_job().steps[0].options
    assert sent["texture_resolution"] == "8k" and sent["texture_model"] == "meshy-7"
    assert sent["geometry_resolution"] == "2k" and sent.get("ai_model") != "meshy-7"
    s.ai_model = "meshy-6"  # the pass is Meshy-7.1's: refused before any request, in words
    layout = _generate_panel(bpy)
    assert "2K geometry is made by Meshy-7.1 (Latest) or Meshy-7 only" in " ".join(
        layout.texts())


def test_multi_image_texture_follows_the_texture_views(bpy, meshy_ui, tmp_path):
    s, n = bpy.context.scene.meshy, bpy.context.scene.meshy_tools
    s.mode = "MULTI_IMAGE"
    s.multi_image_1.image = _picture(bpy, tmp_path)
    s.texture_source, s.texture_prompt = "PROMPT", "brass"
    n.texture_from_views = True
    layout = _generate_panel(bpy)
    assert "texture_source" not in layout.props()  # the views are the guide
    assert any("Texture View" in text for text in layout.texts())
    assert "Generate" in layout.texts()  # no view chosen yet: not priced, says why
    n.texture_view_1.image = _picture(bpy, tmp_path)
    assert bpy.ops.meshy.generate_multi_image() == {"FINISHED"}
    sent = meshy_ui.last_job().steps[0].options
    assert len(sent["texture_image_urls"]) == 1 and "texture_prompt" not in sent


def test_retexture_picks_a_texture_model_and_old_files_keep_theirs(bpy, meshy_ui):
    s = bpy.context.scene.meshy
    bpy.ops.mesh.primitive_cube_add()
    s.retexture_prompt = "weathered bronze"
    items = [i.identifier for i in
             s.bl_rna.properties["retexture_texture_model"].enum_items]
    assert items == ["meshy-7", "meshy-n1", "meshy-6-lite"]
    s.retexture_ai_model = "meshy-6"  # a file saved before Texture Model
    assert s.retexture_texture_model == "meshy-6-lite"
    s.retexture_texture_model = "meshy-n1"
    layout = _selected_panel(bpy)
    assert "retexture_texture_model" in layout.props()
    assert "retexture_ai_model" not in layout.props()
    assert bpy.ops.meshy.retexture() == {"FINISHED"}
    sent = meshy_ui.last_job().steps[0].options
    assert sent["texture_model"] == "meshy-n1" and "ai_model" not in sent


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
    # Shown only so an old file can turn it off; the style prompt is not sent with it.
    assert "multiview_retexture" in layout.props() and "retexture_prompt" not in layout.props()
    assert "Meshy API v2" in " ".join(layout.texts())

    with pytest.raises(RuntimeError, match="views of the model"):
        bpy.ops.meshy.retexture()
    assert meshy_ui.posts() == [] and meshy_ui.jobs() == []
    assert set(bpy.data.objects.keys()) == objects and len(bpy.data.cameras) == cameras
    assert scene.render.engine == engine and scene.camera == camera
    assert scene.cycles.samples == samples
