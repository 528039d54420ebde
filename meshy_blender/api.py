"""Headless, blocking public API for scripts (``blender -b --python``) and the CLI command.

Each function plans one job through the same runtime as the sidebar (client, job manager,
journal, cache, studio policy), pumps it on the calling (main) thread until the result is in
the scene, and returns a :class:`Result`. ``bpy.app.timers`` never fire in ``--background``,
which is why these functions drive the pump themselves. Option names are the Meshy API's
parameter names; failures raise the client's exception family (``meshy_blender.client.errors``).

    from meshy_blender import api
    result = api.text_to_3d("a bronze owl", ai_model="meshy-6", rig={}, animations=[4])
    print(result.root_objects, result.task_ids, result.credits)
"""

from __future__ import annotations

import atexit
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .identity import ADDON_ID
from .client import errors
from .jobs import kinds, model, plans

if TYPE_CHECKING:  # bpy is imported lazily: this module is importable outside Blender too
    import bpy

    from .blender.session.runtime import Runtime
    from .client.tasks import Task

__all__ = [
    "ADDON_ID", "Progress", "Result", "animate", "animation_library", "balance", "estimate",
    "image_to_3d", "list_tasks", "multi_image_to_3d", "remesh", "resume", "retexture", "rig",
    "status", "text_to_3d",
]

ProgressCallback = Callable[["Progress"], None]


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives, once per change."""

    job_id: str
    status: str  # QUEUED, RUNNING, DOWNLOADING, READY, IMPORTED, FAILED, CANCELLED
    percent: float  # whole job, 0-100
    detail: str  # e.g. "rig: in progress", "text-to-3d-refine: downloading glb 1.2 MB"
    estimated_credits: int


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

    @property
    def last_task_id(self) -> str:
        return list(self.task_ids.values())[-1] if self.task_ids else ""


# ------------------------------------------------------------------------------ generating

def text_to_3d(prompt: str, *, progress: ProgressCallback | None = None,
               timeout: float | None = None, import_format: str | None = None,
               placement: str | None = None, label: str | None = None,
               **options: Any) -> Result:
    """Text to a (textured, unless ``should_texture=False``) model; chains with ``remesh={}``,
    ``rig={...}`` and ``animations=[action_id, ...]``."""
    return _generate("text-to-3d", {"prompt": prompt, **options}, progress=progress,
                     timeout=timeout, import_format=import_format, placement=placement,
                     label=label)


def image_to_3d(image: str | Path, *, progress: ProgressCallback | None = None,
                timeout: float | None = None, import_format: str | None = None,
                placement: str | None = None, label: str | None = None,
                **options: Any) -> Result:
    """An image (local PNG/JPEG path, URL or data URI) to a model."""
    return _generate("image-to-3d", {"image_url": _path_text(image), **options},
                     progress=progress, timeout=timeout, import_format=import_format,
                     placement=placement, label=label or Path(str(image)).stem)


def multi_image_to_3d(images: Sequence[str | Path], *, progress: ProgressCallback | None = None,
                      timeout: float | None = None, import_format: str | None = None,
                      placement: str | None = None, label: str | None = None,
                      **options: Any) -> Result:
    """1-4 views of one object to a model."""
    if isinstance(images, str | Path):
        raise errors.ValidationError("multi_image_to_3d takes a list of images.",
                                     field="image_urls")
    first = Path(str(images[0])).stem if images else "multi image"
    return _generate("multi-image-to-3d", {"image_urls": [_path_text(i) for i in images],
                                           **options},
                     progress=progress, timeout=timeout, import_format=import_format,
                     placement=placement, label=label or first)


def retexture(obj: Any = None, *, progress: ProgressCallback | None = None,
              timeout: float | None = None, import_format: str | None = None,
              placement: str | None = None, label: str | None = None,
              **options: Any) -> Result:
    """New textures for a model: a Meshy object (its task is reused), any mesh object (exported
    to GLB and uploaded), a model file path/URL, or ``obj=None`` with ``input_task_id=...``.
    ``placement="REPLACE"`` puts the result where the object was and hides the original."""
    return _from_model("retexture", obj, options, progress=progress, timeout=timeout,
                       import_format=import_format, placement=placement, label=label)


def remesh(obj: Any = None, *, progress: ProgressCallback | None = None,
           timeout: float | None = None, import_format: str | None = None,
           placement: str | None = None, label: str | None = None, **options: Any) -> Result:
    """New topology for a model (inputs as for :func:`retexture`). ``target_formats`` defaults
    to the import format."""
    fmt = _import_format(import_format, _runtime())
    if "target_formats" not in options and \
            _runtime().policy.default_for("remesh", "target_formats") is None:
        options["target_formats"] = [fmt.lower()]
    return _from_model("remesh", obj, options, progress=progress, timeout=timeout,
                       import_format=fmt, placement=placement, label=label)


def rig(obj: Any = None, *, progress: ProgressCallback | None = None,
        timeout: float | None = None, import_format: str | None = None,
        placement: str | None = None, label: str | None = None, **options: Any) -> Result:
    """Auto-rig a humanoid model (inputs as for :func:`retexture`; files must be GLB). The
    result is an armature with the skinned mesh and Walking/Running actions;
    ``animations=[...]`` chains animation tasks onto the rig."""
    return _from_model("rig", obj, options, progress=progress, timeout=timeout,
                       import_format=import_format, placement=placement, label=label)


def animate(armature: Any, action_id: int, *, progress: ProgressCallback | None = None,
            timeout: float | None = None, import_format: str | None = None,
            label: str | None = None, **options: Any) -> Result:
    """Add a Meshy library animation to a Meshy-rigged armature as a new action (NLA track).

    ``armature=None`` with ``rig_task_id=...`` first imports that rig (no charge) and animates
    it. Options: ``post_process={"operation_type": "change_fps", "fps": 30}``.
    """
    rt = _runtime()
    fmt = _import_format(import_format, rt)
    if armature is None:
        rig_task = options.pop("rig_task_id", None)
        if not rig_task:
            raise errors.ValidationError("animate needs a Meshy-rigged armature or "
                                         "rig_task_id=...", field="rig_task_id")
        armature = resume(str(rig_task), "rig", progress=progress, timeout=timeout,
                          import_format=fmt).armature
    target = _armature(armature)
    rig_task = options.pop("rig_task_id", None) or _task_from_provenance(target, ("rig",))
    if not rig_task:
        raise errors.ValidationError(
            f"'{target.name}' was not rigged by Meshy (no rig task id in its meshy_task_ids); "
            "rig it with rig() first or pass rig_task_id=...", field="rig_task_id")
    import_options = {"format": fmt, "target_armature": target.name,
                      "action_names": _action_names(rt, options.get("animations") or [action_id])}
    job = rt.submit_request("animate", {"rig_task_id": rig_task, "action_id": action_id,
                                        **options},
                            label=label or target.name, import_options=import_options)
    result = _wait(rt, job, progress, timeout)
    result.armature = result.armature or target
    return result


def resume(task_id: str, kind: str, *, progress: ProgressCallback | None = None,
           timeout: float | None = None, import_format: str | None = None,
           placement: str | None = None, armature: Any = None,
           label: str | None = None) -> Result:
    """Follow an existing Meshy task (e.g. from another session, or after a timeout) until it
    ends, download its result and import it. Creates nothing, so it costs nothing."""
    rt = _runtime()
    step_kind = _task_kind(kind)
    task_id = errors_checked_id(task_id)
    # One free GET: an unknown id fails here (NotFoundError), and a text-to-3d id says
    # whether it is a preview or a refine.
    task = rt.client.get_task(step_kind, task_id)
    if str(task.raw.get("type", "")).startswith("text-to-3d-"):
        step_kind = str(task.raw["type"])
    fmt = _import_format(import_format, rt)
    request = "text-to-3d" if step_kind.startswith("text-to-3d") else step_kind
    downloads = {"rig": plans.rig_downloads, "animate": plans.animation_downloads}.get(
        step_kind, plans.model_downloads)(fmt)
    step = model.Step(step_kind.replace("text-to-3d-", ""), step_kind, {}, downloads=downloads,
                      task_id=task_id, status=model.STEP_WAITING)
    import_options: dict[str, Any] = {"format": fmt,
                                      "placement": _placement(placement, None, rt)}
    if step_kind == "animate":
        if armature is None:
            raise errors.ValidationError("Resuming an animation needs the armature it was made "
                                         "for: resume(task_id, 'animate', armature=obj).",
                                         field="armature")
        import_options["target_armature"] = _armature(armature).name
    job = model.Job(kind=request, label=label or f"{request} {task_id[:8]}", steps=[step],
                    import_options=import_options)
    rt.manager.submit(job)  # nothing paid: no policy cap applies
    return _wait(rt, job, progress, timeout)


def errors_checked_id(task_id: str) -> str:
    """A task id as sent in URLs; ValidationError for anything that is not one."""
    from .client import validation

    return str(validation.task_id("task_id", task_id))


# ------------------------------------------------------------------------------ account/queries

def balance() -> int:
    """Credits left on the account."""
    return _runtime().client.balance()


def status(task_id: str, kind: str) -> Task:
    """One task as Meshy reports it now (status, progress, credits, outputs)."""
    return _runtime().client.get_task(_task_kind(kind), errors_checked_id(task_id))


def list_tasks(kind: str, *, page_size: int = 10, page_num: int = 1) -> list[Task]:
    """The account's recent tasks of one kind, newest first."""
    return _runtime().client.list_tasks(_task_kind(kind), page_num=page_num,
                                        page_size=page_size)


def animation_library(search: str | None = None) -> list[dict[str, Any]]:
    """Meshy's animation catalogue ([] when the server does not offer it)."""
    return _runtime().client.animation_library(search=search) or []


def estimate(request: str, **options: Any) -> int:
    """Credits a request would cost (with the studio policy's defaults), without sending it."""
    return _runtime().plan(request, options).estimated_credits


# ------------------------------------------------------------------------------ internals

def _runtime() -> Runtime:
    from .blender.session.runtime import get_runtime

    if not _exit_hook:
        # bpy as a Python module tears Blender down in an atexit hook and never returns while
        # the runtime's persistent timer is registered. atexit runs hooks last-in first-out,
        # so this one (registered after bpy's) removes it first, and stops the workers.
        atexit.register(_at_exit)
        _exit_hook.append(_at_exit)
    # No journal resume here: a script must not import other sessions' jobs into its scene.
    return get_runtime(resume=False)


def _at_exit() -> None:
    from .blender.session.runtime import remove_timer, shutdown_runtime

    remove_timer()
    shutdown_runtime()


_exit_hook: list[Callable[[], None]] = []


def _path_text(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value


def _task_kind(kind: str) -> str:
    try:
        return kinds.TASK_KIND_ALIASES[kind]
    except KeyError:
        raise errors.ValidationError(f"Unknown task kind {kind!r}; use one of "
                                     f"{', '.join(sorted(kinds.TASK_KIND_ALIASES))}.", field="kind") from None


def _import_format(value: str | None, rt: Runtime | None = None) -> str:
    fmt = (value or (rt.settings.import_format if rt else "GLB")).upper()
    if fmt not in ("GLB", "FBX"):
        raise errors.ValidationError(f"import_format must be 'GLB' or 'FBX' (got {value!r}).",
                                     field="import_format")
    return fmt


def _placement(value: str | None, source: Any, rt: Runtime) -> str:
    from .blender.scene.importer import PLACEMENTS

    chosen = (value or rt.settings.placement).upper()
    if chosen not in PLACEMENTS:
        raise errors.ValidationError(f"placement must be one of {', '.join(PLACEMENTS)} "
                                     f"(got {value!r}).", field="placement")
    if chosen == "REPLACE" and source is None:
        raise errors.ValidationError("placement='REPLACE' needs a Blender object to replace.",
                                     field="placement")
    return chosen


def _action_names(rt: Runtime, action_ids: Sequence[Any]) -> dict[str, str]:
    """Library names for action ids ("Attack"), so the actions are named like in Meshy."""
    if not action_ids:
        return {}
    try:
        library = rt.client.animation_library() or []
    except errors.MeshyError:
        return {}  # names are a nicety; the ids still work
    names = {str(item.get("action_id")): str(item.get("name")) for item in library
             if item.get("name")}
    return {str(a): names[str(a)] for a in action_ids if str(a) in names}


def _generate(request: str, options: dict[str, Any], *, progress: ProgressCallback | None,
              timeout: float | None, import_format: str | None, placement: str | None,
              label: str | None, source: Any = None) -> Result:
    rt = _runtime()
    import_options: dict[str, Any] = {"format": _import_format(import_format, rt),
                                      "placement": _placement(placement, source, rt)}
    if source is not None:
        import_options["source_object"] = source.name
    animations = options.get("animations") or []
    if animations:
        import_options["action_names"] = _action_names(rt, animations)
    job = rt.submit_request(request, options, label=label, import_options=import_options)
    return _wait(rt, job, progress, timeout)


def _from_model(request: str, obj: Any, options: dict[str, Any], **kw: Any) -> Result:
    options = dict(options)
    source = None
    if obj is None:
        if not options.get("input_task_id") and not options.get("model_url"):
            raise errors.ValidationError(f"{request} needs a model: an object, a file, or "
                                         "input_task_id=...", field="input_task_id")
    elif isinstance(obj, str | Path):
        options["model_url"] = str(obj)
    else:
        source = obj
        task = _task_from_provenance(obj, ("rig", "animate"), exclude=True)
        if task:
            options["input_task_id"] = task
        else:
            options["model_url"] = _upload_file(obj, request)
        if kw.get("label") is None:
            kw["label"] = obj.name
    return _generate(request, options, source=source, **kw)


def _provenance_owner(obj: Any) -> Any:
    """The object itself or the parent that carries Meshy provenance (a rig's armature)."""
    node = obj
    while node is not None:
        if "meshy_task_ids" in node.keys():  # noqa: SIM118 (ID properties)
            return node
        node = node.parent
    return None


def _task_from_provenance(obj: Any, kinds: tuple[str, ...], *, exclude: bool = False) -> str:
    """The newest task id in an object's ``meshy_task_ids`` whose step is (or, with
    ``exclude``, is not) one of ``kinds`` ("preview=..,refine=..,rig=..")."""
    owner = _provenance_owner(obj)
    if owner is None:
        return ""
    found = ""
    for part in str(owner["meshy_task_ids"]).split(","):
        name, _, task_id = part.partition("=")
        base = name.strip().rstrip("0123456789")
        if task_id and (base in kinds) != exclude:
            found = task_id.strip()
    return found


def _upload_file(obj: Any, request: str) -> str:
    """Export a non-Meshy mesh to GLB in the cache's uploads folder (sent as a data URI).

    Exported in the object's own space, so a result placed with ``placement="REPLACE"`` (the
    source's transform) lands exactly where the original is.
    """
    import bpy

    from .blender.scene.export import RIG_MAX_FACES, ExportError, export_glb

    if obj.type != "MESH":
        raise errors.ValidationError(f"'{obj.name}' is a {obj.type.lower()}, not a mesh: "
                                     f"{request} needs a mesh or a Meshy object.", field="obj")
    rt = _runtime()
    try:
        result = export_glb(bpy.context, [obj], Path(rt.settings.cache_dir) / "uploads",
                            local_space=True,
                            max_faces=RIG_MAX_FACES if request == "rig" else None)
    except ExportError as exc:
        raise errors.ValidationError(f"'{obj.name}': {exc}", field="obj") from None
    return str(result.path)


def _armature(obj: Any) -> Any:
    try:
        ok = obj is not None and obj.type == "ARMATURE"
    except (AttributeError, ReferenceError):
        ok = False
    if not ok:
        raise errors.ValidationError("animate needs an armature object (a Meshy rig).",
                                     field="armature")
    return obj


def _wait(rt: Runtime, job: model.Job, progress: ProgressCallback | None,
          timeout: float | None) -> Result:
    """Pump until the job is imported (or failed); raise its error from the client family."""
    from .blender.session.pump import run_until_done

    last: list[Progress] = []

    def on_tick(pump: Any) -> None:
        if progress is None:
            return
        snap = pump.view.get(job.id) or job.snapshot()
        now = Progress(job.id, str(snap.get("status")), round(float(snap.get("progress", 0)), 1),
                       str(snap.get("detail", "")), int(snap.get("estimated_credits", 0)))
        if not last or last[-1] != now:
            last[:] = [now]
            progress(now)

    try:
        run_until_done(rt.pump, [job.id], timeout=timeout, on_tick=on_tick)
    except TimeoutError:
        rt.manager.cancel(job.id)
        ids = ", ".join(f"{k}={v}" for k, v in job.task_ids.items()) or "none yet"
        raise errors.WaitTimeoutError(
            f"Meshy job '{job.label}' did not finish within {timeout:g} s (tasks: {ids}). It may "
            "still finish on Meshy: api.resume(task_id, kind) or `meshy resume` picks it up "
            "without paying again.") from None
    except BaseException:
        rt.manager.cancel(job.id)
        raise
    on_tick(rt.pump)
    return _result(rt, job)


def _result(rt: Runtime, job: model.Job) -> Result:
    if job.status == model.FAILED:
        raise _job_error(job)
    if job.status == model.CANCELLED:
        raise errors.CancelledError(f"Meshy job '{job.label}' was cancelled.")
    if job.import_error:
        from .blender.scene.importer import MeshyImportError

        raise MeshyImportError(f"{job.import_error} (the files stay in the cache; job {job.id})")
    imported = rt.pump.results.get(job.id)
    result = Result(job.id, job.kind, dict(job.task_ids), job.consumed_credits,
                    files=dict(job.files))
    if isinstance(imported, list):  # animations added to an existing armature
        result.actions = list(imported)
    elif imported is not None:
        result.root_objects = list(imported.root_objects)
        result.objects = list(imported.objects)
        result.armature = imported.armature
        result.actions = list(imported.actions)
        result.collection = imported.collection
    return result


def _job_error(job: model.Job) -> errors.MeshyError:
    """Rebuild the worker's exception (class and message) from the journalled job error."""
    info = job.error
    message = info.message if info else "The Meshy job failed."
    cls = getattr(errors, info.type, None) if info else None
    if not (isinstance(cls, type) and issubclass(cls, errors.MeshyError)):
        return errors.MeshyError(message)
    if cls is errors.TaskFailedError:
        failed = next((s for s in job.steps if s.status == model.STEP_FAILED), None)
        return errors.TaskFailedError(message, task_id=failed.task_id if failed else None,
                                      kind=failed.kind if failed else None)
    return cls(message)
