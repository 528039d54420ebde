"""Tasks that already exist and account reads: resume (free), status, list, balance, the
animation library, and what a request would cost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..client import errors
from ..jobs import kinds, model
from ..jobs.request import JobRequest
from . import chain_resume
from .results import ProgressCallback, Result, wait
from .session import runtime

if TYPE_CHECKING:
    from ..client.account_balance import Balance
    from ..client.tasks import Task


def resume(task_id: str, kind: str, *, progress: ProgressCallback | None = None,
           timeout: float | None = None, import_format: str | None = None,
           placement: str | None = None, armature: Any = None,
           label: str | None = None, finish_chain: bool | None = None) -> Result:
    """Follow an existing Meshy task (e.g. from another session, or after a timeout) until it
    ends, download its result and import it. Creates nothing, so it costs nothing.

    A task of an unfinished journalled chain (the preview of a text-to-3d run that timed out)
    finishes that chain: free when every step was created; otherwise it raises, naming the
    cost, unless ``finish_chain=True`` (pay for the missing steps) or ``finish_chain=False``
    (import this task alone). See :mod:`.chain_resume`."""
    rt = runtime()
    step_kind = task_kind(kind)
    task_id = checked_task_id(task_id)
    chain = None if finish_chain is False else chain_resume.unfinished_chain(rt, task_id)
    if chain is not None:
        return chain_resume.finish(rt, chain, task_id, finish_chain, progress, timeout)
    # One free GET: an unknown id fails here (NotFoundError), and a text-to-3d id says
    # whether it is a shape or a textured model (its request on v2, its type on v1).
    task = rt.client.get_task(step_kind, task_id)
    if task.kind.startswith("text-to-3d-"):
        step_kind = task.kind
    target = ""
    if step_kind == "animate":
        if armature is None:
            raise errors.ValidationError("Resuming an animation needs the armature it was made "
                                         "for: resume(task_id, 'animate', armature=obj).",
                                         field="armature")
        target = checked_armature(armature).name
    import_options = rt.settings.import_options(format=import_format, placement=placement,
                                                target_armature=target)
    job = rt.submit(JobRequest.resume(step_kind, task_id, label=label or "",
                                      import_options=import_options),
                    origin=model.ORIGIN_SCRIPT)
    return wait(rt, job, progress, timeout)


def balance() -> int:
    """Credits left on the account."""
    return runtime().client.balance()


def balance_details() -> Balance:
    """Credits left, with the monthly / permanent split and the monthly reset date (each None
    when Meshy does not say)."""
    return runtime().client.balance_details()


def status(task_id: str, kind: str) -> Task:
    """One task as Meshy reports it now (status, progress, credits, outputs)."""
    return runtime().client.get_task(task_kind(kind), checked_task_id(task_id))


def list_tasks(kind: str, *, page_size: int = 10, page_num: int = 1) -> list[Task]:
    """The account's recent tasks of one kind, newest first."""
    return runtime().client.list_tasks(task_kind(kind), page_num=page_num, page_size=page_size)


def animation_library(search: str | None = None) -> list[dict[str, Any]]:
    """Meshy's animation catalogue ([] when the server does not offer it)."""
    return runtime().client.animation_library(search=search) or []


def estimate(request: str, **options: Any) -> int:
    """Credits a request would cost (with the studio policy's defaults), without sending it."""
    return runtime().plan(JobRequest(request, options)).estimated_credits


def task_kind(kind: str) -> str:
    """The Meshy task type for a kind name ("text-to-3d" means its textured task)."""
    try:
        return kinds.TASK_KIND_ALIASES[kind]
    except KeyError:
        raise errors.ValidationError(
            f"Unknown task kind {kind!r}; use one of "
            f"{', '.join(sorted(kinds.TASK_KIND_ALIASES))}.", field="kind") from None


def checked_task_id(task_id: str) -> str:
    """A task id as sent in URLs; ValidationError for anything that is not one."""
    from ..client import validation

    return str(validation.task_id("task_id", task_id))


def checked_armature(obj: Any) -> Any:
    """``obj`` if it is an armature object; a ValidationError otherwise."""
    try:
        ok = obj is not None and obj.type == "ARMATURE"
    except (AttributeError, ReferenceError):
        ok = False
    if not ok:
        raise errors.ValidationError("animate needs an armature object (a Meshy rig).",
                                     field="armature")
    return obj
