"""Running a planned batch: submit every row, pump them together on the main thread, start each
row's LOD remeshes once its model is in, and fill in every row's outcome.

One loop on the main thread (workers never touch bpy); the job manager's adaptive gate decides
how many tasks are on Meshy at once. Ctrl-C or a timeout detaches the unfinished jobs (they stay
journalled under their keys), so running the file again resumes them without paying twice.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..client import errors
from ..jobs import model, outcome
from ..jobs.keys import JobOwnedError
from .batch_types import BatchProgress, BatchResult, Planned

if TYPE_CHECKING:
    from ..blender.core.runtime import Runtime

POLL_S = 0.02
ELSEWHERE_RETRY_S = 1.0
IMPORTS_PER_TICK = 4


class BatchRun:
    def __init__(self, rt: Runtime, planned: list[Planned], result: BatchResult,
                 progress: Callable[[BatchProgress], None] | None,
                 lod_request: Callable[..., Any]) -> None:
        self.rt = rt
        self.planned = planned
        self.result = result
        self.progress = progress
        self.lod_request = lod_request
        self.jobs: dict[str, list[model.Job]] = {}  # row id -> [main job, LOD jobs...]
        self.lods_started: set[str] = set()
        # Rows another live process runs (a second seat on the shared cache): asked again
        # every ELSEWHERE_RETRY_S, then imported from the cache once that process is done.
        self.elsewhere: dict[str, tuple[Planned, Any, int]] = {}
        self._elsewhere_at = 0.0
        self.t0 = time.monotonic()
        self._last_line: tuple[Any, ...] = ()

    def run(self, timeout: float | None) -> None:
        from ..blender.scene.assets import previews_at_save
        from ..blender.scene.rows_aside import rows_aside

        # Headless: thumbnails become previews when the file is saved, and imported rows leave
        # the view layer until the batch ends (each import then costs what the first did).
        with previews_at_save(), rows_aside() as aside:
            if aside is None:
                self._run(timeout)
                return
            self.rt.pump.landed.append(aside.landed)
            try:
                self._run(timeout)
            finally:
                self.rt.pump.landed.remove(aside.landed)

    def _run(self, timeout: float | None) -> None:
        gate = self.rt.manager.concurrency
        with gate.arrivals() if gate is not None else contextlib.nullcontext():
            for p in self.planned:
                self.jobs[p.row.id] = [self._submit(p, p.request, planned=p.job)]
        from ..blender.core.runtime import warm_importer

        warm_importer()  # while the tasks run: the first row imports as fast as the rest
        deadline = None if timeout is None else self.t0 + timeout
        try:
            while True:
                stats = self.rt.pump.tick(budget=0.05, max_imports=IMPORTS_PER_TICK)
                self._start_lods()
                self._ask_elsewhere()
                self._report()
                if not self._busy():
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise errors.WaitTimeoutError(
                        f"The batch did not finish within {timeout:g} s; run it again to "
                        "resume the unfinished rows without paying twice.")
                if stats.imports < IMPORTS_PER_TICK:  # else more rows wait: no idle pause
                    self.rt.pump.idle(POLL_S)
        except BaseException:
            for jobs in self.jobs.values():
                for job in jobs:
                    self.rt.manager.detach(job.id)
            raise
        finally:
            self.result.seconds = time.monotonic() - self.t0
            for p in self.planned:
                self._outcome(p)

    def _submit(self, p: Planned, request: Any, index: int | None = None, *,
                planned: model.Job | None = None) -> model.Job:
        """Submit (or, for a journalled key, take back) one job; a finished one is imported
        again from the cache: this run's scene and library must hold every row. ``planned``:
        the row's job as the batch planned and priced it (one plan per request); a request
        asked again later, or a LOD made from the row's result, is planned when it is sent."""
        try:
            job = self.rt.submit(request, origin=model.ORIGIN_SCRIPT, planned=planned)
        except JobOwnedError:
            if index is None:  # its place in the row's jobs (0: the row's own, then LODs)
                index = len(self.jobs.get(p.row.id, []))
            self.elsewhere[f"{p.row.id}#{index}"] = (p, request, index)
            waiting = model.Job(kind=request.request, label=request.label, steps=[])
            waiting.status = model.QUEUED
            waiting.detail = "Running in another Blender process on this cache folder"
            return waiting
        except errors.MeshyError as exc:
            p.result.status = "failed"
            p.result.error = errors.scrub(str(exc))
            failed = model.Job(kind=request.request, label=request.label, steps=[])
            failed.status = model.FAILED
            return failed
        if job.status in (model.READY, model.IMPORTED):
            self.rt.pump.request_import(job.id)
        return job

    def _ask_elsewhere(self) -> None:
        """Submit again the rows another process was running: once it let go, the row is
        imported from the shared cache (or resumed, had that process died): never paid twice."""
        if not self.elsewhere or time.monotonic() < self._elsewhere_at:
            return
        self._elsewhere_at = time.monotonic() + ELSEWHERE_RETRY_S
        for slot, (p, request, index) in list(self.elsewhere.items()):
            del self.elsewhere[slot]
            job = self._submit(p, request, index)
            jobs = self.jobs[p.row.id]
            if index < len(jobs):
                jobs[index] = job
            else:
                jobs.append(job)

    def _start_lods(self) -> None:
        for p in self.planned:
            main = self.jobs[p.row.id][0]
            if (not p.row.lods or p.row.id in self.lods_started
                    or main.status != model.IMPORTED or self.rt.pump.busy([main.id])):
                continue
            self.lods_started.add(p.row.id)
            source = list(main.task_ids.values())[-1]
            for n in p.row.lods:
                key = f"{p.request.job_key}:lod{p.row.lods.index(n)}"
                self.jobs[p.row.id].append(self._submit(p, self.lod_request(p.row, source, n,
                                                                            key)))

    def _busy(self) -> bool:
        if self.elsewhere:
            return True
        ids = [j.id for jobs in self.jobs.values() for j in jobs]
        if self.rt.pump.busy(ids):
            return True
        return any(p.row.lods and p.row.id not in self.lods_started
                   and self.jobs[p.row.id][0].status == model.IMPORTED for p in self.planned)

    def _report(self) -> None:
        if self.progress is None:
            return
        done = failed = running = credits = 0
        for p in self.planned:
            jobs = self.jobs[p.row.id]
            credits += sum(j.consumed_credits for j in jobs)
            if any(j.status in (model.FAILED, model.CANCELLED) for j in jobs):
                failed += 1
            elif all(j.status == model.IMPORTED for j in jobs) and (
                    not p.row.lods or len(jobs) > 1):
                done += 1
            else:
                running += 1
        total = len(self.planned)
        elapsed = time.monotonic() - self.t0
        finished = done + failed
        eta = elapsed / finished * (total - finished) if finished else None
        gate = self.rt.manager.concurrency
        line = (done, failed, running, credits, int(elapsed))  # on a change, or every second
        if line == self._last_line:
            return
        self._last_line = line
        self.progress(BatchProgress(done, failed, running, total, credits, elapsed, eta,
                                    gate.limit if gate is not None else 0))

    def _outcome(self, p: Planned) -> None:
        r = p.result
        jobs = self.jobs.get(p.row.id, [])
        if not jobs or (r.status == "failed" and r.error):
            return  # refused at submit: nothing ran
        main = jobs[0]
        r.job_id = main.id
        r.credits = sum(j.consumed_credits for j in jobs)
        for j in jobs:
            prefix = "" if j is main else f"{j.label}."
            r.task_ids.update({f"{prefix}{k}": v for k, v in j.task_ids.items()})
            r.files.update({f"{prefix}{k}": v for k, v in j.files.items()})
        bad = next((j for j in jobs if j.status in (model.FAILED, model.CANCELLED)
                    or j.import_error), None)
        if bad is not None:
            r.status = "failed"
            r.error = (errors.scrub(str(outcome.job_error(bad))) if bad.status == model.FAILED
                       else bad.import_error or "cancelled")
            return
        if not all(j.status == model.IMPORTED for j in jobs):
            r.status = "unfinished"
            return
        r.status = "done"
        self._gather_lods(p, jobs)
        imported = self.rt.pump.results.get(main.id)
        if imported is not None and not isinstance(imported, list):
            r.objects = [o.name for o in imported.collection.all_objects]

    def _gather_lods(self, p: Planned, jobs: list[model.Job]) -> None:
        """LOD results move into the row's collection as ``<name>_LOD0..n``."""
        main = self.rt.pump.results.get(jobs[0].id)
        if main is None or isinstance(main, list) or len(jobs) < 2:
            return
        from ..blender.scene import asset_library

        lods = [self.rt.pump.results.get(j.id) for j in jobs[1:]]
        asset_library.gather_lods(main, [lod for lod in lods if lod is not None], p.row.label)
