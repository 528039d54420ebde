"""Checks an API call makes before its first credit is spent, beyond planning and policy.

Planning already validates the request and prices the whole chain; here the money gate
(``jobs/money_gate.py``) compares that price with the account's balance, so a 30-credit chain
on a 25-credit balance is refused before the preview is paid (otherwise the preview is charged
and the texturing step fails with 402). A rerun under a journalled job key only needs the steps
not paid yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..client import errors
from ..jobs import model, money_gate
from ..jobs.request import JobRequest

if TYPE_CHECKING:
    from ..blender.core.runtime import Runtime
    from ..jobs.model import Job


def check_balance(rt: Runtime, request: JobRequest) -> Job:
    """The job planned for ``request`` (pass it to ``rt.submit(planned=...)``: one plan per
    request), once the balance Meshy reports can pay for what it still has to buy; otherwise
    the money gate raises InsufficientCreditsError (naming both numbers). Nothing is sent that
    costs credits; when Meshy does not answer the balance, the create request itself is the
    judge."""
    job = rt.plan(request)
    if request.is_resume:
        return job
    needed = credits_still_needed(rt, request, job)
    if needed <= 0:
        return job
    try:
        balance = rt.client.balance()
    except (errors.AuthError, errors.ForbiddenError, errors.OnlineAccessError):
        raise  # the create would fail the same way: say it now, before anything is spent
    except errors.MeshyError:
        return job
    label = request.label or str(request.options.get("prompt") or request.request)
    money_gate.refuse_over_balance(needed, balance, f"'{label}' (every step of the chain)")
    return job


def credits_still_needed(rt: Runtime, request: JobRequest, job: Job) -> int:
    """The estimate of the steps of ``job`` (planned for ``request``) that would still be
    paid: the whole chain for a new job, the unpaid steps of the job journalled under the same
    key."""
    journal = rt.manager.journal
    if request.job_key and journal is not None:
        existing = journal.find_key(request.job_key)
        if existing is not None and existing.fingerprint == model.fingerprint(job):
            # A failed step is refunded by Meshy and bought again on the rerun.
            return sum(s.estimated_credits for s in existing.steps
                       if not s.task_id or s.status == model.STEP_FAILED)
    return job.estimated_credits
