"""Tasks and Account operators in real Blender against the emulator: resume by id, recent
server tasks, open folder, copy id, re-import, balance and Test connection."""

from __future__ import annotations

import pytest

from meshy_blender.jobs import model

from fixtures.emulator import Api


def _roots(bpy, job):
    return [o for o in bpy.data.objects if o.get("meshy_job_id") == job.id]


def test_resume_task_by_id_imports_without_creating_anything(bpy, meshy_ui, meshy_key):
    task = Api(meshy_ui.emulator, meshy_key).preview(prompt="a teapot")
    posts = len(meshy_ui.posts())
    wm_state = bpy.context.window_manager.meshy
    wm_state.resume_kind = "text-to-3d-preview"
    wm_state.resume_task_id = task["id"]

    assert bpy.ops.meshy.resume_task() == {"FINISHED"}
    job = meshy_ui.run()

    assert job.status == model.IMPORTED, job.detail
    assert len(meshy_ui.posts()) == posts  # followed, never re-created or paid again
    [root] = _roots(bpy, job)
    assert root["meshy_task_ids"] == f"preview={task['id']}"


def test_resume_refuses_a_malformed_id(bpy, meshy_ui):
    with pytest.raises(RuntimeError, match="task id"):
        bpy.ops.meshy.resume_task(kind="rig", task_id="not an id")
    assert meshy_ui.jobs() == []


def test_recent_server_tasks_arrive_from_a_worker_and_can_be_imported(bpy, meshy_ui,
                                                                      meshy_key):
    from meshy_blender.blender.core import account, calls

    api = Api(meshy_ui.emulator, meshy_key)
    ids = [api.preview(prompt=f"a chair {n}")["id"] for n in range(2)]
    bpy.context.window_manager.meshy.recent_kind = "text-to-3d-preview"

    assert bpy.ops.meshy.list_server_tasks() == {"FINISHED"}
    outcome = calls.CALLS.wait(account.RECENT_CALL)

    assert outcome is not None and outcome.error is None
    assert [row["id"] for row in outcome.value] == ids[::-1]  # newest first
    assert outcome.value[0]["prompt"] == "a chair 1"
    assert bpy.ops.meshy.resume_task(kind="text-to-3d-preview", task_id=ids[0]) == {"FINISHED"}
    assert meshy_ui.run().status == model.IMPORTED


def test_job_actions_open_folder_copy_id_and_reimport_from_the_cache(bpy, meshy_ui,
                                                                      monkeypatch):
    from meshy_blender.blender.features.tasks import operators as tasks

    bpy.context.scene.meshy.prompt = "a lantern"
    bpy.context.scene.meshy.should_texture = False
    bpy.ops.meshy.generate_text()
    job = meshy_ui.run()
    downloads = len(meshy_ui.emulator.requests("assets"))

    opened = []
    monkeypatch.setattr(tasks, "open_folder", opened.append)  # no file browser in CI
    assert bpy.ops.meshy.open_job_folder(job_id=job.id) == {"FINISHED"}
    assert opened and opened[0].startswith(str(meshy_ui.cache))
    assert any(p.startswith(opened[0]) for p in job.files.values())

    assert tasks.last_task_id(job) == job.step("preview").task_id
    assert bpy.ops.meshy.copy_task_id(job_id=job.id) == {"FINISHED"}

    assert bpy.ops.meshy.reimport_job(job_id=job.id) == {"FINISHED"}
    assert len(_roots(bpy, job)) == 2
    assert len(meshy_ui.emulator.requests("assets")) == downloads  # from the cache


def test_reimport_of_a_damaged_cached_file_downloads_it_again_and_lands(bpy, meshy_ui, capfd):
    """Every reuse of a cache file checks it first (issue 26): a damaged file is fetched again
    from the recorded task (no create, no charge) and the re-import lands once it is back,
    instead of being reported as imported at once."""
    bpy.context.scene.meshy.prompt = "a dented lantern"
    bpy.context.scene.meshy.should_texture = False
    bpy.ops.meshy.generate_text()
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    posts, downloads = len(meshy_ui.posts()), len(meshy_ui.emulator.requests("assets"))
    glb = next(p for p in job.files.values() if p.endswith(".glb"))
    with open(glb, "r+b") as fh:  # cut short, as a crashed copy or a full disk leaves it
        fh.truncate(fh.seek(0, 2) // 2)

    capfd.readouterr()
    assert bpy.ops.meshy.reimport_job(job_id=job.id) == {"FINISHED"}
    said = capfd.readouterr().out  # Blender prints operator reports in background mode
    assert "downloading it again" in said and "imported" not in said, said
    again = meshy_ui.run()
    assert again.id == job.id and again.status == model.IMPORTED, again.detail
    assert len(_roots(bpy, job)) == 2  # the first import and the re-import
    assert len(meshy_ui.posts()) == posts  # nothing created or paid
    assert len(meshy_ui.emulator.requests("assets")) > downloads  # fetched again


def test_failed_job_can_be_retried(bpy, meshy_ui):
    meshy_ui.emulator.set_fault("fail_tasks", "server_error")
    bpy.context.scene.meshy.prompt = "a broken vase"
    bpy.context.scene.meshy.should_texture = False
    bpy.ops.meshy.generate_text()
    job = meshy_ui.run()
    assert job.status == model.FAILED
    meshy_ui.emulator.clear_faults()

    assert bpy.ops.meshy.retry_job(job_id=job.id) == {"FINISHED"}
    assert meshy_ui.run(job).status == model.IMPORTED


def test_balance_is_read_on_a_worker_and_test_connection_reports(bpy, meshy_ui):
    from meshy_blender.blender.core import account, calls

    assert bpy.ops.meshy.refresh_balance() == {"FINISHED"}
    outcome = calls.CALLS.wait(account.BALANCE_CALL)
    assert outcome.value["balance"] == account.balance() == meshy_ui.emulator.balance()
    assert outcome.value["monthly_credits"] + outcome.value["permanent_credits"] == \
        account.balance()

    assert bpy.ops.meshy.test_connection() == {"FINISHED"}
    meshy_ui.prefs.api_key = "msy_wrong_key_for_the_test_1234"
    with pytest.raises(RuntimeError, match=r"connection failed: .*key"):
        bpy.ops.meshy.test_connection()


def test_cancel_on_server_deletes_the_running_task(bpy, meshy_ui, monkeypatch):
    import time

    monkeypatch.setattr(meshy_ui.emulator.store, "task_seconds", 30.0)
    bpy.context.scene.meshy.prompt = "a slow statue"
    bpy.context.scene.meshy.should_texture = False
    bpy.ops.meshy.generate_text()
    job = meshy_ui.last_job()
    deadline = time.monotonic() + 10
    while meshy_ui.last_job().steps[0].status != model.STEP_WAITING:  # reads the worker's news
        assert time.monotonic() < deadline, job.detail
        time.sleep(0.01)
    task_id = job.steps[0].task_id

    assert bpy.ops.meshy.cancel_job(job_id=job.id, on_server=True) == {"FINISHED"}
    assert meshy_ui.run(job).status == model.CANCELLED
    assert meshy_ui.emulator.store.get(task_id) is None  # DELETE reached Meshy
    assert "deleted on Meshy" in job.detail
