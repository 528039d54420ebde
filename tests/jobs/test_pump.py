"""The main-thread pump in real Blender: jobs land in the scene through one code path."""

from __future__ import annotations

import time

import pytest

from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job

from fixtures.jobs import wait_finished


@pytest.fixture
def pump_for(make_client, make_manager):
    from meshy_blender.blender.core.pump import Pump
    from meshy_blender.blender.scene.import_job import import_job

    def factory(emulator, importer=import_job, **manager_kw):
        return Pump(make_manager(make_client(base_url=emulator.api_url), **manager_kw), importer)

    return factory


def meshy_objects(bpy):
    return [o for o in bpy.data.objects if "meshy_job_id" in o]


def test_job_lands_in_the_scene_through_the_pump(bpy, empty_scene, emulator, pump_for):
    from meshy_blender.blender.core.pump import run_until_done

    pump = pump_for(emulator)
    job = pump.manager.submit(plan_job("text-to-3d", {"prompt": "a bronze compass"}))
    run_until_done(pump, [job.id], timeout=30)

    assert job.status == model.IMPORTED, job.detail
    roots = meshy_objects(bpy)
    assert roots, "no imported object carries the job's provenance"
    assert all(o["meshy_job_id"] == job.id for o in roots)
    assert roots[0]["meshy_prompt"] == "a bronze compass"
    assert pump.view[job.id]["status"] == model.IMPORTED
    assert any(o.type == "MESH" for o in bpy.context.scene.objects)


def test_rig_chain_lands_as_an_armature_with_actions(bpy, empty_scene, emulator, pump_for):
    from meshy_blender.blender.core.pump import run_until_done

    pump = pump_for(emulator)
    job = pump.manager.submit(plan_job("text-to-3d", {"prompt": "a knight", "rig": {},
                                                      "animations": [4]},
                                       import_options={"action_names": {"4": "Attack"}}))
    run_until_done(pump, [job.id], timeout=60)
    assert job.status == model.IMPORTED, job.detail
    armatures = [o for o in bpy.context.scene.objects if o.type == "ARMATURE"]
    assert len(armatures) == 1
    tracks = {s.action.name for t in armatures[0].animation_data.nla_tracks for s in t.strips}
    assert {"Walking", "Running", "Attack"} <= {n.split(".")[0] for n in tracks}


def test_timer_driver_pumps_the_same_queue(bpy, empty_scene, emulator, make_client,
                                          make_manager, monkeypatch):
    """bpy.app.timers never fire in the bpy module, so call the registered function as Blender
    would and check it imports the job."""
    from meshy_blender.blender.core import runtime
    from meshy_blender.blender.core.pump import Pump
    from meshy_blender.blender.scene.import_job import import_job

    manager = make_manager(make_client())
    pump = Pump(manager, import_job)
    fake_rt = runtime.Runtime(settings=None, client=manager.client, manager=manager, pump=pump,
                              gate=runtime.OnlineGate(True))
    monkeypatch.setattr(runtime, "_runtime", fake_rt)
    job = manager.submit(plan_job("text-to-3d", {"prompt": "a crate", "should_texture": False}))
    wait_finished(manager, [job.id])
    interval = None
    deadline = time.monotonic() + 10
    while job.status != model.IMPORTED and time.monotonic() < deadline:
        interval = runtime.timer_tick()  # what Blender calls every interval
        time.sleep(0.01)
    interval = runtime.timer_tick()
    assert job.status == model.IMPORTED
    assert interval == runtime.TIMER_IDLE_INTERVAL
    monkeypatch.setattr(runtime, "_runtime", None)


def test_the_ui_timer_never_imports_and_a_click_on_import_lands_the_job(bpy, meshy_ui,
                                                                        monkeypatch):
    """In interactive Blender the timer's context has no window, and operators must not run
    there under a borrowed one (docs/blender-bug-report.md): its ticks only drain. A job that
    finishes while no watcher runs (Esc, or resumed at start-up) waits, without keeping the
    timer awake, until a driver that may import (here the Tasks panel's Import button) runs it.
    The bpy module is background Blender, so the timer's interactive rule is stood in for."""
    from meshy_blender.blender.core import pump as pump_mod
    from meshy_blender.blender.core import runtime

    assert pump_mod.imports_allowed()  # background mode: the plain context imports
    rt = runtime.get_runtime()
    pump = rt.pump
    monkeypatch.setattr(pump_mod, "imports_allowed", lambda: False)  # the UI timer's context
    job = rt.manager.submit(plan_job("text-to-3d", {"prompt": "a crate",
                                                    "should_texture": False}))
    wait_finished(rt.manager, [job.id])
    for _ in range(5):
        interval = runtime.timer_tick()
        time.sleep(0.01)
    assert job.status == model.READY and pump.view[job.id]["status"] == model.READY
    assert pump.waiting_imports() == [job.id]
    assert meshy_objects(bpy) == []
    assert interval == runtime.TIMER_IDLE_INTERVAL  # waiting for a click is not work
    assert pump.busy([job.id])  # a watcher or headless driver following it keeps going

    monkeypatch.setattr(pump_mod, "imports_allowed", lambda: True)  # an operator's execute
    assert bpy.ops.meshy.reimport_job(job_id=job.id) == {"FINISHED"}
    assert job.status == model.IMPORTED
    assert [o["meshy_job_id"] for o in meshy_objects(bpy)] == [job.id]
    assert pump.waiting_imports() == []


def test_the_headless_driver_says_why_it_cannot_import_from_a_timer(bpy, empty_scene, emulator,
                                                                   pump_for, monkeypatch):
    """Driven where operators may not run (an interactive timer), waiting would never end:
    it stops with the reason and where the result waits instead."""
    from meshy_blender.blender.core import pump as pump_mod

    pump = pump_for(emulator)
    monkeypatch.setattr(pump_mod, "imports_allowed", lambda: False)
    job = pump.manager.submit(plan_job("text-to-3d", {"prompt": "a stool",
                                                      "should_texture": False}))
    with pytest.raises(RuntimeError, match="Tasks panel: press Import"):
        pump_mod.run_until_done(pump, [job.id], timeout=30)
    assert job.status == model.READY and meshy_objects(bpy) == []


def test_failed_import_is_retried_from_the_cache(bpy, empty_scene, emulator, pump_for):
    from meshy_blender.blender.core.pump import run_until_done
    from meshy_blender.blender.scene.import_job import import_job

    calls = []

    def flaky_importer(snapshot):
        calls.append(snapshot["id"])
        if len(calls) == 1:
            raise RuntimeError("glTF importer failed (disk full)")
        return import_job(snapshot)

    pump = pump_for(emulator, importer=flaky_importer)
    job = pump.manager.submit(plan_job("text-to-3d", {"prompt": "a stool",
                                                      "should_texture": False}))
    run_until_done(pump, [job.id], timeout=30)
    assert job.status == model.READY and "disk full" in job.import_error
    assert meshy_objects(bpy) == []
    downloads = len(emulator.requests("assets"))

    pump.request_import(job.id)
    run_until_done(pump, [job.id], timeout=10)
    assert job.status == model.IMPORTED and job.import_error is None
    assert meshy_objects(bpy)
    assert len(emulator.requests("assets")) == downloads  # re-import used the cache


def test_pump_tick_keeps_to_its_budget_when_flooded(bpy, emulator, pump_for):
    """Drain stops at the budget and leaves the rest for the next tick."""
    from meshy_blender.jobs.manager import JobEvent

    pump = pump_for(emulator)
    for n in range(20000):
        pump.manager.events.put(JobEvent("progress", f"job{n % 7}", {"status": "RUNNING"}))
    stats = pump.tick(budget=0.0005)
    assert 0 < stats.events < 20000
    assert stats.imports == 0


def test_two_jobs_finishing_together_are_both_imported(bpy, empty_scene, emulator, pump_for):
    """While job A imports, job B becomes ready. The events drained after A's import include
    B's "ready": it must still be imported (it used to be dropped, leaving B at "Ready to
    import" forever and a headless wait hanging until its timeout)."""
    from meshy_blender.blender.core.pump import run_until_done
    from meshy_blender.blender.scene.import_job import import_job

    imported: list[str] = []
    second: list[model.Job] = []

    def slow_importer(snapshot):
        if not second:  # A's import: B (pressed a moment later) finishes meanwhile
            second.append(pump.manager.submit(plan_job(
                "text-to-3d", {"prompt": "a stool 2", "should_texture": False})))
            deadline = time.monotonic() + 30
            while second[0].status != model.READY and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.2)  # its "ready" event is posted right after the status changes
        imported.append(snapshot["id"])
        return import_job(snapshot)

    pump = pump_for(emulator, importer=slow_importer)
    first = pump.manager.submit(plan_job("text-to-3d", {"prompt": "a stool 1",
                                                        "should_texture": False}))
    run_until_done(pump, [first.id], timeout=30)
    run_until_done(pump, [second[0].id], timeout=15)

    jobs = [first, second[0]]
    assert [j.status for j in jobs] == [model.IMPORTED, model.IMPORTED]
    assert imported == [j.id for j in jobs]
    assert {o["meshy_job_id"] for o in meshy_objects(bpy)} == {j.id for j in jobs}


def test_a_finished_job_is_done_only_once_its_last_event_is_drained(bpy, empty_scene, emulator,
                                                                    pump_for):
    """A worker sets FAILED a moment before it posts the event (the journal is written in
    between). Waiting must not return in that gap, or the sidebar never reports the failure."""
    from meshy_blender.blender.core.pump import run_until_done

    pump = pump_for(emulator)
    seen: list[tuple[str, str]] = []
    pump.listeners.append(lambda ev: seen.append((ev.type, ev.snapshot["status"])))
    post = pump.manager._emit

    def slow_post(event_type, job):
        if job.status == model.FAILED:
            time.sleep(0.5)  # widen the gap between the status change and the event
        post(event_type, job)

    pump.manager._emit = slow_post
    pump.manager._runner.emit = slow_post
    emulator.set_fault("fail_tasks", "server_error")
    job = pump.manager.submit(plan_job("text-to-3d", {"prompt": "a cracked vase",
                                                      "should_texture": False}))
    run_until_done(pump, [job.id], timeout=30)
    assert job.status == model.FAILED
    assert seen[-1] == ("failed", model.FAILED)
