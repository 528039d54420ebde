"""Fault switches: how tests and demos make the emulator misbehave on purpose.

Set them with ``--fault NAME[=VALUE]`` on the command line, the ``MESHY_EMULATOR_FAULTS``
environment variable (``name=value,name2``), ``POST /_emulator/faults`` ({name: value}) or
``Emulator.set_fault(name, value)``. Unless noted, the value is a COUNT: the next N matching
requests are affected, then the switch turns itself off. A bare name means 1 (or "on").

API port (every request, checked before anything else runs unless noted; on API v2 routes
every error answer below is v2's {type, code, message, doc_url} object instead):
  latency=SECONDS            (persists) sleep before every API response
  http_500=N / http_503=N    answer 500 / 503 {"message": ...} without doing anything
  drop_connection=N          close the connection with no response at all
  rate_limit_burst=N         429 {"message": "RateLimitExceeded"}
  retry_after=SECONDS        (persists) add a Retry-After header to every 429
  post_500_after_create=N    POST creates (and charges) the task, then answers 500
  drop_after_create=N        POST creates (and charges) the task, then drops the connection
  malformed_json=N           GET bodies are cut in half (invalid JSON, honest Content-Length)
  library_missing=1          (persists) the animation library endpoint answers 404
  accepted_202=1             (persists) task creation answers 202 instead of 200
  final_on_create=N          a v2 create answers with the task already final (SUCCEEDED, or
                             FAILED under fail_tasks) and no Retry-After, as Meshy does for a
                             cached print analysis
  error_codes=code|error_code (persists) error bodies carry Meshy's machine code under that key
                             (InsufficientCredits, TooManyPendingTasks, LimitExceeded,
                             InvalidModel:...); a full queue then says TooManyPendingTasks
Task outcomes (fail_tasks applies to tasks created while set; the others when tasks are read):
  fail_tasks=VARIANT         (persists) tasks end FAILED with that task_error; VARIANT is one of
                             server_error, invalid_input, timeout, service_unavailable, busy,
                             internal, moderation, empty_message, null_error
  model_urls_empty_string=1  (persists) formats not generated appear as "" instead of omitted
  task_error_null=1          (persists) task_error is null instead of {"message": ""} on success
SSE streams:
  sse_drop=N                 the stream closes after its first frame (no terminal frame)
  sse_keepalive_only=N       the stream only re-sends the same non-terminal frame, never progresses
                             (it ends after about 3 task durations)
Asset port:
  truncate_download=N        body stops at half of the announced Content-Length, then closes
  lying_length=N             Content-Length announces half the file and the body stops there
                             (a complete-looking transfer of a cut file)
  close_delimited_cut=N      HTTP/1.0 answer without Content-Length, closed after half the file
  gzip_cut=N                 like close_delimited_cut, gzip-encoded, cut in the gzip stream
  expire_links=N             answer as if the signed link had expired (403 XML)
  redirect_to_file=N         answer 302 to file:///etc/passwd (a redirect a client must refuse)
  asset_size_mb=N            (persists) GLB downloads become a valid GLB of N MB (streamed)
  asset_latency=SECONDS      (persists) sleep before every asset response
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

PERSISTENT = {"latency", "retry_after", "library_missing", "fail_tasks", "model_urls_empty_string",
              "task_error_null", "asset_size_mb", "asset_latency", "accepted_202", "error_codes"}
COUNTED = {"http_500", "http_503", "drop_connection", "rate_limit_burst", "post_500_after_create",
           "drop_after_create", "final_on_create", "malformed_json", "sse_drop",
           "sse_keepalive_only",
           "truncate_download", "expire_links", "lying_length", "close_delimited_cut",
           "gzip_cut", "redirect_to_file"}
NAMES = PERSISTENT | COUNTED

FAIL_VARIANTS: dict[str, dict[str, Any] | None] = {
    "server_error": {"type": "server_error",
                     "message": "Failed to generate preview images. Please retry."},
    "invalid_input": {"type": "invalid_input", "code": "image_too_complex",
                      "message": "The input is too complex to process.",
                      "doc_url": "https://docs.meshy.ai/api/errors"},
    "timeout": {"type": "timeout", "message": "The task timed out. Please try again later."},
    "service_unavailable": {"type": "service_unavailable",
                            "message": "The service is temporarily unavailable."},
    "busy": {"message": "The server is busy. Please try again later."},
    "internal": {"message": "Internal server error."},
    "moderation": {"type": "invalid_input", "code": "moderation_blocked",
                   "message": "The input was blocked by content moderation."},
    "empty_message": {"message": ""},
    "null_error": None,
}


class FaultError(ValueError):
    """An unknown fault name or an unusable value."""


def parse(spec: str) -> tuple[str, Any]:
    """``"name=value"`` or ``"name"`` -> (name, value) with numbers converted."""
    name, _, raw = spec.partition("=")
    name = name.strip()
    value: Any = True if not raw else raw.strip()
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            with contextlib.suppress(ValueError):
                value = float(value)
    return name, value


class Faults:
    """Thread-safe fault switches shared by the API and asset apps."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, Any] = {}

    def set(self, name: str, value: Any = True) -> None:
        if name not in NAMES:
            raise FaultError(f"unknown fault {name!r}; known: {', '.join(sorted(NAMES))}")
        if name == "fail_tasks" and value not in FAIL_VARIANTS:
            raise FaultError(f"fail_tasks must be one of {', '.join(FAIL_VARIANTS)}")
        if name == "error_codes" and value not in ("code", "error_code", 0, False, None, ""):
            raise FaultError("error_codes must be 'code' or 'error_code'")
        if name in COUNTED:
            value = 1 if value is True else int(value)
        with self._lock:
            if value in (0, False, None, ""):
                self._values.pop(name, None)
            else:
                self._values[name] = value

    def set_from_env(self, text: str | None = None) -> None:
        text = os.environ.get("MESHY_EMULATOR_FAULTS", "") if text is None else text
        for item in filter(None, (s.strip() for s in text.split(","))):
            self.set(*parse(item))

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def get(self, name: str, default: Any = None) -> Any:
        with self._lock:
            return self._values.get(name, default)

    def take(self, name: str) -> bool:
        """Consume one use of a counted fault; True when it fires for this request."""
        with self._lock:
            left = self._values.get(name)
            if not left:
                return False
            if left <= 1:
                del self._values[name]
            else:
                self._values[name] = left - 1
            return True

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._values)
