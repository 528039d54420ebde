"""The admin request log: what every client request looked like (for tests to assert on)."""

from __future__ import annotations

import threading
import time
from typing import Any

from werkzeug.wrappers import Request

MAX_RECORDS = 20_000  # a long demo run must not grow without bound


class RequestLog:
    """Thread-safe list of request records (dicts), oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[dict[str, Any]] = []

    def start(self, request: Request, origin: str) -> dict[str, Any]:
        """Record a request as it arrives; the handler fills in status/kind/created_task_id."""
        record: dict[str, Any] = {
            "at": time.time(),  # arrival (epoch seconds): for timelines of a run
            "method": request.method,
            "path": request.path,
            "query": request.args.to_dict(),
            "origin": origin,
            "host": request.headers.get("Host", ""),
            "authorized": "Authorization" in request.headers,
            "status": 0,
            "kind": None,
            "created_task_id": None,
        }
        with self._lock:
            self._items.append(record)
            if len(self._items) > MAX_RECORDS:
                del self._items[: len(self._items) - MAX_RECORDS]
        return record

    def items(self, origin: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._items if origin in (None, r["origin"])]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
