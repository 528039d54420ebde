"""What API calls return and raise: progress reports, the Result of a finished job, and the
job's error rebuilt as the client's exception (with the paid task ids it leaves behind)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..client import errors
from ..jobs import model, outcome, rig_check

if TYPE_CHECKING:  # bpy is imported lazily: this package is importable outside Blender too
    import bpy

    from ..blender.core.runtime import Runtime


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives, once per change."""

    job_id: str
    status: str  # QUEUED, RUNNING, DOWNLOADING, READY, IMPORTED, FAILED, CANCELLED
    percent: float  # whole job, 0-100
    detail: str  # e.g. "rig: in progress", "text-to-3d-refine: downloading glb 1.2 MB"
    estimated_credits: int
    # step name -> Meshy task id of every paid task created so far: a report arrives as soon
    # as a new one exists, so a caller can keep the ids even if this process dies next.
    task_ids: dict[str, str] = field(default_factory=dict)


ProgressCallback = Callable[[Progress], None]


@dataclass
class Result:
    """What a finished job put in the scene, plus the ids a pipeline wants to keep."""

    job_id: str
    kind: str
    task_ids: dict[str, str]  # step name -> Meshy task id, e.g. {"preview": ..., "refine": ...}
    credits: int  # consumed, as reported by Meshy
    root_objects: list[bpy.types.Object] = field(default_factory=list)
    objects: list[bpy.types.Object] = field(default_factory=list)
    armature: bpy.types.Object | None = None
    actions: list[bpy.types.Action] = field(default_factory=list)
    collection: bpy.types.Collection | None = None
    files: dict[str, str] = field(default_factory=dict)  # downloaded files in the cache
    images: list[bpy.types.Image] = field(default_factory=list)  # concept images
    report: dict[str, Any] | None = None  # print-analyze: Meshy's printability report
    saved_files: list[str] = field(default_factory=list)  # e.g. a 3MF beside the .blend
    rig_type: str | None = None  # a rig: "biped" or "quadruped", as Meshy's rig check said

    @property
    def last_task_id(self) -> str:
        return list(self.task_ids.values())[-1] if self.task_ids else ""


def wait(rt: Runtime, job: model.Job, progress: ProgressCallback | None,
         timeout: float | None) -> Result:
    """Pump until the job is imported (or failed); raise its error from the client family."""
    from ..blender.core.pump import run_until_done
    from ..blender.core.runtime import warm_importer

    last: list[Progress] = []
    warmed: list[bool] = []

    def on_tick(pump: Any) -> None:
        snap = pump.view.get(job.id) or job.snapshot()
        paid = created_task_ids(snap)
        if progress is not None:
            now = Progress(job.id, str(snap.get("status")),
                           round(float(snap.get("progress", 0)), 1), str(snap.get("detail", "")),
                           int(snap.get("estimated_credits", 0)), paid)
            if not last or last[-1] != now:
                last[:] = [now]
                progress(now)
        if paid and not warmed:
            # While the job runs on Meshy, load what its import needs (its import then costs
            # what Blender's own costs); only after its paid task was reported above: the
            # 80-120 ms this takes must never stand between a paid task and the line naming
            # it (a run killed then has printed the id `meshy resume` needs).
            warmed.append(True)
            warm_importer()

    try:
        run_until_done(rt.pump, [job.id], timeout=timeout, on_tick=on_tick)
    except TimeoutError:
        # Stop waiting, not the job: it stays journalled and unfinished, so a rerun with the
        # same job key (or a restart) resumes the paid tasks instead of buying them again.
        rt.manager.detach(job.id)
        raise outcome.timeout_error(job, float(timeout or 0)) from None
    except KeyboardInterrupt as exc:
        rt.manager.detach(job.id)
        raise Interrupted(outcome.interrupted_error(job)) from exc
    except BaseException:
        rt.manager.cancel(job.id)
        raise
    on_tick(rt.pump)
    return result_of(rt, job)


def created_task_ids(snapshot: dict[str, Any]) -> dict[str, str]:
    """Step name -> task id of the steps a job snapshot says were created on Meshy."""
    steps = snapshot.get("steps") or []
    return {str(s.get("name")): str(s["task_id"]) for s in steps
            if isinstance(s, dict) and s.get("task_id")}


class Interrupted(KeyboardInterrupt):
    """Ctrl-C while an API call waited. Still a KeyboardInterrupt (a script stops, an
    ``except MeshyError`` in a batch loop does not swallow it), carrying the detached job's
    error: ``err.error`` (a CancelledError whose message names the paid tasks) and
    ``err.task_ids``. The job stays journalled; a rerun with its job key resumes it."""

    def __init__(self, error: errors.MeshyError) -> None:
        super().__init__(str(error))
        self.error = error
        self.task_ids = dict(error.task_ids)


def result_of(rt: Runtime, job: model.Job) -> Result:
    """The Result of a finished job, or its error raised."""
    if job.status in (model.FAILED, model.CANCELLED):
        raise job_error(job)
    if job.import_error:
        from ..blender.scene.importer import MeshyImportError

        err = MeshyImportError(f"{errors.scrub(job.import_error)} (the files stay in the cache; "
                               f"job {job.id})")
        err.task_ids = dict(job.task_ids)
        raise err
    from ..blender.scene.import_images_motion_print import Landed

    imported = rt.pump.results.get(job.id)
    result = Result(job.id, job.kind, dict(job.task_ids), job.consumed_credits,
                    files=dict(job.files), rig_type=rig_check.job_rig_type(job))
    if isinstance(imported, list):  # animations added to an existing armature
        result.actions = list(imported)
    elif isinstance(imported, Landed):  # images, a report, a saved file
        result.images = list(imported.images)
        result.report = imported.report
        result.saved_files = list(imported.saved_files)
    elif imported is not None:
        result.root_objects = list(imported.root_objects)
        result.objects = list(imported.objects)
        result.armature = imported.armature
        result.actions = list(imported.actions)
        result.collection = imported.collection
    return result


def job_error(job: model.Job) -> errors.MeshyError:
    """Rebuild the worker's exception (class and message) from the journalled job error, with
    the paid task ids as ``err.task_ids`` (see jobs/outcome.py)."""
    return outcome.job_error(job)
