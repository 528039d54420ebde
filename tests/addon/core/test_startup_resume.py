"""Start-up: jobs journalled by a previous Blender session resume when the add-on is enabled."""

from __future__ import annotations

import time

import pytest

from meshy_blender.jobs import model
from meshy_blender.jobs.manager import JobManager
from meshy_blender.jobs.plans import plan_job

from fixtures.emulator import created_tasks
from fixtures.jobs import wait_finished


@pytest.fixture
def configured(monkeypatch, emulator, meshy_key, tmp_path):
    """The add-on configured through the environment, as a pipeline would do."""
    monkeypatch.setenv("MESHY_API_KEY", meshy_key)
    monkeypatch.setenv("MESHY_API_BASE", emulator.api_url)
    monkeypatch.setenv("MESHY_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_enabling_schedules_the_resume_timer(addon, bpy):
    from meshy_blender.blender import registration

    assert bpy.app.timers.is_registered(registration.startup_resume)


def test_previous_session_jobs_resume_and_ready_ones_are_offered(addon, bpy, configured,
                                                                 make_client, emulator):
    from meshy_blender.blender.core import runtime

    # Session 1: one job finished downloading but was never imported, one is still running.
    old = JobManager(make_client(), configured / "journal")
    done = old.submit(plan_job("text-to-3d", {"prompt": "a lamp", "should_texture": False}))
    wait_finished(old, [done.id])
    emulator.set_fault("latency", 0.3)
    running = old.submit(plan_job("text-to-3d", {"prompt": "a desk", "should_texture": False}))
    deadline = time.monotonic() + 10
    while running.step("preview").status != model.STEP_WAITING and time.monotonic() < deadline:
        time.sleep(0.01)
    assert running.step("preview").task_id
    old.shutdown()  # Blender closes
    emulator.clear_faults()

    assert runtime.current_runtime() is None
    runtime.startup_resume()  # what the one-shot timer runs after start-up
    rt = runtime.current_runtime()
    try:
        assert rt is not None
        wait_finished(rt.manager, [running.id], timeout=20)
        rt.pump.tick()
        assert rt.pump.view[done.id]["status"] == model.READY  # offered, not auto-imported
        assert not [o for o in bpy.data.objects if o.get("meshy_job_id") == done.id]
        # The running job re-attached instead of posting again.
        assert len(created_tasks(emulator)) == 2
    finally:
        runtime.shutdown_runtime()


def test_nothing_starts_without_journalled_work(addon, configured):
    from meshy_blender.blender.core import runtime

    runtime.startup_resume()
    assert runtime.current_runtime() is None


def test_damaged_journal_files_are_named_in_one_report(addon, bpy, configured):
    from meshy_blender.blender.core import notices, runtime

    journal = configured / "journal"
    journal.mkdir(parents=True)
    (journal / "job-0list.json").write_text("[]", encoding="utf-8")
    (journal / "job-0null.json").write_text("null", encoding="utf-8")
    notices.forget()
    runtime.startup_resume()  # nothing to resume: only the damaged files
    warnings = [text for level, text in notices.history if level == "WARNING"]
    assert len(warnings) == 1 and "2 damaged" in warnings[0]
    assert "job-0list.json" in warnings[0] and "job-0null.json" in warnings[0]
    assert (journal / "job-0list.json.damaged").is_file()
