"""The rig check before rigging (1 credit) against the emulator over real HTTP: a model Meshy
cannot rig stops before the 5-credit rig; the rig type (biped or quadruped) is kept; the check
is journalled like every paid step; it can be skipped."""

from __future__ import annotations

import pytest

from meshy_blender.client import errors
from meshy_blender.jobs import model
from meshy_blender.jobs.journal import Journal
from meshy_blender.jobs.plans import plan_job, quote
from meshy_blender.jobs.rig_check import job_rig_type

from fixtures.emulator import created_tasks
from fixtures.glb_shapes import box_glb
from fixtures.jobs import wait_finished


def _run(make_client, make_manager, request: str, options: dict) -> model.Job:
    manager = make_manager(make_client())
    job = manager.submit(plan_job(request, options))
    wait_finished(manager, [job.id], timeout=60)
    return job


def test_the_check_is_priced_with_the_rig_and_can_be_skipped():
    assert quote("rig", {"input_task_id": "t"}).credits == 6  # 1 check + 5 rig
    assert quote("rig", {"input_task_id": "t", "rig_check": False}).credits == 5
    chain = plan_job("text-to-3d", {"prompt": "a fox", "rig": {}, "rig_check": False})
    assert [s.kind for s in chain.steps] == ["text-to-3d-refine", "rig"]
    with pytest.raises(errors.ValidationError) as refused:
        plan_job("rig", {"input_task_id": "t", "rig_check": "no"})
    assert refused.value.field == "rig_check"


def test_a_model_meshy_cannot_rig_stops_before_the_rig_is_paid(
        emulator, make_client, make_manager, tmp_path):
    before = emulator.balance()
    plate = box_glb(tmp_path / "plate.glb", 2.0, 0.01, 2.0)
    job = _run(make_client, make_manager, "rig", {"model_url": str(plate)})
    assert job.status == model.FAILED
    assert job.error.type == "NotRiggableError"
    assert "rig check" in job.error.message and "Selected Object" in job.error.message
    assert [r["kind"] for r in created_tasks(emulator)] == ["rig-check"]
    assert emulator.balance() == before - 1  # the check only, never the 5-credit rig
    assert job.step("rig_check").report == {"riggable": False, "rig_type": None}
    assert job.step("rig").task_id is None


@pytest.mark.parametrize(("shape", "rig_type"), [((0.5, 1.8, 0.3), "biped"),
                                                 ((2.0, 1.0, 0.6), "quadruped")])
def test_the_rig_type_is_kept_on_the_job(emulator, make_client, make_manager, tmp_path,
                                         shape, rig_type):
    glb = box_glb(tmp_path / "model.glb", *shape)
    job = _run(make_client, make_manager, "rig", {"model_url": str(glb)})
    assert job.status == model.READY, job.detail
    assert [r["kind"] for r in created_tasks(emulator)] == ["rig-check", "rig"]
    assert job.step("rig_check").report == {"riggable": True, "rig_type": rig_type}
    assert job.step("rig").report == {"rig_type": rig_type}
    assert job_rig_type(job) == rig_type


def test_skipping_the_check_rigs_at_once(emulator, make_client, make_manager, tmp_path):
    glb = box_glb(tmp_path / "dog.glb", 2.0, 1.0, 0.6)
    job = _run(make_client, make_manager, "rig", {"model_url": str(glb), "rig_check": False})
    assert job.status == model.READY, job.detail
    assert [r["kind"] for r in created_tasks(emulator)] == ["rig"]
    assert job_rig_type(job) == "quadruped"  # the rig task's own answer


def test_a_crash_after_the_checks_post_never_pays_it_twice(emulator, make_client, make_manager,
                                                           tmp_path):
    """The journal holds the check as CREATING (the POST went out, Blender died before the
    answer): the resumed job adopts Meshy's check and goes on to the rig."""
    source = make_client().create_task("text-to-3d-refine", {"prompt": "a knight"})
    make_client().wait_for_task("text-to-3d-refine", source)
    job = plan_job("rig", {"input_task_id": source})
    check = job.step("rig_check")
    check.status = model.STEP_CREATING
    check.create_started_ms = model.now_ms()
    job.status = model.RUNNING
    crashed_id = make_client().create_task("rig-check", {"input_task_id": source})
    Journal(tmp_path / "journal").save(job)

    manager = make_manager(make_client(), journal_dir=tmp_path / "journal")
    manager.resume_from_journal()
    wait_finished(manager, [job.id], timeout=60)
    resumed = manager.get(job.id)
    assert resumed.status == model.READY, resumed.detail
    assert resumed.step("rig_check").task_id == crashed_id
    assert [r["kind"] for r in created_tasks(emulator)] == ["text-to-3d", "rig-check", "rig"]


def test_a_clip_for_another_rig_type_is_refused_in_artist_words(emulator, make_client, tmp_path):
    """Meshy answers 400 to an animation whose rig type is not the rig's (ANIM); the add-on
    says so naming the Animate list, and the quadruped's own clips animate it."""
    from meshy_blender.client import build_payload

    client = make_client()
    glb = box_glb(tmp_path / "dog.glb", 2.0, 1.0, 0.6)
    rig = client.create_task("rig", build_payload("rig", model_url=glb))
    client.wait_for_task("rig", rig)
    with pytest.raises(errors.InvalidRequestError) as refused:
        client.create_task("animate", build_payload("animate", rig_task_id=rig, action_id=1))
    assert refused.value.code == "rig_type_mismatch" and "Animate" in str(refused.value)
    clip = client.create_task("animate", build_payload("animate", rig_task_id=rig,
                                                       action_id=9001))
    assert client.wait_for_task("animate", clip).succeeded
