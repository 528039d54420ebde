"""The check of a v2 create request against the fields Meshy API v2 accepts.

v2 answers 400 to any field a route does not define (v1 ignored it). The table itself (type,
allowed values or range, default per field and route) is the add-on client's
meshy_blender/client/request_fields.py: one table, so what the client sends and what the
emulator accepts cannot drift apart. A v1 name that v2 renamed or removed
is refused with a message naming its v2 replacement. v1's fields stay with the v1 validators
(validation.py, newer.py), which v1 never used to refuse unknown names.
"""

from __future__ import annotations

from typing import Any

from meshy_blender.client.request_fields import (
    CONFLICTS,
    RENAMED_FIELDS,
    REQUEST_FIELDS,
    Field,
)

from .error_object import CodedApiError

__all__ = ["CONFLICTS", "RENAMED_FIELDS", "REQUEST_FIELDS", "Field", "check_request"]


def check_request(route: str, body: dict[str, Any]) -> None:
    """Raise the v2 400 for the first thing wrong with `body` on `route` (v2 names the first)."""
    table = REQUEST_FIELDS[route]
    for name in body:
        if name in table:
            continue
        renamed = RENAMED_FIELDS.get(route, {})
        if name in renamed:
            new = renamed[name]
            raise CodedApiError("unknown_parameter", f"Parameter {name} is not supported in API v2"
                          + (f"; use {new}." if new else "."))
        raise CodedApiError("unknown_parameter", f"Unknown parameter: {name}")
    for name, spec in table.items():
        _check(name, spec, body.get(name))
    for group in CONFLICTS.get(route, ()):
        sent = [n for n in group if body.get(n) not in (None, False)]
        if len(sent) > 1:
            raise CodedApiError("parameters_conflict",
                          f"Parameters {' and '.join(sent)} cannot be used together.")


def _check(name: str, spec: Field, value: Any) -> None:
    if value is None:
        if spec.required:
            raise CodedApiError("missing_parameter", f"Missing required parameter: {name}")
        return
    kind = spec.type
    ok = {"string": isinstance(value, str), "boolean": isinstance(value, bool),
          "integer": isinstance(value, int) and not isinstance(value, bool),
          "number": isinstance(value, int | float) and not isinstance(value, bool),
          "object": isinstance(value, dict),
          "strings": isinstance(value, list) and all(isinstance(v, str) for v in value),
          "integers": isinstance(value, list) and all(
              isinstance(v, int) and not isinstance(v, bool) for v in value)}[kind]
    if not ok:
        raise CodedApiError("invalid_parameter",
                            f"Invalid parameter {name}: must be of type {kind}")
    if kind == "string":
        if spec.required and not value.strip():
            raise CodedApiError("missing_parameter", f"Missing required parameter: {name}")
        if spec.hi is not None and len(value) > spec.hi:
            raise CodedApiError("invalid_parameter",
                          f"Invalid parameter {name}: must be at most {spec.hi:g} characters")
        if spec.choices is not None and value not in spec.choices:
            raise CodedApiError("invalid_parameter", f"Invalid parameter {name}: must be one of "
                                               f"{', '.join(map(repr, spec.choices))}")
    elif kind in ("integer", "number"):
        if spec.lo is not None and value < spec.lo:
            raise CodedApiError("invalid_parameter", f"Invalid parameter {name}: must be at least "
                                               f"{spec.lo:,g}")
        if spec.hi is not None and value > spec.hi:
            raise CodedApiError("invalid_parameter", f"Invalid parameter {name}: must be at most "
                                               f"{spec.hi:,g}")
    elif kind in ("strings", "integers"):
        lo, hi = int(spec.lo or 0), int(spec.hi) if spec.hi is not None else None
        if len(value) < lo or (hi is not None and len(value) > hi):
            raise CodedApiError("invalid_parameter", f"Invalid parameter {name}: must hold {lo} to "
                                               f"{hi if hi is not None else 'any'} items")
        if spec.choices is not None and any(v not in spec.choices for v in value):
            wrong = next(v for v in value if v not in spec.choices)
            raise CodedApiError("invalid_parameter",
                                f"Invalid parameter {name}: unsupported {wrong!r}")
