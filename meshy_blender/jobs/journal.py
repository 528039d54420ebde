"""Crash-safe job journal: one JSON file per job, written atomically before and after each step.

If Blender dies mid-job, the next start-up reads these files, re-attaches to the Meshy task ids
they hold and finishes the job, so a paid result is never lost and never paid for twice.

Several processes may share one journal folder (two Blender windows, a render farm on a shared
cache). Each job is owned by one live process through an OS lock on ``job-<id>.lock``
(:mod:`..client.oslock`): the lock dies with its process, so "whose job is this?" never needs
PID files, and taking over an orphaned job is one atomic lock call that exactly one process wins.

A file that is not a job this version wrote (garbage, ``[]``, a hand-edited id...) is moved aside
to ``<name>.damaged`` and named in :attr:`Journal.damaged`; it never stops the other jobs. An
older version's entry is upgraded as it is read, and a newer version's is left untouched and
named in :attr:`Journal.newer` (:mod:`.migrations`).

The folder is its own index: unfinished jobs (queued, running, downloading, ready to import) live
at the top, finished ones (imported, failed, cancelled) in ``done/``. Start-up reads only the
top, so its cost follows the handful of unfinished jobs, not the years of history (which
:mod:`.retention` prunes from ``done/`` by file age, without reading them). A job moves between
the two by writing the new place first and removing the old one; should a crash leave both,
the newer copy wins. A pinned job has a marker ``pins/<id>`` (kept by retention). Job keys
have their own small index in ``keys/`` (:mod:`.key_index`), which outlives pruning.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

from ..client.errors import MeshyError, mask_secrets, scrubbed_logger
from ..client.oslock import FileLock
from . import model
from .atomic_file import write_atomically
from .key_index import KeyIndex
from .migrations import NewerDataError, newer_file_schema
from .model import Job

log = scrubbed_logger(__name__)


_JOB_LOCK_STRIPES = 64  # saves of different jobs rarely share a lock; memory stays fixed


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
        # One job's files are written under its own stripe lock, so the fsyncs of a batch's
        # creates (each journalled before its paid POST) run side by side instead of in a
        # line behind one lock: 40 saves at once took 78 ms instead of 265 (median of 10).
        self._job_locks = tuple(threading.Lock() for _ in range(_JOB_LOCK_STRIPES))
        self._owned: dict[str, FileLock] = {}
        self.damaged: list[str] = []  # file names moved aside by the last load_all()
        self.newer: list[str] = []  # file names a newer version wrote, left as they are
        self.keys = KeyIndex(self.directory / KEYS)
        self._index_checked = False

    def _job_lock(self, job_id: str) -> threading.Lock:
        """The lock of one job's files (its top and ``done/`` copies, moved between)."""
        return self._job_locks[hash(job_id) % _JOB_LOCK_STRIPES]

    @property
    def done_directory(self) -> Path:
        return self.directory / DONE

    def _path(self, job_id: str) -> Path:
        if not (job_id.isalnum() and job_id.isascii()):
            raise ValueError(f"invalid job id {job_id!r}")
        return self.directory / f"job-{job_id}.json"

    def _done_path(self, job_id: str) -> Path:
        return self.done_directory / self._path(job_id).name

    def save(self, job: Job) -> None:
        """Write the job atomically (temp file + fsync + rename): never a half-written journal.

        Finished jobs go to ``done/``, the others to the top (see the module docstring). What
        users wrote (prompt, label, job key) is stored byte for byte: the key never enters a
        job (it lives in the client's headers only) and error text is scrubbed where it is
        made, so no pattern rewrites text here; only the registered key itself is masked, as a
        last guard."""
        data = mask_secrets(json.dumps(job.to_dict(), indent=1, sort_keys=True))
        if not self._index_checked:
            self._index_checked = True
            if not self.keys.complete and not self._has_jobs():
                self.keys.mark_complete()  # a new journal: every keyed job will be indexed
        self.keys.record(job)  # first: a journalled keyed job always has its index entry
        finished = job.status in DONE_STATUSES
        target = self._done_path(job.id) if finished else self._path(job.id)
        other = self._path(job.id) if finished else self._done_path(job.id)
        with self._job_lock(job.id):
            write_atomically(target, data, prefix=".job-")
            other.unlink(missing_ok=True)

    def load(self, job_id: str) -> Job | None:
        """The job as it is on disk now (another process may have moved it on), or None."""
        found = [job for job in (_try_read(self._path(job_id)),
                                 _try_read(self._done_path(job_id))) if job is not None]
        return _newest(found)

    def load_unfinished(self) -> list[Job]:
        """The unfinished jobs (active or ready to import), oldest first, reading only their
        files: what start-up needs, at a cost that does not grow with the finished history.

        A finished job still at the top (written by an older version, or left by a crash
        between the two writes of a move) is tidied into ``done/`` once, by whoever can own it."""
        jobs: list[Job] = []
        self.damaged, self.newer = [], []
        for path, job in self._scan(self.directory):
            if job.status in DONE_STATUSES:
                self._tidy(path, job)
            elif not self._stale(job):
                jobs.append(job)
        self._warn_damaged()
        jobs.sort(key=lambda j: j.created_ms)
        return jobs

    def load_all(self) -> list[Job]:
        """Every readable job, finished ones included, oldest first (reads every file: for
        rare look-ups, never start-up). A damaged file is moved aside, never fatal."""
        self.damaged, self.newer = [], []
        by_id: dict[str, list[Job]] = {}
        for folder in (self.directory, self.done_directory):
            for _path, job in self._scan(folder):
                by_id.setdefault(job.id, []).append(job)
        self._warn_damaged()
        jobs = [j for j in (_newest(found) for found in by_id.values()) if j is not None]
        jobs.sort(key=lambda j: j.created_ms)
        return jobs

    def finished_files(self) -> list[tuple[str, float]]:
        """(job id, time it was last written) of every finished job, newest first, from the
        folder listing alone (no file is read): retention's cheap view of the history."""
        out: list[tuple[str, float]] = []
        with contextlib.suppress(OSError), os.scandir(self.done_directory) as it:
            for entry in it:
                name = entry.name
                if name.startswith("job-") and name.endswith(".json"):
                    with contextlib.suppress(OSError):
                        out.append((name[4:-5], entry.stat().st_mtime))
        out.sort(key=lambda e: e[1], reverse=True)
        return out

    def _has_jobs(self) -> bool:
        """True when any job file exists (stops at the first one found)."""
        for folder in (self.directory, self.done_directory):
            with contextlib.suppress(OSError), os.scandir(folder) as it:
                if any(e.name.startswith("job-") and e.name.endswith(".json") for e in it):
                    return True
        return False

    def _scan(self, folder: Path) -> list[tuple[Path, Job]]:
        """Every readable job file directly in ``folder``; damaged ones are set aside."""
        found: list[tuple[Path, Job]] = []
        if not folder.is_dir():
            return found
        for path in sorted(folder.glob("job-*.json")):
            try:
                job = _read(path)
                if path.name != f"job-{job.id}.json":
                    raise ValueError(f"it holds job {job.id!r}")
            except FileNotFoundError:
                continue  # removed (or moved to done/) by another process meanwhile
            except OSError as exc:
                log.warning("skipping unreadable journal entry %s: %s", path.name, exc)
                continue
            except NewerDataError:
                self.newer.append(path.name)  # kept for the newer version; never set aside
                continue
            except Exception as exc:  # any shape of damage: set it aside, keep the others
                self._set_aside(path, exc)
                continue
            found.append((path, job))
        return found

    def _stale(self, job: Job) -> bool:
        """True when ``done/`` holds a newer copy of this unfinished-looking job (a crash
        between the two writes of a move); the stale top copy is then tidied away."""
        done = self._done_path(job.id)
        if not done.exists():
            return False
        newer = _try_read(done)
        if newer is None or newer.updated_ms <= job.updated_ms:
            return False
        self._tidy(self._path(job.id), newer)
        return True

    def _tidy(self, path: Path, job: Job) -> None:
        """Leave only the right copy of a job found at the top: a finished one moves into
        ``done/``, a stale one (``done/`` has a newer copy) goes. Done only while owning the
        job, so a process that is just moving it back (a re-import) is never raced."""
        had = self.owns(job.id)
        if not had and not self.claim(job.id):
            return
        try:
            top = _try_read(path)
            done = self._done_path(job.id)
            kept = _try_read(done)
            with self._job_lock(job.id):
                if top is None:
                    return  # moved on meanwhile
                if kept is not None and (kept.updated_ms > top.updated_ms or (
                        top.status in DONE_STATUSES and kept.updated_ms == top.updated_ms)):
                    path.unlink(missing_ok=True)
                elif top.status in DONE_STATUSES:
                    done.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, done)
        except OSError as exc:
            log.debug("could not tidy journal entry %s: %s", path.name, exc)
        finally:
            if not had:
                self.release(job.id, delete=True)

    def _warn_damaged(self) -> None:
        if self.damaged or self.newer:
            log.warning("%s", self.damaged_message())

    def damaged_message(self) -> str:
        """One sentence naming the files the last load moved aside, one naming those a newer
        version wrote ('' when there were none)."""
        said = []
        if self.damaged:
            names = ", ".join(self.damaged)
            said.append(f"{len(self.damaged)} damaged Meshy job journal file(s) were set aside "
                        f"and skipped: {names} (in {self.directory}). Other jobs are "
                        "unaffected.")
        if self.newer:
            said.append(f"{len(self.newer)} Meshy job(s) in {self.directory} were made by a "
                        "newer Meshy for Blender: update the extension to resume them "
                        f"({', '.join(self.newer)}; left untouched).")
        return " ".join(said)

    def _set_aside(self, path: Path, exc: BaseException) -> None:
        aside = path.with_name(path.name + ".damaged")
        try:
            os.replace(path, aside)
        except OSError:
            aside = path
        self.damaged.append(aside.name)
        log.debug("journal entry %s is damaged: %s", path.name, exc)

    def remove(self, job_id: str) -> None:
        """Delete a job's files (retention). A keyed job leaves its last copy in the key index,
        so a rerun with its key fetches the result again instead of paying again."""
        job = self.load(job_id)
        if job is not None and job.job_key is not None:
            self.keys.retire(job)
        with self._job_lock(job_id):
            self._path(job_id).unlink(missing_ok=True)
            self._done_path(job_id).unlink(missing_ok=True)
            self._pin_path(job_id).unlink(missing_ok=True)
        self.release(job_id, delete=True)

    # -- pins: finished jobs retention keeps ---------------------------------------------------
    def _pin_path(self, job_id: str) -> Path:
        self._path(job_id)  # validates the id
        return self.directory / PINS / job_id

    def pin(self, job_id: str, pinned: bool = True) -> None:
        """Keep (or stop keeping) a job and its cached files whatever the retention rules say."""
        path = self._pin_path(job_id)
        if pinned:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        else:
            path.unlink(missing_ok=True)

    def is_pinned(self, job_id: str) -> bool:
        return self._pin_path(job_id).exists()

    def pinned(self) -> set[str]:
        """Ids of every pinned job (one folder listing)."""
        with contextlib.suppress(OSError):
            return set(os.listdir(self.directory / PINS))
        return set()

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
        for folder in (self.directory, self.done_directory):
            if not folder.is_dir():
                continue
            for path in folder.glob("job-*.json"):
                with contextlib.suppress(Exception):
                    ids.update(s.task_id for s in _read(path).steps if s.task_id)
        return ids

    def find_task(self, task_id: str) -> Job | None:
        """The newest journalled job that records the Meshy task ``task_id``, or None (reads
        every job file: for a rare resume by task id, never start-up)."""
        for job in reversed(self.load_all()):
            if task_id in job.task_ids.values():
                return job
        return None

    def find_key(self, job_key: str) -> Job | None:
        """The journalled job carrying ``job_key``, or None (a new key, or one whose job was
        pruned: see :meth:`find_retired`). One index read; journals from before the index are
        scanned once and indexed."""
        entry = self.keys.entry(job_key)
        if entry is not None:
            job = self.load(entry["job_id"])
            if job is not None:  # its job, or one that gave the key up (batch --replace)
                return job if job.job_key == job_key else None
            self._refuse_newer(entry["job_id"], job_key)
            if "job" in entry:
                return None
        if entry is None and self.keys.complete and self.keys.has_ledger and \
                not self.keys.known(job_key):
            return self._from_ledger(job_key)  # a new key, or one whose entry was lost
        return self._index_all(job_key)  # a damaged entry, or an index without a ledger

    def _from_ledger(self, job_key: str) -> Job | None:
        """The newest job the ledger names for a key with no entry file (the entry was lost:
        it is written again), or None when the ledger never saw the key."""
        for job_id in reversed(self.keys.ledger_job_ids(job_key)):
            job = self.load(job_id)
            if job is not None and job.job_key == job_key:
                self.keys.rewrite(job)
                return job
        return None

    def _refuse_newer(self, job_id: str, job_key: str) -> None:
        """NewerDataError when a newer version wrote this key's job: a key must never look
        new because its job cannot be read here (that would pay for it again)."""
        for path in (self._path(job_id), self._done_path(job_id)):
            schema = newer_file_schema(path)
            if schema is not None:
                raise NewerDataError(f"The Meshy job with key '{job_key}'", schema)

    def find_retired(self, job_key: str) -> Job | None:
        """The last copy of the job retention pruned under ``job_key`` (its task ids still name
        the paid results), or None."""
        return self.keys.retired(job_key)

    def _index_all(self, job_key: str) -> Job | None:
        """Read every job once, index each keyed one, and return the newest with ``job_key``."""
        found: Job | None = None
        start_ledger = not self.keys.has_ledger  # an index from before the ledger
        for job in self.load_all():
            if job.job_key is None:
                continue
            if not self.keys.record(job) and start_ledger:
                self.keys.append_ledger(job.job_key, job.id)
            if job.job_key == job_key:
                found = job
        self.keys.mark_complete()
        return found


DONE = "done"
PINS = "pins"
KEYS = "keys"
# Statuses whose journal file lives in done/: nothing is left to run or to import.
DONE_STATUSES = frozenset({model.IMPORTED, model.FAILED, model.CANCELLED})


def _read(path: Path) -> Job:
    return Job.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _try_read(path: Path) -> Job | None:
    try:
        return _read(path)
    except (OSError, ValueError):
        return None


def _newest(found: list[Job]) -> Job | None:
    """The most recently written of several copies of one job (the first on a tie: the top
    copy, since offering an import again is harmless and losing one is not)."""
    best: Job | None = None
    for job in found:
        if best is None or job.updated_ms > best.updated_ms:
            best = job
    return best
