"""A job started by the API or the CLI is never imported uninvited (issue 26): a process that
takes it over after its own process died offers it ("restored", Tasks shows "Finished
elsewhere: Import"); a sidebar job still lands as before; asking for it imports it."""

from __future__ import annotations

import time

import pytest

from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job

from fixtures.jobs import wait_finished


def _left_by_a_dead_process(make_client, make_manager, tmp_path, origin: str) -> model.Job:
    """A job whose first task was created, then its process stopped (detached, lock gone)."""
    first = make_manager(make_client(), journal_dir=tmp_path / "journal")
    job = plan_job("text-to-3d", {"prompt": "a lamp", "should_texture": False})
    job.origin = origin
    first.submit(job)
    deadline = time.monotonic() + 10
    while not job.task_ids and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.task_ids and first.detach(job.id)
    first.shutdown()
    return job


@pytest.mark.parametrize(("origin", "event"), [(model.ORIGIN_SCRIPT, "restored"),
                                               ("", "ready")])
def test_a_taken_over_job_is_offered_when_a_script_started_it(
        emulator, make_client, make_manager, tmp_path, origin, event):
    emulator.set_fault("latency", 0.2)  # the first process stops before the task ends
    job = _left_by_a_dead_process(make_client, make_manager, tmp_path, origin)
    emulator.clear_faults()
    second = make_manager(make_client(), journal_dir=tmp_path / "journal")
    resumed, _ = second.resume_from_journal()
    assert [j.id for j in resumed] == [job.id]
    wait_finished(second, [job.id])
    events = [e for e in second.drain() if e.type in ("ready", "restored")]
    assert [e.type for e in events] == [event]
    assert events[0].snapshot["offered"] is (event == "restored")
    assert second.get(job.id).origin == origin  # journalled with the job
    assert second.prepare_reimport(job.id)  # the artist clicks Import
    assert second.get(job.id).status == model.READY


def test_the_journal_keeps_the_origin(tmp_path):
    from meshy_blender.jobs.journal import Journal

    job = plan_job("text-to-3d", {"prompt": "a lamp"})
    job.origin = model.ORIGIN_SCRIPT
    Journal(tmp_path).save(job)
    assert Journal(tmp_path).load(job.id).origin == model.ORIGIN_SCRIPT


def test_api_jobs_are_journalled_as_started_by_a_script(bpy, empty_scene, meshy_env):
    from meshy_blender import api
    from meshy_blender.blender.core import runtime

    result = api.text_to_3d("a lamp", should_texture=False)
    assert runtime.current_runtime().manager.get(result.job_id).origin == model.ORIGIN_SCRIPT
