"""Crash-safe job journal: one JSON file per job, written atomically before and after each step.

If Blender dies mid-job, the next start-up reads these files, re-attaches to the Meshy task ids
they hold and finishes the job, so a paid result is never lost and never paid for twice.

Several processes may share one journal folder (two Blender windows, a render farm on a shared
cache). Each job is owned by one live process through an OS lock on ``job-<id>.lock``
(:mod:`..client.oslock`): the lock dies with its process, so "whose job is this?" never needs
PID files, and taking over an orphaned job is one atomic lock call that exactly one process wins.

A file that is not a job this version wrote (garbage, ``[]``, a hand-edited id...) is moved aside
to ``<name>.damaged`` and named in :attr:`Journal.damaged`; it never stops the other jobs.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path

from ..client.errors import MeshyError, scrub, scrubbed_logger
from ..client.oslock import FileLock
from .model import Job

log = scrubbed_logger(__name__)


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
        self._owned: dict[str, FileLock] = {}
        self.damaged: list[str] = []  # file names moved aside by the last load_all()

    def _path(self, job_id: str) -> Path:
        if not (job_id.isalnum() and job_id.isascii()):
            raise ValueError(f"invalid job id {job_id!r}")
        return self.directory / f"job-{job_id}.json"

    def save(self, job: Job) -> None:
        """Write the job atomically (temp file + fsync + rename): never a half-written journal.

        The text passes the secret scrubber, so no key can reach the disk through a message."""
        data = scrub(json.dumps(job.to_dict(), indent=1, sort_keys=True))
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

    def load(self, job_id: str) -> Job | None:
        """The job as it is on disk now (another process may have moved it on), or None."""
        try:
            return _read(self._path(job_id))
        except (OSError, ValueError):
            return None

    def load_all(self) -> list[Job]:
        """Every readable job, oldest first. A damaged file is moved aside, never fatal."""
        jobs: list[Job] = []
        self.damaged = []
        if not self.directory.is_dir():
            return jobs
        for path in sorted(self.directory.glob("job-*.json")):
            try:
                job = _read(path)
                if path.name != f"job-{job.id}.json":
                    raise ValueError(f"it holds job {job.id!r}")
            except FileNotFoundError:
                continue  # removed by another process meanwhile
            except OSError as exc:
                log.warning("skipping unreadable journal entry %s: %s", path.name, exc)
                continue
            except Exception as exc:  # any shape of damage: set it aside, keep the others
                self._set_aside(path, exc)
                continue
            jobs.append(job)
        if self.damaged:
            log.warning("%s", self.damaged_message())
        jobs.sort(key=lambda j: j.created_ms)
        return jobs

    def damaged_message(self) -> str:
        """One sentence naming the files the last load moved aside ('' when there were none)."""
        if not self.damaged:
            return ""
        names = ", ".join(self.damaged)
        return (f"{len(self.damaged)} damaged Meshy job journal file(s) were set aside and "
                f"skipped: {names} (in {self.directory}). Other jobs are unaffected.")

    def _set_aside(self, path: Path, exc: BaseException) -> None:
        aside = path.with_name(path.name + ".damaged")
        try:
            os.replace(path, aside)
        except OSError:
            aside = path
        self.damaged.append(aside.name)
        log.debug("journal entry %s is damaged: %s", path.name, exc)

    def remove(self, job_id: str) -> None:
        with self._lock:
            self._path(job_id).unlink(missing_ok=True)
        self.release(job_id, delete=True)

    # -- ownership across processes ----------------------------------------------------------
    def claim(self, job_id: str) -> bool:
        """Own ``job_id`` for as long as this process lives (or until :meth:`release`).

        True if this process holds it now; False when another live process does. Exactly one
        of several processes claiming an orphaned job at once gets True."""
        with self._lock:
            if job_id in self._owned:
                return True
            self.directory.mkdir(parents=True, exist_ok=True)
            lock = FileLock(self._path(job_id).with_suffix(".lock"))
            if not lock.acquire():
                return False
            self._owned[job_id] = lock
            return True

    def owns(self, job_id: str) -> bool:
        with self._lock:
            return job_id in self._owned

    def release(self, job_id: str, *, delete: bool = False) -> None:
        with self._lock:
            lock = self._owned.pop(job_id, None)
        if lock is not None:
            lock.release(delete=delete)

    def release_all(self) -> None:
        with self._lock:
            locks, self._owned = list(self._owned.values()), {}
        for lock in locks:
            lock.release()

    # -- queries over every process's jobs ---------------------------------------------------
    def task_ids(self) -> set[str]:
        """Every Meshy task id any job in this folder records (paid work that has an owner)."""
        ids: set[str] = set()
        if not self.directory.is_dir():
            return ids
        for path in self.directory.glob("job-*.json"):
            with contextlib.suppress(Exception):
                ids.update(s.task_id for s in _read(path).steps if s.task_id)
        return ids

    def find_key(self, job_key: str) -> Job | None:
        """The journalled job carrying ``job_key`` (the newest, should there be several)."""
        found = [j for j in self.load_all() if j.job_key == job_key]
        return found[-1] if found else None


def _read(path: Path) -> Job:
    return Job.from_dict(json.loads(path.read_text(encoding="utf-8")))
