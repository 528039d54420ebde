"""Results as assets and thumbnails, in real Blender against the emulator: every finished job
brings Meshy's thumbnail (on disk, verified), and with "Mark Results as Assets" (the default)
the result is an asset with that thumbnail as preview, tags and the ``Meshy/<kind>`` catalog,
all of which survive saving and reopening the file."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def _cats(folder):
    """{catalog id: catalog path} of the cats file in ``folder``."""
    from meshy_blender.blender.scene import assets

    lines = (folder / assets.CATS_FILE).read_text().splitlines()
    return {line.split(":")[0]: line.split(":")[1] for line in lines
            if line and not line.startswith(("#", "VERSION"))}


def test_an_unsaved_file_gets_its_catalogs_beside_the_blend_when_first_saved(bpy, meshy_ui,
                                                                            tmp_path):
    """Issue 24: Blender writes no catalog file of its own, so the current file's Asset
    Browser never showed Meshy/<kind>. Saving writes it beside the .blend; after a reload the
    asset's catalog id resolves to Meshy/<kind> there."""
    from meshy_blender.blender.scene import assets

    assert not bpy.data.filepath  # the artist has not saved yet
    job = _generate(bpy, meshy_ui, "a pewter goblet", should_texture=True)
    [root] = _roots(bpy, job)
    name = root.name
    folder = tmp_path / "project"
    folder.mkdir()
    bpy.ops.wm.save_as_mainfile(filepath=str(folder / "props.blend"))
    cats = _cats(folder)
    assert cats[root.asset_data.catalog_id] == "Meshy/Text to 3D (textured)"
    assert cats[assets.catalog_id("Meshy")] == "Meshy"  # its parent, so the tree is whole

    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.wm.open_mainfile(filepath=str(folder / "props.blend"))
    goblet = bpy.data.objects[name]
    assert _cats(folder)[goblet.asset_data.catalog_id] == "Meshy/Text to 3D (textured)"
    before = (folder / assets.CATS_FILE).read_text()
    bpy.ops.wm.save_mainfile()
    assert (folder / assets.CATS_FILE).read_text() == before  # nothing added twice


def test_a_saved_file_gets_the_catalog_when_the_result_lands(bpy, meshy_ui, tmp_path):
    blend = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    assert not (tmp_path / "blender_assets.cats.txt").exists()  # no Meshy asset yet: no file
    job = _generate(bpy, meshy_ui, "a driftwood stool", should_texture=False)
    [root] = _roots(bpy, job)
    assert _cats(tmp_path)[root.asset_data.catalog_id] == "Meshy/Text to 3D (shape)"


def test_a_file_inside_an_asset_library_gets_its_catalogs_at_the_library_root(bpy, meshy_ui,
                                                                             tmp_path):
    """Blender reads the catalogs of a file inside an asset library from the library's root."""
    from meshy_blender.blender.scene import assets

    library = tmp_path / "studio library"
    (library / "props" / "kitchen").mkdir(parents=True)
    libs = bpy.context.preferences.filepaths.asset_libraries
    bpy.ops.preferences.asset_library_add(directory=str(library))
    try:
        job = _generate(bpy, meshy_ui, "a cast iron pan", should_texture=False)
        [root] = _roots(bpy, job)
        assets.mark(root, kind="retexture", catalog="Props/Kitchen")  # a batch row's catalog
        bpy.ops.wm.save_as_mainfile(filepath=str(library / "props" / "kitchen" / "pan.blend"))
    finally:
        bpy.ops.preferences.asset_library_remove(index=len(libs) - 1)
    assert _cats(library)[root.asset_data.catalog_id] == "Props/Kitchen"
    assert not (library / "props" / "kitchen" / assets.CATS_FILE).exists()


def test_an_asset_the_artist_moved_to_their_own_catalog_is_left_there(bpy, meshy_ui,
                                                                      tmp_path):
    import uuid

    job = _generate(bpy, meshy_ui, "a brass lamp", should_texture=False)
    [root] = _roots(bpy, job)
    root.asset_data.catalog_id = str(uuid.uuid4())  # the artist's own catalog
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "mine.blend"))
    assert not (tmp_path / "blender_assets.cats.txt").exists()


# Blender warns that add-on preferences do not support "//"; typed anyway, it still resolves.
@pytest.mark.filterwarnings("ignore:MeshyPreferences.save_folder:RuntimeWarning")
def test_where_results_are_saved_is_chosen_and_said(bpy, meshy_ui, tmp_path, monkeypatch):
    """Issue 24: headless Save to Asset Library wrote into ~/Blender/Assets without saying so.
    The folder is a preference (default: beside the .blend, else the first asset library),
    MESHY_SAVE_DIR wins, and the preferences say where results go now."""
    from meshy_blender.blender.features.account.preferences import draw_preferences
    from meshy_blender.blender.scene import save_location

    from fixtures.recording_layout import RecordingLayout

    prefs = meshy_ui.prefs
    assert prefs.save_folder == ""  # old preference files: the default, nothing to migrate
    first = next(lib for lib in bpy.context.preferences.filepaths.asset_libraries if lib.path)
    unsaved = save_location.resolve()
    assert unsaved.folder == Path(first.path).expanduser().resolve()
    assert "unsaved" in unsaved.why and first.name in unsaved.why
    prefs.save_folder = "//renders"  # relative to a .blend there is not yet
    try:
        relative = save_location.resolve()
        assert relative.folder == unsaved.folder and "'//renders' needs a saved file" in \
            relative.why
    finally:
        prefs.save_folder = ""

    (tmp_path / "shot").mkdir()
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "shot" / "scene.blend"))
    assert save_location.resolve() == save_location.SaveLocation(
        (tmp_path / "shot").resolve(), "beside the .blend")
    prefs.save_folder = "//props"
    try:
        assert save_location.resolve().folder == (tmp_path / "shot" / "props").resolve()
    finally:
        prefs.save_folder = ""
    prefs.save_folder = str(tmp_path / "props")
    try:
        chosen = save_location.resolve()
        assert chosen.folder == (tmp_path / "props").resolve()
        assert chosen.why == "Preferences > Save Results To"
        layout = RecordingLayout()
        draw_preferences(layout, prefs, bpy.context)
        assert f"Saving to {chosen.said()}" in layout.texts()
        monkeypatch.setenv("MESHY_SAVE_DIR", str(tmp_path / "farm"))
        assert save_location.resolve().folder == (tmp_path / "farm").resolve()
    finally:
        prefs.save_folder = ""
    desc = type(prefs).bl_rna.properties["save_folder"].description
    assert "beside the .blend" in desc and "\n" not in desc  # the tooltip says the default


def test_save_to_asset_library_saves_to_the_chosen_folder_by_default_and_says_so(
        bpy, meshy_ui, tmp_path, capfd):
    from meshy_blender.blender.operators.assets import _libraries
    from meshy_blender.blender.scene import assets

    job = _generate(bpy, meshy_ui, "a tin lantern", should_texture=False)
    [root] = _roots(bpy, job)
    for o in bpy.context.view_layer.objects:
        o.select_set(False)
    root.select_set(True)
    bpy.context.view_layer.objects.active = root
    meshy_ui.prefs.save_folder = str(tmp_path / "props")
    try:
        [(ident, label, tooltip), *_] = _libraries(None, bpy.context)
        assert (ident, label) == ("SAVE_FOLDER", "Save Results To")
        assert str((tmp_path / "props").resolve()) in tooltip
        capfd.readouterr()
        assert bpy.ops.meshy.save_to_asset_library() == {"FINISHED"}  # as a script calls it
    finally:
        meshy_ui.prefs.save_folder = ""
    [blend] = list((tmp_path / "props" / "Meshy").glob("*.blend"))
    assert assets.CATS_FILE in {p.name for p in (tmp_path / "props").iterdir()}
    said = capfd.readouterr().out
    assert f"saved 1 result(s) to {blend.parent.resolve()} (Preferences > Save Results To)" \
        in said, said


def test_a_catalog_file_that_cannot_be_written_never_fails_the_save(bpy, meshy_ui, tmp_path):
    from meshy_blender.blender.core import notices
    from meshy_blender.blender.scene import assets

    _generate(bpy, meshy_ui, "a rope coil", should_texture=False)
    (tmp_path / assets.CATS_FILE).mkdir()  # in the way: not a file Meshy can write
    notices.history.clear()
    assert bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "rope.blend")) == {"FINISHED"}
    assert (tmp_path / "rope.blend").is_file()
    [(level, text)] = notices.history
    assert level == "WARNING" and "could not write the asset catalogs" in text
