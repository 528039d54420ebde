"""How long finished jobs stay re-importable: the rules and their defaults, as plain data.

A leaf module, so the preferences can show the defaults when the add-on is enabled without
loading the pruning machinery (:mod:`.retention`).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_KEEP_DAYS = 30
DEFAULT_KEEP_JOBS = 500


@dataclass(frozen=True)
class Rules:
    """How long finished jobs stay re-importable: the ``keep_jobs`` newest ones, none older
    than ``keep_days`` days. Pinned jobs are kept beyond both and do not count."""

    keep_days: int = DEFAULT_KEEP_DAYS
    keep_jobs: int = DEFAULT_KEEP_JOBS
