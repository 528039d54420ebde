"""Credit cost of a task before it is sent, per Meshy's pricing table (seed 002, API notes).

The UI shows these numbers on every button, so they must follow the payload exactly: model
generation (Meshy-6/lowpoly vs older models) and texturing change the price. Some newer options
(Meshy-7, ultra mode, smart topology, 4k/8k textures, several animations or a text-to-motion in
one animation task) have no published price: :func:`quote` then says so (``published=False``)
with the known base price, so the UI asks for confirmation instead of showing a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ValidationError

FLAT = {"text-to-3d-refine": 10, "retexture": 10, "remesh": 5, "rig": 5, "animate": 3,
        "convert": 1, "resize": 1, "text-to-motion": 10, "uv-unwrap": 5, "print-analyze": 0,
        "print-repair": 10, "print-multi-color": 10}
TEXT_TO_IMAGE = {"nano-banana": 3, "nano-banana-2": 6, "nano-banana-pro": 9, "gpt-image-2": 9}
IMAGE_TO_IMAGE = {**TEXT_TO_IMAGE, "gpt-image-2": 12}
PRICE_NOT_PUBLISHED = "price not published"


@dataclass(frozen=True)
class Quote:
    """What a task will cost: ``credits`` is exact when ``published``, else the known base
    price (the real charge may be higher) and ``note`` names the option that makes it unknown."""

    credits: int
    published: bool = True
    note: str = ""

    @property
    def label(self) -> str:
        """'20 credits', or '20+ credits (price not published: ultra mode)' for the UI."""
        if self.published:
            return f"{self.credits} credits"
        return f"{self.credits}+ credits ({PRICE_NOT_PUBLISHED}: {self.note})"


def _is_current_model(payload: Mapping[str, Any]) -> bool:
    """Meshy-6 (also "latest", the default) and low-poly are priced as the current model."""
    return (payload.get("model_type") == "lowpoly"
            or payload.get("ai_model", "latest") in ("latest", "meshy-6", "meshy-7"))


def _unpublished(kind: str, payload: Mapping[str, Any]) -> str:
    """Why Meshy's published prices do not cover this payload ("" when they do)."""
    reasons = []
    if payload.get("ai_model") == "meshy-7" and kind != "retexture":
        reasons.append("Meshy-7")
    if payload.get("ultra_mode"):
        reasons.append("ultra mode")
    if payload.get("model_type") == "smart-topology":
        reasons.append("smart topology")
    if payload.get("texture_resolution") in ("4k", "8k") or payload.get("hd_texture"):
        reasons.append("high-resolution textures")
    if kind == "retexture" and payload.get("multiview_image_urls"):
        reasons.append("multi-view retexture")
    if kind == "animate" and len(payload.get("action_ids") or ()) > 1:
        reasons.append("several animations in one task")
    if kind == "animate" and payload.get("motion_task_id"):
        reasons.append("applying a text-to-motion")
    return ", ".join(reasons)


def _base_cost(kind: str, payload: Mapping[str, Any]) -> int:
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


def quote(kind: str, payload: Mapping[str, Any]) -> Quote:
    """The price of creating this task, and whether Meshy has published it."""
    note = _unpublished(kind, payload)
    return Quote(_base_cost(kind, payload), published=not note, note=note)


def estimate_cost(kind: str, payload: Mapping[str, Any]) -> int:
    """Credits Meshy will charge for creating this task (the base price when not published:
    check :func:`quote` before presenting it as exact)."""
    return _base_cost(kind, payload)


def estimate_chain(steps: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
    """Total credits for several tasks run one after another (e.g. preview -> ... -> animate)."""
    return sum(estimate_cost(kind, payload) for kind, payload in steps)
