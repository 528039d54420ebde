"""The job model: one user request, possibly a chain of Meshy tasks, serialisable to the journal.

A job stores the *options* a user chose (file paths, not data URIs, and never the API key) so the
journal stays small and secret-free; request payloads are built from them on the worker thread.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

JOURNAL_FORMAT = 1

# Job lifecycle. READY means "paid result is on disk, waiting for the main thread to import".
QUEUED = "QUEUED"
RUNNING = "RUNNING"
DOWNLOADING = "DOWNLOADING"
READY = "READY"
IMPORTED = "IMPORTED"
FAILED = "FAILED"
CANCELLED = "CANCELLED"
ACTIVE_STATUSES = frozenset({QUEUED, RUNNING, DOWNLOADING})
FINISHED_STATUSES = frozenset({READY, IMPORTED, FAILED, CANCELLED})

# Step lifecycle. CREATING is journalled *before* the paid POST: a crash there is ambiguous and
# resume must look for the task on the server instead of posting again.
STEP_PENDING = "PENDING"
STEP_CREATING = "CREATING"
STEP_WAITING = "WAITING"
STEP_SUCCEEDED = "SUCCEEDED"
STEP_FAILED = "FAILED"


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Step:
    """One Meshy task in a job's chain."""

    name: str
    kind: str
    options: dict[str, Any]
    # payload field -> name of an earlier step whose task id fills it (e.g. preview_task_id).
    links: dict[str, str] = field(default_factory=dict)
    # Asset names to download once this step succeeds (see client Task.asset_urls()).
    downloads: list[str] = field(default_factory=list)
    task_id: str | None = None
    status: str = STEP_PENDING
    progress: int = 0
    estimated_credits: int = 0
    # False when Meshy publishes no price for an option of this step (Meshy-7, ultra mode...):
    # estimated_credits is then only the base price and the UI asks before spending.
    price_published: bool = True
    price_note: str = ""
    consumed_credits: int | None = None
    create_started_ms: int | None = None
    files: dict[str, str] = field(default_factory=dict)
    # Results that are data, not files (print-analyze's printability report).
    report: dict[str, Any] | None = None


@dataclass
class JobError:
    type: str
    message: str
    retryable: bool = False


@dataclass
class Job:
    kind: str
    label: str
    steps: list[Step]
    import_options: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    status: str = QUEUED
    detail: str = ""
    created_ms: int = field(default_factory=now_ms)
    updated_ms: int = field(default_factory=now_ms)
    finished_ms: int | None = None
    error: JobError | None = None
    import_error: str | None = None
    cancel_on_server: bool = False

    @property
    def progress(self) -> float:
        """Overall progress 0-100, each step weighted equally."""
        if not self.steps:
            return 0.0
        done = sum(100 if s.status == STEP_SUCCEEDED else s.progress for s in self.steps)
        return done / len(self.steps)

    @property
    def estimated_credits(self) -> int:
        return sum(s.estimated_credits for s in self.steps)

    @property
    def price_published(self) -> bool:
        """False when any step's price is not published: ask before spending."""
        return all(s.price_published for s in self.steps)

    @property
    def price_notes(self) -> list[str]:
        """Why the price is not published, per step that has no published price."""
        return [f"{s.name}: {s.price_note}" for s in self.steps if not s.price_published]

    @property
    def consumed_credits(self) -> int:
        return sum(s.consumed_credits or 0 for s in self.steps)

    @property
    def task_ids(self) -> dict[str, str]:
        return {s.name: s.task_id for s in self.steps if s.task_id}

    @property
    def files(self) -> dict[str, str]:
        """Downloaded files of every step, keyed "<step>.<asset>"."""
        return {f"{s.name}.{asset}": path for s in self.steps for asset, path in s.files.items()}

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def touch(self) -> None:
        self.updated_ms = now_ms()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = JOURNAL_FORMAT
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        fmt = data.get("format")
        if fmt != JOURNAL_FORMAT:
            raise ValueError(f"unsupported journal format {fmt!r} (expected {JOURNAL_FORMAT})")
        fields = {k: v for k, v in data.items() if k != "format"}
        fields["steps"] = [Step(**s) for s in fields.get("steps", [])]
        if fields.get("error"):
            fields["error"] = JobError(**fields["error"])
        return cls(**fields)

    def snapshot(self) -> dict[str, Any]:
        """A detached copy for the main thread (workers keep mutating the live job)."""
        data = self.to_dict()
        data["progress"] = self.progress
        data["estimated_credits"] = self.estimated_credits
        data["price_published"] = self.price_published
        data["consumed_credits"] = self.consumed_credits
        return data
