"""Journal writes of different jobs run side by side (a batch journals every create before its
paid POST, so one slow fsync must not hold up the other rows), while two writes of one job
still take turns (its top and done/ copies move between them)."""

from __future__ import annotations

import threading

from meshy_blender.jobs import journal as journal_module
from meshy_blender.jobs import model
from meshy_blender.jobs.journal import Journal
from meshy_blender.jobs.plans import plan_job


def mug(n: int) -> model.Job:
    return plan_job("text-to-3d", {"prompt": f"mug {n}", "should_texture": False})


def test_a_slow_write_holds_up_its_own_job_only(tmp_path, monkeypatch):
    journal = Journal(tmp_path / "journal")
    slow = mug(0)
    other = next(job for job in map(mug, range(1, 100))
                 if journal._job_lock(job.id) is not journal._job_lock(slow.id))
    for job in (slow, other):
        journal.save(job)
    writing, finish = threading.Event(), threading.Event()
    real = journal_module.write_atomically

    def write(path, text, *, prefix):
        if slow.id in path.name and not writing.is_set():
            writing.set()
            assert finish.wait(10)
        real(path, text, prefix=prefix)

    monkeypatch.setattr(journal_module, "write_atomically", write)
    first = threading.Thread(target=journal.save, args=(slow,))
    first.start()
    assert writing.wait(5)
    other.detail = "written meanwhile"
    side = threading.Thread(target=journal.save, args=(other,))
    side.start()
    side.join(5)
    assert not side.is_alive()  # the other job did not wait for the slow fsync
    assert journal.load(other.id).detail == "written meanwhile"
    slow.detail = "second write"
    second = threading.Thread(target=journal.save, args=(slow,))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # the same job's next write waits for the first
    finish.set()
    first.join(5)
    second.join(5)
    assert not first.is_alive() and not second.is_alive()
    assert journal.load(slow.id).detail == "second write"


def test_a_finished_task_is_journalled_once_with_all_its_files(emulator, make_client,
                                                                make_manager, monkeypatch):
    """The journal is written before the paid request and with its task id; after that only
    when the job is ready, with every file (one write a row, not one per file: 40 rows ending
    together waited on each other's writes). A run stopped in between finds the task done on
    Meshy and the files complete in the cache: nothing is paid or downloaded again."""
    from fixtures.jobs import wait_finished

    manager = make_manager(make_client())
    writes: list[tuple[str, str, tuple[str, ...]]] = []
    real = Journal.save

    def save(self, job):
        step = job.steps[0]
        writes.append((job.status, step.status, tuple(sorted(step.files))))
        real(self, job)

    monkeypatch.setattr(Journal, "save", save)
    job = manager.submit(mug(7))
    wait_finished(manager, [job.id])
    assert job.status == model.READY, job.detail
    assert [w[:2] for w in writes] == [
        (model.QUEUED, model.STEP_PENDING),     # submitted: the key is taken
        (model.RUNNING, model.STEP_CREATING),   # before the paid POST
        (model.RUNNING, model.STEP_WAITING),    # the paid task's id
        (model.READY, model.STEP_SUCCEEDED)]    # every file in, at once
    assert writes[-1][2] == ("glb", "thumbnail")
