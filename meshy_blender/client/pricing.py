"""Credit cost of a task before it is sent, per Meshy's pricing table (seed 002, API notes).

The UI shows these numbers on every button, so they must follow the payload exactly: model
generation (Meshy-6/lowpoly vs older models) and texturing change the price.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ValidationError

FLAT = {"text-to-3d-refine": 10, "retexture": 10, "remesh": 5, "rig": 5, "animate": 3,
        "convert": 1, "resize": 1}
TEXT_TO_IMAGE = {"nano-banana": 3, "nano-banana-2": 6, "nano-banana-pro": 9, "gpt-image-2": 9}
IMAGE_TO_IMAGE = {**TEXT_TO_IMAGE, "gpt-image-2": 12}


def _is_current_model(payload: Mapping[str, Any]) -> bool:
    """Meshy-6 (also "latest", the default) and low-poly are priced as the current model."""
    return (payload.get("model_type") == "lowpoly"
            or payload.get("ai_model", "latest") in ("latest", "meshy-6"))


def estimate_cost(kind: str, payload: Mapping[str, Any]) -> int:
    """Credits Meshy will charge for creating this task (0 for unknown free endpoints)."""
    if kind in FLAT:
        return FLAT[kind]
    if kind == "text-to-3d-preview":
        return 20 if _is_current_model(payload) else 5
    if kind in ("image-to-3d", "multi-image-to-3d"):
        textured = payload.get("should_texture", True) is not False
        if _is_current_model(payload):
            return 30 if textured else 20
        return 15 if textured else 5
    if kind in ("text-to-image", "image-to-image"):
        table = TEXT_TO_IMAGE if kind == "text-to-image" else IMAGE_TO_IMAGE
        model = payload.get("ai_model", "nano-banana")
        if model not in table:
            raise ValidationError(f"No price known for image model {model!r}.", field="ai_model")
        return table[model]
    raise ValidationError(f"Unknown task kind {kind!r}.", field="kind")


def estimate_chain(steps: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
    """Total credits for several tasks run one after another (e.g. preview -> ... -> animate)."""
    return sum(estimate_cost(kind, payload) for kind, payload in steps)
