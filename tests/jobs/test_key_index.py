"""Job keys outlive retention, and a key look-up does not read the whole journal.

A keyed rerun (a farm retry, a batch run again next month) must never pay again, even after
retention pruned the job (30 days / 500 jobs) or Clear Cache removed it: the result is fetched
again from the recorded task ids. And a keyed batch must not read every journal file per row.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from meshy_blender.jobs import journal as journal_mod
from meshy_blender.jobs import keys, model, retention
from meshy_blender.jobs.journal import Journal
from meshy_blender.jobs.plans import plan_job

from fixtures.emulator import created_tasks
from fixtures.jobs import wait_finished


def _preview(prompt: str = "a crate", key: str | None = "crate-1") -> model.Job:
    job = plan_job("text-to-3d", {"prompt": prompt, "should_texture": False})
    job.job_key = key
    return job


def _run_and_prune(emulator, make_client, make_manager, tmp_path) -> model.Job:
    """A keyed job run, imported, then dropped by Clear Cache (files and journal entry)."""
    first = make_manager(make_client(), journal_dir=tmp_path / "journal")
    job = first.submit(_preview())
    wait_finished(first, [job.id])
    assert job.status == model.READY
    first.mark_imported(job.id)
    first.shutdown()
    journal = Journal(tmp_path / "journal")
    freed = retention.clear_cache(journal, tmp_path / "cache")
    assert freed.job_ids == [job.id] and journal.load(job.id) is None
    assert len(created_tasks(emulator)) == 1
    return job


def test_a_keyed_rerun_after_pruning_downloads_again_and_pays_nothing(
        emulator, make_client, make_manager, tmp_path):
    job = _run_and_prune(emulator, make_client, make_manager, tmp_path)
    downloads = len(emulator.requests("assets"))

    rerun = make_manager(make_client(), journal_dir=tmp_path / "journal")
    again = rerun.submit(_preview())
    wait_finished(rerun, [again.id])
    assert again.id == job.id and again.status == model.READY
    assert again.task_ids == job.task_ids
    assert len(created_tasks(emulator)) == 1  # nothing created, nothing paid
    assert len(emulator.requests("assets")) > downloads  # the model came down again
    assert again.files and all(Path(p).exists() for p in again.files.values())
    # The job is journalled again: a third run finds it without the retired copy.
    assert Journal(tmp_path / "journal").find_key("crate-1").id == job.id

    with pytest.raises(keys.JobKeyConflictError):
        rerun.submit(_preview("a different crate"))
    assert len(created_tasks(emulator)) == 1


def test_a_pruned_keyed_job_whose_task_meshy_deleted_fails_clearly_without_paying(
        emulator, make_client, make_manager, tmp_path):
    job = _run_and_prune(emulator, make_client, make_manager, tmp_path)
    task_id = job.step("preview").task_id
    make_client().delete_task("text-to-3d-preview", task_id)  # Meshy's retention ran out

    rerun = make_manager(make_client(), journal_dir=tmp_path / "journal")
    again = rerun.submit(_preview())
    wait_finished(rerun, [again.id])
    assert again.status == model.FAILED
    assert "deleted or expired" in again.error.message
    assert again.error.task_ids == {"preview": task_id}  # the paid task stays named
    assert len(created_tasks(emulator)) == 1  # failed, but never paid again behind the key


def test_a_new_key_is_answered_from_the_index_without_reading_the_journal(
        monkeypatch, tmp_path):
    folder = tmp_path / "journal"
    journal = Journal(folder)
    saved = []
    for n in range(60):
        job = _preview(f"prop {n}", key=f"row-{n}" if n % 2 else None)
        job.status = model.IMPORTED
        journal.save(job)
        saved.append(job)

    reads: list[str] = []
    real = journal_mod._read
    monkeypatch.setattr(journal_mod, "_read", lambda p: reads.append(p.name) or real(p))
    fresh = Journal(folder)  # another process: nothing cached in memory
    assert fresh.find_key("row-9").id == saved[9].id
    assert set(reads) == {f"job-{saved[9].id}.json"}  # its own file only (top, then done/)
    reads.clear()
    assert fresh.find_key("row-never-used") is None
    assert reads == []


def test_a_journal_from_before_the_index_is_indexed_once(monkeypatch, tmp_path):
    folder = tmp_path / "journal"
    journal = Journal(folder)
    jobs = [_preview(f"prop {n}", key=f"row-{n}") for n in range(10)]
    for job in jobs:
        journal.save(job)
    shutil.rmtree(folder / journal_mod.KEYS)  # as an older version left it

    reads: list[str] = []
    real = journal_mod._read
    monkeypatch.setattr(journal_mod, "_read", lambda p: reads.append(p.name) or real(p))
    assert Journal(folder).find_key("row-4").id == jobs[4].id  # found by the one full scan
    assert len(reads) >= 10
    reads.clear()
    assert Journal(folder).find_key("row-7").id == jobs[7].id
    assert Journal(folder).find_key("row-unknown") is None
    assert set(reads) == {f"job-{jobs[7].id}.json"}


def test_a_damaged_index_entry_falls_back_to_the_journal(tmp_path):
    folder = tmp_path / "journal"
    journal = Journal(folder)
    job = _preview()
    journal.save(job)
    assert Journal(folder).find_key("never-used") is None  # indexes the folder once
    assert (folder / journal_mod.KEYS / "complete").exists()
    for entry in (folder / journal_mod.KEYS).glob("*.json"):
        entry.write_text("{ not json")  # a damaged entry must never read as "new key"
    assert Journal(folder).find_key("crate-1").id == job.id


def test_the_index_never_holds_the_api_key(emulator, make_client, make_manager, meshy_key,
                                           tmp_path):
    job = _run_and_prune(emulator, make_client, make_manager, tmp_path)
    texts = [p.read_text() for p in (tmp_path / "journal" / journal_mod.KEYS).glob("*.json")]
    assert texts and any(job.id in t for t in texts)
    assert not any(meshy_key in t or "Bearer" in t for t in texts)


def test_a_key_given_up_by_its_job_is_new_again_without_a_scan(monkeypatch, tmp_path):
    """`meshy batch --replace` renames the old job's key; the key then reads as new."""
    folder = tmp_path / "journal"
    journal = Journal(folder)
    old = _preview()
    journal.save(old)
    old.job_key = "crate-1~replaced"
    journal.save(old)
    reads: list[str] = []
    real = journal_mod._read
    monkeypatch.setattr(journal_mod, "_read", lambda p: reads.append(p.name) or real(p))
    assert Journal(folder).find_key("crate-1") is None
    assert set(reads) == {f"job-{old.id}.json"}  # the one job the entry named, no scan
    assert Journal(folder).find_key("crate-1~replaced").id == old.id


@pytest.mark.parametrize("status", [model.RUNNING, model.READY, model.IMPORTED])
def test_a_deleted_index_entry_never_reads_as_a_new_key(monkeypatch, tmp_path, status):
    """Issue 26: with ``keys/complete`` present, a lost entry file fell through to "new key"
    and the keyed rerun paid again; the ledger still names the job."""
    folder = tmp_path / "journal"
    journal = Journal(folder)
    others = [_preview(f"prop {n}", key=f"row-{n}") for n in range(5)]
    for other in others:
        journal.save(other)
    job = _preview()
    job.status = status
    journal.save(job)
    entries = list((folder / journal_mod.KEYS).glob("*.json"))
    assert len(entries) == 6
    for entry in entries:
        entry.unlink()
    reads: list[str] = []
    real = journal_mod._read
    monkeypatch.setattr(journal_mod, "_read", lambda p: reads.append(p.name) or real(p))
    fresh = Journal(folder)
    assert fresh.find_key("crate-1").id == job.id
    assert set(reads) == {f"job-{job.id}.json"}  # the ledger named it: no scan
    assert fresh.keys.entry("crate-1")["job_id"] == job.id  # the entry is written again
    assert fresh.find_key("row-never-used") is None


def test_an_index_without_its_ledger_is_scanned_once(tmp_path):
    folder = tmp_path / "journal"
    journal = Journal(folder)
    job = _preview()
    journal.save(job)
    (folder / journal_mod.KEYS / "ledger").unlink()  # an index from before the ledger
    (folder / journal_mod.KEYS / f"{keys_digest('crate-1')}.json").unlink()
    assert Journal(folder).find_key("crate-1").id == job.id  # by the scan
    assert (folder / journal_mod.KEYS / "ledger").read_text().split() == [
        keys_digest("crate-1"), job.id]


def test_a_keyed_rerun_after_its_entry_was_deleted_creates_no_task(
        emulator, make_client, make_manager, tmp_path):
    first = make_manager(make_client(), journal_dir=tmp_path / "journal")
    job = first.submit(_preview())
    wait_finished(first, [job.id])
    first.shutdown()
    for entry in (tmp_path / "journal" / journal_mod.KEYS).glob("*.json"):
        entry.unlink()
    again = make_manager(make_client(), journal_dir=tmp_path / "journal")
    rerun = again.submit(_preview())
    assert rerun.id == job.id
    wait_finished(again, [rerun.id])
    again.shutdown()
    assert len(created_tasks(emulator)) == 1


def keys_digest(job_key: str) -> str:
    import hashlib

    return hashlib.sha256(job_key.encode()).hexdigest()
