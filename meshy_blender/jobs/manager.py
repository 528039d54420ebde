"""Job manager: a bounded pool of worker threads plus a thread-safe event queue to the main thread.

Each running job has at most one live Meshy task. Without a gate the pool size is the concurrency
limit (default 10, Meshy Pro's queue limit); with an :class:`~.concurrency.AdaptiveLimit` the pool
is large and the gate lets as many tasks onto Meshy as the account's queue takes (learnt from its
answers), so Studio and Enterprise accounts run at their own speed.
The main thread never waits on anything here; it drains :attr:`events` in small slices.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..client import verify
from ..client.errors import scrub, scrubbed_logger
from . import keys, model
from .concurrency import AdaptiveLimit, Slot
from .journal import Journal, JournalError
from .keys import JobOwnedError
from .model import Job
from .ports import TaskClient
from .runner import JobRunner

log = scrubbed_logger(__name__)

DEFAULT_MAX_WORKERS = 10


@dataclass(frozen=True)
class JobEvent:
    """What a worker tells the main thread.

    ``type`` is "progress", "ready" (downloaded: import it now), "failed", "cancelled", or
    "restored" (found ready in the journal at start-up: offer it for import, don't auto-import).
    """

    type: str
    job_id: str
    snapshot: dict[str, Any]


class JobManager:
    def __init__(self, client: TaskClient, journal_dir: str | Path | None = None, *,
                 max_workers: int = DEFAULT_MAX_WORKERS, use_stream: bool = True,
                 queue_wait_initial: float = 1.0, queue_wait_max: float = 15.0,
                 concurrency: AdaptiveLimit | None = None) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.client = client
        self.concurrency = concurrency
        if concurrency is not None:  # waiting jobs park in the gate, not in the pool's queue
            max_workers = max(max_workers, concurrency.ceiling)
        self.max_workers = max_workers
        self.journal = Journal(journal_dir) if journal_dir is not None else None
        self.events: queue.SimpleQueue[JobEvent] = queue.SimpleQueue()
        # Called (from the job's thread) after each event is posted: the worker process wakes
        # its loop with it, so a ready job reaches Blender at once, not at its next poll.
        self.on_event: Callable[[], None] = lambda: None
        self._jobs: dict[str, Job] = {}
        self._cancels: dict[str, threading.Event] = {}
        self._lock = threading.RLock()
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="meshy-job")
        self._detached: set[str] = set()
        self._offered: set[str] = set()  # see _offer_only
        self._runner = JobRunner(client, save=self._save, emit=self._emit, use_stream=use_stream,
                                 known_task_ids=self.known_task_ids,
                                 queue_wait_initial=queue_wait_initial,
                                 queue_wait_max=queue_wait_max, concurrency=concurrency)
        self._closed = False

    # -- submitting ------------------------------------------------------------------------
    def submit(self, job: Job) -> Job:
        """Journal the job, then run it on a worker. Returns at once.

        A job with a ``job_key`` already in the journal is not run again: the journalled job is
        returned (resumed first if it was left unfinished), see :mod:`.keys`."""
        if self._closed:
            raise RuntimeError("the job manager is shut down")
        if job.fingerprint is None:
            job.fingerprint = model.fingerprint(job)
        if job.job_key is None:
            self._own(job)
            return self._start(job)
        # One new job per key, across processes: decide and journal under the key's lock.
        held = (self.journal.keys.locked(job.job_key) if self.journal is not None
                else contextlib.nullcontext())
        with held:
            existing = self._journalled(job)
            if existing is not None:
                return existing
            self._own(job)
            return self._start(job)

    def _journalled(self, job: Job) -> Job | None:
        """The job already journalled under ``job.job_key``, taken on by this manager (resumed
        from its remaining steps if it was left unfinished or failed); None when the key is new.
        See :mod:`.keys`."""
        assert job.job_key is not None
        for live in self.jobs():
            if live.job_key == job.job_key and live.id != job.id:
                keys.check_same_request(job, live)
                self.invite(live.id)
                return live
        if self.journal is None:
            return None
        existing = self.journal.find_key(job.job_key)
        if existing is None:
            retired = self.journal.find_retired(job.job_key)
            return None if retired is None else self._fetch_again(job, retired)
        if existing.id == job.id:
            return None
        keys.check_same_request(job, existing)
        if not self.journal.claim(existing.id):
            raise JobOwnedError(existing)
        current = self.journal.load(existing.id) or existing
        if current.status in (model.FAILED, model.CANCELLED):
            self.register(current)
            return self.retry(current.id)  # paid steps are kept; only the rest runs
        if current.status == model.IMPORTED:
            self.register(current)  # finished: its files are in the cache for a re-import
            return current
        self.adopt(current)
        return current

    def _fetch_again(self, job: Job, retired: Job) -> Job:
        """Run a pruned keyed job again from its recorded task ids: the paid results are
        downloaded again (free while Meshy keeps them); nothing is created for a paid step."""
        assert self.journal is not None
        keys.check_same_request(job, retired)
        if not self.journal.claim(retired.id):
            raise JobOwnedError(retired)
        if self.journal.load(retired.id) is not None:  # another process restored it meanwhile
            return self._journalled(job) or job
        _clear_failure(retired)
        return self._start(retired)

    def _own(self, job: Job) -> None:
        """Take the cross-process ownership of ``job`` or refuse it (someone else runs it)."""
        if self.journal is None:
            return
        try:
            owned = self.journal.claim(job.id)
        except OSError as exc:
            raise JournalError(self.journal.directory, exc) from None
        if not owned:
            raise JobOwnedError(job)

    def _start(self, job: Job) -> Job:
        with self._lock:
            self._detached.discard(job.id)
            self._jobs[job.id] = job
            cancel = self._cancels[job.id] = threading.Event()
        job.status = model.QUEUED
        job.detail = "Queued"
        try:
            self._save(job, strict=True)
        except JournalError:
            with self._lock:
                self._jobs.pop(job.id, None)
                self._cancels.pop(job.id, None)
            raise
        self._emit("progress", job)
        held = None
        if self.concurrency is not None and _live_on_meshy(job):
            # Counted now, before any thread runs: a queued job started after it must not
            # take this place (a restarted worker would otherwise go over the cap).
            held = Slot(self.concurrency)
            held.occupy()
        self._pool.submit(self._runner.run, job, cancel, held)
        return job

    def resume_from_journal(self) -> tuple[list[Job], list[Job]]:
        """Re-attach unfinished journalled jobs whose owner process is gone; return
        (resumed, ready_to_import). Jobs a live process owns are left alone; when several
        processes start at once, each orphaned job is taken by exactly one of them. Only the
        unfinished jobs' files are read (see :meth:`.Journal.load_unfinished`)."""
        if self.journal is None:
            return [], []
        # The sweep lists every task folder of the cache: a worker does it, never start-up.
        # It only deletes parts whose writer's lock is gone, so resumed downloads are safe.
        threading.Thread(target=self._clean_partial_downloads, name="meshy-sweep",
                         daemon=True).start()
        resumed: list[Job] = []
        ready: list[Job] = []
        # Jobs whose tasks are on Meshy first: their queue places are counted before a
        # queued job may take one (see _start).
        listing = sorted(self.journal.load_unfinished(), key=lambda j: not _live_on_meshy(j))
        for listed in listing:
            with self._lock:
                if listed.id in self._jobs:
                    continue
            if not self.journal.claim(listed.id):
                continue  # a live process owns it
            job = self.journal.load(listed.id)  # its owner may have moved it on meanwhile
            if job is not None and job.origin == model.ORIGIN_SCRIPT:
                self._offer_only(job.id)
            if job is None or not self.adopt(job):
                self.journal.release(listed.id)
                continue
            (resumed if job.is_active else ready).append(job)
        return resumed, ready

    def _offer_only(self, job_id: str) -> None:
        """A script's job this process took over without being asked: when it is ready it is
        offered ("restored": Tasks shows "Finished elsewhere: Import"), never imported into
        the file open here, until a caller of this process asks for it (:meth:`_journalled`)."""
        with self._lock:
            self._offered.add(job_id)

    def invite(self, job_id: str) -> None:
        """A caller of this process asked for the job: it is imported when ready from now on
        (undoes :meth:`_offer_only`)."""
        with self._lock:
            self._offered.discard(job_id)

    def take_over(self, job: Job) -> Job:
        """Run what is left of a journalled job a caller asked for by one of its task ids
        (``api.resume`` of a chain): the live job if this process runs it, else the journalled
        one claimed (JobOwnedError while a live process owns it), retried from its first
        unfinished step if it failed, resumed otherwise. Paid steps are never created again."""
        live = self.get(job.id)
        if live is not None and live.is_active:
            self.invite(live.id)
            return live
        if self.journal is not None and not self.journal.claim(job.id):
            raise JobOwnedError(job)
        current = (self.journal.load(job.id) if self.journal is not None else None) or job
        self.invite(current.id)
        if current.status in (model.FAILED, model.CANCELLED):
            self.register(current)
            return self.retry(current.id)  # paid steps kept; only the rest runs
        self.adopt(current)
        return current

    def _clean_partial_downloads(self) -> None:
        with contextlib.suppress(OSError):
            self.client.clean_partial_downloads()

    def adopt(self, job: Job) -> bool:
        """Take on a journalled job this process now owns: run it if it is unfinished, offer it
        for import if it is READY (a "restored" event, never an automatic import: another
        .blend may be open by now). False when there is nothing to take on."""
        if job.status in model.ACTIVE_STATUSES:
            self._start(job)
            return True
        if job.status == model.READY:
            self.register(job)
            self._emit("restored", job)
            return True
        return False

    def register(self, job: Job) -> None:
        """Know a finished journalled job (owned by this process) without running it."""
        with self._lock:
            self._jobs[job.id] = job
            self._cancels.setdefault(job.id, threading.Event())

    def forget(self, job_id: str) -> bool:
        """Stop knowing a finished job whose journal entry and files were removed (Clear
        Cache, retention), so nothing offers to re-import it. False for an active job."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.is_active:
                return False
            del self._jobs[job_id]
            self._cancels.pop(job_id, None)
        return True

    def detach(self, job_id: str) -> bool:
        """Stop running a job here but leave it journalled as unfinished and release it, so a
        restart, another process or a rerun with its job key resumes its remaining steps (used
        for timeouts and Ctrl-C: paid work behind them is never written off as cancelled)."""
        with self._lock:
            job = self._jobs.get(job_id)
            cancel = self._cancels.get(job_id)
            if job is None or cancel is None or not job.is_active:
                return False
            self._detached.add(job_id)
        cancel.set()
        return True

    # -- control ---------------------------------------------------------------------------
    def cancel(self, job_id: str, *, on_server: bool = False) -> bool:
        """Stop waiting at once; optionally delete the running server task as well."""
        with self._lock:
            job = self._jobs.get(job_id)
            cancel = self._cancels.get(job_id)
        if job is None or cancel is None or not job.is_active:
            return False
        job.cancel_on_server = on_server
        cancel.set()
        return True

    def retry(self, job_id: str) -> Job:
        """Run a failed or cancelled job again from its first unfinished step (paid steps kept)."""
        with self._lock:
            job = self._jobs[job_id]
        if job.status not in (model.FAILED, model.CANCELLED):
            raise ValueError(f"job {job_id} is {job.status}, not failed or cancelled")
        _clear_failure(job)
        return self.submit(job)

    def prepare_reimport(self, job_id: str) -> bool:
        """Make a finished job's downloaded result importable again (status READY, e.g. to
        import it into another file); False when it has no downloaded result."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or not job.files or job.status not in (model.READY, model.IMPORTED):
            return False
        if self.journal is not None and not self.journal.claim(job_id):
            return False  # READY again means owned again: no other process may take it
        self.invite(job_id)
        if self._fetch_damaged_again(job):
            return True
        if job.status != model.READY:
            job.status = model.READY
            job.touch()
            self._save(job)
        return True

    def _fetch_damaged_again(self, job: Job) -> bool:
        """Every reuse of cached files verifies them first: when one is damaged or gone, the
        job runs again from its recorded task ids (fresh links: nothing is created or paid)
        and becomes READY on its own. True when it was started again."""
        damaged = [k for k, p in job.files.items() if not verify.is_complete(p)]
        if not damaged:
            return False
        log.warning("job %s: cached %s damaged or missing; downloading again", job.id,
                    ", ".join(damaged))
        self._start(job)
        return True

    def mark_imported(self, job_id: str) -> None:
        self._finish_import(job_id, None)

    def mark_import_failed(self, job_id: str, message: str) -> None:
        """The files stay in the cache and the job stays READY so the import can be retried."""
        self._finish_import(job_id, message)

    def _finish_import(self, job_id: str, error: str | None) -> None:
        with self._lock:
            job = self._jobs[job_id]
        job.import_error = error
        job.status = model.READY if error else model.IMPORTED
        job.detail = f"Import failed: {error}" if error else "Imported"
        job.touch()
        self._save(job)
        if not error and self.journal is not None:
            # Imported: nothing left for any process to take over, so the lock file goes too.
            self.journal.release(job_id, delete=True)
        self._emit("progress", job)

    # -- queries ---------------------------------------------------------------------------
    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.created_ms)

    def drain(self, limit: int | None = None) -> list[JobEvent]:
        """Events posted so far (up to ``limit``), oldest first, without blocking."""
        out: list[JobEvent] = []
        while limit is None or len(out) < limit:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                break
        return out

    def shutdown(self, *, cancel_running: bool = True, wait: bool = True) -> None:
        """Stop workers. Running jobs stay journalled as active and resume next start-up."""
        self._closed = True
        if cancel_running:
            with self._lock:
                cancels = list(self._cancels.values())
            for ev in cancels:
                ev.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)
        if self.journal is None:
            return
        if wait:
            self.journal.release_all()
        else:  # give the jobs up (to a re-enabled add-on, another process) once workers stop
            threading.Thread(target=self._release_when_idle, name="meshy-release",
                             daemon=True).start()

    def _release_when_idle(self) -> None:
        self._pool.shutdown(wait=True)
        if self.journal is not None:
            self.journal.release_all()

    # -- plumbing --------------------------------------------------------------------------
    def _save(self, job: Job, *, strict: bool = False) -> None:
        """Journal the job. ``strict`` (at submit and right before each paid request): a journal
        that cannot be written refuses the work, since a paid task id must never go unrecorded;
        otherwise a write failure is logged and the job goes on (its result is already paid)."""
        if self.journal is None:
            return
        if job.status == model.CANCELLED and not job.cancel_on_server and (
                self._closed or job.id in self._detached):
            # Shutting down or detaching is not the user cancelling: leave the job resumable.
            if job.id in self._detached:
                self.journal.release(job.id)
            return
        try:
            self.journal.save(job)
        except OSError as exc:
            if strict:
                raise JournalError(self.journal.directory, exc) from None
            log.error("could not write the job journal for %s: %s", job.id, exc)

    def _emit(self, event_type: str, job: Job) -> None:
        offered = job.id in self._offered
        if event_type == "ready" and offered:
            event_type = "restored"  # offered, not imported (see _offer_only)
        snapshot = job.snapshot()
        snapshot["offered"] = offered  # Tasks: "Finished elsewhere: Import"
        snapshot["detail"] = scrub(snapshot.get("detail", ""))  # shown in the UI and CLI
        self.events.put(JobEvent(event_type, job.id, snapshot))
        self.on_event()

    def known_task_ids(self) -> set[str]:
        """Task ids recorded by any job of this manager or any journal entry in its folder:
        crash recovery must never adopt one of these as "the task my lost request made"."""
        with self._lock:
            ids = {t for j in self._jobs.values() for t in j.task_ids.values()}
        if self.journal is not None:
            ids |= self.journal.task_ids()
        return ids


def _clear_failure(job: Job) -> None:
    """Ready a finished job to run again: a failed step starts over (its task failed, so it
    was refunded); succeeded steps keep their paid task ids."""
    for step in job.steps:
        if step.status == model.STEP_FAILED:
            step.task_id = None
            step.status = model.STEP_PENDING
            step.progress = 0
    job.error = None
    job.cancel_on_server = False
    job.finished_ms = None


def _live_on_meshy(job: Job) -> bool:
    """The step the job runs next has a task on Meshy (a resumed job): it holds one of the
    account's queue places whatever this process's gate says."""
    step = next((s for s in job.steps if s.status != model.STEP_SUCCEEDED), None)
    return job.is_active and step is not None and step.task_id is not None \
        and step.status != model.STEP_FAILED
