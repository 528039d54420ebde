"""What the jobs layer needs from a Meshy client: the narrow interface it is written against.

``client.MeshyClient`` provides it; tests and benchmarks may pass anything that does. Typing
against this instead of ``Any`` lets mypy check every call the workers make.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, Protocol

from ..client.tasks import Task


class TaskClient(Protocol):
    def create_task(self, kind: str, payload: dict[str, Any], *,
                    exclude: Callable[[], Collection[str]] | Collection[str] | None = None,
                    retry_rate_limited: bool = True) -> str:
        """Create a task (paid); never re-sent blindly. ``exclude``: task ids other jobs own,
        never adopted after an ambiguous failure; ``retry_rate_limited=False``: a 429
        RateLimitExceeded (nothing created) is raised, not backed off."""

    def find_created_task(self, kind: str, payload: dict[str, Any], since_ms: int, *,
                          exclude: Callable[[], Collection[str]] | Collection[str] | None = None
                          ) -> str | None:
        """After an ambiguous create: the matching task created since ``since_ms`` that no
        journal records (``exclude``), if any."""

    def wait_for_task(self, kind: str, task_id: str, *,
                      on_progress: Callable[[Task], None] | None = None,
                      cancel: threading.Event | None = None, use_stream: bool = True,
                      timeout: float | None = None) -> Task:
        """Block until the task ends (SUCCEEDED returns it; anything else raises)."""

    def download_asset(self, kind: str, task: Task, asset: str, *,
                       dest_dir: Path | None = None,
                       on_progress: Callable[[int, int | None], None] | None = None,
                       cancel: threading.Event | None = None) -> Path:
        """Download one of the task's assets into the cache; the file's path."""

    def delete_task(self, kind: str, task_id: str) -> None:
        """Delete (cancel) a task on Meshy."""

    def clean_partial_downloads(self) -> int:
        """Delete partial downloads left by processes that died (start-up resume)."""
