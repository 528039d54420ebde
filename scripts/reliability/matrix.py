"""The fault matrix: every emulator fault across the main modes, each run as a real job.

A row passes when the job either recovered (READY, files in the cache with the right magic bytes)
or failed with a clear error (an artist's message, no traceback, no key), and in both cases no
charged task was lost or paid twice. A clear error that left paid work behind must also prove it
is resumable: a retry with the fault gone finishes without creating those tasks again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from meshy_blender.client import MeshyClient, build_payload
from meshy_blender.jobs import model
from meshy_blender.jobs.model import Job
from meshy_blender.jobs.plans import plan_job

from . import harness as h
from meshy_emu import TEST_MODE_KEY, Emulator
from meshy_emu.faults import FAIL_VARIANTS

RECOVERED = "recovered"
CLEAR_ERROR = "clear error"
FAILURE = "FAILURE"
ROW_TIMEOUT = 60.0


@dataclass(frozen=True)
class Mode:
    """A kind of user request; ``setup`` makes what it needs on the server (not faulted)."""

    name: str
    request: str
    options: Callable[[dict[str, str]], dict[str, Any]]
    needs_source: bool = False


MODES: tuple[Mode, ...] = (
    Mode("text-to-3d + refine", "text-to-3d", lambda _: {"prompt": "a brass lantern"}),
    Mode("image-to-3d", "image-to-3d", lambda _: {"image_url": str(h.sample_image())}),
    Mode("remesh a model", "remesh", lambda s: {"input_task_id": s["model"]}, True),
    Mode("retexture a model", "retexture",
         lambda s: {"input_task_id": s["model"], "text_style_prompt": "rusty metal"}, True),
    Mode("rig + animation", "rig", lambda s: {"input_task_id": s["model"], "animations": [1]},
         True),
)


@dataclass(frozen=True)
class Fault:
    """Emulator fault switches for one row, or a simulated Blender restart (``restart``)."""

    name: str
    switches: dict[str, Any] = field(default_factory=dict)
    restart: str | None = None  # "wait", "create" or "download": when Blender "dies"


FAULTS: tuple[Fault, ...] = (
    Fault("latency 0.3 s", {"latency": 0.3}),
    Fault("HTTP 500 x2", {"http_500": 2}),
    Fault("HTTP 503 x2", {"http_503": 2}),
    Fault("429 burst x3", {"rate_limit_burst": 3}),
    Fault("429 burst x2 + Retry-After 1", {"rate_limit_burst": 2, "retry_after": 1}),
    Fault("dropped connection x2", {"drop_connection": 2}),
    Fault("dropped connection after create", {"drop_after_create": 1}),
    Fault("HTTP 500 after create", {"post_500_after_create": 1}),
    Fault("malformed JSON x2", {"malformed_json": 2}),
    Fault("SSE drops after first frame", {"sse_drop": 1}),
    Fault("SSE keep-alive only (stall)", {"sse_keepalive_only": 1}),
    Fault("truncated download", {"truncate_download": 1}),
    Fault("expired link (once)", {"expire_links": 1}),
    Fault("expired link (stays expired)", {"expire_links": 2}),
    Fault("format URLs as empty strings", {"model_urls_empty_string": 1}),
    Fault("task_error null on success", {"task_error_null": 1}),
    Fault("202 Accepted on create", {"accepted_202": 1}),
    *(Fault(f"FAILED task: {variant}", {"fail_tasks": variant}) for variant in FAIL_VARIANTS),
    Fault("restart while waiting", restart="wait"),
    Fault("restart mid-create (request in flight)", {"latency": 0.4}, restart="create"),
    Fault("restart mid-download", {"asset_latency": 0.5}, restart="download"),
)


@dataclass
class Row:
    mode: str
    fault: str
    outcome: str
    message: str
    tasks_created: int
    charged: int
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome in (RECOVERED, CLEAR_ERROR) and not self.problems


def clear_error_problems(job: Job) -> list[str]:
    """What would make a failure message unfit to show an artist."""
    if job.error is None:
        return ["failed without an error"]
    text = job.error.message
    problems = []
    if job.error.type == "InternalError":
        problems.append(f"unexpected crash: {text}")
    if not text.strip():
        problems.append("empty message")
    if "Traceback" in text or "File \"" in text:
        problems.append("traceback in the message")
    if TEST_MODE_KEY in text:
        problems.append("API key in the message")
    if len(text) > 500:
        problems.append("message longer than 500 characters")
    return problems


def make_source(emu: Emulator, ws: h.Workspace) -> dict[str, str]:
    """A finished model on the server for remesh / retexture / rig rows (made before faults)."""
    client = ws.client(emu)
    try:
        kind = "text-to-3d-preview"
        task_id = client.create_task(kind, build_payload(kind, prompt="a standing knight"))
        client.wait_for_task(kind, task_id)
    finally:
        client.close()
    return {"model": task_id}


def _restart(emu: Emulator, ws: h.Workspace, manager: Any, client: MeshyClient, job: Job,
             when: str) -> tuple[Any, MeshyClient, Job, str]:
    """Kill the manager at the chosen moment and start a new one from the same journal."""
    def reached() -> bool:
        steps = job.steps
        if when == "create":
            return any(s.status == model.STEP_CREATING for s in steps)
        if when == "download":
            return job.status == model.DOWNLOADING
        return any(s.status == model.STEP_WAITING for s in steps)

    deadline = time.monotonic() + 20
    before = len(emu.tasks())
    while not reached() and job.is_active and time.monotonic() < deadline:
        time.sleep(0.002)
    at_crash = ", ".join(f"{s.name} {s.status.lower()}" for s in job.steps)
    manager.shutdown(cancel_running=True, wait=True)
    client.close()
    if when == "create":
        # Blender died with the POST in flight; the server still gets and charges it.
        while len(emu.tasks()) == before and time.monotonic() < deadline:
            time.sleep(0.02)
    emu.clear_faults()
    client = ws.client(emu)
    manager = ws.manager(client)
    resumed, ready = manager.resume_from_journal()
    again = next((j for j in resumed + ready if j.id == job.id), None)
    if again is None:  # finished before the "crash": the journal holds its end state
        again = ws.journalled().get(job.id) or job
    return manager, client, again, f"restarted with {at_crash}; resumed from the journal"


def run_row(emu: Emulator, mode: Mode, fault: Fault) -> Row:
    emu.reset()
    ws = h.Workspace()
    started = time.monotonic()
    source = make_source(emu, ws) if mode.needs_source else {}
    setup_ids = {t["id"] for t in emu.tasks()}
    for name, value in fault.switches.items():
        emu.set_fault(name, value)
    client = ws.client(emu)
    manager = ws.manager(client)
    problems: list[str] = []
    tasks: list[dict[str, Any]] = []
    paid: list[dict[str, Any]] = []
    outcome, message, note = FAILURE, "", ""
    try:
        job = manager.submit(plan_job(mode.request, mode.options(source)))
        if fault.restart:
            manager, client, job, note = _restart(emu, ws, manager, client, job,
                                                  fault.restart)
        if not h.wait_jobs(manager, [job], ROW_TIMEOUT):
            problems.append(f"still {job.status} after {ROW_TIMEOUT:.0f} s: {job.detail}")
        emu.clear_faults()
        outcome, message = _judge(job, problems)
        if fault.restart and outcome == RECOVERED:
            message = note
        if outcome == CLEAR_ERROR and (job.task_ids or _ambiguous(job)):
            problems += _prove_resumable(emu, manager, job, setup_ids)
        tasks = h.created_tasks(emu, setup_ids)
        paid = h.charged(tasks)
        journal = ws.journalled()
        problems += h.paid_problems(paid, journal)
        problems += h.duplicate_problems(paid, journal)
    finally:
        manager.shutdown(cancel_running=True, wait=True)
        client.close()
        emu.clear_faults()
        ws.remove()
    return Row(mode.name, fault.name, outcome if not problems else FAILURE, message, len(tasks),
               len(paid), time.monotonic() - started, problems)


def _judge(job: Job, problems: list[str]) -> tuple[str, str]:
    if job.status == model.READY:
        missing = h.files_ok(job)
        if missing:
            problems.append(missing)
        return RECOVERED, job.detail
    if job.status == model.FAILED:
        problems += clear_error_problems(job)
        return CLEAR_ERROR, job.error.message if job.error else job.detail
    problems.append(f"ended {job.status}: {job.detail}")
    return FAILURE, job.detail


def _ambiguous(job: Job) -> bool:
    """A create failed without knowing whether the server made (and charged) the task."""
    return any(s.status == model.STEP_CREATING and not s.task_id for s in job.steps)


def _prove_resumable(emu: Emulator, manager: Any, job: Job, setup_ids: set[str]) -> list[str]:
    """A failed job with paid steps: retrying without the fault must finish it without paying
    again for what already succeeded."""
    kept = {s.task_id for s in job.steps if s.status == model.STEP_SUCCEEDED and s.task_id}
    if not kept and not _ambiguous(job):
        return []
    before = {t["id"] for t in h.created_tasks(emu, setup_ids)}
    manager.retry(job.id)
    if not h.wait_jobs(manager, [job], ROW_TIMEOUT) or job.status != model.READY:
        return [f"retry after the error did not finish: {job.status} {job.detail}"]
    if not kept <= {s.task_id for s in job.steps}:
        return ["retry replaced a task that had already succeeded (paid twice)"]
    new = {t["id"] for t in h.created_tasks(emu, setup_ids)} - before
    redone = [s.kind for s in job.steps if s.task_id in new and s.task_id not in kept]
    succeeded_kinds = {s.kind for s in job.steps if s.task_id in kept}
    if succeeded_kinds & set(redone):
        return [f"retry re-created {sorted(succeeded_kinds & set(redone))}"]
    return []


def run_matrix(emu: Emulator, modes: Iterable[Mode] = MODES, faults: Iterable[Fault] = FAULTS,
               progress: Callable[[Row], None] | None = None) -> list[Row]:
    rows = []
    for fault in faults:
        for mode in modes:
            row = run_row(emu, mode, fault)
            rows.append(row)
            if progress is not None:
                progress(row)
    return rows
