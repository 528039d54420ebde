"""Jobs layer against the emulator over real HTTP: chains, cancellation, limits, journal, resume."""

from __future__ import annotations

import json
import time

import pytest

from meshy_blender.client.errors import ValidationError
from meshy_blender.jobs import model
from meshy_blender.jobs.manager import JobManager
from meshy_blender.jobs.plans import plan_job

from fixtures.emulator import created_tasks
from fixtures.jobs import drain_until, wait_finished
from meshy_emu import Emulator


@pytest.fixture
def slow_emulator(emulator_server):
    """A separate emulator whose tasks take long enough to cancel or crash mid-way."""
    emu = Emulator(task_seconds=3.0)
    emu.start()
    yield emu
    emu.stop()


# -- planning (no requests) -------------------------------------------------------------------

def test_text_to_3d_chain_is_planned_with_links_and_priced():
    job = plan_job("text-to-3d", {"prompt": "a knight", "enable_pbr": True, "remesh": {},
                                  "rig": {"height_meters": 1.8}, "animations": [4, 1]})
    # Meshy API v2: a textured model is one text-to-3d call (the "refine" step), no preview.
    # The 1-credit rig check comes before the 5-credit rig, on the same model.
    assert [s.kind for s in job.steps] == ["text-to-3d-refine", "remesh", "rig-check", "rig",
                                          "animate", "animate"]
    assert job.step("refine").links == {}
    assert job.step("remesh").links == {"input_task_id": "refine"}
    assert job.step("rig_check").links == job.step("rig").links == {"input_task_id": "remesh"}
    assert job.step("animate").links == job.step("animate1").links == {"rig_task_id": "rig"}
    assert job.step("refine").options == {"prompt": "a knight", "enable_pbr": True}
    assert job.step("rig").options == {"height_meters": 1.8}
    # Meshy-6 by default: 30 textured + 5 remesh + 1 rig check + 5 rig + 3 + 3 animations.
    assert job.estimated_credits == 47
    assert job.step("rig_check").downloads == []
    assert job.step("rig").downloads[0] == "rigged_character_glb"
    # Models on the way are optional stand-ins (shown while the chain runs), never required.
    assert job.step("refine").downloads == ["glb?"]


def test_bad_input_is_refused_before_any_request(emulator):
    with pytest.raises(ValidationError):
        plan_job("text-to-3d", {"prompt": ""})
    with pytest.raises(ValidationError):
        plan_job("text-to-3d", {"prompt": "x" * 601})
    with pytest.raises(ValidationError, match="rig"):
        plan_job("text-to-3d", {"prompt": "cat", "animations": [1]})
    with pytest.raises(ValidationError):
        plan_job("text-to-3d", {"prompt": "cat", "should_texture": False, "enable_pbr": True})
    assert emulator.requests("api") == []


# -- running ---------------------------------------------------------------------------------

def test_job_runs_end_to_end_and_downloads_the_model(emulator, make_client, make_manager):
    manager = make_manager(make_client())
    job = manager.submit(plan_job("text-to-3d", {"prompt": "a brass lantern"}))
    wait_finished(manager, [job.id])
    assert job.status == model.READY, job.detail
    glb = job.files["refine.glb"]
    with open(glb, "rb") as fh:
        assert fh.read(4) == b"glTF"
    assert job.consumed_credits == 30 == job.estimated_credits
    events = drain_until(manager, "ready")
    assert events[-1].type == "ready" and events[-1].snapshot["status"] == model.READY
    assert any(e.snapshot["progress"] > 0 for e in events if e.type == "progress")


def test_every_event_rings_the_managers_bell_as_it_is_posted(emulator, make_client,
                                                               make_manager):
    """The worker process wakes its loop with ``on_event``: a ready job is sent to Blender the
    moment it is posted, not at the loop's next poll."""
    manager = make_manager(make_client())
    rung: list[int] = []
    manager.on_event = lambda: rung.append(1)
    job = manager.submit(plan_job("text-to-3d", {"prompt": "a tin whistle",
                                                 "should_texture": False}))
    events = drain_until(manager, "ready")
    assert job.status == model.READY, job.detail
    assert len(rung) == len(events)  # one ring per event, the ready one included


def test_chain_passes_each_task_id_to_the_next_step(emulator, make_client, make_manager):
    manager = make_manager(make_client())
    job = manager.submit(plan_job("text-to-3d", {"prompt": "a knight", "remesh": {},
                                                 "rig": {}, "animations": [1]}))
    wait_finished(manager, [job.id], timeout=60)
    assert job.status == model.READY, job.detail
    posts = created_tasks(emulator)
    # The emulator's task objects echo the request parameters they were created with.
    bodies = [(p["kind"], emulator.task(p["created_task_id"]), p["created_task_id"])
              for p in posts]
    assert [k for k, _, _ in bodies] == ["text-to-3d", "remesh", "rig-check", "rig", "animate"]
    assert posts[0]["path"] == "/openapi/v2/text-to-3d"  # textured in one call
    ids = [t for _, _, t in bodies]
    assert bodies[1][1]["input_task_id"] == ids[0]
    assert bodies[2][1]["input_task_id"] == bodies[3][1]["input_task_id"] == ids[1]
    assert bodies[4][1]["rig_task_id"] == ids[3]
    assert job.step("rig_check").report == {"riggable": True, "rig_type": "biped"}
    # Nothing Meshy already has is uploaded again.
    assert not any("model_url" in body for _, body, _ in bodies)
    assert set(job.files) == {"rig.rigged_character_glb", "rig.walking_armature_glb",
                              "rig.running_armature_glb", "animate.animation_glb",
                              "refine.glb", "remesh.glb"}  # + the stand-in


def test_cancel_stops_waiting_at_once_and_can_delete_on_server(slow_emulator, make_client,
                                                              make_manager):
    manager = make_manager(make_client(base_url=slow_emulator.api_url))
    job = manager.submit(plan_job("text-to-3d", {"prompt": "a chair", "should_texture": False,
                                                 "remesh": {}}))
    deadline = time.monotonic() + 10
    while job.step("preview").task_id is None and time.monotonic() < deadline:
        time.sleep(0.02)
    task_id = job.step("preview").task_id
    assert task_id
    started = time.monotonic()
    assert manager.cancel(job.id, on_server=True)
    wait_finished(manager, [job.id], timeout=5)
    assert time.monotonic() - started < 2.0
    assert job.status == model.CANCELLED
    deletes = [r for r in slow_emulator.requests("api") if r["method"] == "DELETE"]
    assert len(deletes) == 1 and task_id in deletes[0]["path"]
    assert len(created_tasks(slow_emulator)) == 1  # the remesh was never started


def _shapes(manager, noun: str, count: int) -> list[model.Job]:
    """``count`` untextured text-to-3d jobs ("rock 0", "rock 1", ...) submitted at once."""
    return [manager.submit(plan_job("text-to-3d", {"prompt": f"{noun} {n}",
                                                   "should_texture": False}))
            for n in range(count)]


def test_concurrency_never_exceeds_the_worker_limit(emulator_server, make_client, make_manager):
    with Emulator(task_seconds=0.4, queue_limit=50) as emu:
        manager = make_manager(make_client(base_url=emu.api_url), max_workers=3)
        jobs = _shapes(manager, "rock", 7)
        peak = 0
        while any(j.is_active for j in jobs):
            running = sum(1 for t in emu.tasks() if t["status"] in ("PENDING", "IN_PROGRESS"))
            peak = max(peak, running)
            time.sleep(0.01)
        assert all(j.status == model.READY for j in jobs), [j.detail for j in jobs]
        assert 1 <= peak <= 3


def test_queue_full_429_is_waited_out_not_failed(emulator_server, make_client, make_manager):
    with Emulator(task_seconds=0.3, queue_limit=2) as emu:
        manager = make_manager(make_client(base_url=emu.api_url), max_workers=5)
        jobs = _shapes(manager, "tree", 5)
        wait_finished(manager, [j.id for j in jobs], timeout=30)
        assert [j.status for j in jobs] == [model.READY] * 5, [j.detail for j in jobs]
        statuses = [r["status"] for r in emu.requests("api") if r["method"] == "POST"]
        assert 429 in statuses, "the queue limit was never hit; the test proves nothing"
        assert len(created_tasks(emu)) == 5  # one paid task per job, none doubled


# -- journal and resume ------------------------------------------------------------------------

def test_crash_mid_job_resumes_from_journal_without_a_second_post(slow_emulator, make_client,
                                                                 make_manager, tmp_path):
    journal = tmp_path / "journal"
    first = make_manager(make_client(base_url=slow_emulator.api_url), journal_dir=journal)
    job = first.submit(plan_job("text-to-3d", {"prompt": "a lamp", "should_texture": False}))
    deadline = time.monotonic() + 10
    while job.step("preview").status != model.STEP_WAITING and time.monotonic() < deadline:
        time.sleep(0.02)
    first.shutdown(cancel_running=True, wait=True)  # Blender "crashes" while the task runs

    second = make_manager(make_client(base_url=slow_emulator.api_url), journal_dir=journal)
    resumed, ready = second.resume_from_journal()
    assert [j.id for j in resumed] == [job.id] and ready == []
    wait_finished(second, [job.id], timeout=20)
    again = second.get(job.id)
    assert again.status == model.READY, again.detail
    assert again.step("preview").task_id == job.step("preview").task_id
    assert len(created_tasks(slow_emulator)) == 1


def test_crash_during_the_paid_post_adopts_the_task_instead_of_paying_twice(
        emulator, make_client, make_manager, tmp_path):
    client = make_client()
    job = plan_job("text-to-3d", {"prompt": "a teapot", "should_texture": False})
    step = job.step("preview")
    # What the journal holds when Blender dies after sending the POST but before the answer:
    step.status = model.STEP_CREATING
    step.create_started_ms = model.now_ms()
    job.status = model.RUNNING
    crashed_process = make_client()  # the Blender that sent the POST and died
    server_id = crashed_process.create_task("text-to-3d-preview", {"prompt": "a teapot"})
    JobManager(client, tmp_path / "journal").journal.save(job)

    manager = make_manager(client, journal_dir=tmp_path / "journal")
    manager.resume_from_journal()
    wait_finished(manager, [job.id])
    resumed = manager.get(job.id)
    assert resumed.status == model.READY, resumed.detail
    assert resumed.step("preview").task_id == server_id
    assert len(created_tasks(emulator)) == 1


def test_ready_jobs_are_offered_for_import_after_restart(emulator, make_client, make_manager,
                                                        tmp_path):
    journal = tmp_path / "journal"
    first = make_manager(make_client(), journal_dir=journal)
    job = first.submit(plan_job("text-to-3d", {"prompt": "a mug", "should_texture": False}))
    wait_finished(first, [job.id])
    first.shutdown()
    second = make_manager(make_client(), journal_dir=journal)
    resumed, ready = second.resume_from_journal()
    assert resumed == [] and [j.id for j in ready] == [job.id]
    assert [e.type for e in drain_until(second, "restored")] == ["restored"]


def test_journal_is_versioned_and_never_holds_the_key(emulator, make_client, make_manager,
                                                     meshy_key, tmp_path):
    manager = make_manager(make_client(), journal_dir=tmp_path / "journal")
    job = manager.submit(plan_job("text-to-3d", {"prompt": "a gem", "should_texture": False}))
    wait_finished(manager, [job.id])
    files = list((tmp_path / "journal").glob("*.json"))
    assert len(files) == 1
    text = files[0].read_text()
    assert meshy_key not in text and "Authorization" not in text and "Bearer" not in text
    data = json.loads(text)
    assert data["format"] == model.JOURNAL_FORMAT
    assert data["steps"][0]["task_id"] == job.step("preview").task_id


def test_failed_task_fails_the_job_with_the_server_reason(emulator, make_client, make_manager):
    emulator.set_fault("fail_tasks", "busy")
    manager = make_manager(make_client())
    job = manager.submit(plan_job("text-to-3d", {"prompt": "a vase"}))
    wait_finished(manager, [job.id])
    assert job.status == model.FAILED
    assert job.error and job.error.type == "TaskFailedError"
    assert "busy" in job.error.message.lower()
    assert len(created_tasks(emulator)) == 1  # no blind re-creation of a failed paid task


def test_event_queue_is_safe_under_many_threads(emulator, make_client, make_manager):
    """Events from several workers arrive complete and in per-job order."""
    manager = make_manager(make_client(), max_workers=4)
    jobs = [manager.submit(plan_job("text-to-3d", {"prompt": f"cup {n}",
                                                   "should_texture": False}))
            for n in range(4)]
    wait_finished(manager, [j.id for j in jobs])
    per_job: dict[str, list[str]] = {}
    events = manager.drain()
    deadline = time.monotonic() + 5
    while sum(e.type == "ready" for e in events) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
        events += manager.drain()
    for event in events:
        per_job.setdefault(event.job_id, []).append(event.type)
    assert set(per_job) == {j.id for j in jobs}
    for types in per_job.values():
        assert types[-1] == "ready" and types.count("ready") == 1


def test_unwritable_journal_refuses_the_job_before_anything_is_paid(emulator, make_client,
                                                                   make_manager, tmp_path):
    from meshy_blender.jobs.journal import JournalError

    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    manager = make_manager(make_client(), journal_dir=not_a_folder / "journal")
    job = plan_job("text-to-3d", {"prompt": "a lamp"})
    with pytest.raises(JournalError, match="writable cache folder"):
        manager.submit(job)
    assert manager.jobs() == []
    assert emulator.requests("api") == []
