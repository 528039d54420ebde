"""Checks an API call makes before its first credit is spent, beyond planning and policy.

Planning already validates the request and prices the whole chain; here that price is compared
with the account's balance, so a 30-credit chain on a 25-credit balance is refused before the
preview is paid (otherwise the preview is charged and the texturing step fails with 402). A
rerun under a journalled job key only needs the steps not paid yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..client import errors
from ..jobs import model
from ..jobs.request import JobRequest

if TYPE_CHECKING:
    from ..blender.core.runtime import Runtime


def check_balance(rt: Runtime, request: JobRequest) -> None:
    """Raise InsufficientCreditsError (naming both numbers) when the balance Meshy reports
    cannot pay for what ``request`` still has to buy. Nothing is sent that costs credits; when
    Meshy does not answer the balance, the create request itself is the judge."""
    if request.is_resume:
        return
    needed = credits_still_needed(rt, request)
    if needed <= 0:
        return
    try:
        balance = rt.client.balance()
    except (errors.AuthError, errors.ForbiddenError, errors.OnlineAccessError):
        raise  # the create would fail the same way: say it now, before anything is spent
    except errors.MeshyError:
        return
    if balance < needed:
        label = request.label or str(request.options.get("prompt") or request.request)
        raise errors.InsufficientCreditsError(
            f"Not enough Meshy credits for '{label}': it costs {needed} credits (every step of "
            f"the chain) and the balance is {balance}. Nothing was sent; top up your API "
            "credits or drop a step.", status=None, balance=balance, required=needed)


def credits_still_needed(rt: Runtime, request: JobRequest) -> int:
    """The estimate of the steps that would still be paid: the whole chain for a new job, the
    unpaid steps of the job journalled under the same key."""
    job = rt.plan(request)
    journal = rt.manager.journal
    if request.job_key and journal is not None:
        existing = journal.find_key(request.job_key)
        if existing is not None and existing.fingerprint == model.fingerprint(job):
            # A failed step is refunded by Meshy and bought again on the rerun.
            return sum(s.estimated_credits for s in existing.steps
                       if not s.task_id or s.status == model.STEP_FAILED)
    return job.estimated_credits
