"""The body a create request sends to Meshy API v2, made from a checked payload.

v2 refuses any field its route does not define, so this is the last step before the POST: v1
names still used inside the add-on are translated (:mod:`.renamed_options`), the texture model a
textured request needs is filled in, and anything left that the route's table
(:mod:`.request_fields`) does not list is refused here, before any credit is spent.
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
_TEXTURED_GENERATION = ("image-to-3d", "multi-image-to-3d")


def route_of(create_path: str) -> str | None:
    """'retexture' for '/openapi/v2/retexture'; None for a route without a v2 field table."""
    route = create_path.removeprefix(V2_PREFIX)
    return route if create_path.startswith(V2_PREFIX) and route in REQUEST_FIELDS else None


def create_route(kind: str) -> str | None:
    """The v2 route ``kind`` is created on, or None while it is still sent v1's way (text to
    3D's preview / refine pair, whose `mode` v2 does not take)."""
    s = spec(kind)
    return None if "mode" in s.fixed else route_of(s.create_path)


def create_body(kind: str, route: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Only fields ``route`` accepts, under their v2 names (the add-on's own v1 names are
    translated silently; a caller's were translated with a warning at the API)."""
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


__all__ = ["DEFAULT_TEXTURE_MODEL", "create_body", "create_route", "route_of"]
