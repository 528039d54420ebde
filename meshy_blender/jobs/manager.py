"""Job manager: a bounded pool of worker threads plus a thread-safe event queue to the main thread.

The pool size is the concurrency limit (default 10, Meshy Pro's queue limit): each running job has
at most one live Meshy task, so this manager never has more tasks queued on Meshy than workers.
The main thread never waits on anything here; it drains :attr:`events` in small slices.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import model
from .journal import Journal, JournalError
from .model import Job
from .runner import JobRunner

log = logging.getLogger(__name__)

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
    def __init__(self, client: Any, journal_dir: str | Path | None = None, *,
                 max_workers: int = DEFAULT_MAX_WORKERS, use_stream: bool = True,
                 queue_wait_initial: float = 1.0, queue_wait_max: float = 15.0) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.client = client
        self.max_workers = max_workers
        self.journal = Journal(journal_dir) if journal_dir is not None else None
        self.events: queue.SimpleQueue[JobEvent] = queue.SimpleQueue()
        self._jobs: dict[str, Job] = {}
        self._cancels: dict[str, threading.Event] = {}
        self._lock = threading.RLock()
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="meshy-job")
        self._runner = JobRunner(client, save=self._save, emit=self._emit, use_stream=use_stream,
                                 queue_wait_initial=queue_wait_initial,
                                 queue_wait_max=queue_wait_max)
        self._closed = False

    # -- submitting ------------------------------------------------------------------------
    def submit(self, job: Job) -> Job:
        """Journal the job, then run it on a worker. Returns at once."""
        if self._closed:
            raise RuntimeError("the job manager is shut down")
        with self._lock:
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
        self._pool.submit(self._runner.run, job, cancel)
        return job

    def resume_from_journal(self) -> tuple[list[Job], list[Job]]:
        """Re-attach unfinished journalled jobs; return (resumed, ready_to_import)."""
        if self.journal is None:
            return [], []
        resumed, ready = [], []
        for job in self.journal.load_all():
            with self._lock:
                if job.id in self._jobs:
                    continue
            if job.status in model.ACTIVE_STATUSES:
                self.submit(job)
                resumed.append(job)
            elif job.status == model.READY:
                with self._lock:
                    self._jobs[job.id] = job
                    self._cancels[job.id] = threading.Event()
                ready.append(job)
                # Offered for import, not imported: another .blend may be open by now.
                self._emit("restored", job)
        return resumed, ready

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
        for step in job.steps:
            if step.status == model.STEP_FAILED:
                step.task_id = None
                step.status = model.STEP_PENDING
                step.progress = 0
        job.error = None
        job.cancel_on_server = False
        job.finished_ms = None
        return self.submit(job)

    def prepare_reimport(self, job_id: str) -> bool:
        """Make a finished job's downloaded result importable again (status READY, e.g. to
        import it into another file); False when it has no downloaded result."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or not job.files or job.status not in (model.READY, model.IMPORTED):
            return False
        if job.status != model.READY:
            job.status = model.READY
            job.touch()
            self._save(job)
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

    # -- plumbing --------------------------------------------------------------------------
    def _save(self, job: Job, *, strict: bool = False) -> None:
        """Journal the job. ``strict`` (at submit and right before each paid request): a journal
        that cannot be written refuses the work, since a paid task id must never go unrecorded;
        otherwise a write failure is logged and the job goes on (its result is already paid)."""
        if self.journal is None:
            return
        if self._closed and job.status == model.CANCELLED and not job.cancel_on_server:
            # Shutting down is not the user cancelling: leave the job resumable.
            return
        try:
            self.journal.save(job)
        except OSError as exc:
            if strict:
                raise JournalError(self.journal.directory, exc) from None
            log.error("could not write the job journal for %s: %s", job.id, exc)

    def _emit(self, event_type: str, job: Job) -> None:
        self.events.put(JobEvent(event_type, job.id, job.snapshot()))
