"""Resuming a task id that a journalled chain holds finishes the chain, not just that task.

A text-to-3d run that timed out (or was killed) after its preview leaves a journalled job
whose texture step was never created. ``resume(preview_id)`` used to import the bare shape
and leave the chain unfinished; now it takes the journalled job back and runs its remaining
steps. Steps already created cost nothing; steps never created are paid only when the caller
says so (``finish_chain=True``), after being told exactly what they cost. ``finish_chain=False``
imports that one task alone, as before, for free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..client import errors
from ..jobs import model
from . import keyed
from .results import ProgressCallback, Result

if TYPE_CHECKING:
    from ..blender.core.runtime import Runtime


def unfinished_chain(rt: Runtime, task_id: str) -> model.Job | None:
    """The journalled (or live) unfinished multi-step job that created ``task_id``, or None."""
    job = next((j for j in rt.manager.jobs() if task_id in j.task_ids.values()), None)
    journal = rt.manager.journal
    if job is None and journal is not None:
        job = journal.find_task(task_id)
    if job is None or len(job.steps) < 2 or job.status in (model.READY, model.IMPORTED):
        return None
    return job


def unpaid_credits(job: model.Job) -> int:
    """What finishing the chain still costs: its steps never created (or failed: refunded)."""
    return sum(s.estimated_credits for s in job.steps
               if not s.task_id or s.status == model.STEP_FAILED)


def finish(rt: Runtime, job: model.Job, task_id: str, finish_chain: bool | None,
           progress: ProgressCallback | None, timeout: float | None) -> Result:
    """Take the chain back and run what is left of it (see the module docstring)."""
    from ..blender.core import runtime as runtime_mod

    cost = unpaid_credits(job)
    if cost and finish_chain is None:
        missing = ", ".join(s.name for s in job.steps if not s.task_id
                            or s.status == model.STEP_FAILED)
        raise errors.ValidationError(
            f"Task {task_id} belongs to the unfinished Meshy job '{job.label}'; its step(s) "
            f"{missing} were never made, and finishing it costs {cost} credits. Nothing was "
            "sent. Pass finish_chain=True (command line: --finish-chain) to pay for them, or "
            "finish_chain=False (--only-this-task) to import this task alone for free.",
            field="finish_chain")
    if cost:
        rt.policy.check_cost(cost, runtime_mod.session_spent())
    # The process that runs jobs (the worker) claims the journal entry and runs the rest.
    return keyed.land(rt, rt.manager.take_over(job), progress, timeout)
