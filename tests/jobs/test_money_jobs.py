"""Never pay twice, never lose a paid result (issue 12), jobs side: damaged journal files, crash
recovery that never adopts another job's task, stable job keys, paid task ids on errors."""

from __future__ import annotations

import json
import time

import pytest

from meshy_blender.client import errors
from meshy_blender.jobs import keys, model, outcome
from meshy_blender.jobs.journal import Journal
from meshy_blender.jobs.plans import plan_job

from fixtures.emulator import created_tasks
from fixtures.jobs import wait_finished


def _preview(prompt: str = "a mug", **kw) -> model.Job:
    job = plan_job("text-to-3d", {"prompt": prompt, "should_texture": False})
    for k, v in kw.items():
        setattr(job, k, v)
    return job


# -- 2. the journal survives any file ------------------------------------------------------

DAMAGE = {
    "list": "[]",
    "null": "null",
    "garbage": "\x00\x01 not json {",
    "bad id": None,  # filled below from a real job
    "string timestamp": None,
    "missing keys": json.dumps({"format": 1, "kind": "text-to-3d"}),
    "steps not a list": None,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_journal_file_is_set_aside_and_never_blocks_the_others(
        damage, emulator, make_client, make_manager, tmp_path):
    folder = tmp_path / "journal"
    good = _preview("a good mug", status=model.QUEUED)
    journal = Journal(folder)
    journal.save(good)
    data = _preview("a broken mug").to_dict()
    text = DAMAGE[damage]
    if damage == "bad id":
        data["id"] = "../../etc"
    elif damage == "string timestamp":
        data["created_ms"] = "yesterday"
    elif damage == "steps not a list":
        data["steps"] = {"preview": 1}
    if text is None:
        text = json.dumps(data)
    (folder / "job-0badfile0.json").write_text(text, encoding="utf-8")

    manager = make_manager(make_client(), journal_dir=folder)
    resumed, _ = manager.resume_from_journal()  # never raises AttributeError/KeyError
    assert [j.id for j in resumed] == [good.id]
    assert (folder / "job-0badfile0.json.damaged").is_file()
    assert not (folder / "job-0badfile0.json").exists()
    message = manager.journal.damaged_message()
    assert "job-0badfile0.json.damaged" in message and "set aside" in message
    wait_finished(manager, [good.id])
    assert manager.get(good.id).status == model.READY


# -- 4. crash recovery never adopts a task any journal records ------------------------------

def test_crash_recovery_never_adopts_a_sibling_jobs_task(emulator, make_client, make_manager,
                                                        tmp_path):
    folder = tmp_path / "journal"
    # Job A crashed between "about to POST" and the answer; its POST never reached Meshy.
    crashed = _preview("a teapot")
    crashed.status = model.RUNNING
    crashed.step("preview").status = model.STEP_CREATING
    crashed.step("preview").create_started_ms = model.now_ms()
    # Job B, same prompt, created its task after that and journalled it (another process).
    sibling = _preview("a teapot")
    sibling_task = make_client().create_task("text-to-3d-preview", {"prompt": "a teapot"})
    sibling.step("preview").task_id = sibling_task
    sibling.step("preview").status = model.STEP_WAITING
    sibling.status = model.IMPORTED  # finished: nothing for the manager to resume
    journal = Journal(folder)
    journal.save(crashed)
    journal.save(sibling)

    manager = make_manager(make_client(), journal_dir=folder)
    manager.resume_from_journal()
    wait_finished(manager, [crashed.id])
    mine = manager.get(crashed.id).step("preview").task_id
    assert mine and mine != sibling_task  # a task of its own, not the sibling's
    assert len(created_tasks(emulator)) == 2


# -- 5. stable job keys ---------------------------------------------------------------------

def test_the_same_job_key_runs_and_pays_once(emulator, make_client, make_manager, tmp_path):
    folder = tmp_path / "journal"
    first = make_manager(make_client(), journal_dir=folder)
    job = first.submit(_preview(job_key="row-7"))
    wait_finished(first, [job.id])
    first.mark_imported(job.id)
    first.shutdown()
    assert len(created_tasks(emulator)) == 1

    rerun = make_manager(make_client(), journal_dir=folder)  # e.g. a farm retry
    again = rerun.submit(_preview(job_key="row-7"))
    assert again.id == job.id and again.status == model.IMPORTED
    assert again.task_ids == job.task_ids and again.files == job.files
    assert len(created_tasks(emulator)) == 1  # nothing paid again

    with pytest.raises(keys.JobKeyConflictError, match="different request"):
        rerun.submit(_preview("a different mug", job_key="row-7"))
    assert len(created_tasks(emulator)) == 1


# A chain: a shape (the "preview" step), then a remesh of it (a textured model is one task).
SHAPE_THEN_REMESH = {"should_texture": False, "remesh": {}}


def test_a_keyed_rerun_resumes_the_remaining_steps_of_an_interrupted_chain(
        emulator, make_client, make_manager, tmp_path):
    folder = tmp_path / "journal"
    job = plan_job("text-to-3d", {"prompt": "a lamp", **SHAPE_THEN_REMESH})
    job.job_key = "lamp-1"
    # As a timed-out / killed run leaves it: the shape is paid and journalled, remesh pending.
    preview_id = make_client().create_task("text-to-3d-preview", {"prompt": "a lamp"})
    job.step("preview").task_id = preview_id
    job.step("preview").status = model.STEP_WAITING
    job.status = model.RUNNING
    job.fingerprint = model.fingerprint(job)
    Journal(folder).save(job)

    rerun = make_manager(make_client(), journal_dir=folder)
    fresh = plan_job("text-to-3d", {"prompt": "a lamp", **SHAPE_THEN_REMESH})
    fresh.job_key = "lamp-1"
    resumed = rerun.submit(fresh)
    assert resumed.id == job.id
    wait_finished(rerun, [job.id])
    done = rerun.get(job.id)
    assert done.status == model.READY, done.detail
    assert done.step("preview").task_id == preview_id
    assert done.step("remesh").task_id and done.files
    kinds = sorted(r["path"] for r in created_tasks(emulator))
    assert len(kinds) == 2  # the shape (before) and the remesh: no second shape


def test_detach_leaves_a_chain_resumable_instead_of_cancelled(emulator, make_client,
                                                             make_manager, tmp_path):
    folder = tmp_path / "journal"
    normal = emulator.store.task_seconds
    emulator.store.task_seconds = 2.0
    try:
        manager = make_manager(make_client(), journal_dir=folder)
        job = manager.submit(plan_job("text-to-3d", {"prompt": "a chair", **SHAPE_THEN_REMESH}))
        deadline = time.monotonic() + 10
        while not job.step("preview").task_id and time.monotonic() < deadline:
            time.sleep(0.02)
        assert manager.detach(job.id)  # e.g. the caller's timeout ran out during the preview
        wait_finished(manager, [job.id])
    finally:
        emulator.store.task_seconds = normal
    on_disk = Journal(folder).load(job.id)
    assert on_disk.status in model.ACTIVE_STATUSES
    assert on_disk.step("preview").task_id == job.step("preview").task_id
    other = make_manager(make_client(), journal_dir=folder)  # the restart / another process
    resumed, _ = other.resume_from_journal()
    assert [j.id for j in resumed] == [job.id]
    wait_finished(other, [job.id])
    assert other.get(job.id).status == model.READY
    assert other.get(job.id).step("remesh").task_id  # the next step was not lost
    assert len(created_tasks(emulator)) == 2


# -- 6. errors carry the paid task ids ------------------------------------------------------

def test_a_credit_error_mid_chain_carries_the_paid_preview(emulator, make_client, make_manager,
                                                          meshy_key):
    client = make_client()
    manager = make_manager(client)
    emulator.set_balance(meshy_key, 20)  # enough for the shape (20), not the remesh (5)
    job = manager.submit(plan_job("text-to-3d", {"prompt": "a vase", **SHAPE_THEN_REMESH}))
    wait_finished(manager, [job.id])
    assert job.status == model.FAILED
    assert job.error.type == "InsufficientCreditsError"
    assert job.error.task_ids == {"preview": job.step("preview").task_id}
    saved = Journal(manager.journal.directory).load(job.id)
    assert saved.error.task_ids == job.error.task_ids


def test_errors_have_task_ids_field():
    assert errors.MeshyError("x").task_ids == {}


def test_errors_rebuilt_for_the_caller_carry_task_ids():
    job = plan_job("text-to-3d", {"prompt": "a vase", **SHAPE_THEN_REMESH})
    job.step("preview").task_id = "0193-preview"
    job.status = model.FAILED
    job.error = model.JobError("InsufficientCreditsError", "Not enough Meshy credits.")
    err = outcome.job_error(job)
    assert isinstance(err, errors.InsufficientCreditsError)
    assert err.task_ids == {"preview": "0193-preview"} and "0193-preview" in str(err)
    assert outcome.timeout_error(job, 5).task_ids == {"preview": "0193-preview"}
    assert "0193-preview" in str(outcome.interrupted_error(job))
    job.status = model.CANCELLED
    assert isinstance(outcome.job_error(job), errors.CancelledError)


def test_ownership_is_exclusive_and_dies_with_its_holder(tmp_path):
    """Two journals on one folder stand for two processes (each lock is its own open file)."""
    one, two = Journal(tmp_path), Journal(tmp_path)
    assert one.claim("abc123") and one.claim("abc123")
    assert not two.claim("abc123")
    one.release("abc123", delete=True)
    assert not (tmp_path / "job-abc123.lock").exists()
    assert two.claim("abc123") and not one.claim("abc123")
    two.release_all()
    assert one.claim("abc123")
    one.release_all()


def test_a_manager_shut_down_without_waiting_gives_its_jobs_up(emulator, make_client,
                                                              make_manager, tmp_path):
    """Disabling and re-enabling the add-on (same process) must not strand journalled jobs."""
    folder = tmp_path / "journal"
    job = _preview("a bell")
    job.status = model.RUNNING
    Journal(folder).save(job)
    first = make_manager(make_client(), journal_dir=folder)
    assert [j.id for j in first.resume_from_journal()[0]] == [job.id]
    first.shutdown(cancel_running=True, wait=False)
    second = make_manager(make_client(), journal_dir=folder)
    deadline = time.monotonic() + 5
    resumed: list = []
    while not resumed and time.monotonic() < deadline:
        resumed = second.resume_from_journal()[0]
        time.sleep(0.05)
    assert [j.id for j in resumed] == [job.id]
    wait_finished(second, [job.id])
    assert second.get(job.id).status == model.READY


def test_a_job_request_carries_its_key_into_the_job():
    from meshy_blender.jobs.plans import plan_request
    from meshy_blender.jobs.request import JobRequest

    req = JobRequest("text-to-3d", {"prompt": "a mug"}, job_key="farm-42")
    assert plan_request(req).job_key == "farm-42"
    assert plan_request(req.with_options({"prompt": "a cup"})).job_key == "farm-42"
    assert plan_request(JobRequest("text-to-3d", {"prompt": "a mug"})).job_key is None
    with pytest.raises(errors.ValidationError, match="job key"):
        JobRequest("text-to-3d", {"prompt": "a mug"}, job_key="bad\nkey")
