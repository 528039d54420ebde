"""The jobs worker process (jobs/worker.py) driven through Blender's proxy (jobs/remote.py),
against the emulator over real HTTP: results arrive over the pipe, a job key pays once, errors
come back as the same classes, and a crash of either process loses nothing and pays nothing
twice (the worker is restarted and resumes; a worker whose parent died parks and exits)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from meshy_blender.jobs import keys, model
from meshy_blender.jobs.plans import plan_job
from meshy_blender.jobs.remote import RemoteJobs

from fixtures.client import FAST

ROOT = Path(__file__).resolve().parents[2]


def worker_config(emulator, meshy_key, tmp_path: Path) -> dict:
    return dict(api_key=meshy_key, api_base=emulator.api_url,
                journal_dir=str(tmp_path / "journal"), download_dir=str(tmp_path / "cache"),
                ca_bundle="", proxy="", max_jobs=4, use_stream=True, start=4, rate=1000.0,
                rate_known=True, online=True, client_options=FAST,
                manager_options=dict(queue_wait_initial=0.05, queue_wait_max=0.3))


@pytest.fixture
def make_remote(emulator, meshy_key, tmp_path):
    made: list[RemoteJobs] = []

    def make(**overrides) -> RemoteJobs:
        jobs = RemoteJobs({**worker_config(emulator, meshy_key, tmp_path), **overrides})
        made.append(jobs)
        return jobs

    yield make
    for jobs in made:
        jobs.shutdown(wait=True)


def wait_for(jobs: RemoteJobs, test, timeout: float = 30.0, what: str = "") -> list:
    """Drain events (as the pump does) until ``test()`` holds; returns the events drained."""
    events: list = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events.extend(jobs.drain())
        if test():
            return events
        time.sleep(0.01)
    raise AssertionError(f"not {what or 'done'} after {timeout} s: "
                         f"{[(j.id, j.status, j.detail) for j in jobs.jobs()]}")


def mug(key: str | None = None) -> model.Job:
    job = plan_job("text-to-3d", {"prompt": "a mug", "should_texture": False})
    job.job_key = key
    return job


def test_a_job_runs_in_the_worker_and_its_events_reach_the_mirror(make_remote, emulator):
    jobs = make_remote()
    job = mug()
    running = jobs.submit(job)
    assert running is job and jobs.get(job.id) is job  # the caller's object follows the worker
    events = wait_for(jobs, lambda: job.status == model.READY, what="ready")
    assert [e.type for e in events].count("ready") == 1
    assert all(Path(p).is_file() for p in job.files.values()) and job.files
    assert jobs.process is not None and jobs.process.pid != os.getpid()
    jobs.mark_imported(job.id)
    assert job.status == model.IMPORTED  # at once: the import does not wait for the worker
    jobs.call("ping")  # requests are answered in order: the mark was handled before this
    assert jobs.journal.load(job.id).status == model.IMPORTED
    assert len(emulator.tasks()) == 1


def test_an_answer_older_than_the_events_before_it_never_steps_a_job_back(make_remote):
    """The worker builds a request's answer (with the job's snapshot) while the job's thread
    runs on: events sent ahead of the answer can be newer than its snapshot. Seen in a batch
    rerun after SIGKILL: a cached row re-verified in the worker went READY, then the answer to
    "prepare_reimport" said RUNNING, the mirror believed it, and the batch waited forever."""
    jobs = make_remote()
    job = mug()
    job.status, job.detail = model.RUNNING, ""
    answered = job.snapshot()  # taken first, as the answer's is
    job.status, job.detail = model.READY, "Ready to import"
    ready = job.snapshot()
    jobs._receive([{"event": "ready", "job_id": job.id, "snapshot": ready},
                   {"re": 999, "value": True, "job": answered}])
    mirrored = jobs.get(job.id)
    assert mirrored is not None and mirrored.status == model.READY
    assert [e.type for e in jobs.drain()] == ["ready"]
    newer = job.snapshot()
    newer["status"], newer["detail"] = model.IMPORTED, "Imported"
    jobs._receive([{"event": "progress", "job_id": job.id, "snapshot": newer}])
    assert jobs.get(job.id).status == model.IMPORTED  # a newer snapshot still applies


def test_an_idle_wait_ends_when_the_worker_speaks_and_never_sooner(make_remote, emulator):
    """A headless driver's pause between ticks (Pump.idle) lasts its time while the worker is
    silent and ends the moment the worker sends something: a ready row is imported at once,
    not after a fixed sleep."""
    jobs = make_remote()
    jobs.call("ping")  # started, configured and answered: nothing more is on its way
    started = time.monotonic()
    jobs.wait_for_news(0.3)
    assert time.monotonic() - started >= 0.29
    job = mug()
    jobs.submit(job)
    waits: list[float] = []
    deadline = time.monotonic() + 30
    while job.status != model.READY and time.monotonic() < deadline:
        started = time.monotonic()
        jobs.wait_for_news(20.0)
        waits.append(time.monotonic() - started)
        jobs.drain()
    assert job.status == model.READY
    assert waits and max(waits) < 10.0  # every pause ended with a message, none ran its 20 s


def test_job_events_reach_blender_while_the_worker_answers_a_slow_request(make_remote,
                                                                           emulator):
    """Events are sent the moment a job posts them, not after whatever request the worker is
    answering: a row that became ready while an account read waited on a slow network (or
    another row's journal write) is imported at once, and the Tasks panel keeps moving."""
    jobs = make_remote()
    normal = emulator.store.task_seconds
    emulator.store.task_seconds = 1.0
    try:
        job = jobs.submit(mug())
        wait_for(jobs, lambda: job.progress > 0, what="streaming")  # its stream is open
        emulator.set_fault("latency", 3.0)  # every API answer from now on: the read below
        answered: list[float] = []
        assert jobs.call_async("read", lambda _answer: answered.append(time.monotonic()),
                               method="balance")
        events = wait_for(jobs, lambda: job.status == model.READY, timeout=10, what="ready")
        ready_at = time.monotonic()
        assert not answered, "the ready event came only with the read's answer"
        assert any(e.type == "ready" for e in events)
        wait_for(jobs, lambda: bool(answered), timeout=10, what="the read answered")
        assert answered[0] - ready_at > 0.5
    finally:
        emulator.store.task_seconds = normal


def test_the_same_job_key_twice_is_one_task(make_remote, emulator):
    jobs = make_remote()
    first = jobs.submit(mug("shot-010"))
    again = jobs.submit(mug("shot-010"))
    assert again is first
    wait_for(jobs, lambda: first.status == model.READY, what="ready")
    assert jobs.submit(mug("shot-010")) is first
    assert len(emulator.tasks()) == 1


def test_errors_come_back_as_the_same_classes(make_remote, emulator):
    emulator.set_fault("asset_latency", 1.0)
    owner, other = make_remote(), make_remote()
    running = owner.submit(mug("shot-020"))
    with pytest.raises(keys.JobOwnedError) as raised:
        other.submit(mug("shot-020"))
    assert raised.value.job_id == running.id and "another Blender process" in str(raised.value)
    conflicting = plan_job("text-to-3d", {"prompt": "a teapot", "should_texture": False})
    conflicting.job_key = "shot-020"
    with pytest.raises(keys.JobKeyConflictError):
        owner.submit(conflicting)
    emulator.clear_faults()
    wait_for(owner, lambda: running.status == model.READY, what="ready")
    assert len(emulator.tasks()) == 1


def test_ctrl_c_in_the_terminal_does_not_kill_the_worker(make_remote, emulator):
    """Ctrl-C reaches every process of the terminal's group: the worker ignores it (the API
    decides what an interrupt means for the jobs), and goes on answering."""
    jobs = make_remote()
    assert jobs.call("ping")["pid"] == jobs.process.pid
    jobs.process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    assert jobs.process.poll() is None and jobs.call("ping")["pid"] == jobs.process.pid
    assert jobs.restarts == 0


@pytest.mark.skipif(not hasattr(os, "getpriority"),
                    reason="os.getpriority (POSIX) is missing: no niceness to read")
def test_the_worker_yields_the_cpu_to_blender(make_remote, emulator):
    """Nice 19 (from Blender's niceness): Blender's main thread wins the CPU when both want it."""
    jobs = make_remote()
    pid = jobs.call("ping")["pid"]
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, ours + 19)


def test_a_killed_worker_is_replaced_and_its_job_resumes_paid_once(make_remote, emulator):
    emulator.set_fault("asset_latency", 2.0)
    jobs = make_remote()
    job = jobs.submit(mug("shot-030"))
    wait_for(jobs, lambda: job.status == model.DOWNLOADING, what="downloading")
    first = jobs.process
    assert first is not None
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    emulator.clear_faults()
    events = wait_for(jobs, lambda: job.status == model.READY, timeout=40, what="resumed")
    assert jobs.restarts == 1 and jobs.process is not None and jobs.process.pid != first.pid
    assert [e.type for e in events].count("ready") == 1
    assert len(emulator.tasks()) == 1 and all(Path(p).is_file() for p in job.files.values())


CHILD = textwrap.dedent("""
    import json, sys, time
    sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
    from meshy_blender.jobs.plans import plan_job
    from meshy_blender.jobs.remote import RemoteJobs
    jobs = RemoteJobs(json.loads(sys.stdin.readline()))
    job = plan_job("text-to-3d", {"prompt": "a mug", "should_texture": False})
    job.job_key = "shot-040"
    jobs.submit(job)
    while job.status != "DOWNLOADING":
        jobs.drain()
        time.sleep(0.01)
    print(jobs.process.pid, flush=True)
    time.sleep(60)
""")


def test_a_killed_blender_side_leaves_a_worker_that_parks_and_exits(
        make_remote, emulator, meshy_key, tmp_path):
    emulator.set_fault("asset_latency", 2.0)
    config = worker_config(emulator, meshy_key, tmp_path)
    import json

    parent = subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdin is not None and parent.stdout is not None
        parent.stdin.write(json.dumps(config) + "\n")
        parent.stdin.flush()
        worker_pid = int(parent.stdout.readline())
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(worker_pid):
        time.sleep(0.05)
    assert not _alive(worker_pid), "the orphaned worker kept running"
    emulator.clear_faults()
    jobs = make_remote()  # the next session resumes the parked job
    wait_for(jobs, lambda: any(j.status == model.READY for j in jobs.jobs()), timeout=40,
             what="resumed")
    (job,) = jobs.jobs()
    assert job.job_key == "shot-040" and len(emulator.tasks()) == 1


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie of a killed parent's child counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


NO_THREADS = textwrap.dedent("""
    import json, sys, threading
    sys.path[:0] = [sys.argv[1]]
    import bpy
    from meshy_blender import api
    from meshy_blender.blender.core import account, calls, runtime

    balance = api.balance()
    result = api.text_to_3d("a mug", should_texture=False)
    account.start_balance(runtime.current_runtime().client)  # the sidebar's background read
    outcome = calls.CALLS.wait(account.BALANCE_CALL)
    print(json.dumps({
        "balance": balance, "sidebar_balance": account.balance() if outcome else None,
        "objects": len(result.objects),
        "status": runtime.current_runtime().manager.get(result.job_id).status,
        "threads": [t.name for t in threading.enumerate()],
        "modules": sorted(m for m in ("requests", "ssl", "urllib3") if m in sys.modules),
        "worker": runtime.current_runtime().manager.process.pid}), flush=True)
""")


def test_a_whole_job_leaves_no_thread_and_no_http_stack_in_blenders_process(
        emulator, meshy_key, tmp_path):
    """A fresh Blender (bpy) process runs a job to its import and reads the balance (the API's
    and the sidebar's way) with the emulator outside it: only its main thread ever exists and
    requests/ssl are never imported there; its worker process is gone after it exits."""
    import json

    env = {**os.environ, "MESHY_API_KEY": meshy_key, "MESHY_API_BASE": emulator.api_url,
           "MESHY_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("MESHY_STUDIO_CONFIG", None)
    done = subprocess.run([sys.executable, "-c", NO_THREADS, str(ROOT)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout.strip().splitlines()[-1])
    assert data["status"] == model.IMPORTED and data["objects"] >= 1
    assert data["balance"] > data["sidebar_balance"] == emulator.balance()  # the job paid
    assert data["threads"] == ["MainThread"]
    assert data["modules"] == []
    assert not _alive(data["worker"])
    assert len(emulator.tasks()) == 1


def test_the_api_survives_a_killed_worker_and_imports_once_paid_once(
        bpy, empty_scene, meshy_env):
    """The worker is SIGKILLed while the result downloads: the next pump tick starts another,
    which resumes the job from the journal; the model lands once, one task is paid."""
    from meshy_blender.blender.core import runtime
    from meshy_blender.blender.core.pump import run_until_done
    from meshy_blender.jobs.request import JobRequest

    meshy_env.set_fault("asset_latency", 2.0)
    rt = runtime.get_runtime(resume=False)
    job = rt.submit(JobRequest("text-to-3d", {"prompt": "a mug", "should_texture": False},
                               "a mug"))
    wait_for(rt.manager, lambda: job.status == model.DOWNLOADING, what="downloading")
    first = rt.manager.process
    assert first is not None
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    meshy_env.clear_faults()
    run_until_done(rt.pump, [job.id], timeout=60)
    assert job.status == model.IMPORTED and rt.manager.restarts == 1
    landed = [o for o in bpy.data.objects if o.get("meshy_job_id") == job.id]
    assert landed and len({o.name for o in landed}) == len(landed)
    roots = [o for o in landed if o.parent is None]
    assert len(roots) == 1  # imported once
    assert len(meshy_env.tasks()) == 1


KILLED_BLENDER = textwrap.dedent("""
    import sys
    sys.path[:0] = [sys.argv[1]]
    import bpy
    from meshy_blender import api
    api.text_to_3d("a mug", should_texture=False, job_key="shot-050")
""")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listed:
            return [int(p) for p in listed.read().split()]
    except FileNotFoundError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_killed_blender_is_resumed_by_the_next_one_paid_once(
        bpy, empty_scene, meshy_env, meshy_key, tmp_path):
    """SIGKILL a Blender (bpy) process while its job downloads: its worker sees the pipe close,
    parks and exits; the next Blender asking with the same job key gets the job imported, and
    Meshy was paid once."""
    from meshy_blender import api

    meshy_env.set_fault("asset_latency", 2.0)
    env = {**os.environ, "MESHY_API_KEY": meshy_key, "MESHY_API_BASE": meshy_env.api_url,
           "MESHY_CACHE_DIR": os.environ["MESHY_CACHE_DIR"]}
    blender = subprocess.Popen([sys.executable, "-c", KILLED_BLENDER, str(ROOT)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (meshy_env.tasks() and meshy_env.tasks()[0].get("status") == "SUCCEEDED"):
            assert blender.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)  # the download (2 s of latency) has started
        workers = _children(blender.pid)
        assert workers, "the Blender process started no worker"
    finally:
        blender.send_signal(signal.SIGKILL)
        blender.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "the orphaned worker kept running"
    meshy_env.clear_faults()
    result = api.text_to_3d("a mug", should_texture=False, job_key="shot-050")
    assert result.objects and len(meshy_env.tasks()) == 1
