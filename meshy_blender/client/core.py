"""The narrow interface the client's helper modules (creation, fetch) work with.

:class:`~.client.MeshyClient` orchestrates and its helpers do the work through these public
members only (no private attributes, no import of the client), which keeps imports one-way and
lets a test drive the helpers with a small stand-in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import requests

from .tasks import Task


class ClientCore(Protocol):
    """Only public members: what creating a task and downloading an output need."""

    base_url: str
    cache_dir: Path
    max_retries: int
    retry_backoff: float

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based), with jitter."""

    def post(self, path: str, body: dict[str, Any], *,
             headers: dict[str, str] | None = None) -> requests.Response:
        """One POST to the API, sent once; requests' own exception when it fails (the caller
        tells "provably never sent" from "sent, answer lost")."""

    def stream_asset(self, url: str, target: Path, ext: str, *,
                     on_progress: Callable[[int, int | None], None] | None = None,
                     cancel: threading.Event | None = None) -> Path:
        """Stream one asset link (credential-free session) into ``target``, verified."""

    def owned_task_ids(self) -> set[str]:
        """Task ids this client created or adopted (never adopted twice)."""

    def balance(self) -> int: ...

    def get_task(self, kind: str, task_id: str, *,
                 cancel: threading.Event | None = None) -> Task: ...

    def list_tasks(self, kind: str, page_num: int = 1, page_size: int = 10,
                   sort_by: str = "-created_at") -> list[Task]: ...
