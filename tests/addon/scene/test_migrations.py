"""Saved data from older versions loads through its migrations; data from a newer version is
refused in one sentence and left untouched (never set aside, overwritten or taken as new).

The fixtures in tests/assets/saved-0.1.0/ were written by the 0.1.0 add-on, and
tests/assets/saved-0.2.0-dev/ by a 0.2.0 build before ``scene.meshy_newer`` was renamed
``scene.meshy_tools`` (see their READMEs): today's readers must take them as they are.
"""

from __future__ import annotations

import json
import shutil

import pytest

from meshy_blender.jobs import migrations, model
from meshy_blender.jobs.journal import Journal
from meshy_blender.jobs.migrations import NewerDataError

from conftest import ROOT
from fixtures.emulator import created_tasks

SAVED = ROOT / "tests" / "assets" / "saved-0.1.0"
SAVED_DEV = ROOT / "tests" / "assets" / "saved-0.2.0-dev" / "settings-0.2.0-dev.blend"
OLD_UNFINISHED = "f413522dbb99"
OLD_FINISHED = "7cbff90efb79"
OLD_KEY = "props/lantern-01"
PAID_TASK = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def old_journal(tmp_path):
    folder = tmp_path / "journal"
    shutil.copytree(SAVED / "journal", folder)
    return folder


# -- journal ---------------------------------------------------------------------------------

def test_a_0_1_0_journal_loads_with_its_unfinished_job_its_key_and_its_history(old_journal):
    journal = Journal(old_journal)
    (job,) = journal.load_unfinished()
    assert journal.damaged == [] and journal.newer == []
    assert (job.id, job.status, job.label) == (OLD_UNFINISHED, model.RUNNING, "a brass lantern")
    assert job.step("preview").task_id == PAID_TASK
    assert job.step("preview").status == model.STEP_WAITING
    assert job.step("refine").task_id is None  # resumes at the paid task, pays nothing twice
    assert journal.find_key(OLD_KEY).id == OLD_UNFINISHED  # 0.1.0's key entry (no format)
    assert {j.id for j in journal.load_all()} == {OLD_UNFINISHED, OLD_FINISHED}
    # Saved again, it is written in today's format and still found by its key.
    journal.save(job)
    assert json.loads((old_journal / f"job-{job.id}.json").read_text())["format"] == \
        migrations.JOURNAL_FORMAT
    assert Journal(old_journal).find_key(OLD_KEY).id == OLD_UNFINISHED


def test_the_0_1_0_unfinished_job_resumes_on_its_paid_task_without_paying_again(
        old_journal, emulator, meshy_key, make_client, make_manager):
    from fixtures.emulator import Api
    from fixtures.jobs import wait_finished

    # Meshy still has the shape 0.1.0 paid for: made again here the way 0.1.0 made it (v1's
    # `mode`, finished, with its model: the refine textures it), the journal pointed at it.
    emulator.set_v1_gone(False)
    api = Api(emulator, meshy_key)
    paid = api.create("/openapi/v2/text-to-3d", {"mode": "preview", "prompt": "a brass lantern"})
    api.wait("/openapi/v2/text-to-3d", paid)
    for path in old_journal.rglob("*.json"):
        path.write_text(path.read_text().replace(PAID_TASK, paid))
    emulator.set_v1_gone()
    emulator.log.clear()
    manager = make_manager(make_client(), journal_dir=old_journal)
    resumed, ready = manager.resume_from_journal()
    assert [j.id for j in resumed] == [OLD_UNFINISHED] and ready == []
    wait_finished(manager, [OLD_UNFINISHED])
    job = manager.get(OLD_UNFINISHED)
    assert job.status == model.READY, job.detail
    assert job.step("preview").task_id == paid
    created = created_tasks(emulator)
    assert len(created) == 1 and created[0]["created_task_id"] == job.step("refine").task_id


def test_a_migration_step_is_one_function_and_runs_on_the_0_1_0_entries(old_journal, monkeypatch):
    """What the next journal change will do: raise the format, register one step."""
    monkeypatch.setattr(migrations, "JOURNAL_FORMAT", 2)
    monkeypatch.setattr(model, "JOURNAL_FORMAT", 2)
    monkeypatch.setattr(migrations, "JOURNAL_STEPS", {})

    @migrations.journal_step(1)
    def _labels_gain_a_suffix(entry):
        entry["label"] += " (upgraded)"
        return entry

    journal = Journal(old_journal)
    (job,) = journal.load_unfinished()
    assert job.label == "a brass lantern (upgraded)"
    assert job.step("preview").task_id == PAID_TASK
    journal.save(job)
    saved = json.loads((old_journal / f"job-{job.id}.json").read_text())
    assert saved["format"] == 2 and saved["label"] == "a brass lantern (upgraded)"
    assert Journal(old_journal).load(job.id).label == "a brass lantern (upgraded)"  # once only


def _make_newer(path, schema=7):
    data = json.loads(path.read_text())
    data["format"] = schema
    data["steps"][0]["something_new"] = {"only": "the newer version knows"}
    path.write_text(json.dumps(data))
    return path.read_bytes()


def test_a_newer_journal_entry_is_left_untouched_named_and_never_makes_its_key_new(old_journal):
    path = old_journal / f"job-{OLD_UNFINISHED}.json"
    before = _make_newer(path)
    journal = Journal(old_journal)
    assert journal.load_unfinished() == []
    assert journal.newer == [path.name] and journal.damaged == []
    assert path.read_bytes() == before and not list(old_journal.glob("*.damaged"))
    assert "made by a newer Meshy for Blender: update the extension" in \
        journal.damaged_message()
    with pytest.raises(NewerDataError) as err:
        journal.find_key(OLD_KEY)  # "new key" would pay for the lantern again
    assert str(err.value).startswith(
        f"The Meshy job with key '{OLD_KEY}' was made by a newer Meshy for Blender "
        "(schema 7): update the extension")
    assert path.read_bytes() == before


def test_a_newer_key_index_entry_is_refused(old_journal):
    (entry,) = (old_journal / "keys").glob("*.json")
    entry.write_text(json.dumps({**json.loads(entry.read_text()), "format": 3}))
    with pytest.raises(NewerDataError, match=r"newer Meshy for Blender \(schema 3\)"):
        Journal(old_journal).find_key(OLD_KEY)


def test_a_retired_job_a_newer_version_kept_is_refused_not_paid_again(old_journal):
    """Retention pruned the job and left its copy in the key entry: a newer copy is never "no
    job" (a rerun would pay for it again)."""
    (entry,) = (old_journal / "keys").glob("*.json")
    job = json.loads((old_journal / f"job-{OLD_UNFINISHED}.json").read_text())
    job["format"] = 5
    entry.write_text(json.dumps({**json.loads(entry.read_text()), "job": job}))
    (old_journal / f"job-{OLD_UNFINISHED}.json").unlink()
    with pytest.raises(NewerDataError, match=r"'a brass lantern' was made by a newer Meshy "
                                             r"for Blender \(schema 5\)"):
        Journal(old_journal).find_retired(OLD_KEY)


def test_an_entry_without_any_format_is_still_damage(old_journal):
    path = old_journal / f"job-{OLD_UNFINISHED}.json"
    data = json.loads(path.read_text())
    del data["format"]
    path.write_text(json.dumps(data))
    journal = Journal(old_journal)
    assert journal.load_unfinished() == [] and journal.damaged == [path.name + ".damaged"]


# -- .blend files ----------------------------------------------------------------------------

def _open(bpy, path):
    bpy.ops.wm.open_mainfile(filepath=str(path))
    return bpy.context.scene


def _check_0_1_0_settings(scene):
    s, n = scene.meshy, scene.meshy_tools
    assert s.prompt == "a weathered bronze owl on a plinth"
    # Meshy-5 and low-poly were retired (client/model_catalogue.py): a saved choice of either
    # reads back as its successor, so the artist sees what a click will really send.
    assert (s.ai_model, s.model_type, s.topology) == ("meshy-6", "smart-topology", "quad")
    assert s.use_polycount and s.target_polycount == 12345
    assert (s.symmetry_mode, s.enable_pbr, s.texture_prompt) == ("on", False, "green patina")
    assert set(s.target_formats) == {"glb", "fbx"} and s.import_format == "FBX"
    assert s.chain_rig and s.remesh_polycount == 4321 and s.candidates == 3
    assert s.rig_height == pytest.approx(1.25)
    assert (n.concept_prompt, n.concept_model) == ("a brass robot owl, front view",
                                                   "nano-banana-pro")
    assert (n.motion_prompt, n.print_max_colors, n.texture_resolution) == (
        "jumps over a puddle", 7, "4k")
    assert n.motion_duration == pytest.approx(6.5)


def test_a_0_1_0_blend_opens_with_its_settings_and_provenance(bpy, addon, tmp_path):
    from meshy_blender.blender.scene import migrations as saved

    scene = _open(bpy, SAVED / "settings-0.1.0.blend")
    _check_0_1_0_settings(scene)
    assert saved.scene_schema(scene) == saved.SCENE_SCHEMA == 2  # upgraded as it opened
    owl = bpy.data.objects["a bronze owl"]
    assert owl["meshy_task_ids"] == "preview=01a24ae1-91fb-76ec-98b2-b95c51ac2272"
    assert saved.object_schema(owl) == 1  # 0.1.0 wrote no meshy_schema
    # Saved by this version: stamped, and still the same settings.
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "resaved.blend"))
    scene = _open(bpy, tmp_path / "resaved.blend")
    assert scene.meshy.is_property_set("schema") and scene.meshy.schema == saved.SCENE_SCHEMA
    _check_0_1_0_settings(scene)


def test_scene_and_object_steps_run_on_the_0_1_0_blend(bpy, addon, monkeypatch):
    """What the next change of saved data will do: one step per schema, run in order after the
    ones before it (here after the rename of ``scene.meshy_newer``)."""
    from meshy_blender.blender.scene import migrations as saved

    monkeypatch.setattr(saved, "SCENE_SCHEMA", 3)
    monkeypatch.setattr(saved, "OBJECT_SCHEMA", 2)
    monkeypatch.setattr(saved, "SCENE_STEPS", dict(saved.SCENE_STEPS))
    monkeypatch.setattr(saved, "OBJECT_STEPS", {})

    @saved.scene_step(2)
    def _texture_prompt_from_the_concept(scene):
        scene.meshy.texture_prompt = scene.meshy_tools.concept_prompt

    @saved.object_step(1)
    def _credits_as_text(obj):
        obj["meshy_credits"] = f"{obj['meshy_credits']} credits"

    scene = _open(bpy, SAVED / "settings-0.1.0.blend")
    assert scene.meshy.texture_prompt == "a brass robot owl, front view"
    assert scene.meshy.schema == 3
    owl = bpy.data.objects["a bronze owl"]
    assert owl["meshy_credits"] == "20 credits" and owl["meshy_schema"] == 2


def _check_0_2_0_dev_settings(bpy, scene):
    t = scene.meshy_tools
    assert scene.meshy.prompt == "a carved wooden fox"
    assert (t.concept_mode, t.concept_prompt, t.concept_model) == (
        "IMAGE", "a fox made of driftwood, side view", "gpt-image-2")
    assert (t.concept_aspect_ratio, t.concept_multi_view, t.concept_pose) == ("16:9", True,
                                                                              "t-pose")
    assert (t.meshy7, t.ultra_mode, t.texture_resolution, t.alpha_thumbnail) == (
        True, True, "8k", True)
    assert (t.remesh_auto_size, t.multiview_retexture, t.multiview_count) == (True, True, 2)
    assert (t.uv_then_retexture, t.uv_retexture_prompt) == (True, "weathered bronze")
    assert (t.print_max_colors, t.print_max_depth) == (9, 6)
    assert (t.motion_prompt, t.motion_mode) == ("waves hello", "swift")
    assert t.motion_duration == pytest.approx(7.5)
    assert t.concept_reference_2.image == bpy.data.images["fox-front"]
    assert t.concept_reference_3.filepath == "/home/artist/refs/fox-side.png"
    assert t.concept_reference_1.image is None and t.concept_reference_1.filepath == ""


def test_a_blend_saved_before_the_tool_settings_were_renamed_keeps_them(bpy, addon, tmp_path):
    """scene.meshy_newer (0.1.0 and 0.2.0 builds up to 514918e) reads back as
    scene.meshy_tools, every value as saved, and stays so when saved again."""
    from meshy_blender.blender.scene import migrations as saved

    scene = _open(bpy, SAVED_DEV)
    assert saved.stored_values(scene, "meshy_newer")["print_max_colors"] == 9  # the old name
    assert scene.meshy.schema == saved.SCENE_SCHEMA == 2
    _check_0_2_0_dev_settings(bpy, scene)
    scene.meshy_tools.print_max_colors = 3  # the new group is the one read from now on
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "resaved.blend"))
    scene = _open(bpy, tmp_path / "resaved.blend")
    assert scene.meshy_tools.print_max_colors == 3 and scene.meshy_tools.motion_mode == "swift"


def test_the_rename_step_copies_enums_by_their_saved_numbers(bpy, addon):
    """Blender saves an enum as its item's number: the step maps it through the same items, and
    a retired model's number stays for the model menu's reader (its successor)."""
    from meshy_blender.blender.scene import migrations as saved

    bpy.ops.wm.read_homefile(use_empty=True)
    scene = bpy.context.scene
    scene["meshy_newer"] = {"concept_mode": 1, "motion_mode": 1, "texture_resolution": 3,
                            "concept_model": 2, "concept_multi_view": 1, "multiview_count": 3,
                            "concept_reference_4": {"filepath": "/tmp/ref.png"}}
    store = saved.stored_values(scene, "meshy_newer") or scene["meshy_newer"]
    saved.copy_stored(store, scene.meshy_tools)
    t = scene.meshy_tools
    assert (t.concept_mode, t.motion_mode, t.texture_resolution) == ("IMAGE", "swift", "8k")
    assert t.concept_model == "nano-banana-pro" and t.concept_multi_view is True
    assert t.multiview_count == 3 and t.concept_reference_4.filepath == "/tmp/ref.png"
    assert t.ultra_mode is False  # not saved: stays at its default
    # A model number no menu item has (a model since removed) is kept as saved; the model
    # menu's own reader shows what a click would send instead (its default here).
    saved.copy_stored({"concept_model": 4242}, t)
    assert t.get("concept_model") == 4242 and t.concept_model == "nano-banana"


def test_linked_objects_and_scenes_are_left_to_their_own_file(bpy, addon, monkeypatch,
                                                              tmp_path):
    """Linked data is read-only in the file that links it: an upgrade or a save never fails on
    it (it is upgraded when its own file is opened)."""
    from meshy_blender.blender.scene import migrations as saved

    bpy.ops.wm.read_homefile(use_empty=True)
    with bpy.data.libraries.load(str(SAVED / "settings-0.1.0.blend"), link=True) as (src, dst):
        dst.objects = ["a bronze owl"]
        dst.scenes = list(src.scenes)
    monkeypatch.setattr(saved, "SCENE_SCHEMA", 3)  # the empty file opened at 2
    monkeypatch.setattr(saved, "OBJECT_SCHEMA", 2)
    calls: list[str] = []
    monkeypatch.setattr(saved, "SCENE_STEPS", {2: lambda scene: calls.append(scene.name)})
    monkeypatch.setattr(saved, "OBJECT_STEPS", {1: lambda obj: calls.append(obj.name)})
    assert saved.upgrade_file() == []
    local_scene = bpy.context.scene.name
    assert calls == [local_scene]  # only the file's own scene
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "links.blend"))
    assert bpy.context.scene.meshy.schema == 3
    assert all(not s.meshy.is_property_set("schema") for s in bpy.data.scenes if s.library)


def test_a_blend_from_a_newer_version_is_reported_and_keeps_its_stamp(bpy, addon, tmp_path):
    from meshy_blender.blender.core import notices
    from meshy_blender.blender.scene import migrations as saved

    scene = _open(bpy, SAVED / "settings-0.1.0.blend")
    scene.meshy.schema = 9
    bpy.data.objects["a bronze owl"]["meshy_schema"] = 4
    path = tmp_path / "newer.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    notices.forget()
    scene = _open(bpy, path)
    said = [text for _, text in notices.history]
    assert f"Meshy: Scene '{scene.name}' was made by a newer Meshy for Blender (schema 9): " \
        "update the extension (Preferences > Get Extensions). Its Meshy settings were left " \
        "as saved." in said
    assert any("Meshy object 'a bronze owl' was made by a newer Meshy for Blender (schema 4)"
               in text for text in said)
    _check_0_1_0_settings(scene)
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    assert _open(bpy, path).meshy.schema == 9  # never lowered
    assert saved.object_schema(bpy.data.objects["a bronze owl"]) == 4


def test_imported_objects_carry_their_provenance_schema(bpy, meshy_ui):
    from meshy_blender.blender.scene import migrations as saved

    s = bpy.context.scene.meshy
    s.prompt = "a tin cup"
    s.should_texture = False
    bpy.ops.meshy.generate_text()
    meshy_ui.run()
    assert bpy.data.objects["a tin cup"]["meshy_schema"] == saved.OBJECT_SCHEMA
