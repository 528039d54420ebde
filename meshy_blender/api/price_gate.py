"""Prices Meshy does not publish (several animations in one task, text-to-motion applied to a
rig, ultra mode...): the API never guesses them silently. The caller confirms with
``accept_unpublished_price=True``, as the sidebar asks the artist; nothing is sent before."""

from __future__ import annotations

from typing import Any

from ..client import errors
from ..jobs import plans

_MODEL_INPUTS = ("model_url", "input_task_id")


def require_published(request: str, options: dict[str, Any], accepted: bool) -> int:
    """The request's estimated credits; raises ValidationError (field
    ``accept_unpublished_price``) when Meshy publishes no price for it and it was not accepted."""
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
    probe = {k: v for k, v in options.items() if k not in _MODEL_INPUTS}
    return require_published(request, {**probe, "input_task_id": plans.PLACEHOLDER_TASK_ID},
                             accepted)
