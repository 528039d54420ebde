"""The job model: one user request, possibly a chain of Meshy tasks, serialisable to the journal.

A job stores the *options* a user chose (file paths, not data URIs, and never the API key) so the
journal stays small and secret-free; request payloads are built from them on the worker thread.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from .migrations import JOURNAL_FORMAT, upgrade_journal_entry

# Snapshot revisions (see Job.snapshot): next() on a count is atomic under the GIL.
_REVISIONS = itertools.count(1)

# Job lifecycle. READY means "paid result is on disk, waiting for the main thread to import".
QUEUED = "QUEUED"
RUNNING = "RUNNING"
DOWNLOADING = "DOWNLOADING"
READY = "READY"
IMPORTED = "IMPORTED"
FAILED = "FAILED"
CANCELLED = "CANCELLED"
ACTIVE_STATUSES = frozenset({QUEUED, RUNNING, DOWNLOADING})
ORIGIN_SCRIPT = "script"  # Job.origin of a job the API or the CLI started
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
    # step name -> paid Meshy task id at the time of the failure (kept for support and resume).
    task_ids: dict[str, str] = field(default_factory=dict)


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
    # A caller's stable name for this request (a batch row id, a farm job name): submitting the
    # same key again returns this job instead of paying again. ``fingerprint`` identifies the
    # request itself, so the same key with a different request is refused.
    job_key: str | None = None
    fingerprint: str | None = None
    # Who started it: ORIGIN_SCRIPT (the API or the CLI) or "" (the sidebar, or a journal from
    # before origins). A script's job that another process finishes is offered, never imported
    # into whatever file that process has open.
    origin: str = ""

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
    def from_dict(cls, data: Any) -> Job:
        """A job from its journal form, an older format upgraded (:mod:`.migrations`);
        ValueError (never a raw KeyError/TypeError) when the data is not a job this or an
        older version wrote, whatever its shape (NewerDataError: a newer version wrote it)."""
        if not isinstance(data, dict):
            raise ValueError(f"a journal entry must be an object, not {type(data).__name__}")
        data = upgrade_journal_entry(data, f"The Meshy job '{data.get('label') or data.get('id')}'")
        fields = {k: v for k, v in data.items() if k != "format"}
        try:
            steps = fields.get("steps")
            if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
                raise ValueError("steps must be a list of objects")
            fields["steps"] = [Step(**s) for s in steps]
            if fields.get("error"):
                if not isinstance(fields["error"], dict):
                    raise ValueError("error must be an object")
                fields["error"] = JobError(**fields["error"])
            job = cls(**fields)
        except TypeError as exc:  # missing or unknown keys
            raise ValueError(str(exc)) from None
        _check_types(job)
        return job

    def snapshot(self) -> dict[str, Any]:
        """A detached copy for the main thread (workers keep mutating the live job).

        ``revision`` grows with every snapshot this process takes, so of two snapshots of one
        job the larger is the newer, whatever order they arrive in (a request's answer can
        carry a snapshot taken before events that went out ahead of it)."""
        data = self.to_dict()
        data["revision"] = next(_REVISIONS)
        data["progress"] = self.progress
        data["estimated_credits"] = self.estimated_credits
        data["price_published"] = self.price_published
        data["consumed_credits"] = self.consumed_credits
        return data


def fingerprint(job: Job) -> str:
    """A short hash of what the job asks Meshy for (kind, each step's options and links, the
    import format), to tell "the same request again" from "another request with that key"."""
    what = {"kind": job.kind, "format": str(job.import_options.get("format", "GLB")).upper(),
            "steps": [[s.name, s.kind, s.options, s.links] for s in job.steps]}
    text = json.dumps(what, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _check_types(job: Job) -> None:
    """Every field has the type the code relies on (the journal is a file anyone can edit)."""
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise ValueError(f"{what} has the wrong type")

    def opt_int(v: Any) -> bool:
        return v is None or (isinstance(v, int) and not isinstance(v, bool))

    need(isinstance(job.id, str) and job.id.isalnum() and job.id.isascii(), "id")
    for name in ("kind", "label", "status", "detail", "origin"):
        need(isinstance(getattr(job, name), str), name)
    need(job.status in ACTIVE_STATUSES | FINISHED_STATUSES, "status")
    need(isinstance(job.import_options, dict), "import_options")
    for name in ("created_ms", "updated_ms", "finished_ms"):
        need(opt_int(getattr(job, name)) and (name == "finished_ms"
                                             or getattr(job, name) is not None), name)
    need(job.import_error is None or isinstance(job.import_error, str), "import_error")
    need(job.job_key is None or isinstance(job.job_key, str), "job_key")
    need(job.fingerprint is None or isinstance(job.fingerprint, str), "fingerprint")
    for step in job.steps:
        for name in ("name", "kind", "status"):
            need(isinstance(getattr(step, name), str), f"step {name}")
        need(isinstance(step.options, dict) and isinstance(step.links, dict)
             and isinstance(step.files, dict) and isinstance(step.downloads, list), "step")
        need(step.task_id is None or isinstance(step.task_id, str), "step task_id")
        for name in ("progress", "estimated_credits"):
            need(opt_int(getattr(step, name)) and getattr(step, name) is not None,
                 f"step {name}")
        need(opt_int(step.consumed_credits) and opt_int(step.create_started_ms), "step")
        need(all(isinstance(v, str) for v in step.files.values()), "step files")
        need(all(isinstance(v, str) for v in step.links.values()), "step links")
    if job.error is not None:
        need(isinstance(job.error.message, str) and isinstance(job.error.type, str), "error")
        need(isinstance(job.error.task_ids, dict), "error task_ids")
