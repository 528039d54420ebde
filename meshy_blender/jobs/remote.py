"""Blender's side of the jobs worker process: what the pump, UI, API and CLI use of a JobManager.

Why a process: any Python thread in Blender's process can corrupt memory while the main thread
calls an operator under a context override (Python 3.11, every Blender 4.2-5.0), and HTTP threads
cost main-thread latency. So the JobManager and its threads run in a worker process
(:mod:`.worker`); this proxy keeps a mirror of its jobs, rebuilt from the snapshots it sends,
and reads its pipe only when asked (the pump's tick), without blocking and without a thread.

- The worker starts with the proxy and is never waited for at start: the configuration (with
  the API key: never on a command line, never in a log) is written to its pipe and the answer
  read later. Only a call that needs an answer (a click, an API call) waits, with a timeout.
- Requests (:meth:`RemoteJobs.submit`...) wait for their answer with a timeout and keep every
  event that arrives meanwhile for :meth:`RemoteJobs.drain`. Errors come back as the same
  exception classes (JobOwnedError, JournalError, MeshyError's family...).
- A worker that dies is noticed (EOF or exit code) by the next drain or request and replaced;
  the new one resumes the journalled jobs (their OS locks died with the old process). If
  Blender dies, the worker sees EOF and parks by itself.
- Events and answers both carry job snapshots, and an answer built while the job's thread ran
  on can arrive after a newer event: each snapshot has a ``revision`` (:meth:`.Job.snapshot`),
  and the mirror never takes an older one over a newer one.
- This process takes no journal lock: ``journal`` is for reading (job keys, pins, history).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..client import errors as client_errors
from ..client.errors import MeshyError, scrubbed_logger
from .model import IMPORTED, Job
from .pipe import PipeChannel, PipeClosed
from .spawn import EXITING, reap, start, stop

if TYPE_CHECKING:
    from .journal import Journal

log = scrubbed_logger(__name__)

ANSWER_TIMEOUT_S = 60.0
# A worker that keeps dying is not restarted in a tight loop.
RESTART_DELAY_S = 1.0
MAX_RESTARTS = 10
_DERIVED = ("progress", "estimated_credits", "price_published", "consumed_credits",
            "offered", "revision")  # snapshot-only (Job.snapshot, JobManager._emit)


class WorkerStoppedError(MeshyError):
    """The worker process stopped (or did not answer) while a request waited for it."""

    default_message = ("The Meshy background process stopped unexpectedly and was restarted; "
                       "its journalled jobs resume. Check the Meshy Tasks list before trying "
                       "again.")


class RemoteGate:
    """What Blender's side reads of the worker's concurrency gate (jobs/concurrency.py): the
    state its last message carried; changes are requests to the worker."""

    class Pacer:
        def __init__(self, gate: RemoteGate, rate: float, known: bool) -> None:
            self._gate = gate
            self.rate = rate
            self.known = known

        def wait(self) -> bool:
            """Wait for a place in Meshy's request window (the worker's pacer)."""
            self._gate.jobs.call("pace")
            return True

    def __init__(self, jobs: RemoteJobs, limit: int, rate: float, known: bool) -> None:
        self.jobs = jobs
        self.limit = limit
        self.full_answers = 0
        self.live = 0
        self.accepted = 0
        self.ceiling_known = False
        self.pacer = RemoteGate.Pacer(self, rate, known)

    def update(self, state: dict[str, Any]) -> None:
        self.limit = int(state.get("limit", self.limit))
        self.full_answers = int(state.get("full_queue_answers", self.full_answers))
        self.live = int(state.get("live", self.live))
        self.accepted = int(state.get("accepted", self.accepted))
        self.ceiling_known = bool(state.get("ceiling_known", self.ceiling_known))
        self.pacer.rate = float(state.get("rate", self.pacer.rate))
        self.pacer.known = bool(state.get("known", self.pacer.known))

    def as_dict(self) -> dict[str, Any]:
        return {"limit": self.limit, "live": self.live, "accepted": self.accepted,
                "full_queue_answers": self.full_answers, "ceiling_known": self.ceiling_known}

    def raise_start(self, start: int, rate: float | None = None) -> None:
        self.jobs.call("raise_start", start=int(start), rate=rate)

    def cap(self, most: int) -> None:
        """At most ``most`` live tasks (0: no cap). Kept in the worker's configuration, so a
        worker started after a crash keeps it; sent in order before any later submit."""
        self.jobs.config["cap"] = int(most)
        self.jobs.call_async("cap", most=int(most))
        if int(most) > 0:
            self.limit = min(self.limit, int(most))

    @contextlib.contextmanager
    def arrivals(self) -> Iterator[None]:
        self.jobs.call("arrivals", begin=True)
        try:
            yield
        finally:
            self.jobs.call("arrivals", begin=False)


class RemoteJobs:
    """A JobManager in a worker process, seen from Blender's main thread (see module doc).

    ``config``: what the worker builds its client and manager from (``api_key``, ``api_base``,
    ``journal_dir``, ``download_dir``, ``ca_bundle``, ``proxy``, ``max_jobs``, ``use_stream``,
    ``start``, ``rate``, ``rate_known``, ``online``, optional ``cap`` (the most live tasks; 0
    or none: no cap), ``client_options`` and ``manager_options``)."""

    def __init__(self, config: dict[str, Any], *, resume: bool = True) -> None:
        # True: the worker resumes every orphaned journalled job at its start (the sidebar);
        # False (scripts): only this session's own jobs, after a worker crash.
        self.resume = resume
        from ..client import hygiene

        # Refused here as MeshyClient would refuse it (AuthError, ValidationError): a worker
        # that cannot start is never started.
        hygiene.clean_key(config["api_key"])
        hygiene.check_base_url(config["api_base"])
        self.config = dict(config)
        self._broken: Exception | None = None  # the worker refused its configuration
        self.concurrency = RemoteGate(self, int(config["start"]), float(config["rate"]),
                                      bool(config["rate_known"]))
        self._jobs: dict[str, Job] = {}
        # The newest snapshot revision mirrored per job, from the running worker (see _mirror).
        self._revisions: dict[str, int] = {}
        self._events: deque[Any] = deque()
        self._answers: dict[int, dict[str, Any]] = {}
        self._callbacks: dict[int, Callable[[dict[str, Any]], None]] = {}
        self._next_id = 0
        self._closed = False
        self._restart_at = 0.0
        self.restarts = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._channel: PipeChannel | None = None
        # Called with the answer of every journal resume (the first and after a restart).
        self.on_resume: Callable[[list[Job], list[Job], str], None] | None = None
        self._spawn()

    @functools.cached_property
    def journal(self) -> Journal:
        """The journal, for reading only (job keys, pins, history): the worker owns the locks.
        Loaded on first use, not when the first sidebar draw starts the worker."""
        from .journal import Journal

        return Journal(Path(self.config["journal_dir"]))

    # -- the process -----------------------------------------------------------------------
    def _spawn(self) -> None:
        import os

        parent_read, child_write = os.pipe()
        child_read, parent_write = os.pipe()
        try:
            self.process = start(stdin=child_read, stdout=child_write)
        finally:
            os.close(child_read)
            os.close(child_write)
        self._channel = PipeChannel(parent_read, parent_write)
        self._revisions = {}  # a new process counts its snapshots from 1 again
        _LIVE.add(self)
        configure = dict(self.config, op="configure", id=self._take_id(),
                         sys_path=[p for p in sys.path if p])
        self._callbacks[configure["id"]] = self._configured
        self._channel.send(configure)  # its answer (the pid) is read with the events
        if self.resume:
            self.call_async("resume", self._resumed)
        elif self.restarts:
            own = [j.id for j in self._jobs.values() if j.is_active or j.status == "READY"]
            self.call_async("adopt", self._resumed, job_ids=own)

    def _configured(self, answer: dict[str, Any]) -> None:
        if "error" in answer:
            _log_error(answer)
            self._broken = rebuild_error(answer["error"], self)

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def alive(self) -> bool:
        return (self.process is not None and self.process.poll() is None
                and self._channel is not None and not self._channel.eof)

    def _check_worker(self) -> None:
        """Replace a worker that died (after a short delay); its jobs resume in the new one."""
        if self._closed or self.alive() or self._broken is not None:
            return
        now = time.monotonic()
        if self._channel is not None:
            code = self.process.poll() if self.process is not None else None
            log.warning("Meshy worker process stopped (exit code %s); starting a new one", code)
            self._drop_process()
            self._restart_at = now + (RESTART_DELAY_S if self.restarts else 0.0)
        if now < self._restart_at:
            return
        if self.restarts >= MAX_RESTARTS:  # something stops every worker: say so, stop trying
            self._broken = WorkerStoppedError(
                f"The Meshy background process stopped {self.restarts + 1} times; see the "
                "system console for why. Journalled jobs resume when Blender starts again.")
            return
        self.restarts += 1
        self._spawn()

    def _drop_process(self) -> None:
        channel, self._channel = self._channel, None
        process, self.process = self.process, None
        if channel is not None:
            with contextlib.suppress(Exception):
                self._receive(channel.poll())
            channel.close()
        if process is not None:
            EXITING.append(process)
        reap()
        # Requests that waited for the dead worker get no answer: they fail.
        callbacks, self._callbacks = self._callbacks, {}
        stopped = {"type": "WorkerStoppedError", "message": WorkerStoppedError.default_message}
        for request_id, callback in callbacks.items():
            with contextlib.suppress(Exception):
                callback({"re": request_id, "error": stopped})

    # -- the pipe --------------------------------------------------------------------------
    def _receive(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            gate = message.get("gate")
            if isinstance(gate, dict):
                self.concurrency.update(gate)
            if "event" in message:
                snapshot = message["snapshot"]
                self._mirror(snapshot)
                self._events.append(_job_event()(message["event"], message["job_id"],
                                                 snapshot))
                continue
            if isinstance(message.get("job"), dict):
                self._mirror(message["job"])
            answer_id = message.get("re")
            callback = self._callbacks.pop(answer_id, None) if answer_id is not None else None
            if callback is not None:
                try:
                    callback(message)
                except Exception:
                    log.exception("Meshy worker answer handler failed")
            elif answer_id is not None:
                self._answers[answer_id] = message

    def _mirror(self, snapshot: dict[str, Any], job: Job | None = None) -> Job:
        """The Blender-side Job for ``snapshot``: the same object for the same id (updated in
        place), so callers holding a Job see it progress."""
        fields = {k: v for k, v in snapshot.items() if k not in _DERIVED}
        fresh = Job.from_dict(fields)
        known = self._jobs.get(fresh.id) or (job if job is not None and job.id == fresh.id
                                             else None)
        revision = snapshot.get("revision")
        if isinstance(revision, int):
            if known is not None and revision < self._revisions.get(fresh.id, 0):
                # Older than what is mirrored already: an answer's snapshot taken before
                # events that reached us first. Applying it would step the job back (a READY
                # job seen as RUNNING again is never imported: the batch waited forever).
                return known
            self._revisions[fresh.id] = revision
        if known is None:
            self._jobs[fresh.id] = fresh
            return fresh
        known.__dict__.update(fresh.__dict__)
        self._jobs[fresh.id] = known
        return known

    def poll(self) -> None:
        """Read what the worker sent so far (never waits); replace it if it died."""
        self._read()
        self._check_worker()

    def call(self, op: str, timeout: float = ANSWER_TIMEOUT_S, **fields: Any) -> Any:
        """Send a request and wait (at most ``timeout``) for its answer, keeping the events that
        arrive meanwhile; raises the worker's exception again."""
        if self._closed:
            raise RuntimeError("the job manager is shut down")
        self._check_worker()
        channel = self._channel
        if self._broken is not None:
            raise self._broken
        if channel is None:  # restarting after a crash: not yet
            raise WorkerStoppedError()
        request_id = self._take_id()
        try:
            channel.send(dict(fields, op=op, id=request_id))
        except PipeClosed:
            self._check_worker()
            raise WorkerStoppedError() from None
        deadline = time.monotonic() + timeout
        while request_id not in self._answers:
            self._receive(channel.wait(min(0.05, max(0.0, deadline - time.monotonic()))))
            if request_id in self._answers:
                break
            if not self.alive():
                self._receive(channel.poll())
                if self._broken is not None:
                    raise self._broken
                self._check_worker()
                raise WorkerStoppedError()
            if time.monotonic() >= deadline:
                raise WorkerStoppedError(
                    f"The Meshy background process did not answer '{op}' within "
                    f"{timeout:.0f} s; its jobs stay journalled.")
        answer = self._answers.pop(request_id)
        if "error" in answer:
            raise rebuild_error(answer["error"], self)
        return answer.get("value")

    def call_async(self, op: str, on_answer: Callable[[dict[str, Any]], None] | None = None,
                   **fields: Any) -> bool:
        """Send a request without waiting: ``on_answer`` gets the answer message when a later
        poll reads it (errors are logged). False when no worker runs to ask (restarting)."""
        if self._closed:
            return False
        self._check_worker()
        if self._channel is None:
            return False
        request_id = self._take_id()
        self._callbacks[request_id] = on_answer or _log_error
        try:
            self._channel.send(dict(fields, op=op, id=request_id))
        except PipeClosed:
            self._callbacks.pop(request_id, None)
            return False
        return True

    def _resumed(self, answer: dict[str, Any]) -> None:
        if "error" in answer:
            _log_error(answer)
            return
        value = answer.get("value") or {}
        resumed = [self._mirror(s) for s in value.get("resumed", [])]
        ready = [self._mirror(s) for s in value.get("ready", [])]
        if self.on_resume is not None:
            self.on_resume(resumed, ready, str(value.get("damaged") or ""))

    # -- what a JobManager offers ------------------------------------------------------------
    def submit(self, job: Job) -> Job:
        """Journal and start ``job`` in the worker (see JobManager.submit): returns the job that
        runs, the journalled one for a job key already known."""
        known = job.id in self._jobs
        self._jobs.setdefault(job.id, job)  # its events (before the answer) update ``job``
        try:
            snapshot = self.call("submit", job=job.to_dict())
        except BaseException:
            if not known:
                self._jobs.pop(job.id, None)
            raise
        running = self._mirror(snapshot, job)
        if running.id != job.id and not known:
            self._jobs.pop(job.id, None)  # the journalled job of its key runs instead
        return running

    def retry(self, job_id: str) -> Job:
        return self._mirror(self.call("retry", job_id=job_id))

    def take_over(self, job: Job) -> Job:
        """Run what is left of a journalled job asked for by task id (JobManager.take_over)."""
        return self._mirror(self.call("take_over", job=job.to_dict()))

    def cancel(self, job_id: str, *, on_server: bool = False) -> bool:
        return bool(self.call("cancel", job_id=job_id, on_server=on_server))

    def detach(self, job_id: str) -> bool:
        return bool(self.call("detach", job_id=job_id))

    def forget(self, job_id: str) -> bool:
        forgotten = bool(self.call("forget", job_id=job_id))
        if forgotten:
            self._jobs.pop(job_id, None)
        return forgotten

    def prepare_reimport(self, job_id: str) -> bool:
        return bool(self.call("prepare_reimport", job_id=job_id))

    def mark_imported(self, job_id: str) -> None:
        """Tell the worker the job is imported without waiting for its answer: a batch's
        imports are its critical path, and a busy (niced) worker answered in 2-550 ms a row
        (scripts/bench/batch_timeline.py). The mirror says IMPORTED now; the worker journals
        it in pipe order (before a later request or "park"). With no worker to tell right now
        (restarting), the waiting call says so as before."""
        if not self.call_async("mark_imported", job_id=job_id):
            self.call("mark_imported", job_id=job_id)
            return
        job = self._jobs.get(job_id)
        if job is not None:
            job.status, job.import_error, job.detail = IMPORTED, None, "Imported"

    def mark_import_failed(self, job_id: str, message: str) -> None:
        self.call("mark_import_failed", job_id=job_id, message=message)

    def resume_from_journal(self) -> tuple[list[Job], list[Job]]:
        """Resume the orphaned journalled jobs now (the worker also did at its start)."""
        value = self.call("resume") or {}
        return ([self._mirror(s) for s in value.get("resumed", [])],
                [self._mirror(s) for s in value.get("ready", [])])

    def retire_key(self, job_id: str) -> str:
        """Free a finished job's key for a new request (batch --replace); returns the key it
        keeps. JobOwnedError while it runs (see the worker's ``op_retire``)."""
        return str(self.call("retire", job_id=job_id))

    def set_online(self, online: bool) -> None:
        if self.config.get("online") != online:
            self.config["online"] = online
            if self._channel is not None:
                self.call_async("online", online=online)

    def _read(self) -> None:
        """Fold what the worker sent so far into the mirror (events stay queued for drain)."""
        if self._channel is not None:
            self._receive(self._channel.poll())

    def get(self, job_id: str) -> Job | None:
        """The job as the worker last reported it (like a JobManager's live job)."""
        self._read()
        return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        self._read()
        return sorted(self._jobs.values(), key=lambda j: j.created_ms)

    def wait_for_news(self, timeout: float) -> None:
        """Sleep until the worker sends something (an event, an answer) or ``timeout``
        passes: a headless driver's idle wait, woken the moment a job is ready instead of
        after a fixed pause."""
        self._read()
        if self._events:
            return
        if self._channel is None or self._channel.eof:  # a stopped worker: no spinning
            time.sleep(timeout)
            return
        self._channel.wait_readable(timeout)

    def drain(self, limit: int | None = None) -> list[Any]:
        """Events the worker posted so far (up to ``limit``), oldest first, without blocking."""
        self.poll()
        out: list[Any] = []
        while self._events and (limit is None or len(out) < limit):
            out.append(self._events.popleft())
        return out

    def shutdown(self, *, cancel_running: bool = True, wait: bool = True) -> None:
        """Tell the worker to park (running jobs stay journalled unfinished and resume next
        time) and exit; ``wait``: until it exited (bounded), else it is reaped later."""
        if self._closed:
            return
        self._closed = True
        _LIVE.discard(self)
        channel, self._channel = self._channel, None
        process, self.process = self.process, None
        if channel is not None:
            with contextlib.suppress(PipeClosed):
                channel.send({"op": "park", "id": self._take_id()})
            channel.close()
        if process is None:
            return
        if wait:
            stop(process)
        else:
            EXITING.append(process)
        reap()


def rebuild_error(data: dict[str, Any], jobs: RemoteJobs) -> Exception:
    """The worker's exception as the same class on this side (message and attributes)."""
    from . import keys
    from .journal import JournalError

    name = str(data.get("type", ""))
    classes: dict[str, type[Exception]] = {
        "JobOwnedError": keys.JobOwnedError, "JobKeyConflictError": keys.JobKeyConflictError,
        "JournalError": JournalError, "ValueError": ValueError, "KeyError": KeyError,
        "RuntimeError": RuntimeError, "WorkerStoppedError": WorkerStoppedError}
    cls = classes.get(name) or getattr(client_errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = MeshyError
    exc = cls.__new__(cls)
    Exception.__init__(exc, data.get("message", ""))
    with contextlib.suppress(AttributeError, TypeError):
        exc.__dict__.update(data.get("attributes") or {})
    return exc


def _job_event() -> Any:
    """The JobEvent type (jobs/manager.py), imported with the first event, not at start."""
    from .manager import JobEvent

    return JobEvent


def _log_error(answer: dict[str, Any]) -> None:
    if "error" in answer:
        log.warning("Meshy worker: %s", answer["error"].get("message"))


# Workers of this process, so interpreter exit parks them (spawn.py then waits for them).
_LIVE: set[RemoteJobs] = set()


@atexit.register
def stop_all() -> None:
    """Interpreter exit (Blender quitting, a script ending): tell every worker to park; the
    wait for them follows (:func:`.spawn.stop_exiting`), so no child outlives its parent's
    teardown."""
    for jobs in list(_LIVE):
        jobs.shutdown(wait=False)
