"""The reliability harness (scripts/reliability) in small: a few matrix rows, a 10-job soak,
a handful of bad inputs and the security checks; plus proof that its checks can fail."""

from __future__ import annotations

import pytest
from reliability import bad_inputs, harness, matrix, security, soak

from meshy_blender.jobs import model
from meshy_blender.jobs.model import Job, JobError, Step
from meshy_blender.jobs.plans import plan_job


def _fault(name):
    return next(f for f in matrix.FAULTS if f.name == name)


def _mode(name):
    return next(m for m in matrix.MODES if m.name == name)


@pytest.mark.parametrize(("fault", "mode", "outcome"), [
    ("dropped connection after create", "text-to-3d + refine", matrix.RECOVERED),
    ("expired link (stays expired)", "image-to-3d", matrix.CLEAR_ERROR),
    ("FAILED task: moderation", "retexture a model", matrix.CLEAR_ERROR),
    ("restart mid-create (request in flight)", "rig + animation", matrix.RECOVERED),
])
def test_matrix_rows_recover_or_fail_clearly_without_paying_twice(emulator, fault, mode,
                                                                 outcome):
    row = matrix.run_row(emulator, _mode(mode), _fault(fault))
    assert row.ok, row
    assert row.outcome == outcome
    assert row.message and row.tasks_created >= 1
    if fault.startswith("FAILED"):
        assert row.charged == 0 and "moderation" in row.message


def test_paid_work_checks_catch_an_orphan_and_a_duplicate(emulator, tmp_path):
    ws = harness.Workspace(tmp_path)
    client = ws.client(emulator)
    manager = ws.manager(client)
    try:
        job = manager.submit(plan_job("text-to-3d", {"prompt": "a mug", "should_texture": False}))
        assert harness.wait_jobs(manager, [job], 30) and job.status == model.READY
        journal = ws.journalled()
        paid = harness.charged(harness.created_tasks(emulator))
        assert harness.paid_problems(paid, journal) == []
        assert harness.duplicate_problems(paid, journal) == []
        # A second, unjournalled preview: paid for but known to no journal.
        from meshy_blender.client import build_payload

        client.create_task("text-to-3d-preview",
                           build_payload("text-to-3d-preview", prompt="a mug"))
        paid = harness.charged(harness.created_tasks(emulator))
        assert any("in no journal" in p for p in harness.paid_problems(paid, journal))
        assert harness.duplicate_problems(paid, journal) == [
            "2 charged text-to-3d-preview tasks for 1 step(s)"]
        # A READY job whose file vanished from the cache is lost work too.
        for path in job.files.values():
            __import__("os").remove(path)
        assert any("missing" in p for p in harness.paid_problems(paid[:1], ws.journalled()))
    finally:
        manager.shutdown()
        client.close()


def test_clear_error_check_rejects_crashes_and_empty_messages():
    job = Job("text-to-3d", "x", [Step("preview", "text-to-3d-preview", {})])
    job.error = JobError("InternalError", "Unexpected error: boom")
    assert any("crash" in p for p in matrix.clear_error_problems(job))
    job.error = JobError("ServerError", "  ")
    assert "empty message" in matrix.clear_error_problems(job)
    job.error = JobError("ServerError", "Meshy had a server error. Try again in a moment.")
    assert matrix.clear_error_problems(job) == []


def test_soak_of_ten_jobs_accounts_for_every_job(bpy):
    result = soak.run_soak(10, seed=11, concurrency=4, fault_period=0.03, timeout=120,
                           log=lambda _: None)
    assert result.ok, result.problems
    assert sum(result.outcomes.values()) == 10
    assert set(result.outcomes) <= {model.IMPORTED, model.FAILED}
    assert result.restarts == 2 and sum(result.faults.values()) > 0


def test_a_handful_of_bad_inputs_are_refused_before_any_charge(bpy, emulator):
    wanted = {"empty prompt", "PNG of 21 MB (over the size limit)", "wrong API key",
              "no credits left", "policy file with a TOML syntax error",
              "animate a mesh (no Meshy rig)"}
    rows = bad_inputs.run_bad_inputs(emulator, only=wanted)
    assert {r.bad_input for r in rows} == wanted
    assert all(r.ok for r in rows), [(r.bad_input, r.error, r.message) for r in rows]
    by_label = {r.bad_input: r for r in rows}
    assert by_label["wrong API key"].error == "AuthError"
    assert by_label["no credits left"].error == "InsufficientCreditsError"
    assert by_label["policy file with a TOML syntax error"].error == "PolicyError"


def test_bad_input_rows_that_were_not_refused_or_charged_fail():
    assert not bad_inputs.BadInputRow("prompt", "x", "NOT REFUSED", "", 0).ok
    assert not bad_inputs.BadInputRow("files", "x", "MeshyError", "Unexpected error", 1).ok
    assert bad_inputs.BadInputRow("prompt", "x", "ValidationError", "too long", 0).ok


def test_security_checks_pass(bpy):
    checks = security.run_security()
    assert len(checks) >= 10
    assert all(c.passed for c in checks), [(c.name, c.detail) for c in checks if not c.passed]
