"""The soak run: many jobs at once with random faults and two "restarts", every job accounted for.

Seeded (the seed is printed and reported) so a failing run can be replayed; the fault *sequence*
is reproducible, their exact interleaving with the workers is not. Jobs that failed with paid work
behind them are retried once the faults stop, proving nothing paid was lost; then every READY job
is imported for real (bpy) once the workers have stopped. Imports run after the workers, not
between them: in the bpy module an import's undo push while many worker threads ran Python
crashed Blender 4.5 (see docs/reliability.md), which is reported, not hidden.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from meshy_blender.jobs import model
from meshy_blender.jobs.model import Job
from meshy_blender.jobs.plans import plan_job

from . import harness as h
from .matrix import MODES, clear_error_problems, make_source
from meshy_emu import Emulator
from meshy_emu.faults import FAIL_VARIANTS

COUNTED_FAULTS = ("http_500", "http_503", "drop_connection", "drop_after_create",
                  "post_500_after_create", "rate_limit_burst", "malformed_json", "sse_drop",
                  "sse_keepalive_only", "truncate_download", "expire_links")
MODE_WEIGHTS = (4, 2, 2, 2, 1)  # text-to-3d, image-to-3d, remesh, retexture, rig + animation


@dataclass
class SoakResult:
    seed: int
    jobs: int
    concurrency: int
    seconds: float
    outcomes: Counter[str]
    modes: Counter[str]
    faults: Counter[str]
    errors: Counter[str]
    restarts: int
    retried: int
    imported: int
    charged_tasks: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class FaultInjector(threading.Thread):
    """Turns on a random fault every few tens of milliseconds until stopped."""

    def __init__(self, emu: Emulator, rng: random.Random, period: float) -> None:
        super().__init__(daemon=True, name="soak-faults")
        self.emu, self.rng, self.period = emu, rng, period
        self.stop = threading.Event()
        self.counts: Counter[str] = Counter()

    def run(self) -> None:
        while not self.stop.wait(self.period * self.rng.uniform(0.5, 1.5)):
            if self.rng.random() < 0.1:
                variant = self.rng.choice(list(FAIL_VARIANTS))
                self.emu.set_fault("fail_tasks", variant)
                self.counts[f"fail_tasks={variant}"] += 1
                self.stop.wait(0.02)
                self.emu.clear_faults()  # fail_tasks persists until cleared
            else:
                name = self.rng.choice(COUNTED_FAULTS)
                self.emu.set_fault(name, 1)
                self.counts[name] += 1


def default_importer() -> Callable[[dict[str, Any]], Any]:
    """The add-on's real import (bpy), into a scene emptied every few imports."""
    import bpy

    from meshy_blender.blender.scene.import_job import import_job

    bpy.ops.wm.read_homefile(use_empty=True)
    done = [0]

    def run(snapshot: dict[str, Any]) -> Any:
        done[0] += 1
        if done[0] % 25 == 0:
            bpy.ops.wm.read_homefile(use_empty=True)
        import_job(snapshot)
        return True

    return run


def run_soak(jobs: int = 200, seed: int | None = None, concurrency: int = 10,
             fault_period: float = 0.05, timeout: float = 300.0,
             importer: Callable[[dict[str, Any]], Any] | None = None,
             log: Callable[[str], None] = print) -> SoakResult:
    seed = random.randrange(1_000_000) if seed is None else seed
    log(f"soak: seed {seed}, {jobs} jobs, concurrency {concurrency}")
    rng = random.Random(seed)
    emu = h.start_emulator(queue_limit=concurrency)
    ws = h.Workspace()
    started = time.monotonic()
    importer = importer or default_importer()
    problems: list[str] = []
    try:
        source = make_source(emu, ws)
        setup_ids = {t["id"] for t in emu.tasks()}
        picks = rng.choices(MODES, weights=MODE_WEIGHTS, k=jobs)
        plans = [plan_job(m.request, {**m.options(source), **_unique(m.request, n)})
                 for n, m in enumerate(picks)]
        restart_at = sorted(rng.sample(range(jobs // 5, jobs * 4 // 5), 2)) if jobs >= 10 else []
        client = ws.client(emu)
        manager = ws.manager(client, max_workers=concurrency)
        injector = FaultInjector(emu, rng, fault_period)
        injector.start()
        ids = [manager.submit(job).id for job in plans]
        # Jobs that ended before a restart are not re-attached by the new manager (only active
        # and READY ones are); their journalled end state is what a user would find.
        ended: dict[str, Job] = {}
        restarts = 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            manager.drain()
            finished = sum(1 for i in ids
                           if _job(manager, ended, i).status in model.FINISHED_STATUSES)
            if restart_at and finished >= restart_at[0]:
                restart_at.pop(0)
                restarts += 1
                manager.shutdown(cancel_running=True, wait=True)
                client.close()
                client = ws.client(emu)
                manager = ws.manager(client, max_workers=concurrency)
                manager.resume_from_journal()
                ended = {i: j for i, j in ws.journalled().items() if manager.get(i) is None}
                continue
            if finished == len(ids):
                break
            time.sleep(0.005)
        else:
            problems.append(f"jobs still running after {timeout:.0f} s")
        injector.stop.set()
        injector.join()
        emu.clear_faults()
        retried = _retry_paid_failures(manager, ids, problems)
        manager.shutdown(cancel_running=True, wait=True)
        client.close()
        _import_ready(manager, ids, importer, problems)
        journal = ws.journalled()
        outcomes: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        for job_id in ids:
            job = manager.get(job_id) or journal.get(job_id)
            if job is None:
                problems.append(f"job {job_id} vanished after a restart")
                continue
            outcomes[job.status] += 1
            if job.status == model.FAILED:
                errors[job.error.message if job.error else job.detail] += 1
                problems += [f"job {job.id}: {p}" for p in clear_error_problems(job)]
            elif job.status != model.IMPORTED:
                problems.append(f"job {job.id} ended {job.status}: {job.detail}")
        paid = h.charged(h.created_tasks(emu, setup_ids))
        problems += h.paid_problems(paid, journal)
        problems += h.duplicate_problems(paid, journal)
        return SoakResult(seed, jobs, concurrency, time.monotonic() - started, outcomes,
                          Counter(m.name for m in picks), injector.counts, errors, restarts,
                          retried, outcomes[model.IMPORTED], len(paid), problems)
    finally:
        emu.stop()
        ws.remove()


def _unique(request: str, n: int) -> dict[str, Any]:
    """Per-job options that tell otherwise identical requests apart on the server (an
    interrupted create is matched against the newest tasks by such fields)."""
    table: dict[str, dict[str, Any]] = {
        "text-to-3d": {"prompt": f"soak item {n}"},
        "image-to-3d": {"texture_prompt": f"soak texture {n}"},
        "remesh": {"target_polycount": 10_000 + n},
        "retexture": {"text_style_prompt": f"soak style {n}"},
        "rig": {"height_meters": 1.0 + n / 1000}}
    return table.get(request, {})


def _job(manager: Any, ended: dict[str, Job], job_id: str) -> Job:
    job = manager.get(job_id) or ended.get(job_id)
    assert job is not None, f"job {job_id} is neither running nor journalled"
    return job


def _import_ready(manager: Any, ids: list[str], importer: Callable[[dict[str, Any]], Any],
                  problems: list[str]) -> None:
    """Import every READY job on this (main) thread, as the pump would."""
    for job_id in ids:
        job = manager.get(job_id)
        if job is None or job.status != model.READY:
            continue
        try:
            importer(job.snapshot())
        except Exception as exc:  # an import failure is a finding, not a crash of the run
            manager.mark_import_failed(job_id, str(exc))
            problems.append(f"job {job_id}: import failed: {exc}")
        else:
            manager.mark_imported(job_id)


def _retry_paid_failures(manager: Any, ids: list[str], problems: list[str]) -> int:
    """Failed jobs holding succeeded (paid) steps are retried with the faults off: they must
    finish without paying for those steps again. (One that failed before a restart lives only in
    the journal; the paid-work check proves its task ids are there to resume from.)"""
    retry: list[tuple[Job, dict[str, str]]] = []
    for job_id in ids:
        job = manager.get(job_id)
        if job is not None and job.status == model.FAILED:
            kept = {s.name: s.task_id for s in job.steps
                    if s.status == model.STEP_SUCCEEDED and s.task_id}
            # A create that failed ambiguously (journalled CREATING, no id) may have been charged:
            # the retry must find that task rather than pay again.
            if kept or any(s.status == model.STEP_CREATING for s in job.steps):
                retry.append((job, kept))
    for job, _ in retry:
        manager.retry(job.id)
    if retry and not h.wait_jobs(manager, [j for j, _ in retry], 120):
        problems.append("retrying paid failures did not finish within 120 s")
    for job, kept in retry:
        if job.status != model.READY:
            problems.append(f"job {job.id} with paid steps could not be finished by a retry: "
                            f"{job.status} {job.detail}")
        changed = [name for name, task_id in kept.items() if job.step(name).task_id != task_id]
        if changed:
            problems.append(f"job {job.id}: retry re-created paid steps {changed}")
    return len(retry)
