"""Where each job key lives: one small file per key, kept after retention prunes the job.

Two things depend on it. Speed: without it, looking a key up reads every journal file, and a
keyed batch pays that per row. Money: a key whose job retention pruned (30 days / 500 jobs, or
Clear Cache) must still not pay again, so pruning leaves the job's last journal copy here (a
*retired* entry) and a rerun with that key fetches the result again from the recorded task
ids, for free, instead of creating new tasks.

``keys/<sha256 of the key>.json`` holds ``{"format", "job_key", "job_id"}`` and, once retired,
``"job"`` (format: :data:`.migrations.KEY_INDEX_FORMAT`; an entry a newer version wrote is
refused, never taken as a new key).
The entry is written (fsynced) before the job's own file, so every journalled keyed job has
one. Deciding "is this key new?" and journalling the new job happen under ``<hash>.lock`` (an
OS lock, :mod:`..client.oslock`), so processes submitting one key at the same instant (a farm
that launched a row twice, two seats on one batch file) create its task once.

Journals written before the index existed are indexed once by a full scan, after which the
marker ``keys/complete`` says a missing entry means "new key" without reading any job.

An entry file can still be lost (deleted by hand, a sync tool, a damaged disk), and "new key"
then means paying twice. So every entry written is also appended to ``keys/ledger`` (one line
``<hash> <job id>``, append-only, read incrementally): a key whose entry is missing but whose
hash the ledger names is looked up in the journal, never answered "new". A missing ledger
(an index from before it) makes the next look-up scan the journal once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..client.errors import MeshyError, mask_secrets
from ..client.oslock import FileLock
from .atomic_file import write_atomically
from .migrations import KEY_INDEX_FORMAT, NewerDataError, check_key_entry
from .model import Job

COMPLETE = "complete"
LEDGER = "ledger"
LOCK_WAIT_S = 30.0  # another process holds a key only while it journals a job: milliseconds


class KeyBusyError(MeshyError):
    """Another process held a job key for longer than any submit takes."""


class KeyIndex:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._written: set[tuple[str, str]] = set()  # (key, job id) this process indexed
        self._held: dict[str, tuple[int, int]] = {}  # key -> (thread holding it, depth)
        self._locks: dict[str, FileLock] = {}
        self._ledger: dict[str, list[str]] = {}  # key hash -> job ids, as read so far
        self._ledger_read = 0  # bytes of the ledger read so far

    def _path(self, job_key: str) -> Path:
        return self.directory / f"{_digest(job_key)}.json"

    # -- one submit per key at a time, across processes ----------------------------------------
    @contextlib.contextmanager
    def locked(self, job_key: str) -> Iterator[None]:
        """Hold ``job_key`` against every other process (and thread) while deciding whether
        it is new and journalling its job. Re-entrant in the holding thread."""
        me = threading.get_ident()
        with self._lock:
            holder = self._held.get(job_key)
            if holder is not None and holder[0] == me:
                self._held[job_key] = (me, holder[1] + 1)
                nested = True
            else:
                nested = False
        if not nested:
            self._acquire(job_key, me)
        try:
            yield
        finally:
            with self._lock:
                owner, depth = self._held[job_key]
                if depth > 1:
                    self._held[job_key] = (owner, depth - 1)
                    lock = None
                else:
                    del self._held[job_key]
                    lock = self._locks.pop(job_key)
            if lock is not None:
                lock.release()

    def _acquire(self, job_key: str, me: int) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self._path(job_key).with_suffix(".lock"))
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            with self._lock:
                if job_key not in self._held and lock.acquire():
                    self._held[job_key] = (me, 1)
                    self._locks[job_key] = lock
                    return
            if time.monotonic() > deadline:
                raise KeyBusyError(
                    f"Another process kept job key '{job_key}' busy for {LOCK_WAIT_S:g} s; "
                    "nothing was sent. Run it again in a moment.")
            time.sleep(0.005)

    # -- writing -----------------------------------------------------------------------------
    def record(self, job: Job) -> bool:
        """Index ``job`` under its key (once per process and job: saves after that cost nothing).
        True when an entry (and its ledger line) was written."""
        if job.job_key is None or (job.job_key, job.id) in self._written:
            return False
        entry = self.entry(job.job_key)
        wrote = entry is None or entry.get("job_id") != job.id or "job" in entry
        if wrote:
            self._write(job.job_key, {"job_key": job.job_key, "job_id": job.id})
        self._written.add((job.job_key, job.id))
        return wrote

    def rewrite(self, job: Job) -> None:
        """Write ``job``'s entry again (it was lost; the ledger still named the job)."""
        if job.job_key is not None:
            self._write(job.job_key, {"job_key": job.job_key, "job_id": job.id})
            self._written.add((job.job_key, job.id))

    def retire(self, job: Job) -> None:
        """Keep the last copy of a keyed job that is being pruned (see the module docstring)."""
        if job.job_key is None:
            return
        self._write(job.job_key, {"job_key": job.job_key, "job_id": job.id,
                                  "job": job.to_dict()})
        self._written.discard((job.job_key, job.id))

    def mark_complete(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / LEDGER).touch()
        (self.directory / COMPLETE).touch()

    def _write(self, job_key: str, entry: dict[str, Any]) -> None:
        path = self._path(job_key)
        entry = {**entry, "format": KEY_INDEX_FORMAT}
        data = mask_secrets(json.dumps(entry, indent=1, sort_keys=True))  # the job key as written
        with self._lock:
            write_atomically(path, data, prefix=".key-")
        self.append_ledger(job_key, entry["job_id"])

    def append_ledger(self, job_key: str, job_id: str) -> None:
        """Add ``<hash> <job id>`` to the ledger (one small O_APPEND write, atomic between
        processes), fsynced: the second record that outlives a lost entry file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        line = f"{_digest(job_key)} {job_id}\n".encode("ascii")
        fd = os.open(self.directory / LEDGER, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    # -- reading -----------------------------------------------------------------------------
    @property
    def complete(self) -> bool:
        """True once every keyed job of this folder is known to have an entry."""
        return (self.directory / COMPLETE).exists()

    def known(self, job_key: str) -> bool:
        """True when ``job_key`` has an entry file, readable or not."""
        return self._path(job_key).exists()

    @property
    def has_ledger(self) -> bool:
        return (self.directory / LEDGER).exists()

    def ledger_job_ids(self, job_key: str) -> list[str]:
        """Ids of every job ever indexed under ``job_key``, oldest first, from the ledger (only
        the bytes appended since the last call are read)."""
        with self._lock:
            try:
                with open(self.directory / LEDGER, "rb") as fh:
                    if os.fstat(fh.fileno()).st_size < self._ledger_read:  # written anew
                        self._ledger, self._ledger_read = {}, 0
                    fh.seek(self._ledger_read)
                    chunk = fh.read()
            except OSError:
                chunk = b""
            complete = chunk[:chunk.rfind(b"\n") + 1]  # a line being written is read next time
            self._ledger_read += len(complete)
            for line in complete.decode("ascii", "replace").splitlines():
                digest, _, job_id = line.partition(" ")
                if job_id and job_id not in self._ledger.setdefault(digest, []):
                    self._ledger[digest].append(job_id)
            return list(self._ledger.get(_digest(job_key), []))

    def entry(self, job_key: str) -> dict[str, Any] | None:
        """The entry for ``job_key``, or None (missing, or unreadable: treated as missing so the
        caller falls back to reading the journal). NewerDataError: a newer version wrote it."""
        try:
            data = json.loads(self._path(job_key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("job_key") != job_key or \
                not isinstance(data.get("job_id"), str):
            return None
        check_key_entry(data, job_key)
        return data

    def retired(self, job_key: str) -> Job | None:
        """The pruned job last journalled under ``job_key``, or None."""
        entry = self.entry(job_key)
        if entry is None or not isinstance(entry.get("job"), dict):
            return None
        try:
            return Job.from_dict(entry["job"])
        except NewerDataError:
            raise  # a newer version's job: never "no job" (that would pay for it again)
        except (KeyError, TypeError, ValueError):
            return None


def _digest(job_key: str) -> str:
    return hashlib.sha256(job_key.encode("utf-8")).hexdigest()
