"""The body a create request sends to Meshy API v2, made from a checked payload.

v2 refuses any field its route does not define, so this is the last step before the POST: v1
names still used inside the add-on are translated (:mod:`.renamed_options`), the texture model a
textured request needs is filled in, and anything left that the route's table
(:mod:`.request_fields`) does not list is refused here, before any credit is spent.

Text to 3D keeps the add-on's two kinds but v1's ``mode`` is gone: a shape
(``text-to-3d-preview``) is one untextured text-to-3d call, and ``text-to-3d-refine`` is either
one textured text-to-3d call (with a prompt) or, for a shape Meshy already made
(``preview_task_id``), one retexture of that task (``input_task_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import renamed_options
from .errors import ValidationError
from .request_fields import REQUEST_FIELDS
from .specs import spec

V2_PREFIX = "/openapi/v2/"
# The texture model of a textured generation when none is chosen (Meshy's task example uses
# it; the price is the textured price of the AI model).
DEFAULT_TEXTURE_MODEL = "meshy-7"
_TEXTURED_GENERATION = ("image-to-3d", "multi-image-to-3d", "text-to-3d-refine")


def route_of(create_path: str) -> str | None:
    """'retexture' for '/openapi/v2/retexture'; None for a route without a v2 field table."""
    route = create_path.removeprefix(V2_PREFIX)
    return route if create_path.startswith(V2_PREFIX) and route in REQUEST_FIELDS else None


def textures_a_shape(kind: str, payload: Mapping[str, Any]) -> bool:
    """Whether this is Texture It: a refine of a shape Meshy made, sent as one retexture."""
    return kind == "text-to-3d-refine" and bool(payload.get("preview_task_id")
                                                or payload.get("input_task_id"))  # sent


def create_route(kind: str, payload: Mapping[str, Any] | None = None) -> str | None:
    """The v2 route ``kind`` (with this payload) is created on; None for a kind without one."""
    if textures_a_shape(kind, payload or {}):
        return "retexture"
    return route_of(spec(kind).create_path)


def listed_type(kind: str, payload: Mapping[str, Any] | None = None) -> str:
    """The task ``type`` Meshy gives what this create makes (a lost create is looked up by it)."""
    route = create_route(kind, payload)
    return route if route in ("text-to-3d", "retexture") else kind


def create_body(kind: str, route: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Only fields ``route`` accepts, under their v2 names (the add-on's own v1 names are
    translated silently; a caller's were translated with a warning at the API)."""
    if kind in ("text-to-3d-preview", "text-to-3d-refine"):
        # v2 has no art style (realistic is what it makes) nor negative prompt (refused when
        # checked), and no `mode`: a shape is an untextured call, textured later if picked.
        payload = {k: v for k, v in payload.items()
                   if k not in ("art_style", "negative_prompt", "mode")}
        if kind == "text-to-3d-preview":
            payload["should_texture"] = False
    if route == "retexture" and kind != "retexture":
        payload = {("input_task_id" if name == "preview_task_id" else name): value
                   for name, value in payload.items()
                   if name != "geometry_resolution"}  # the shape already has its geometry
        mesh_model = payload.pop("ai_model", None)  # the shape's model: its texture model
        payload.setdefault("texture_model", renamed_options.TEXTURE_MODEL_OF.get(
            str(mesh_model), DEFAULT_TEXTURE_MODEL))
        kind = "retexture"
    body = renamed_options.translate(kind, payload)
    if kind in _TEXTURED_GENERATION and body.get("should_texture", True) is not False:
        body.setdefault("texture_model", DEFAULT_TEXTURE_MODEL)
    if kind == "retexture":
        body.setdefault("texture_model", DEFAULT_TEXTURE_MODEL)
    table = REQUEST_FIELDS[route]
    unknown = sorted(name for name in body if name not in table)
    if unknown:
        raise ValidationError(f"'{unknown[0]}' is not an option Meshy API v2 takes for {kind}.",
                              field=unknown[0])
    return body


__all__ = ["DEFAULT_TEXTURE_MODEL", "create_body", "create_route", "listed_type", "route_of",
           "textures_a_shape"]
