"""The per-account cap ("Max Tasks on Meshy", MESHY_MAX_IN_FLIGHT, --max-in-flight, the studio
policy's max_in_flight): resolved in that order, used by the sidebar's jobs worker, and kept by
a worker started after the last one was killed. What counts is what the emulator saw: how many
of the account's tasks were unfinished at once."""

from __future__ import annotations

import json
import signal
import time

from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job
from meshy_blender.jobs.remote import RemoteJobs

from fixtures.client import FAST
from fixtures.jobs import wait_finished


def most_at_once(emulator) -> int:
    """The most tasks unfinished on the emulator at one moment (Meshy's queue count)."""
    edges = sorted([(t.created, 1) for t in emulator.store.all()]
                   + [(t.finished, -1) for t in emulator.store.all()])
    peak = live = 0
    for _, step in edges:  # an end at the same instant as a start is counted first
        live += step
        peak = max(peak, live)
    return peak


def props(count: int, prefix: str) -> list[model.Job]:
    jobs = []
    for n in range(count):
        job = plan_job("text-to-3d", {"prompt": f"{prefix} {n}", "should_texture": False})
        job.job_key = f"{prefix}-{n}"
        jobs.append(job)
    return jobs


def test_flag_env_preference_and_policy_resolve_in_that_order(
        addon, bpy, meshy_env, studio_policy, monkeypatch, capfd, tmp_path):
    from meshy_blender import cli
    from meshy_blender.blender.core import config

    from conftest import ADDON_MODULE

    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    try:
        assert (config.resolve().max_in_flight, config.resolve().sources["max_in_flight"]) \
            == (0, "default")
        studio_policy("max_in_flight = 3\n")
        assert (config.resolve().max_in_flight, config.resolve().sources["max_in_flight"]) \
            == (3, "studio policy")
        prefs.max_in_flight = 2
        assert (config.resolve().max_in_flight, config.resolve().sources["max_in_flight"]) \
            == (2, "preferences")
        monkeypatch.setenv("MESHY_MAX_IN_FLIGHT", "4")
        assert (config.resolve().max_in_flight, config.resolve().sources["max_in_flight"]) \
            == (4, "MESHY_MAX_IN_FLIGHT")
        monkeypatch.setenv("MESHY_MAX_IN_FLIGHT", "many")  # ignored by redraws...
        assert config.resolve().max_in_flight == 2
        batch = tmp_path / "props.csv"
        batch.write_text("id,prompt,should_texture\n"
                         + "".join(f"p{n},prop {n},false\n" for n in range(3)))
        code = cli.main(["batch", str(batch), "--quiet", "--json"])
        assert code == cli.EXIT_BAD_INPUT and "MESHY_MAX_IN_FLIGHT" in capfd.readouterr().out
        assert meshy_env.store.all() == []  # ...refused by the batch, nothing sent
        code = cli.main(["batch", str(batch), "--quiet", "--json", "--max-in-flight", "1"])
        out = json.loads(capfd.readouterr().out)  # the flag wins: the variable is not read
        assert code == 0 and out["done"] == 3 and out["queue_limit"] == 1, out
        assert most_at_once(meshy_env) == 1
    finally:
        prefs.max_in_flight = 0


def test_the_preference_caps_the_sidebars_jobs_and_a_change_reaches_the_worker(
        addon, bpy, meshy_env):
    """"Max Tasks on Meshy" 2 with the gate starting at 10: the emulator never holds more than
    2 of the account's tasks; set back to 0 the same worker (not restarted) runs more at once."""
    from meshy_blender.blender.core import runtime

    from conftest import ADDON_MODULE

    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    meshy_env.store.task_seconds = 0.6
    try:
        prefs.max_in_flight = 2
        rt = runtime.get_runtime(resume=False)
        worker = rt.manager.process
        assert rt.settings.max_jobs >= 6 and rt.manager.config["cap"] == 2
        capped = [rt.manager.submit(job) for job in props(6, "capped")]
        wait_finished(rt.manager, [j.id for j in capped])
        assert [j.status for j in capped] == [model.READY] * 6
        assert most_at_once(meshy_env) == 2
        assert rt.manager.concurrency.limit <= 2

        meshy_env.reset()
        meshy_env.store.task_seconds = 0.6
        prefs.max_in_flight = 0
        rt = runtime.get_runtime(resume=False)
        assert rt.manager.process is worker  # the same worker, told of the change
        free = [rt.manager.submit(job) for job in props(6, "free")]
        wait_finished(rt.manager, [j.id for j in free])
        assert [j.status for j in free] == [model.READY] * 6
        assert most_at_once(meshy_env) > 2
    finally:
        prefs.max_in_flight = 0


def test_the_cap_survives_a_killed_worker(emulator, meshy_key, tmp_path):
    """A batch capped at 2 (as ``meshy batch --max-in-flight 2`` caps it) on a worker whose
    gate would start at 6: the worker is SIGKILLed while rows still queue, the next one resumes
    the journal with the same cap; the emulator never holds more than 2 tasks, and every row
    is created once."""
    emulator.store.task_seconds = 1.0
    jobs = RemoteJobs(dict(api_key=meshy_key, api_base=emulator.api_url,
                           journal_dir=str(tmp_path / "journal"),
                           download_dir=str(tmp_path / "cache"), ca_bundle="", proxy="",
                           max_jobs=6, use_stream=True, start=6, rate=1000.0, rate_known=True,
                           online=True, client_options=FAST,
                           manager_options=dict(queue_wait_initial=0.05, queue_wait_max=0.3)))
    try:
        jobs.concurrency.cap(2)
        rows = [jobs.submit(job) for job in props(6, "row")]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(
                1 for j in rows if any(s.task_id for s in j.steps)) < 2:
            jobs.drain()
            time.sleep(0.01)
        first = jobs.process
        assert first is not None and len(emulator.store.all()) == 2  # 4 rows still queue
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        deadline = time.monotonic() + 60
        while not all(j.status == model.READY for j in rows) and time.monotonic() < deadline:
            jobs.drain()
            time.sleep(0.01)
        assert [j.status for j in rows] == [model.READY] * 6, [j.detail for j in rows]
        assert jobs.restarts == 1 and jobs.process is not None and jobs.process.pid != first.pid
        assert len(emulator.store.all()) == 6  # each row created (paid) once
        assert most_at_once(emulator) <= 2
        assert jobs.concurrency.limit <= 2  # what the new worker's gate reports
    finally:
        jobs.shutdown(wait=True)
