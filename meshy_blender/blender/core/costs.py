"""Credit cost labels for buttons, cached so drawing a panel never re-plans an unchanged request.

Panels redraw many times a second while a job runs; planning (validation + pricing) is cheap but
not free, so results are kept per request hash. A request that does not validate has no price:
the label says why instead, which is the first thing an artist needs to fix anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...client.errors import InsufficientCreditsError, ValidationError
from ...client.pricing import PRICE_NOT_PUBLISHED
from . import messages

if TYPE_CHECKING:  # planning (validation, pricing) loads after the first draw, not at enable
    from ...jobs.policy import Policy
    from ...jobs.request import JobRequest

_MAX_ENTRIES = 256


@dataclass(frozen=True)
class Estimate:
    credits: int | None
    error: str | None = None
    steps: int = 1
    # Why Meshy publishes no price for this (e.g. "ultra mode"); "" when the price is exact.
    # ``credits`` is then only the known base price and the button asks before sending.
    unpublished: str = ""

    def shortfall(self, balance: int | None) -> str | None:
        """Why the button is disabled when the last balance read cannot pay for this, else None
        (an unread balance never blocks: the server still refuses with 402)."""
        from ...jobs import money_gate

        return money_gate.shortfall(self.credits, balance)

    def summary(self, balance: int | None) -> str:
        """The line under a button: "balance 9,960" (the button already says the price, which
        is said once), or, when the price is not published (the button says so), the known
        part of it: "costs at least 30 (price not published: ...) · balance 9,960"."""
        if self.credits is None:
            return ""
        parts = []
        if self.unpublished:
            parts.append(f"costs at least {self.credits:,} ({PRICE_NOT_PUBLISHED}: "
                         f"{self.unpublished})")
        if balance is not None:
            parts.append(f"balance {balance:,}")
        return " · ".join(parts)

    def label(self, action: str) -> str:
        """Button text: "Generate (30 credits)", or the action alone when it cannot be priced."""
        if self.credits is None:
            return action
        if self.unpublished:
            return f"{action} ({PRICE_NOT_PUBLISHED})"
        if self.credits == 0:
            return f"{action} (free)"
        chain = f", {self.steps} tasks" if self.steps > 1 else ""
        unit = "credit" if self.credits == 1 else "credits"  # Resize: "Resize (1 credit)"
        return f"{action} ({self.credits} {unit}{chain})"


_cache: dict[str, Estimate] = {}


def estimate(req: JobRequest, policy: Policy | None = None, copies: int = 1) -> Estimate:
    """The price of exactly what the button would send, studio policy included (pinned
    options, allowed models, per-job cap); the reason instead when it would be refused.
    ``copies``: the same request sent several times (candidates), priced as a whole."""
    one = _estimate_one(req, policy)
    if copies == 1 or one.credits is None:
        return one
    return Estimate(one.credits * copies, None, one.steps * copies)


def _estimate_one(req: JobRequest, policy: Policy | None) -> Estimate:
    import json  # at the first draw, not when the add-on is enabled

    from ...jobs import money_gate as gate

    key = json.dumps([req.request, req.options, repr(policy)], sort_keys=True, default=str)
    found = _cache.get(key)
    if found is not None:
        return found
    try:
        options = dict(req.options)
        if policy is not None:  # locked options are drawn locked: price their pinned values
            options = policy.pin(req.request, options)
        job = gate.plan(req.with_options(options), policy)
        notes = sorted({s.price_note for s in job.steps if not s.price_published})
        result = Estimate(job.estimated_credits, None, len(job.steps), ", ".join(notes))
    except (ValidationError, InsufficientCreditsError) as exc:
        result = Estimate(None, messages.for_error(exc))
    if len(_cache) >= _MAX_ENTRIES:
        _cache.clear()
    _cache[key] = result
    return result
