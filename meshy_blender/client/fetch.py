"""Downloading one task output into the cache: verified reuse, fresh links, bounded retries.

A cached file is reused only when it passes the completeness checks (:mod:`.verify`); a damaged
one is fetched again. An expired signed link is replaced once by a fresh GET of the task (or a
clear message when Meshy no longer has the task); transfers cut short are retried from the start
with back-off, and a body that never arrives whole ends as a DownloadError, never as a file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import downloads, verify
from . import errors as e
from .core import ClientCore
from .tasks import Task


def download_asset(client: ClientCore, kind: str, task: Task, asset: str, *,
                   dest_dir: Path | None = None,
                   on_progress: Callable[[int, int | None], None] | None = None,
                   cancel: threading.Event | None = None) -> Path:
    """See :meth:`MeshyClient.download_asset`."""
    urls = task.asset_urls()
    if asset not in urls:
        available = ", ".join(sorted(urls)) or "none"
        raise e.DownloadError(f"This task has no '{asset}' output (available: {available}).",
                              retryable=False)
    url = urls[asset]
    ext = downloads.extension_for(url, asset)
    folder = Path(dest_dir) if dest_dir else client.cache_dir / downloads.safe_name(task.id)
    target = folder / f"{downloads.safe_name(asset)}.{ext}"
    if target.is_file():
        if verify.problem(target, ext) is None:
            return target
        target.unlink(missing_ok=True)  # damaged or cut short: fetch it again
    refreshed = False
    attempt = 0
    while True:
        if cancel is not None and cancel.is_set():
            raise e.CancelledError()
        try:
            return client.stream_asset(url, target, ext, on_progress=on_progress, cancel=cancel)
        except downloads.ExpiredLink as link:
            if refreshed:
                if link.status in (401, 403, 410):
                    raise e.AssetExpiredError(status=link.status) from None
                raise e.DownloadError(f"The download failed: {link.detail}.",
                                      status=link.status, retryable=False) from None
            refreshed = True
            fresh = _fresh_link(client, kind, task.id, asset)
            if not fresh:
                raise e.AssetExpiredError(
                    "The download link has expired and Meshy no longer offers this "
                    "file.") from None
            url = fresh
        except e.DownloadError as exc:
            attempt += 1
            if not exc.retryable or attempt > client.max_retries:
                raise
            if cancel is not None:
                if cancel.wait(client.backoff(attempt - 1)):
                    raise e.CancelledError("Download cancelled.") from None
            else:
                time.sleep(client.backoff(attempt - 1))


def _fresh_link(client: ClientCore, kind: str, task_id: str, asset: str) -> str | None:
    """A new signed link for ``asset`` from a fresh GET of the task (links expire)."""
    try:
        return client.get_task(kind, task_id).asset_urls().get(asset)
    except e.NotFoundError:
        raise e.AssetExpiredError(
            f"Meshy no longer has task {task_id} (results are kept for a limited time), so "
            f"its {asset} file cannot be downloaded again.") from None
