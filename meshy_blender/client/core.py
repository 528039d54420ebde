"""The client's internals that its helper modules (creation, fetch) work with, as a Protocol.

:class:`~.client.MeshyClient` orchestrates and its helpers do the work; typing them against this
Protocol rather than importing the client keeps imports one-way (no client <-> helper cycle).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

import requests

from .tasks import Task


class ClientCore(Protocol):
    base_url: str
    cache_dir: Path
    timeout: tuple[float, float]
    proxies: dict[str, str] | None
    verify: str | bool
    max_download_bytes: int
    max_retries: int
    retry_backoff: float
    _api: requests.Session
    _assets: requests.Session
    _created: set[str]
    _lock: threading.Lock

    def _gate(self, url: str) -> None: ...

    def _backoff(self, attempt: int) -> float: ...

    def balance(self) -> int: ...

    def get_task(self, kind: str, task_id: str, *,
                 cancel: threading.Event | None = None) -> Task: ...

    def list_tasks(self, kind: str, page_num: int = 1, page_size: int = 10,
                   sort_by: str = "-created_at") -> list[Task]: ...
