"""Credit cost of a task before it is sent, per Meshy's pricing table (seed 002, API notes).

The UI shows these numbers on every button, so they must follow the payload exactly: the model
(prices per model come from :mod:`.model_catalogue`) and texturing change the price. Some
options (Meshy-7, Smart Topology, 4k/8k textures, several animations or a
text-to-motion in one animation task) have no published price: :func:`quote` then says so
(``published=False``) with the known base price, so the UI asks for confirmation instead of
showing a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import model_catalogue
from .errors import ValidationError
from .model_catalogue import Model

# text-to-3d-refine: Texture It, one v2 retexture of the shape (one textured call is priced
# by its AI model below).
FLAT = {"text-to-3d-refine": 10, "retexture": 10, "remesh": 5, "rig-check": 1, "rig": 5,
        "animate": 3, "convert": 1, "resize": 1, "text-to-motion": 10, "uv-unwrap": 5,
        "print-analyze": 0, "print-repair": 10, "print-multi-color": 10}
PRICE_NOT_PUBLISHED = "price not published"
# Meshy API v2's Ultra geometry pass (`geometry_resolution` 2k or 4k; v1's ultra mode is sent
# as 2k): +5 credits on image / multi-image to 3D (meshy-mcp-server v0.6.0 constants).
GEOMETRY_PASS = 5
# Text to 3D takes the pass too (one call, textured or a shape); Texture It does not (the shape
# it textures already has its geometry).
_GEOMETRY_KINDS = ("image-to-3d", "multi-image-to-3d", "text-to-3d-preview",
                   "textured-text-to-3d")


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


def _mesh_models(kind: str, payload: Mapping[str, Any]) -> tuple[Model | None, Model | None]:
    """The catalogue's entries for the payload's AI model and model type (None: not known)."""
    ai = model_catalogue.find(kind, payload.get("ai_model", "latest"))
    model_type = model_catalogue.find(kind, payload.get("model_type", "standard"), "model_type")
    return ai, model_type


def _unpublished(kind: str, payload: Mapping[str, Any]) -> str:
    """Why Meshy's published prices do not cover this payload ("" when they do)."""
    reasons = []
    if kind in model_catalogue.MESH_KINDS:
        reasons += [m.label for m in _mesh_models(kind, payload) if m is not None and m.unpublished]
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
    if kind == "text-to-3d-refine" and not payload.get("preview_task_id"):
        kind = "textured-text-to-3d"  # one v2 call: the AI model's textured price
    if kind in FLAT:
        return FLAT[kind]
    if kind in ("text-to-3d-preview", "image-to-3d", "multi-image-to-3d",
                "textured-text-to-3d"):
        ai, model_type = _mesh_models(
            "text-to-3d-refine" if kind == "textured-text-to-3d" else kind, payload)
        if ai is None:
            raise ValidationError(f"No price known for AI model {payload.get('ai_model')!r}.",
                                  field="ai_model")
        textured = payload.get("should_texture", True) is not False
        key = ("shape" if kind == "text-to-3d-preview" else "textured" if textured
               or kind == "textured-text-to-3d" else "untextured")
        # A model type with its own price (low-poly) sets it; otherwise the AI model does.
        prices = model_type.prices if model_type is not None and model_type.prices else ai.prices
        return prices.get(key, 0) + _geometry_pass(kind, payload)
    if kind in ("text-to-image", "image-to-image"):
        image = model_catalogue.find(kind, payload.get("ai_model", "nano-banana"))
        if image is None or kind not in image.prices:
            raise ValidationError(f"No price known for image model "
                                  f"{payload.get('ai_model')!r}.", field="ai_model")
        return image.prices[kind]
    raise ValidationError(f"Unknown task kind {kind!r}.", field="kind")


def _geometry_pass(kind: str, payload: Mapping[str, Any]) -> int:
    ultra = payload.get("ultra_mode") or payload.get("geometry_resolution") in ("2k", "4k")
    return GEOMETRY_PASS if kind in _GEOMETRY_KINDS and ultra else 0


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
