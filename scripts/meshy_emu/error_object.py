"""Meshy API v2's one error object, ``{type, code, message, doc_url}``, on every v2 error.

v2 documents that `type` and `code` are never null and that a client branches on `code`; only
a few codes are published (errors page, rate-limits page), the rest are the emulator's
assumptions, listed in docs/meshy-api-v2.md and checked by `make live-check`.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from .errors import ApiError
from .web import json_response

DOC_URL = "https://docs.meshy.ai/api/v2/errors"

# (type, code) per HTTP status when the cause names nothing more precise.
DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("invalid_input", "invalid_parameter"),
    401: ("authentication_error", "invalid_api_key"),
    402: ("payment_required", "insufficient_credits"),
    403: ("forbidden", "forbidden"),
    404: ("not_found", "route_not_found"),
    405: ("not_found", "route_not_found"),
    422: ("unprocessable_input", "unprocessable_input"),
    429: ("rate_limited", "rate_limit_exceeded"),
    500: ("server_error", "internal_server_error"),
    503: ("service_unavailable", "service_unavailable"),
}

# Every code the emulator answers with: HTTP status and type (docs/meshy-api-v2.md).
CODES: dict[str, tuple[int, str]] = {
    "invalid_json": (400, "invalid_input"),
    "invalid_parameter": (400, "invalid_input"),
    "missing_parameter": (400, "invalid_input"),
    "unknown_parameter": (400, "invalid_input"),
    "parameters_conflict": (400, "invalid_input"),
    "metadata_invalid": (400, "invalid_input"),
    "input_task_not_ready": (400, "invalid_input"),
    "input_task_unsupported": (400, "invalid_input"),
    "rig_type_mismatch": (400, "invalid_input"),
    "task_not_deletable": (400, "invalid_input"),
    "invalid_api_key": (401, "authentication_error"),
    "insufficient_credits": (402, "payment_required"),
    "api_key_credit_limit_reached": (402, "payment_required"),
    "moderation_blocked_nsfw": (403, "invalid_input"),
    "route_not_found": (404, "not_found"),
    "task_not_found": (404, "not_found"),
    "unprocessable_input": (422, "unprocessable_input"),
    "rate_limit_exceeded": (429, "rate_limited"),
    "pending_task_limit_reached": (429, "rate_limited"),
    "concurrent_task_limit_reached": (429, "rate_limited"),
    "internal_server_error": (500, "server_error"),
    "service_unavailable": (503, "service_unavailable"),
}


class CodedApiError(ApiError):
    """An error whose v2 `code` is known where it is raised (status and type follow the code)."""

    def __init__(self, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        status, self.type = CODES[code]
        super().__init__(status, message, headers)
        self.code = code


def error_object(status: int, message: str, *, code: str | None = None,
                 type_: str | None = None) -> dict[str, Any]:
    """The v2 error object; server errors carry no doc_url (it is string|null)."""
    default_type, default_code = DEFAULTS.get(status, DEFAULTS[500 if status >= 500 else 400])
    return {"type": type_ or default_type, "code": code or default_code, "message": message,
            "doc_url": None if status >= 500 else DOC_URL}


def error_response(status: int, message: str, headers: dict[str, str] | None = None, *,
                   code: str | None = None, type_: str | None = None) -> Response:
    return json_response(error_object(status, message, code=code, type_=type_), status, headers)


def from_api_error(exc: ApiError) -> Response:
    """A v1-style `ApiError` (raised by the shared validators) answered as a v2 error."""
    if isinstance(exc, CodedApiError):
        return error_response(exc.status, exc.message, exc.headers, code=exc.code,
                              type_=exc.type)
    return error_response(exc.status, exc.message, exc.headers)


def task_error(variant: dict[str, Any] | None) -> dict[str, Any]:
    """A failed task's `task_error` in v2: the same object, type and code never null."""
    variant = variant or {}
    type_ = str(variant.get("type") or "server_error")
    return {"type": type_, "code": str(variant.get("code") or type_),
            "message": str(variant.get("message") or ""), "doc_url": variant.get("doc_url")}
