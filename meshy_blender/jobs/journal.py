"""Crash-safe job journal: one JSON file per job, written atomically before and after each step.

If Blender dies mid-job, the next start-up reads these files, re-attaches to the Meshy task ids
they hold and finishes the job, so a paid result is never lost and never paid for twice.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from ..client.errors import MeshyError
from .model import Job

log = logging.getLogger(__name__)


class JournalError(MeshyError):
    """The journal folder cannot be written: paid work is refused rather than left unrecorded."""

    def __init__(self, directory: Path, cause: OSError) -> None:
        reason = cause.strerror or type(cause).__name__
        super().__init__(
            f"Cannot write the Meshy job journal in {directory} ({reason}). Choose a writable "
            "cache folder (Preferences > Cache Folder, or MESHY_CACHE_DIR); nothing was sent.")


class Journal:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()

    def _path(self, job_id: str) -> Path:
        if not job_id.isalnum():
            raise ValueError(f"invalid job id {job_id!r}")
        return self.directory / f"job-{job_id}.json"

    def save(self, job: Job) -> None:
        """Write the job atomically (temp file + fsync + rename): never a half-written journal."""
        data = json.dumps(job.to_dict(), indent=1, sort_keys=True)
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".job-", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self._path(job.id))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def load_all(self) -> list[Job]:
        """Every readable job, oldest first; unreadable files are logged and skipped, not fatal."""
        jobs: list[Job] = []
        if not self.directory.is_dir():
            return jobs
        for path in sorted(self.directory.glob("job-*.json")):
            try:
                jobs.append(Job.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError) as exc:
                log.warning("skipping unreadable journal entry %s: %s", path.name, exc)
        jobs.sort(key=lambda j: j.created_ms)
        return jobs

    def remove(self, job_id: str) -> None:
        with self._lock:
            self._path(job_id).unlink(missing_ok=True)
