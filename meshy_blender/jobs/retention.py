"""Journal retention and the download cache: what start-up prunes and what "Clear Cache" frees.

Finished jobs stay journalled (with their downloaded files) so a result can be imported again
without paying or downloading twice. Without a limit the history grows for ever, so jobs past
the retention rules (default 30 days or the 500 newest, whichever keeps fewer) are pruned
together with their cached files. Choosing what is past the rules costs one listing of
``done/`` (file ages), never a read of every job.

What is never deleted, by pruning or by Clear Cache:
- files of unfinished jobs and of jobs downloaded but not imported (the top of the journal);
- files of pinned jobs (:meth:`.Journal.pin`);
- files of a job another live process owns (its OS lock is held, :meth:`.Journal.claim`);
- anything outside the cache folder (a job may have downloaded into a folder the user chose);
- a file another kept job also uses (two jobs can follow one Meshy task).
Clear Cache only takes imported jobs; pruning also takes failed and cancelled ones past the
rules. A job whose files go leaves the journal with them (nothing is left to re-import).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..client.errors import scrubbed_logger
from . import model
from .journal import DONE_STATUSES, Journal
from .retention_rules import DEFAULT_KEEP_DAYS, DEFAULT_KEEP_JOBS, Rules  # noqa: F401

log = scrubbed_logger(__name__)

DAY_SECONDS = 86400.0


@dataclass
class Freed:
    """What a prune or a Clear Cache removed, and how many jobs it left to another process."""

    jobs: int = 0
    files: int = 0
    bytes: int = 0
    busy: int = 0
    job_ids: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        text = (f"Freed {human_size(self.bytes)} from the Meshy cache ({self.files} file(s) "
                f"of {self.jobs} imported job(s)). Unfinished, unimported and pinned jobs "
                "were kept")
        if self.busy:
            text += f", as were {self.busy} job(s) another Blender is using"
        return text + "."


def expired(journal: Journal, rules: Rules, *, now: float | None = None) -> list[str]:
    """Ids of the finished, unpinned jobs past ``rules``, newest first, from file ages alone."""
    now = time.time() if now is None else now
    horizon = now - max(rules.keep_days, 0) * DAY_SECONDS
    pinned = journal.pinned()
    kept = 0
    out: list[str] = []
    for job_id, written in journal.finished_files():
        if job_id in pinned:
            continue
        if kept < rules.keep_jobs and written >= horizon:
            kept += 1
        else:
            out.append(job_id)
    return out


def prune(journal: Journal, cache_dir: str | os.PathLike[str], rules: Rules, *,
          now: float | None = None) -> Freed:
    """Remove the jobs past ``rules`` with their cached files (see the module docstring)."""
    ids = expired(journal, rules, now=now)
    if not ids:
        return Freed()
    return drop(journal, cache_dir, ids, statuses=DONE_STATUSES)


def clear_cache(journal: Journal, cache_dir: str | os.PathLike[str]) -> Freed:
    """Delete the cached files of every imported, unpinned job nobody else is using."""
    pinned = journal.pinned()
    ids = [job_id for job_id, _ in journal.finished_files() if job_id not in pinned]
    return drop(journal, cache_dir, ids, statuses=frozenset({model.IMPORTED}))


def drop(journal: Journal, cache_dir: str | os.PathLike[str], ids: Iterable[str], *,
         statuses: frozenset[str]) -> Freed:
    """Remove the finished jobs ``ids`` (those still in ``statuses``) and their files under
    ``cache_dir``, each while owning it; a job another process owns is counted as busy."""
    root = Path(cache_dir).resolve()
    asked = set(ids)
    wanted: list[str] = []
    freed = Freed()
    keep: set[Path] = set()
    for listed in journal.load_all():
        if listed.id in asked and listed.status in statuses:
            wanted.append(listed.id)
        else:
            keep.update(_resolved(listed.files.values()))
    for job_id in wanted:
        had = journal.owns(job_id)
        if not had and not journal.claim(job_id):
            freed.busy += 1
            continue
        try:
            job = journal.load(job_id)  # as it is now that this process owns it
            if job is None or job.status not in statuses or journal.is_pinned(job_id):
                continue
            for path in _resolved(job.files.values()):
                if path in keep or root not in path.parents:
                    continue
                deleted = _delete(path)
                if deleted is not None:
                    freed.bytes += deleted
                    freed.files += 1
                _remove_empty(path.parent, root)
            journal.remove(job_id)
            freed.jobs += 1
            freed.job_ids.append(job_id)
        finally:
            if not had:
                journal.release(job_id, delete=True)
    forget_sizes()
    return freed


# -- the size shown in Preferences ---------------------------------------------------------------
SIZE_MAX_AGE_S = 10.0
_sizes: dict[str, tuple[float, tuple[int, int]]] = {}
_sizes_lock = threading.Lock()


def folder_size(folder: str | os.PathLike[str]) -> tuple[int, int]:
    """(bytes, files) under ``folder``; 0 when it does not exist."""
    total = count = 0
    for base, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(base, name)).st_size
                count += 1
    return total, count


def cached_size(folder: str | os.PathLike[str], *,
                max_age: float = SIZE_MAX_AGE_S) -> tuple[int, int]:
    """:func:`folder_size`, measured at most every ``max_age`` seconds (a preferences panel
    redraws on every mouse move; walking a large cache each time would stutter)."""
    key = os.fspath(folder)
    now = time.monotonic()
    with _sizes_lock:
        hit = _sizes.get(key)
    if hit is not None and now - hit[0] < max_age:
        return hit[1]
    size = folder_size(key)
    with _sizes_lock:
        _sizes[key] = (now, size)
    return size


def forget_sizes() -> None:
    with _sizes_lock:
        _sizes.clear()


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


# -- plumbing ------------------------------------------------------------------------------------
def _resolved(paths: Iterable[str]) -> set[Path]:
    out: set[Path] = set()
    for p in paths:
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            out.add(Path(p).resolve())
    return out


def _delete(path: Path) -> int | None:
    """The size of the file just deleted, or None when there was nothing to delete."""
    try:
        size = path.stat().st_size
        path.unlink()
    except OSError:
        return None
    return size


def _remove_empty(folder: Path, root: Path) -> None:
    """Remove ``folder`` (a task's download folder) once empty; never the cache root."""
    if folder != root and root in folder.parents:
        with contextlib.suppress(OSError):
            folder.rmdir()  # fails while anything (another download's .part) is inside
