"""The adaptive queue gate (jobs/concurrency.py) against the emulator's queue limit: it grows
while Meshy accepts tasks, learns the limit from full-queue answers without failing a job, and
is what the sidebar's job manager runs with."""

from __future__ import annotations

import threading

from meshy_blender.jobs import model
from meshy_blender.jobs.concurrency import AdaptiveLimit, start_for_tier
from meshy_blender.jobs.plans import plan_job
from meshy_blender.jobs.remote import RemoteJobs

from fixtures.emulator import created_tasks
from fixtures.jobs import wait_finished


def test_the_gate_grows_past_its_start_and_learns_the_queue_limit(emulator, make_client,
                                                                  make_manager):
    emulator.queue_limit = 5
    gate = AdaptiveLimit(2)
    manager = make_manager(make_client(), concurrency=gate)
    jobs = [manager.submit(plan_job("text-to-3d", {"prompt": f"prop {n}",
                                                   "should_texture": False}))
            for n in range(12)]
    wait_finished(manager, [j.id for j in jobs])
    assert [j.status for j in jobs] == [model.READY] * 12  # a full queue is not a failure
    assert len(created_tasks(emulator)) == 12
    state = gate.snapshot()
    assert state.accepted == 12 and state.full_answers >= 1 and state.ceiling_known
    assert 5 <= state.limit <= 6 and state.live == 0  # learnt (plus at most one probe)


def test_a_refused_job_waits_for_a_release_not_a_fixed_back_off():
    gate = AdaptiveLimit(2)
    assert gate.acquire() and gate.acquire()
    gate.accepted_task()
    gate.accepted_task()
    assert gate.limit == 4  # still learning: each accepted task makes room for one more
    assert gate.acquire()
    woke = threading.Event()

    def refused() -> None:
        gate.refused(None, wait=30.0)
        woke.set()

    waiter = threading.Thread(target=refused)
    waiter.start()
    assert not woke.wait(0.3)  # the queue is full: it waits...
    gate.release()  # ...until a task of the batch ends
    assert woke.wait(2.0)
    waiter.join()
    assert gate.limit == 2 and gate.full_answers == 1


def test_tiers_are_only_starting_points():
    assert start_for_tier("Studio") == 60 and start_for_tier("enterprise") == 100
    assert start_for_tier(None) == start_for_tier("unknown") == 10


def test_the_sidebar_runtime_uses_the_gate(bpy, meshy_env):
    from meshy_blender.blender.core.runtime import get_runtime

    rt = get_runtime(resume=False)
    assert isinstance(rt.manager, RemoteJobs)  # the gate lives in the worker process
    assert rt.manager.concurrency.limit == rt.settings.max_jobs
    assert rt.manager.call("ping")["pid"] == rt.manager.process.pid
    assert rt.manager.concurrency.as_dict()["limit"] == rt.settings.max_jobs


def test_the_account_tier_from_env_or_preferences_is_where_the_gate_starts(
        addon, bpy, meshy_env, monkeypatch):
    """MESHY_TIER over the "Account Tier" preference: Studio/Enterprise start at their queue
    limit and known request rate; Auto starts at "Concurrent Jobs" and learns both."""
    from meshy_blender.blender.core import runtime

    from conftest import ADDON_MODULE

    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    try:
        monkeypatch.setenv("MESHY_TIER", "Enterprise")
        rt = runtime.get_runtime(resume=False)
        gate = rt.manager.concurrency
        assert rt.settings.sources["tier"] == "MESHY_TIER"
        assert (gate.limit, gate.pacer.rate, gate.pacer.known) == (100, 100, True)

        monkeypatch.delenv("MESHY_TIER")
        prefs.tier = "STUDIO"
        rt = runtime.get_runtime(resume=False)
        gate = rt.manager.concurrency
        assert rt.settings.sources["tier"] == "preferences"
        assert (gate.limit, gate.pacer.rate, gate.pacer.known) == (60, 20, True)

        prefs.tier = "AUTO"
        rt = runtime.get_runtime(resume=False)
        gate = rt.manager.concurrency
        assert (gate.limit, gate.pacer.known) == (rt.settings.max_jobs, False)
    finally:
        prefs.tier = "AUTO"
