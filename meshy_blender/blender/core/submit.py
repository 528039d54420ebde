"""The one way a button sends work to Meshy: check, plan once (validate + price, through
``jobs/money_gate.py``), submit that plan, watch.

Nothing is sent when a check fails: no key, Blender offline, or an option Meshy would reject
(``plan_job`` validates every step's payload before any request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bpy

from ...client.errors import MeshyError
from ...jobs import money_gate
from ...jobs.model import Job
from ...jobs.request import JobRequest
from . import account, config, messages, notices, preflight, runtime


def ready(op: Any, context: Any) -> config.Settings | None:
    """Settings when Meshy may be called now (resolved once for this click; pass them on);
    otherwise report the reason and return None."""
    settings = config.resolve(context)
    reason = preflight.problem(settings)
    if reason is not None:
        op.report({"ERROR"}, f"Meshy: {reason}")
        return None
    return settings


def ready_runtime(op: Any, context: Any) -> runtime.Runtime | None:
    """The runtime when Meshy may be called now, built from this click's settings; otherwise
    report the reason (no key, offline, unusable studio policy) and return None."""
    settings = ready(op, context)
    if settings is None:
        return None
    try:
        return runtime.get_runtime(context, settings=settings)
    except MeshyError as exc:
        op.report({"ERROR"}, f"Meshy: {exc}")
        return None


def watch(context: Any, job_ids: list[str]) -> None:
    """Report these jobs' endings, and start the modal watcher (progress redraws; Esc stops
    watching, never the job) when there is a UI to watch."""
    notices.follow(job_ids)
    if bpy.app.background or getattr(context, "window", None) is None:
        return  # the persistent timer / headless driver pumps instead
    ops: Any = bpy.ops
    ops.meshy.watch_jobs("INVOKE_DEFAULT", job_ids=",".join(job_ids))


def submit(op: Any, context: Any, req: JobRequest, settings: config.Settings) -> Job | None:
    """Plan and submit ``req`` (built from ``settings``, which :func:`ready` resolved for this
    click); reports the outcome on ``op``. Returns the job or None."""
    jobs = submit_all(op, context, [req], settings)
    return jobs[0] if jobs else None


def submit_all(op: Any, context: Any, reqs: list[JobRequest],
               settings: config.Settings) -> list[Job]:
    """Plan every request of one click once, check their whole price against the last balance
    read (so a click never sends half of its candidates), then submit each with its plan.
    Reports on ``op``; returns the jobs that started."""
    try:
        rt = runtime.get_runtime(context, settings=settings)  # PolicyError: unusable policy
        # Locked options are drawn locked in the sidebar: plan and send their pinned values.
        pinned = [r.with_options(rt.policy.pin(r.request, r.options)) for r in reqs]
        plans = [rt.plan(r) for r in pinned]  # the money gate: policy, per-job cap, price
    except MeshyError as exc:  # bad option, unreadable file or policy refusal
        op.report({"ERROR"}, f"Meshy: {messages.for_error(exc)}")
        return []
    # The last balance read must cover the price (the button is greyed out then; menus, F3
    # and scripts come here too). An unread balance never blocks: Meshy answers 402.
    short = money_gate.shortfall(sum(j.estimated_credits for j in plans), account.balance())
    if short is not None:
        op.report({"ERROR"}, f"Meshy: {short} (after buying credits, refresh the balance in "
                             "the Account panel)")
        return []
    return [job for r, planned in zip(pinned, plans, strict=True)
            if (job := _start(op, context, rt, r, planned)) is not None]


def _start(op: Any, context: Any, rt: runtime.Runtime, req: JobRequest,
           planned: Job) -> Job | None:
    try:
        job = rt.submit(req, planned=planned)  # the session budget is checked here
    except MeshyError as exc:  # e.g. the studio's session budget is spent
        op.report({"ERROR"}, f"Meshy: {messages.for_error(exc)}")
        return None
    watch(context, [job.id])  # first: a job failing at once is reported too
    rt.pump.tick(max_imports=0)  # the "queued" snapshot reaches the Tasks panel at once
    chain = f" ({len(job.steps)} tasks)" if len(job.steps) > 1 else ""
    op.report({"INFO"}, f"Meshy: '{job.label}' sent{chain}, about {job.estimated_credits} "
                        "credits")
    return job


def submit_built(op: Any, context: Any, settings: config.Settings,
                 build: Callable[[], JobRequest]) -> Job | None:
    """Build this click's request and :func:`submit` it. A MeshyError while building (a picture
    that cannot be read, or written for upload) is reported like any other refusal."""
    try:
        req = build()
    except MeshyError as exc:
        op.report({"ERROR"}, f"Meshy: {messages.for_error(exc)}")
        return None
    return submit(op, context, req, settings)
