"""Landing the job a submit returned, which for a journalled ``job_key`` is not a new one.

A rerun with the same key (a render-farm retry, a script run twice) gets the journalled job
back from the job manager (jobs/keys.py) instead of paying again:

- still unfinished (its process was killed, or it timed out): it is resumed and waited for;
- FAILED: it runs again from the failed step, the paid steps kept;
- READY (downloaded, not imported: the manager offers it as a "restored" event, which the
  sidebar shows but never imports on its own): the API imports it here, as it asked for it;
- IMPORTED: its result is returned again, from the objects in this file that carry the job's
  provenance, or imported again from the cache when this file does not hold them (a new
  process, another .blend). Nothing is downloaded or paid in either case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..jobs import model
from .results import ProgressCallback, Result, wait

if TYPE_CHECKING:
    from ..blender.core.runtime import Runtime


def live_ids(rt: Runtime, job_key: str | None) -> set[str]:
    """Ids of the jobs this process already holds under ``job_key`` (before a submit)."""
    if not job_key:
        return set()
    return {j.id for j in rt.manager.jobs() if j.job_key == job_key}


def land(rt: Runtime, job: model.Job, progress: ProgressCallback | None,
         timeout: float | None, *, rerun: bool = False) -> Result:
    """Wait for ``job`` and return its result (imported here when it is not in this file).
    ``rerun``: the job was already in this process under the same key; if it failed, it runs
    again from its failed step (paid steps kept), as a rerun in a new process would."""
    if rerun and job.status == model.FAILED:
        job = rt.manager.retry(job.id)
    if job.status == model.IMPORTED:
        found = in_this_file(job)
        if found is not None:
            return found
        rt.pump.request_import(job.id)
    elif job.status == model.READY:
        rt.pump.request_import(job.id)
    return wait(rt, job, progress, timeout)


def in_this_file(job: model.Job) -> Result | None:
    """The Result of an imported job from what its import left in this file (objects and
    actions carry ``meshy_job_id``), or None when the file holds none of it."""
    import bpy

    roots = [o for o in bpy.data.objects if o.get("meshy_job_id") == job.id]
    actions = [a for a in bpy.data.actions if a.get("meshy_job_id") == job.id]
    if not roots and not actions:
        return None
    objects: list[Any] = []
    for root in roots:
        for obj in (root, *root.children_recursive):
            if obj not in objects:
                objects.append(obj)
    armature = next((o for o in objects if o.type == "ARMATURE"), None)
    collection = roots[0].users_collection[0] if roots and roots[0].users_collection else None
    return Result(job.id, job.kind, dict(job.task_ids), job.consumed_credits,
                  root_objects=roots, objects=objects, armature=armature, actions=actions,
                  collection=collection, files=dict(job.files))
