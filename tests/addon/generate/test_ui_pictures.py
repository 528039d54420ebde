"""Picture inputs show the picture: Blender's image browser with Open (an image in the file) or
the chosen file's own thumbnail, for Image, Multi-image, texture and style pictures."""

from __future__ import annotations

from fixtures.recording_layout import draw_panel


def _panel(name):
    from meshy_blender.blender import panels

    return next(c for c in panels.CLASSES if c.bl_idname == name)


def test_image_mode_draws_the_picture_with_an_open_button(bpy, meshy_ui, emulator_assets):
    from meshy_blender.blender.core import thumbnails

    s = bpy.context.scene.meshy
    s.mode = "IMAGE"
    drawn = draw_panel(_panel("MESHY_PT_generate"), bpy.context)
    [browser] = [c for c in drawn.calls if c["call"] == "template_ID_preview"]
    assert browser["kwargs"]["property"] == "image"
    assert browser["kwargs"]["open"] == "image.open"
    assert not [c for c in drawn.calls if c["call"] == "template_icon"]  # nothing chosen yet

    picture = emulator_assets.root / emulator_assets.manifest["images"][0]
    s.image.filepath = str(picture)
    drawn = draw_panel(_panel("MESHY_PT_generate"), bpy.context)
    [icon] = [c for c in drawn.calls if c["call"] == "template_icon"]
    preview = next(p for key, p in thumbnails.collection().items() if str(picture) in key)
    assert icon["kwargs"]["icon_value"] == preview.icon_id
    assert preview.image_size[0] > 0


def test_multi_image_shows_four_picture_slots(bpy, meshy_ui):
    bpy.context.scene.meshy.mode = "MULTI_IMAGE"
    drawn = draw_panel(_panel("MESHY_PT_generate"), bpy.context)
    assert len([c for c in drawn.calls if c["call"] == "template_ID_preview"]) == 4
