"""Run one job on a worker thread: create each task, wait for it, download what the import needs.

The journal is written before and after every paid step. Nothing here touches bpy: results are
handed to the main thread as events; the main thread imports them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..client import errors, verify
from . import model, rig_check
from .concurrency import AdaptiveLimit, Slot
from .model import Job, JobError, Step
from .plans import build_step_payload
from .ports import TaskClient

log = errors.scrubbed_logger(__name__)

QUEUE_WAIT_INITIAL = 1.0
QUEUE_WAIT_MAX = 15.0
RATE_LIMITED_WAIT = 0.2
# Progress events are snapshots for the UI: at most this often per job (status changes always go).
PROGRESS_EVENT_INTERVAL = 0.1


class JobRunner:
    """Executes jobs; one instance shared by all worker threads of a manager."""

    def __init__(self, client: TaskClient, *, save: Callable[..., None],
                 emit: Callable[[str, Job], None], use_stream: bool = True,
                 queue_wait_initial: float = QUEUE_WAIT_INITIAL,
                 queue_wait_max: float = QUEUE_WAIT_MAX,
                 known_task_ids: Callable[[], set[str]] = set,
                 concurrency: AdaptiveLimit | None = None) -> None:
        self.client = client
        self.concurrency = concurrency
        self.known_task_ids = known_task_ids
        self.save = save
        self.emit = emit
        self.use_stream = use_stream
        self.queue_wait_initial = queue_wait_initial
        self.queue_wait_max = queue_wait_max
        self._last_progress: dict[str, float] = {}

    def _progress(self, job: Job) -> None:
        """Throttled progress event: the main thread only needs a few updates per second."""
        now = time.monotonic()
        if now - self._last_progress.get(job.id, 0.0) >= PROGRESS_EVENT_INTERVAL:
            self._last_progress[job.id] = now
            self.emit("progress", job)

    # -- entry point -----------------------------------------------------------------------
    def run(self, job: Job, cancel: threading.Event, held: Slot | None = None) -> None:
        """Run what is left of ``job``; ``held``: the queue place its task on Meshy already
        holds (a resumed job, counted before any thread ran: see JobManager._start)."""
        try:
            self._set(job, model.RUNNING, "")
            for step in job.steps:
                if step.status == model.STEP_SUCCEEDED and self._downloads_present(step):
                    continue
                self._run_step(job, step, cancel, held)
                held = None
            job.detail = "Ready to import"
            job.finished_ms = model.now_ms()
            job.status = model.READY
            job.touch()
            self.save(job)
            self.emit("ready", job)
        except errors.CancelledError as exc:
            exc.task_ids = dict(job.task_ids)
            self._cancelled(job)
        except errors.MeshyError as exc:
            exc.task_ids = dict(job.task_ids)  # paid work behind the error stays findable
            self._failed(job, type(exc).__name__, str(exc), exc.retryable)
        except Exception as exc:  # never let a worker die silently: the job must say why
            log.exception("job %s crashed", job.id)
            self._failed(job, "InternalError", f"Unexpected error: {exc}", False)
        finally:
            if held is not None:
                held.free()  # the job ended before its step ran: the place is not kept

    # -- one step --------------------------------------------------------------------------
    def _run_step(self, job: Job, step: Step, cancel: threading.Event,
                  held: Slot | None = None) -> None:
        slot = held or Slot(self.concurrency)
        if cancel.is_set():
            slot.free()
            raise errors.CancelledError("Cancelled.")
        try:
            self._run_step_in(job, step, cancel, slot)
        finally:
            slot.free()  # the task is over on Meshy (or never made): its queue place is free

    def _run_step_in(self, job: Job, step: Step, cancel: threading.Event, slot: Slot) -> None:
        if step.task_id is None:
            rig_check.refuse_unriggable(job, step)  # before the rig is paid, never after
            self._take(job, step, slot, cancel)
            payload = build_step_payload(step, job.task_ids)
            if step.status == model.STEP_CREATING:
                # A previous run crashed between "about to POST" and "got an id": find the task
                # instead of paying again.
                step.task_id = self._find_created(step, payload)
            if step.task_id is None:
                step.task_id = self._create(job, step, payload, cancel, slot)
            step.status = model.STEP_WAITING
            self.save(job)
        else:
            slot.occupy()  # already on Meshy: it holds a place in the account's queue
        self._set(job, model.RUNNING, f"{step.kind}: waiting for Meshy")
        if not slot.pace(cancel, urgent=False):  # the stream open is a request too
            raise errors.CancelledError("Cancelled.")

        def on_progress(task: Any) -> None:
            slot.stamp()  # the stream (or a poll) was answered: its window place is dated
            step.progress = int(task.progress or 0)
            if task.status == "PENDING" and task.preceding_tasks:
                job.detail = f"{step.kind}: queued behind {task.preceding_tasks} task(s)"
            else:
                job.detail = f"{step.kind}: {task.status.lower().replace('_', ' ')}"
            job.touch()
            self._progress(job)

        try:
            task = self.client.wait_for_task(step.kind, step.task_id,
                                             on_progress=on_progress, cancel=cancel,
                                             use_stream=self.use_stream)
        except errors.TaskFailedError:
            step.status = model.STEP_FAILED
            raise
        finally:
            slot.free()  # over on Meshy: the download below needs no queue place
        step.status = model.STEP_SUCCEEDED
        step.progress = 100
        step.consumed_credits = task.consumed_credits
        printability = getattr(task, "printability", None)
        if printability is not None:  # print-analyze: the result is a report, not a file
            step.report = printability.raw
        rig_report = rig_check.step_report(step.kind, task)
        if rig_report is not None:  # the rig check's answer; a rig's own rig type
            step.report = rig_report
            if step.kind == rig_check.CHECK_KIND:
                job.detail = rig_check.shown(rig_report)
        if step.downloads:
            # Journalled once the files are in (by the job's READY write when this is its last
            # step). Nothing paid hangs on it: a run stopped before finds the task done on
            # Meshy (a free read) and every file already complete in the cache (no download).
            self._download(job, step, task, cancel)
            if step is not job.steps[-1]:
                self.save(job)
                if "glb" in step.files and step.downloads == ["glb?"]:
                    self.emit("intermediate", job)  # the main thread shows it at once
        else:
            self.save(job)

    def _take(self, job: Job, step: Step, slot: Slot, cancel: threading.Event) -> None:
        """Wait for a place in the Meshy queue (see jobs/concurrency.py)."""
        gate = self.concurrency
        if gate is not None and gate.live >= gate.limit:
            job.detail = f"{step.kind}: waiting for a place in the Meshy queue"
            job.touch()
            self.emit("progress", job)
        if not slot.take(cancel):
            raise errors.CancelledError("Cancelled.")

    def _create(self, job: Job, step: Step, payload: dict, cancel: threading.Event,
                slot: Slot) -> str:
        """POST once; a 429 (queue full or rate limit) means nothing was created: wait, retry.
        A full queue is the account's limit, not a failure: the gate learns it (see
        jobs/concurrency.py) and this job waits until a task of the batch finishes."""
        delay = self.queue_wait_initial
        while True:
            step.status = model.STEP_CREATING
            step.create_started_ms = model.now_ms()
            if not slot.paced_and_fits(cancel, self.queue_wait_max):
                raise errors.CancelledError("Cancelled.")
            self.save(job, strict=True)  # journal BEFORE the paid request, or don't send it
            try:
                task_id = str(self.client.create_task(
                    step.kind, payload, exclude=self.known_task_ids,
                    retry_rate_limited=self.concurrency is None))  # else the pacer learns
            except (errors.QueueFullError, errors.RateLimitedError) as exc:
                step.status = model.STEP_PENDING
                self.save(job)
                limited = isinstance(exc, errors.RateLimitedError)
                if slot.answered(limited=limited) and limited:
                    continue  # the rate probe was refused: nothing created, the window says when
                # With a pacer a rate-limit answer is rare (another process on the account):
                # a short pause, then the window decides.
                wait = exc.retry_after or (delay if self.concurrency is None or not limited
                                           else min(delay, RATE_LIMITED_WAIT))
                job.detail = (f"{step.kind}: Meshy queue is full, retrying in {wait:.0f} s"
                              if isinstance(exc, errors.QueueFullError)
                              else f"{step.kind}: rate limited, retrying in {wait:.0f} s")
                job.touch()
                self.emit("progress", job)
                waited = (slot.refused(cancel, wait) and slot.take(cancel)
                          if isinstance(exc, errors.QueueFullError) else not cancel.wait(wait))
                if not waited:
                    raise errors.CancelledError("Cancelled.") from None
                delay = min(delay * 2, self.queue_wait_max)
                continue
            slot.answered(limited=False)
            slot.accepted()
            return task_id

    def _find_created(self, step: Step, payload: dict) -> str | None:
        try:
            return self.client.find_created_task(step.kind, payload,
                                                 (step.create_started_ms or 0),
                                                 exclude=self.known_task_ids)
        except errors.MeshyError as exc:
            raise errors.MeshyError(
                "Could not check whether the interrupted request created a task; not retrying "
                f"to avoid paying twice. {exc}") from None

    def _download(self, job: Job, step: Step, task: Any, cancel: threading.Event) -> None:
        self._set(job, model.DOWNLOADING, f"{step.kind}: downloading")
        available = task.asset_urls()
        for wanted in step.downloads:
            optional = wanted.endswith("?")
            wanted = wanted.rstrip("?")
            if wanted == "images":
                names = sorted(n for n in available if n.startswith("image_"))
            else:
                names = [next((n for n in wanted.split("|") if n in available), "")]
            for name in names:
                if not name and optional:
                    continue
                if not name:
                    raise errors.MalformedResponseError(
                        f"Meshy finished {step.kind} but sent no {wanted.split('|')[0]} file.")
                if name in step.files:
                    continue

                def on_bytes(done: int, total: int | None, name: str = name) -> None:
                    job.detail = (f"{step.kind}: downloading {name} {done / 1e6:.1f}"
                                  + (f"/{total / 1e6:.1f} MB" if total else " MB"))
                    self._progress(job)

                try:
                    path = self.client.download_asset(step.kind, task, name,
                                                      on_progress=on_bytes, cancel=cancel)
                except errors.CancelledError:
                    raise
                except errors.MeshyError:
                    if not optional:
                        raise
                    continue  # a missing picture or stand-in never costs the artist the model
                key = wanted.split("|")[0] if wanted != "images" else name
                step.files[key] = str(path)

    @staticmethod
    def _downloads_present(step: Step) -> bool:
        """Every file the step needs is journalled AND complete on disk (a damaged or missing
        one is dropped from the record, so the step downloads it again)."""
        for key, path in list(step.files.items()):
            if not verify.is_complete(path):
                del step.files[key]
        if not step.downloads:
            return True
        if step.downloads == ["images"]:
            return bool(step.files)
        return all(w.split("|")[0] in step.files for w in step.downloads
                   if not w.endswith("?"))

    # -- status changes --------------------------------------------------------------------
    def _set(self, job: Job, status: str, detail: str) -> None:
        job.status = status
        job.detail = errors.scrub(detail)
        job.touch()
        self.emit("progress", job)

    def _failed(self, job: Job, kind: str, message: str, retryable: bool) -> None:
        message = errors.scrub(message)
        job.error = JobError(kind, message, retryable, task_ids=dict(job.task_ids))
        job.detail = message
        job.finished_ms = model.now_ms()
        job.status = model.FAILED
        job.touch()
        self.save(job)
        self.emit("failed", job)

    def _cancelled(self, job: Job) -> None:
        job.detail = "Cancelled"
        if job.cancel_on_server:
            for step in job.steps:
                if step.task_id and step.status in (model.STEP_WAITING, model.STEP_CREATING):
                    try:
                        self.client.delete_task(step.kind, step.task_id)
                        job.detail = "Cancelled (deleted on Meshy)"
                    except errors.MeshyError as exc:
                        job.detail = f"Cancelled locally; deleting on Meshy failed: {exc}"
        job.finished_ms = model.now_ms()
        job.status = model.CANCELLED  # last: observers see CANCELLED only once it is all done
        job.touch()
        self.save(job)
        self.emit("cancelled", job)

