"""The one money gate: the sidebar, the API, the CLI and batch plan a request here (studio
policy included) and ask here whether the account can pay for it, before anything is sent.

One place decides, so the same over-budget request is refused the same way wherever it comes
from: a known balance below the price refuses; an unread balance never blocks (Meshy answers
402 then, and nothing was paid). Each caller plans a request once (:func:`plan`) and hands
that job to the balance check and to ``Runtime.submit(planned=...)``. Prices Meshy does not
publish are never guessed silently: the sidebar asks the artist, the API and the CLI need
``accept_unpublished_price`` (:func:`require_published`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..client import errors

if TYPE_CHECKING:
    from .model import Job
    from .policy import Policy
    from .request import JobRequest


def plan(request: JobRequest, policy: Policy | None) -> Job:
    """The job for ``request`` with the studio policy applied (defaults, locked options,
    allowed models, per-job cap; the sidebar pins locked options first). Raises
    ValidationError / PolicyViolation / CreditCapError; nothing is sent. ``policy`` None: a
    resume (it follows a task already paid for) or no studio policy."""
    from . import plans  # planning loads at the first price, not when the add-on is enabled

    if request.is_resume or policy is None:
        return plans.plan_request(request)
    options = policy.apply(request.request, request.options)
    job = plans.plan_request(request.with_options(options))
    policy.check_job(job)
    return job


def shortfall(needed: int | None, balance: int | None) -> str | None:
    """Why ``needed`` credits cannot be paid from ``balance``, or None when they can (or when
    either is unknown)."""
    if needed is None or balance is None or needed <= balance:
        return None
    return f"Not enough credits: this costs {needed:,}, you have {balance:,}"


def refuse_over_balance(needed: int, balance: int | None, what: str) -> None:
    """Raise InsufficientCreditsError (carrying both numbers) when ``balance`` cannot pay
    ``needed``; ``what`` names the work for the artist ("'a chair' (every step of the chain)")."""
    if shortfall(needed, balance) is not None:
        raise errors.InsufficientCreditsError(
            f"Not enough Meshy credits for {what}: it costs {needed:,} credits and the balance "
            f"is {balance:,}. Nothing was sent; top up your API credits or drop a step.",
            status=None, balance=balance, required=needed)


_MODEL_INPUTS = ("model_url", "input_task_id")


def require_published(request: str, options: dict[str, Any], accepted: bool) -> int:
    """The request's estimated credits; raises ValidationError (field
    ``accept_unpublished_price``) when Meshy publishes no price for it (several animations in
    one task, text-to-motion applied to a rig, ultra mode...) and it was not accepted."""
    from . import plans

    quote = plans.quote(request, dict(options))
    if not quote.published and not accepted:
        raise errors.ValidationError(
            f"Meshy does not publish the price of this {request} request ({quote.note}); the "
            f"known part is {quote.credits} credits. Nothing was sent: pass "
            "accept_unpublished_price=True (CLI: --accept-unpublished-price) to go ahead.",
            field="accept_unpublished_price")
    return quote.credits


def require_published_for_model(request: str, options: dict[str, Any], accepted: bool) -> int:
    """As :func:`require_published` for a request on a model, priced before the model is
    exported or uploaded (the price does not depend on which model it is)."""
    from . import plans

    probe = {k: v for k, v in options.items() if k not in _MODEL_INPUTS}
    return require_published(request, {**probe, "input_task_id": plans.PLACEHOLDER_TASK_ID},
                             accepted)
