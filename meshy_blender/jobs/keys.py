"""Stable job keys: the same key submitted twice runs (and pays) once.

A headless rerun (a render-farm retry, a batch rerun, a script run twice) passes the same
``job_key``; instead of creating new Meshy tasks, the journalled job with that key is returned:
as it is when it already finished, resumed from its remaining steps when it was left
unfinished or failed. The same key with a different request is refused, since silently
returning another request's result would be worse than an error.
"""

from __future__ import annotations

from ..client.errors import MeshyError
from . import model
from .model import Job


class JobKeyConflictError(MeshyError):
    """The key is journalled for a different request."""

    def __init__(self, job_key: str, existing: Job) -> None:
        self.job_key = job_key
        self.job_id = existing.id
        self.task_ids = dict(existing.task_ids)
        super().__init__(
            f"Job key '{job_key}' already belongs to a different request (job {existing.id}, "
            f"'{existing.label}'). Use a new key, or remove that job to reuse the key; "
            "nothing was sent.")


class JobOwnedError(MeshyError):
    """Another live process (a second Blender window, another farm task) runs this job."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.id
        self.task_ids = dict(job.task_ids)
        key = f" (key '{job.job_key}')" if job.job_key else ""
        super().__init__(
            f"Meshy job '{job.label}'{key} is being run by another Blender process on this "
            "cache folder; it is not started twice. Wait for it there, or close that process "
            "and try again; nothing was sent.")


def check_same_request(job: Job, existing: Job) -> None:
    """Raise JobKeyConflictError unless ``existing`` (journalled under ``job``'s key) asks Meshy
    for exactly what ``job`` asks."""
    if existing.fingerprint != (job.fingerprint or model.fingerprint(job)):
        raise JobKeyConflictError(str(job.job_key), existing)
