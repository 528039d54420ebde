"""Journal retention and an index (issue 17): start-up reads only unfinished jobs, finished ones
are kept for re-import for a while and then pruned with their files, unless pinned, and Clear
Cache never deletes what an unfinished, unimported, pinned or other process's job needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import perf
import pytest

from meshy_blender.jobs import journal as journal_mod
from meshy_blender.jobs import model, retention
from meshy_blender.jobs.journal import Journal
from meshy_blender.jobs.plans import plan_job

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0


def _job(status: str, *, files: Path | None = None, prompt: str = "a mug") -> model.Job:
    """A journalled-looking job; with ``files``, its model sits in ``files/<task id>/``."""
    job = plan_job("text-to-3d", {"prompt": prompt, "should_texture": False})
    job.status = status
    step = job.step("preview")
    step.task_id = f"task{job.id}"
    step.status = model.STEP_SUCCEEDED
    if files is not None:
        path = files / step.task_id / "model.glb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"glTF" + b"\0" * 1020)
        step.files["model_glb"] = str(path)
    return job


def _model(job: model.Job) -> Path:
    return Path(job.step("preview").files["model_glb"])


def _age(journal: Journal, job: model.Job, days: float) -> None:
    """Make a finished job look ``days`` old (retention goes by the time it was last written)."""
    when = time.time() - days * DAY
    os.utime(journal.done_directory / f"job-{job.id}.json", (when, when))


@pytest.fixture
def no_fsync(monkeypatch):
    """Journalling 1,000 jobs at full durability would take most of a minute on a busy disk."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


@pytest.fixture
def counted_reads(monkeypatch):
    reads: list[str] = []
    real = journal_mod._read

    def read(path):
        reads.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(journal_mod, "_read", read)
    return reads


# -- the start-up scan --------------------------------------------------------------------------

def test_resume_reads_only_the_unfinished_jobs_among_a_thousand_finished_ones(
        no_fsync, counted_reads, emulator, make_client, make_manager, tmp_path):
    folder = tmp_path / "journal"
    journal = Journal(folder)
    for i in range(1000):
        journal.save(_job((model.IMPORTED, model.FAILED, model.CANCELLED)[i % 3], prompt=f"p{i}"))
    ready = _job(model.READY, files=tmp_path / "cache")
    journal.save(ready)
    counted_reads.clear()

    manager = make_manager(make_client(), journal_dir=folder)
    resumed, offered = manager.resume_from_journal()
    assert resumed == [] and [j.id for j in offered] == [ready.id]
    # The listing plus the ready job's read and re-read after claiming it: never the history.
    assert counted_reads and set(counted_reads) == {f"job-{ready.id}.json"}
    assert len(counted_reads) <= 3
    assert len(journal.finished_files()) == 1000


def test_an_older_journal_is_tidied_once_and_then_costs_nothing(no_fsync, counted_reads,
                                                               tmp_path):
    """Journals written before the index keep every job at the top: the first start-up moves
    the finished ones into done/ (reading them once); later start-ups read none of them."""
    folder = tmp_path / "journal"
    folder.mkdir()
    old = [_job(model.IMPORTED, prompt=f"p{i}") for i in range(20)]
    running = _job(model.RUNNING)
    for job in [*old, running]:
        (folder / f"job-{job.id}.json").write_text(json.dumps(job.to_dict()), encoding="utf-8")

    assert [j.id for j in Journal(folder).load_unfinished()] == [running.id]
    assert len(Journal(folder).finished_files()) == 20
    assert not list(folder.glob("job-*.lock"))  # the tidying left no lock files behind
    counted_reads.clear()
    assert [j.id for j in Journal(folder).load_unfinished()] == [running.id]
    assert counted_reads == [f"job-{running.id}.json"]
    # Moved, not lost: look-ups by id and by job key still find the finished jobs.
    assert Journal(folder).load(old[3].id).status == model.IMPORTED
    assert {j.id for j in Journal(folder).load_all()} == {j.id for j in [*old, running]}


def test_a_crash_between_the_two_writes_of_a_move_keeps_the_newer_copy(tmp_path):
    folder = tmp_path / "journal"
    journal = Journal(folder)
    job = _job(model.IMPORTED)
    journal.save(job)  # done/
    stale = model.Job.from_dict(job.to_dict())
    stale.status, stale.updated_ms = model.READY, job.updated_ms - 1000
    (folder / f"job-{job.id}.json").write_text(json.dumps(stale.to_dict()), encoding="utf-8")
    assert journal.load_unfinished() == []  # imported: not offered again
    assert not (folder / f"job-{job.id}.json").exists()

    again = _job(model.IMPORTED, prompt="a cup")
    journal.save(again)
    newer = model.Job.from_dict(again.to_dict())
    newer.status, newer.updated_ms = model.READY, again.updated_ms + 1000  # a re-import
    (folder / f"job-{again.id}.json").write_text(json.dumps(newer.to_dict()), encoding="utf-8")
    assert [j.status for j in journal.load_unfinished()] == [model.READY]
    assert journal.load(again.id).status == model.READY


def test_a_job_moves_between_unfinished_and_done_as_its_status_changes(tmp_path):
    journal = Journal(tmp_path)
    job = _job(model.READY)
    journal.save(job)
    assert [j.id for j in journal.load_unfinished()] == [job.id]
    job.status = model.IMPORTED
    journal.save(job)
    assert journal.load_unfinished() == [] and journal.load(job.id).status == model.IMPORTED
    job.status = model.READY  # prepared for a re-import
    journal.save(job)
    assert [j.id for j in journal.load_unfinished()] == [job.id]
    assert journal.finished_files() == []


def test_damaged_files_are_still_set_aside_at_the_top_and_in_done(tmp_path):
    folder = tmp_path / "journal"
    journal = Journal(folder)
    good = _job(model.QUEUED)
    journal.save(good)
    journal.save(_job(model.IMPORTED))
    (folder / "job-0badtop0.json").write_text("[]", encoding="utf-8")
    (folder / "done" / "job-0baddone0.json").write_text("\x00 not json", encoding="utf-8")
    assert [j.id for j in journal.load_unfinished()] == [good.id]
    assert (folder / "job-0badtop0.json.damaged").is_file()
    assert len(journal.load_all()) == 2
    assert (folder / "done" / "job-0baddone0.json.damaged").is_file()
    assert "job-0baddone0.json.damaged" in journal.damaged_message()


# -- retention -----------------------------------------------------------------------------------

def test_imported_jobs_older_than_the_limit_are_pruned_with_their_files(tmp_path):
    cache, journal = tmp_path / "downloads", Journal(tmp_path / "journal")
    old, recent = _job(model.IMPORTED, files=cache), _job(model.IMPORTED, files=cache)
    for job in (old, recent):
        journal.save(job)
    _age(journal, old, 31)
    _age(journal, recent, 29)

    freed = retention.prune(journal, cache, retention.Rules(keep_days=30, keep_jobs=500))
    assert freed.jobs == 1 and freed.files == 1 and freed.bytes == 1024
    assert journal.load(old.id) is None and not _model(old).parent.exists()
    assert journal.load(recent.id) is not None and _model(recent).is_file()


def test_only_the_newest_jobs_are_kept_beyond_the_count(tmp_path):
    cache, journal = tmp_path / "downloads", Journal(tmp_path / "journal")
    jobs = [_job(model.IMPORTED, files=cache, prompt=f"p{i}") for i in range(5)]
    for age, job in enumerate(jobs):
        journal.save(job)
        _age(journal, job, age)  # jobs[0] is the newest

    retention.prune(journal, cache, retention.Rules(keep_days=30, keep_jobs=2))
    assert [journal.load(j.id) is not None for j in jobs] == [True, True, False, False, False]
    assert [_model(j).is_file() for j in jobs] == [True, True, False, False, False]


def test_a_pinned_job_is_kept_past_both_limits_and_does_not_count(tmp_path):
    cache, journal = tmp_path / "downloads", Journal(tmp_path / "journal")
    pinned, newest, older = (_job(model.IMPORTED, files=cache, prompt=p) for p in "abc")
    for age, job in ((400, pinned), (1, newest), (2, older)):
        journal.save(job)
        _age(journal, job, age)
    journal.pin(pinned.id)

    retention.prune(journal, cache, retention.Rules(keep_days=30, keep_jobs=1))
    assert journal.is_pinned(pinned.id) and _model(pinned).is_file()
    assert journal.load(newest.id) is not None and journal.load(older.id) is None
    journal.pin(pinned.id, False)
    retention.prune(journal, cache, retention.Rules(keep_days=30, keep_jobs=1))
    assert journal.load(pinned.id) is None and not _model(pinned).exists()


def test_pruning_never_deletes_a_file_another_kept_job_uses_or_one_outside_the_cache(tmp_path):
    cache, journal = tmp_path / "downloads", Journal(tmp_path / "journal")
    old = _job(model.IMPORTED, files=cache)
    twin = _job(model.READY)  # resumed by task id: the same downloaded file
    twin.step("preview").files = dict(old.step("preview").files)
    elsewhere = _job(model.IMPORTED, files=tmp_path / "artist-folder")
    for job in (old, twin, elsewhere):
        journal.save(job)
    for job in (old, elsewhere):
        _age(journal, job, 90)

    freed = retention.prune(journal, cache, retention.Rules())
    assert freed.jobs == 2 and freed.files == 0
    assert _model(old).is_file() and _model(elsewhere).is_file()


def test_start_up_prunes_by_the_preferences_in_a_process(addon, bpy, monkeypatch, tmp_path):
    from meshy_blender.blender.core import runtime
    from meshy_blender.identity import ADDON_ID
    from meshy_blender.jobs import spawn

    monkeypatch.setenv("MESHY_CACHE_DIR", str(tmp_path / "cache"))
    prefs = bpy.context.preferences.addons[ADDON_ID].preferences
    prefs.keep_days = 7
    assert runtime.retention_rules() == retention.Rules(keep_days=7, keep_jobs=500)
    journal = Journal(tmp_path / "cache" / "journal")
    old = _job(model.IMPORTED, files=tmp_path / "cache" / "downloads")
    journal.save(old)
    _age(journal, old, 8)
    processes = []
    real = spawn.prune_in_process
    monkeypatch.setattr(spawn, "prune_in_process",
                        lambda *a: processes.append(real(*a)) or processes[-1])
    try:
        runtime.startup_resume()
    finally:
        prefs.keep_days = retention.DEFAULT_KEEP_DAYS
    assert len(processes) == 1 and processes[0].pid != os.getpid()
    assert processes[0].wait(20) == 0
    assert journal.load(old.id) is None and not _model(old).exists()
    assert runtime.current_runtime() is None  # nothing unfinished: nothing else started


# -- Clear Cache ---------------------------------------------------------------------------------

HOLD = """
import sys
from meshy_blender.jobs.journal import Journal
journal = Journal(sys.argv[1])
assert journal.claim(sys.argv[2])
print("holding", flush=True)
sys.stdin.read()
"""


def test_clear_cache_frees_only_imported_jobs_nobody_else_uses(tmp_path):
    cache, journal = tmp_path / "downloads", Journal(tmp_path / "journal")
    imported = _job(model.IMPORTED, files=cache)
    kept = {
        "unfinished": _job(model.RUNNING, files=cache),
        "unimported": _job(model.READY, files=cache),
        "failed": _job(model.FAILED, files=cache),
        "pinned": _job(model.IMPORTED, files=cache),
        "other process": _job(model.IMPORTED, files=cache),
    }
    for job in (imported, *kept.values()):
        journal.save(job)
    journal.pin(kept["pinned"].id)
    other = subprocess.Popen(  # a second Blender on this cache, using that job right now
        [sys.executable, "-c", HOLD, str(journal.directory), kept["other process"].id],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert other.stdout.readline().strip() == "holding"
        freed = retention.clear_cache(Journal(journal.directory), cache)
    finally:
        other.communicate("", timeout=10)
    assert (freed.jobs, freed.files, freed.busy) == (1, 1, 1)
    assert not _model(imported).exists() and journal.load(imported.id) is None
    for what, job in kept.items():
        assert _model(job).is_file(), what
        assert journal.load(job.id) is not None, what
    assert "1 job(s) another Blender is using" in freed.sentence()


def test_preferences_show_the_cache_size_and_clear_cache_asks_then_keeps_unimported(
        bpy, meshy_ui):
    from meshy_blender.blender.features.account.preferences import draw_preferences
    from meshy_blender.blender.operators.cache import MESHY_OT_clear_cache

    from fixtures.recording_layout import RecordingLayout

    cache = meshy_ui.cache / "downloads"
    journal = Journal(meshy_ui.cache / "journal")
    imported, ready = _job(model.IMPORTED, files=cache), _job(model.READY, files=cache)
    journal.save(imported)
    journal.save(ready)
    retention.forget_sizes()
    layout = RecordingLayout()
    draw_preferences(layout, meshy_ui.prefs, bpy.context)
    assert {"keep_days", "keep_jobs"} <= set(layout.props())
    assert "2.0 KB in 2 file(s)" in layout.texts()
    assert "meshy.clear_cache" in layout.operator_ids()

    asked = {}

    class WindowManager:
        def invoke_confirm(self, op, event, **kw):
            asked.update(kw)
            return {"CANCELLED"}

    context = type("Context", (), {"window_manager": WindowManager()})()
    MESHY_OT_clear_cache.invoke(None, context, None)
    assert asked["confirm_text"] == "Clear Cache" and "Unfinished" in asked["message"]
    assert set(asked) <= {p.identifier for p in
                          bpy.types.WindowManager.bl_rna.functions["invoke_confirm"].parameters}
    assert _model(imported).is_file()  # asking deleted nothing

    assert bpy.ops.meshy.clear_cache() == {"FINISHED"}
    assert not _model(imported).exists() and _model(ready).is_file()
    layout = RecordingLayout()
    draw_preferences(layout, meshy_ui.prefs, bpy.context)
    assert "1.0 KB in 1 file(s)" in layout.texts()


def test_an_imported_job_is_kept_from_the_tasks_panel_and_clear_cache_forgets_the_rest(
        bpy, meshy_ui):
    from meshy_blender.blender import panels
    from meshy_blender.blender.core import runtime

    from fixtures.recording_layout import draw_panel

    def pin_button(job_id):
        from meshy_blender.blender.features.tasks import job_list

        job_list.sync_now()  # what the timer does after a draw finds new jobs
        wm_state = bpy.context.window_manager.meshy  # the job chosen in the list
        wm_state.job_index = [row.name for row in wm_state.jobs].index(job_id)
        layout = draw_panel(next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_tasks"),
                            bpy.context)
        found = [c for c in layout.operators() if c["kwargs"]["operator"] == "meshy.pin_job"
                 and c.get("props", {}).get("job_id") == job_id]
        return found[0] if found else None

    bpy.context.scene.meshy.should_texture = False
    jobs = []
    for prompt in ("a lantern", "a kettle"):
        bpy.context.scene.meshy.prompt = prompt
        assert bpy.ops.meshy.generate_text() == {"FINISHED"}
        jobs.append(meshy_ui.run())
    kept, other = jobs
    assert kept.status == other.status == model.IMPORTED
    button = pin_button(kept.id)
    assert button["kwargs"]["icon"] == "UNPINNED" and button["props"]["pinned"] is True

    assert bpy.ops.meshy.pin_job(job_id=kept.id, pinned=True) == {"FINISHED"}
    assert pin_button(kept.id)["kwargs"]["icon"] == "PINNED"
    assert bpy.ops.meshy.clear_cache() == {"FINISHED"}
    assert all(Path(p).is_file() for p in kept.files.values())
    assert not any(Path(p).exists() for p in other.files.values())
    rt = runtime.current_runtime()
    assert rt.manager.get(other.id) is None and other.id not in rt.pump.view
    assert bpy.ops.meshy.reimport_job(job_id=kept.id) == {"FINISHED"}  # from the cache


def test_resume_still_sweeps_abandoned_partial_downloads_but_on_a_worker(
        emulator, make_client, make_manager, tmp_path):
    part = tmp_path / "cache" / "task0123" / ".model.glb.1-abc.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"glTF half")
    old = time.time() - 3600
    os.utime(part, (old, old))
    manager = make_manager(make_client(), journal_dir=tmp_path / "journal")
    manager.resume_from_journal()
    deadline = time.monotonic() + 10
    while part.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not part.exists()


def test_the_journal_benchmark_reports_median_spread_and_n(tmp_path):
    out = subprocess.run([sys.executable, "-m", "perf", "journal", "--jobs", "30",
                          "--unfinished", "2", "--rounds", "3", "--json"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env=perf.child_env())
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    for case in ("before", "scan", "first use", "retention"):
        figure = report[case]
        assert figure["n"] == 3 and figure["min_ms"] <= figure["median_ms"] <= figure["max_ms"]
