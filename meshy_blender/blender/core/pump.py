"""The main-thread pump: the one place where worker results reach Blender.

``Pump.tick`` drains job events within a small time budget, keeps the latest snapshot of each job
for the UI, hands finished background reads (balance, recent tasks, library) to their callbacks,
tags sidebar redraws once, and runs imports (the only bpy work a job causes). Three drivers call
the same ``tick``: a persistent ``bpy.app.timers`` timer (UI), a modal operator (ESC cancels),
and :func:`run_until_done` for headless scripts, where timers never fire. Every drained event,
whoever drains it, goes through :meth:`Pump._handle`.

Imports run only where Blender supplies the context operators need (:func:`imports_allowed`):
background mode, an operator's ``execute()`` or the watcher's ``modal()``. The timer has no
window, so its ticks only drain events and ask for redraws; a finished job nobody watches waits
in the Tasks panel with an Import button (see docs/blender-bug-report.md for why no
a context override may stand in for the window).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import bpy

from ...client.errors import scrubbed_logger
from ...jobs.model import FINISHED_STATUSES, IMPORTED, READY
from .calls import CALLS, BackgroundCalls

if TYPE_CHECKING:  # the manager (workers, journal) is imported when a runtime is built
    from ...jobs.manager import JobEvent, JobManager
    from ...jobs.remote import RemoteJobs

log = scrubbed_logger(__name__)

DEFAULT_BUDGET_S = 0.002
Importer = Callable[[dict[str, Any]], Any]


@dataclass
class TickStats:
    events: int = 0
    imports: int = 0
    drain_seconds: float = 0.0  # main-thread time spent outside import calls
    import_seconds: float = 0.0


@dataclass
class Pump:
    # The session's jobs worker process (RemoteJobs), or a JobManager in this process (tests).
    manager: JobManager | RemoteJobs
    importer: Importer
    # Latest snapshot per job id: what panels draw. Only the main thread touches it.
    view: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    _pending_imports: list[str] = field(default_factory=list)
    # "See the shape early": a chain's intermediate model, imported while the job still runs.
    preview_importer: Importer | None = None
    _pending_previews: list[str] = field(default_factory=list)
    listeners: list[Callable[[JobEvent], None]] = field(default_factory=list)
    # Called with (job id, what the import made) right after each import, on the main thread
    # (a headless batch sets each row aside there: scene/rows_aside.py).
    landed: list[Callable[[str, Any], None]] = field(default_factory=list)
    # Background reads: their outcomes are delivered by this pump's ticks, on the main thread.
    calls: BackgroundCalls = field(default_factory=lambda: CALLS)
    # Called when this pump gets work outside a job start (a re-import): re-arms the UI timer.
    wake: Callable[[], None] = field(default=lambda: None)

    def tick(self, budget: float = DEFAULT_BUDGET_S, max_imports: int = 1) -> TickStats:
        """Drain events for at most ``budget`` seconds, then run up to ``max_imports`` imports
        (none where operators may not run: see :func:`imports_allowed`)."""
        if not imports_allowed():
            max_imports = 0
        stats = TickStats()
        start = time.perf_counter()
        deadline = start + budget
        changed = False
        while time.perf_counter() < deadline:
            batch = self.manager.drain(limit=64)
            if not batch:
                break
            for event in batch:
                stats.events += 1
                self._handle(event)
            changed = True
        if self.calls.deliver():
            changed = True
        if changed:
            tag_redraw()
        stats.drain_seconds = time.perf_counter() - start
        while self._pending_previews and stats.imports < max_imports:
            t0 = time.perf_counter()
            self._import_preview(self._pending_previews.pop(0))
            stats.import_seconds += time.perf_counter() - t0
            stats.imports += 1
        while self._pending_imports and stats.imports < max_imports:
            job_id = self._pending_imports.pop(0)
            t0 = time.perf_counter()
            self._import(job_id)
            stats.import_seconds += time.perf_counter() - t0
            stats.imports += 1
        return stats

    def _handle(self, event: JobEvent) -> None:
        """One event: update the view, queue a ready job's import, tell listeners."""
        self.view[event.job_id] = event.snapshot
        if event.type == "ready" and event.job_id not in self._pending_imports:
            self._pending_imports.append(event.job_id)
        if event.type == "intermediate" and self.preview_importer is not None:
            self._pending_previews.append(event.job_id)
        for listener in self.listeners:
            listener(event)

    def request_import(self, job_id: str) -> bool:
        """Queue a (re-)import of a job whose files are downloaded (after a failed import, a
        restart, or to import it again); False when it has nothing to import."""
        if not self.manager.prepare_reimport(job_id):
            return False
        if job_id not in self._pending_imports:
            self._pending_imports.append(job_id)
        self.wake()
        return True

    def _import_preview(self, job_id: str) -> None:
        """Show a running job's intermediate model; skipped once the job has its result (the
        final import replaces it anyway). A failure here never fails the job."""
        job = self.manager.get(job_id)
        if job is None or not job.is_active or self.preview_importer is None:
            return
        try:
            self.preview_importer(job.snapshot())
        except Exception:  # only a preview: the job's own import still comes
            log.exception("intermediate import of job %s failed", job_id)
        tag_redraw()

    def _import(self, job_id: str) -> None:
        job = self.manager.get(job_id)
        if job is None or job.status not in (READY, IMPORTED):
            return
        snapshot = job.snapshot()
        try:
            self.results[job_id] = self.importer(snapshot)
        except Exception as exc:  # an import failure must never take Blender down
            log.exception("import of job %s failed", job_id)
            self.manager.mark_import_failed(job_id, str(exc) or type(exc).__name__)
        else:
            self.manager.mark_imported(job_id)
            for hook in list(self.landed):
                try:
                    hook(job_id, self.results[job_id])
                except Exception:  # the import itself is done: a hook never undoes it
                    log.exception("after the import of job %s", job_id)
        # Fold the mark_* event into the view now; other jobs' events drained here (a second
        # job that finished meanwhile) take the same path, so none is lost.
        for event in self.manager.drain():
            self._handle(event)
        tag_redraw()

    def idle(self, seconds: float) -> None:
        """A headless driver's pause between ticks: at most ``seconds``, ended early by the
        jobs worker's next message (an in-process manager, in tests, has no pipe to wait on)."""
        wait = getattr(self.manager, "wait_for_news", None)
        if wait is not None:
            wait(seconds)
        else:
            time.sleep(seconds)

    def waiting_imports(self) -> list[str]:
        """Jobs whose files are ready and wait for a driver that may import (the watcher, an
        Import click, the headless driver)."""
        return list(self._pending_imports)

    def busy(self, job_ids: Iterable[str] | None = None) -> bool:
        """True while any (given) job is still running or waiting to be imported (or, for the
        timer's pace, with no ids given, while a background read runs; an import the timer may
        not run keeps it busy only where it may, so a job waiting for its Import click costs an
        idle Blender nothing)."""
        if job_ids is None:
            if self.calls.running_any() or (self._pending_imports and imports_allowed()):
                return True
            jobs = self.manager.jobs()  # one locked copy, not one lookup per job (idle ticks)
        else:  # one read of the worker's pipe, not one per job (a batch asks every tick)
            wanted = set(job_ids)
            jobs = [job for job in self.manager.jobs() if job.id in wanted]
        for job in jobs:
            if job.status not in FINISHED_STATUSES or (
                    job.id in self._pending_imports and (job_ids is not None
                                                         or imports_allowed())):
                return True
            if self.view.get(job.id, {}).get("status") != job.status:
                # A worker sets the final status a moment before it posts the event (the
                # journal is written in between): until that event is drained (imports queued,
                # listeners told), the job is not done.
                return True
        return False


def imports_allowed() -> bool:
    """Whether operators may run here: in background mode (the plain context) or where Blender
    supplies a window (an operator's execute, the watcher's modal). Never from the UI timer,
    whose context has no window and must not borrow one with a context override."""
    return bool(bpy.app.background) or bpy.context.window is not None


def tag_redraw() -> None:
    """Redraw 3D Viewport sidebars so progress bars move (no-op without a window)."""
    wm = bpy.context.window_manager
    if wm is None:
        return
    for window in wm.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()


def run_until_done(pump: Pump, job_ids: Iterable[str], *, timeout: float | None = None,
                   poll: float = 0.02,
                   on_tick: Callable[[Pump], None] | None = None) -> None:
    """Headless driver: pump on this (main) thread until the jobs are finished and imported."""
    ids = list(job_ids)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pump.tick(budget=0.05, max_imports=len(ids) or 1)
        if not imports_allowed() and set(ids) & set(pump.waiting_imports()):
            raise RuntimeError(
                "Meshy: a result is downloaded but cannot be imported from here (a "
                "bpy.app.timers callback has no window for Blender's importers); it waits in "
                "the Meshy sidebar's Tasks panel: press Import there, or call this from a "
                "script or an operator.")
        if on_tick is not None:
            on_tick(pump)
        if not pump.busy(ids):
            return
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"jobs still running after {timeout:.0f} s")
        pump.idle(poll)
