"""Results as assets and thumbnails, in real Blender against the emulator: every finished job
brings Meshy's thumbnail (on disk, verified), and with "Mark Results as Assets" (the default)
the result is an asset with that thumbnail as preview, tags and the ``Meshy/<kind>`` catalog,
all of which survive saving and reopening the file."""

from __future__ import annotations

from pathlib import Path

from meshy_blender.client import verify

from fixtures.recording_layout import draw_panel


def _roots(bpy, job):
    return [o for o in bpy.data.objects if o.get("meshy_job_id") == job.id]


def _generate(bpy, meshy_ui, prompt, **settings):
    return meshy_ui.press(bpy.ops.meshy.generate_text, bpy.context.scene.meshy, prompt=prompt,
                          **settings)


def test_a_finished_job_brings_its_thumbnail_verified_and_cached_by_task_id(bpy, meshy_ui):
    job = _generate(bpy, meshy_ui, "a brass teapot", should_texture=False)
    [step] = job.steps
    path = Path(step.files["thumbnail"])
    assert path.is_file() and path.suffix == ".png"
    assert step.task_id in str(path)  # the cache is keyed by task id
    assert verify.is_complete(path)

    # Loaded into the add-on's preview collection and drawn in the job's Tasks row.
    from meshy_blender.blender import panels
    from meshy_blender.blender.core import thumbnails

    preview = thumbnails.collection()[step.task_id]
    assert preview.image_size[0] > 0 and preview.image_size[1] > 0
    tasks = next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_tasks")
    drawn = draw_panel(tasks, bpy.context)
    icons = [c for c in drawn.calls if c["call"] == "template_icon"]
    assert [c["kwargs"]["icon_value"] for c in icons] == [
        thumbnails.collection()[step.task_id].icon_id]


def test_marked_asset_has_preview_catalog_and_tags_and_survives_reload(bpy, meshy_ui,
                                                                       tmp_path):
    from meshy_blender.blender.scene import assets

    job = _generate(bpy, meshy_ui, "a weathered bronze owl statue", should_texture=True)
    [root] = _roots(bpy, job)
    assert root.asset_data is not None
    catalog = assets.catalog_id("Meshy/Text to 3D (textured)")
    assert root.asset_data.catalog_id == catalog
    tags = {t.name for t in root.asset_data.tags}
    assert {"Meshy", "text-to-3d-refine", "bronze", "owl", "statue"} <= tags
    assert "a" not in tags  # no filler words
    width, height = root.preview.image_size
    assert width > 0 and height > 0
    # The preview is Meshy's own picture, not a blank: its pixels are not all one value.
    pixels = list(root.preview.image_pixels_float)
    assert len(set(pixels)) > 2

    name = root.name
    blend = tmp_path / "props.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    owl = bpy.data.objects[name]
    assert owl.asset_data is not None
    assert owl.asset_data.catalog_id == catalog
    assert "owl" in {t.name for t in owl.asset_data.tags}
    assert tuple(owl.preview.image_size) == (width, height)


def test_marking_is_a_preference_and_can_be_switched_off(bpy, meshy_ui):
    meshy_ui.prefs.mark_assets = False
    try:
        job = _generate(bpy, meshy_ui, "a wooden stool", should_texture=False)
    finally:
        meshy_ui.prefs.mark_assets = True
    [root] = _roots(bpy, job)
    assert root.asset_data is None


def test_catalog_definitions_are_written_once_per_path(tmp_path):
    from meshy_blender.blender.scene import assets

    assets.write_catalogs(tmp_path, ["Meshy/Rig", "Meshy/Remesh"])
    assets.write_catalogs(tmp_path, ["Meshy/Rig"])
    lines = [line for line in (tmp_path / assets.CATS_FILE).read_text().splitlines()
             if line and not line.startswith("#") and not line.startswith("VERSION")]
    assert sorted(line.split(":")[1] for line in lines) == ["Meshy", "Meshy/Remesh",
                                                            "Meshy/Rig"]
    assert all(line.split(":")[0] == assets.catalog_id(line.split(":")[1]) for line in lines)


def test_save_to_asset_library_writes_each_result_with_its_catalog(bpy, meshy_ui, tmp_path):
    from meshy_blender.blender import panels
    from meshy_blender.blender.scene import assets

    job = _generate(bpy, meshy_ui, "a copper kettle", should_texture=False)
    [root] = _roots(bpy, job)
    for o in bpy.context.view_layer.objects:
        o.select_set(False)
    root.select_set(True)
    bpy.context.view_layer.objects.active = root
    selected = next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_selected")
    assert "meshy.save_to_asset_library" in draw_panel(selected, bpy.context).operator_ids()

    library = tmp_path / "library"
    assert bpy.ops.meshy.save_to_asset_library(directory=str(library)) == {"FINISHED"}
    [blend] = list((library / "Meshy").glob("*.blend"))
    with bpy.data.libraries.load(str(blend), assets_only=True) as (src, _dst):
        assert src.objects == [root.name]
    cats = (library / assets.CATS_FILE).read_text()
    assert f"{assets.catalog_id('Meshy/Text to 3D (shape)')}:Meshy/Text to 3D (shape)" in cats
    assert root.name in bpy.data.objects  # the result stays in this file too
