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
