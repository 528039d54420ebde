"""The Generate and Retexture buttons' prices from Meshy's price tables alone, for the sidebar's
first draw.

Pricing a button by planning its request (:func:`.costs.estimate`) loads the request types, the
job model, the option tables and validation: more than the rest of the session's first draw.
Until the planner is loaded (a one-shot timer loads it right after that draw, and any click
does), the buttons open on a fresh sidebar are priced here, step by step as the plan splits the
request, from the same tables (``client/pricing.py``);
tests/addon/generate/test_price_labels.py walks the combinations the sidebar can show and
asserts both give the same price, so the label never changes when the planner takes over.
Only the label: a click still plans, validates and gates the spend, and nothing here says
whether the request would validate (the planner's draw does, a moment later)."""

from __future__ import annotations

import sys
from typing import Any

from ... import jobs
from ...client import pricing
from ...client.errors import ValidationError
from . import messages, model_options
from .costs import Estimate

# The planner's module: loaded by the timer below, a click, or anything else that plans.
_PLANNER = f"{jobs.__name__}.plans"
_MESH_KIND = {"IMAGE": "image-to-3d", "MULTI_IMAGE": "multi-image-to-3d"}


def planner_loaded() -> bool:
    """Whether buttons can be priced by planning their request without loading anything."""
    return _PLANNER in sys.modules


def load_planner_soon() -> None:
    """Ask for the planner to be loaded right after this draw (a one-shot timer)."""
    import bpy

    if not bpy.app.timers.is_registered(load_planner):
        bpy.app.timers.register(load_planner, first_interval=0.0)


def load_planner() -> None:
    """One-shot timer: load what pricing by plan needs, then redraw the sidebar with it."""
    from ...jobs import plans  # noqa: F401
    from . import sidebar_requests  # noqa: F401
    from .pump import tag_redraw

    tag_redraw()
    return None


def _steps(s: Any) -> list[tuple[str, dict[str, Any]]]:
    """(task kind, the payload's price-relevant options) of each task Generate sends, as
    ``plans.plan_job`` splits the request (text to 3D: one task, textured or a shape)."""
    from .library import selected_ids

    extras = model_options.generate_extras(s, s.mode)
    model = {"ai_model": extras.get("ai_model", s.ai_model), "model_type": s.model_type}
    steps: list[tuple[str, dict[str, Any]]]
    sized: dict[str, Any] = {k: extras[k] for k in ("geometry_resolution", "texture_resolution")
                             if k in extras}
    if s.mode == "TEXT":  # one Meshy API v2 call: a textured model, or a shape to texture later
        steps = [("text-to-3d-refine" if s.should_texture else "text-to-3d-preview",
                  {**model, **sized})]
    else:
        steps = [(_MESH_KIND[s.mode], {**model, "should_texture": s.should_texture, **sized})]
    if s.chain_remesh:
        steps.append(("remesh", {}))
    if s.chain_rig:
        steps += [("rig-check", {})] * s.rig_check + [("rig", {})]
        if s.chain_animate:
            steps += [("animate", {"action_id": action}) for action in selected_ids()]
    return steps


def _retexture_steps(s: Any) -> list[tuple[str, dict[str, Any]]]:
    """The Retexture button's one task, with what of its payload changes the price."""
    payload = {"texture_model": s.retexture_texture_model, **model_options.retexture_extras(s),
               **model_options.multiview_views(s, None)}
    return [("retexture", payload)]


def _estimate(steps: list[tuple[str, dict[str, Any]]], copies: int) -> Estimate:
    """What :func:`.costs.estimate` says of a request of these steps that validates."""
    try:
        quotes = [pricing.quote(kind, payload) for kind, payload in steps]
    except ValidationError as exc:  # an AI model with no known price
        return Estimate(None, messages.for_error(exc))
    credits = sum(q.credits for q in quotes)
    if copies != 1:
        return Estimate(credits * copies, None, len(quotes) * copies)
    notes = sorted({q.note for q in quotes if not q.published})
    return Estimate(credits, None, len(quotes), ", ".join(notes))


def generate(s: Any, copies: int = 1) -> Estimate:
    """The Generate button's price (``copies``: candidates), as :func:`.costs.estimate` gives
    it for a request that validates, without a studio policy (the sidebar plans when one is
    set: it can pin options that change the price)."""
    return _estimate(_steps(s), copies)


def retexture(s: Any) -> Estimate:
    """The Retexture button's price (Selected Object), as :func:`generate` for Generate."""
    return _estimate(_retexture_steps(s), 1)
