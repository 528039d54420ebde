"""The exception a caller gets for a job that did not end with a result, with its paid task ids.

Worker exceptions cannot cross to the caller's thread, so the journalled ``JobError`` is turned
back into the client exception family here. Every error with paid work behind it (a failure
after earlier steps, a credit error mid-chain, a timeout, a cancel or Ctrl-C) carries the paid
task ids as ``err.task_ids`` and names them in its message, so the work can be resumed (a rerun
with the same job key, or a restart) instead of bought again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..client import errors
from . import model
from .model import Job

# Failures the same request meets again: its input task is gone on Meshy, or Meshy (or our own
# checks) refuse the request itself. Retry is not offered for them: it could only fail again.
RERUN_CANNOT_FIX = frozenset({"NotFoundError", "ValidationError", "InvalidRequestError"})


def rerun_can_fix(error: Mapping[str, Any] | model.JobError | None) -> bool:
    """Whether running a failed job again can end differently (a server hiccup, a failed
    generation, a top-up): False for the failures in :data:`RERUN_CANNOT_FIX`."""
    if error is None:
        return True
    kind = error.get("type") if isinstance(error, Mapping) else error.type
    retryable = error.get("retryable") if isinstance(error, Mapping) else error.retryable
    return bool(retryable) or kind not in RERUN_CANNOT_FIX


def job_error(job: Job) -> errors.MeshyError:
    """The exception for a FAILED or CANCELLED job (class and message as the worker raised)."""
    if job.status == model.CANCELLED:
        err: errors.MeshyError = errors.CancelledError(
            f"Meshy job '{job.label}' was cancelled.{_paid(job)}")
    else:
        err = _rebuilt(job)
    err.task_ids = dict(job.task_ids)
    return err


def timeout_error(job: Job, seconds: float) -> errors.WaitTimeoutError:
    """The caller stopped waiting (the job should be detached, not cancelled: see
    ``JobManager.detach``); the paid tasks go on and a rerun picks them up."""
    err = errors.WaitTimeoutError(
        f"Meshy job '{job.label}' did not finish within {seconds:g} s.{_paid(job)} It is kept "
        f"in the journal: {how_to_resume(job)}")
    err.task_ids = dict(job.task_ids)
    return err


def interrupted_error(job: Job) -> errors.CancelledError:
    """Ctrl-C / KeyboardInterrupt while waiting: the job stays resumable, its ids are shown."""
    err = errors.CancelledError(
        f"Stopped waiting for Meshy job '{job.label}'.{_paid(job)} It stays in the journal: "
        f"{how_to_resume(job)}")
    err.task_ids = dict(job.task_ids)
    return err


def how_to_resume(job: Job) -> str:
    """How to pick a detached job up without paying again, in words that fit how it was
    started: a rerun with the same job key only where one was given (a rerun without a key
    creates new tasks and pays again), otherwise its task id."""
    if job.job_key:
        return ("run it again with the same job key (or restart Blender) to resume it "
                "without paying again.")
    created = [s for s in job.steps if s.task_id]
    if not created:
        return "nothing was sent to Meshy yet, so nothing was paid."
    last = created[-1]
    left = sum(s.estimated_credits for s in job.steps if not s.task_id)
    cost = ("without paying again" if not left else
            f"paying only for the {left} credits of the steps not created yet")
    return (f"finish it {cost} with `meshy resume {last.task_id}` (Python: "
            f"meshy_blender.api.resume('{last.task_id}', '{last.kind}')); running the same "
            "command again without a job key creates new tasks and pays again.")


def _rebuilt(job: Job) -> errors.MeshyError:
    info = job.error
    message = (info.message if info else "The Meshy job failed.") + _paid(job)
    cls = getattr(errors, info.type, None) if info else None
    if not (isinstance(cls, type) and issubclass(cls, errors.MeshyError)):
        return errors.MeshyError(message)
    if cls is errors.TaskFailedError:
        failed = next((s for s in job.steps if s.status == model.STEP_FAILED), None)
        return errors.TaskFailedError(message, task_id=failed.task_id if failed else None,
                                      kind=failed.kind if failed else None)
    try:
        return cls(message)
    except TypeError:  # an error class with required fields: keep the family, not the class
        return errors.MeshyError(message)


def _paid(job: Job) -> str:
    ids = ", ".join(f"{step}={task}" for step, task in job.task_ids.items())
    return f" Paid Meshy tasks: {ids}." if ids else ""
