"""The one way a button sends work to Meshy: check, plan (validate + price), submit, watch.

Nothing is sent when a check fails: no key, Blender offline, or an option Meshy would reject
(``plan_job`` validates every step's payload before any request).
"""

from __future__ import annotations

from typing import Any

import bpy

from ..client.errors import MeshyError
from ..jobs.model import Job
from ..jobs.plans import plan_job
from . import config, preflight, runtime
from .requests_ui import Request


def ready(op: Any, context: Any) -> config.Settings | None:
    """Settings when Meshy may be called now; otherwise report the reason and return None."""
    settings = config.resolve(context)
    reason = preflight.problem(settings)
    if reason is not None:
        op.report({"ERROR"}, f"Meshy: {reason}")
        return None
    return settings


def watch(context: Any, job_ids: list[str]) -> None:
    """Start the modal watcher (progress redraws, Esc cancels) when there is a UI to watch."""
    if bpy.app.background or getattr(context, "window", None) is None:
        return  # the persistent timer / headless driver pumps instead
    ops: Any = bpy.ops
    ops.meshy.watch_jobs("INVOKE_DEFAULT", job_ids=",".join(job_ids))


def submit(op: Any, context: Any, req: Request) -> Job | None:
    """Plan and submit ``req``; reports the outcome on ``op``. Returns the job or None."""
    if ready(op, context) is None:
        return None
    try:
        job = plan_job(req.request, req.options, label=req.label,
                       import_options=req.import_options)
    except MeshyError as exc:  # ValidationError: a bad option, a missing or unreadable file
        op.report({"ERROR"}, f"Meshy: {exc}")
        return None
    rt = runtime.get_runtime(context)
    rt.manager.submit(job)
    rt.pump.tick(max_imports=0)  # the "queued" snapshot reaches the Tasks panel at once
    watch(context, [job.id])
    chain = f" ({len(job.steps)} tasks)" if len(job.steps) > 1 else ""
    op.report({"INFO"}, f"Meshy: '{job.label}' sent{chain}, about {job.estimated_credits} "
                        "credits")
    return job
