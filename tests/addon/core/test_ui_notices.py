"""Telling the artist, in real Blender against the emulator: a report when a job lands or fails,
the balance read again after it, Cancel that deletes the task on Meshy only after a
confirmation saying what happens to the credits, and Stop Watching as its own choice."""

from __future__ import annotations

import time
from types import SimpleNamespace

from meshy_blender.jobs import model


def _generate(bpy, prompt):
    s = bpy.context.scene.meshy
    s.prompt = prompt
    s.should_texture = False
    assert bpy.ops.meshy.generate_text() == {"FINISHED"}


def test_an_imported_job_reports_the_object_name_in_the_status_bar(bpy, meshy_ui, capfd):
    from meshy_blender.blender.core import notices

    notices.history.clear()
    _generate(bpy, "a brass lantern")
    job = meshy_ui.run()
    assert job.status == model.IMPORTED
    [root] = [o for o in bpy.data.objects if o.get("meshy_job_id") == job.id and o.parent is None]
    text = f"Meshy: imported '{root.name}' as an asset in Meshy/Text to 3D (shape)"
    assert notices.history[-1] == ("INFO", text)
    # Blender printed it as an operator report (background Blender's Info log is stdout)
    assert text in capfd.readouterr().out


def test_a_failed_job_reports_the_reason_and_the_balance_is_read_again(bpy, meshy_ui):
    from meshy_blender.blender.core import account, calls, notices

    notices.history.clear()
    calls.CALLS.outcomes[account.BALANCE_CALL] = calls.Outcome(value=99_999)  # a stale read
    meshy_ui.emulator.set_fault("fail_tasks", "server_error")
    _generate(bpy, "a cracked vase")
    job = meshy_ui.run()
    assert job.status == model.FAILED
    level, text = notices.history[-1]
    assert level == "WARNING"
    assert text.startswith("Meshy: 'a cracked vase' failed: ")
    assert "Failed to generate preview images" in text  # Meshy's reason, said once
    assert text.count("Failed to generate") == 1
    calls.CALLS.wait(account.BALANCE_CALL)
    assert account.balance() == meshy_ui.emulator.balance()  # refreshed after the job ended


def test_jobs_of_the_headless_api_do_not_report_in_the_sidebar(bpy, meshy_ui):
    from meshy_blender.blender.core import notices, runtime
    from meshy_blender.jobs.request import JobRequest

    notices.history.clear()
    rt = meshy_ui.runtime()
    job = rt.submit(JobRequest("text-to-3d", {"prompt": "a stool", "should_texture": False},
                               "stool", runtime.config.resolve().import_options()))
    meshy_ui.run(job)
    assert notices.history == []


def _running_job(bpy, meshy_ui, monkeypatch):
    monkeypatch.setattr(meshy_ui.emulator.store, "task_seconds", 30.0)
    _generate(bpy, "a slow statue")
    job = meshy_ui.last_job()
    deadline = time.monotonic() + 10
    while meshy_ui.last_job().steps[0].status != model.STEP_WAITING:  # reads the worker
        assert time.monotonic() < deadline, job.detail
        time.sleep(0.01)
    return job


class _ConfirmingWindowManager:
    """Stands in for the window manager's confirmation popup (no windows in background
    Blender): records what the dialog says and answers like the artist would."""

    def __init__(self):
        self.asked = {}

    def invoke_confirm(self, op, event, **kwargs):
        import bpy

        real = bpy.types.WindowManager.bl_rna.functions["invoke_confirm"].parameters
        assert set(kwargs) <= {p.identifier for p in real}  # what Blender really accepts
        self.asked = kwargs
        return {"RUNNING_MODAL"}


def test_cancel_asks_first_then_deletes_the_task_on_meshy(bpy, meshy_ui, monkeypatch):
    from meshy_blender.blender.operators.jobs import MESHY_OT_cancel_job

    job = _running_job(bpy, meshy_ui, monkeypatch)
    task_id = job.steps[0].task_id
    wm = _ConfirmingWindowManager()
    op = SimpleNamespace(job_id=job.id, on_server=True)
    assert MESHY_OT_cancel_job.invoke(op, SimpleNamespace(window_manager=wm), None) == \
        {"RUNNING_MODAL"}
    assert "refund" in wm.asked["message"] and wm.asked["confirm_text"] == "Cancel Job"
    assert job.is_active and meshy_ui.emulator.store.get(task_id) is not None  # not yet

    # the artist confirms: Blender runs execute with the same properties (on_server default)
    assert bpy.ops.meshy.cancel_job(job_id=job.id) == {"FINISHED"}
    assert meshy_ui.run(job).status == model.CANCELLED
    assert meshy_ui.emulator.store.get(task_id) is None  # DELETE reached Meshy
    assert "deleted on Meshy" in job.detail


def test_stop_watching_leaves_the_task_running_on_meshy(bpy, meshy_ui, monkeypatch):
    job = _running_job(bpy, meshy_ui, monkeypatch)
    task_id = job.steps[0].task_id
    assert bpy.ops.meshy.stop_watching(job_id=job.id) == {"FINISHED"}
    assert meshy_ui.run(job).status == model.CANCELLED
    assert meshy_ui.emulator.store.get(task_id) is not None  # still on Meshy: resumable


def test_clear_finished_empties_the_list_but_keeps_running_jobs(bpy, meshy_ui, monkeypatch):
    _generate(bpy, "a small box")
    done = meshy_ui.run()
    running = _running_job(bpy, meshy_ui, monkeypatch)
    view = meshy_ui.runtime().pump.view
    assert {done.id, running.id} <= set(view)
    assert bpy.ops.meshy.clear_finished() == {"FINISHED"}
    assert done.id not in view and running.id in view


def test_a_known_balance_below_the_price_refuses_before_anything_is_sent(bpy, meshy_ui):
    """Menus, F3 and scripts reach the operator without the greyed-out button."""
    import pytest

    from meshy_blender.blender.core import account, calls

    calls.CALLS.outcomes[account.BALANCE_CALL] = calls.Outcome(value=9)
    bpy.context.scene.meshy.prompt = "a chair"
    with pytest.raises(RuntimeError, match="Not enough credits: this costs 30, you have 9"):
        bpy.ops.meshy.generate_text()
    assert meshy_ui.posts() == [] and meshy_ui.jobs() == []
