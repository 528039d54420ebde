"""Working on an existing model: retexture, remesh, resize, rig, and animate a Meshy rig.

A model is a Meshy object (its task id is reused: nothing is uploaded), any mesh object
(exported through the sidebar's own upload helper), a file path/URL, or ``obj=None`` with
``input_task_id=...``. Provenance is read by ``scene.selection``, as the sidebar reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..client import errors
from ..jobs import money_gate
from ..jobs.plans import PLACEHOLDER_TASK_ID
from .generate import run
from .results import ProgressCallback, Result
from .session import runtime
from .tasks import checked_armature, resume


def retexture(obj: Any = None, *, progress: ProgressCallback | None = None,
              timeout: float | None = None, import_format: str | None = None,
              placement: str | None = None, label: str | None = None,
              job_key: str | None = None, **options: Any) -> Result:
    """New textures for a model. ``placement="REPLACE"`` puts the result where the object was
    and hides the original."""
    return from_model("retexture", obj, options, progress=progress, timeout=timeout,
                       import_format=import_format, placement=placement, label=label,
                       job_key=job_key)


def remesh(obj: Any = None, *, progress: ProgressCallback | None = None,
           timeout: float | None = None, import_format: str | None = None,
           placement: str | None = None, label: str | None = None,
           job_key: str | None = None, **options: Any) -> Result:
    """New topology for a model (inputs as for :func:`retexture`). ``target_formats`` defaults
    to the import format."""
    rt = runtime()
    fmt = rt.settings.import_options(format=import_format).format
    if "target_formats" not in options and \
            rt.policy.default_for("remesh", "target_formats") is None:
        options["target_formats"] = [fmt.lower()]
    return from_model("remesh", obj, options, progress=progress, timeout=timeout,
                       import_format=fmt, placement=placement, label=label, job_key=job_key)


def resize(obj: Any = None, *, progress: ProgressCallback | None = None,
           timeout: float | None = None, placement: str | None = None,
           label: str | None = None, job_key: str | None = None,
           accept_unpublished_price: bool = False, **options: Any) -> Result:
    """A model at a real-world size, 1 credit (inputs as for :func:`retexture`): one of
    ``resize_height`` (metres), ``resize_longest_side`` or ``auto_size=True``, and
    ``origin_at`` ``"bottom"`` or ``"center"``. Meshy answers with a GLB; it lands beside the
    object, or in its place with ``placement="REPLACE"``."""
    money_gate.require_published_for_model("resize", options, accept_unpublished_price)
    return from_model("resize", obj, options, progress=progress, timeout=timeout,
                       import_format=None, placement=placement, label=label, job_key=job_key)


def rig(obj: Any = None, *, progress: ProgressCallback | None = None,
        timeout: float | None = None, import_format: str | None = None,
        placement: str | None = None, label: str | None = None,
        job_key: str | None = None, **options: Any) -> Result:
    """Auto-rig a humanoid model (inputs as for :func:`retexture`; files must be GLB). The
    result is an armature with the skinned mesh and Walking/Running actions;
    ``animations=[...]`` chains animation tasks onto the rig."""
    return from_model("rig", obj, options, progress=progress, timeout=timeout,
                       import_format=import_format, placement=placement, label=label,
                       job_key=job_key)


def animate(armature: Any, action_id: int | None = None, *,
            action_ids: Sequence[int] | None = None,
            progress: ProgressCallback | None = None, timeout: float | None = None,
            import_format: str | None = None, label: str | None = None,
            job_key: str | None = None, accept_unpublished_price: bool = False,
            **options: Any) -> Result:
    """Add a Meshy library animation to a Meshy-rigged armature as a new action (NLA track).

    ``action_ids=[...]`` asks for several actions in ONE Meshy task (one action per clip, in
    that order, each on its own NLA track); Meshy publishes no price for that, so it needs
    ``accept_unpublished_price=True``. ``armature=None`` with ``rig_task_id=...`` first imports
    that rig (no charge) and animates it. Options: ``post_process={"operation_type":
    "change_fps", "fps": 30}``.
    """
    if (action_id is None) == (action_ids is None):
        raise errors.ValidationError("animate takes one action id or action_ids=[...], not "
                                     "both and not neither.", field="action_ids")
    chosen = {"action_id": action_id} if action_ids is None else {
        "action_ids": list(action_ids)}
    money_gate.require_published("animate", {"rig_task_id": PLACEHOLDER_TASK_ID, **chosen,
                                             **options}, accept_unpublished_price)
    from ..blender.scene import selection

    rt = runtime()
    if armature is None:
        rig_task = options.pop("rig_task_id", None)
        if not rig_task:
            raise errors.ValidationError("animate needs a Meshy-rigged armature or "
                                         "rig_task_id=...", field="rig_task_id")
        armature = resume(str(rig_task), "rig", progress=progress, timeout=timeout,
                          import_format=import_format).armature
    target = checked_armature(armature)
    rig_task = options.pop("rig_task_id", None) or selection.rig_task_id(target)
    if not rig_task:
        raise errors.ValidationError(
            f"'{target.name}' was not rigged by Meshy (no rig task id in its meshy_task_ids); "
            "rig it with rig() first or pass rig_task_id=...", field="rig_task_id")
    result = run("animate", {"rig_task_id": rig_task, **chosen, **options},
                 progress=progress, timeout=timeout, import_format=import_format,
                 placement=None, label=label or target.name, target_armature=target.name,
                 job_key=job_key, rt=rt)
    result.armature = result.armature or target
    return result


def from_model(request: str, obj: Any, options: dict[str, Any], **kw: Any) -> Result:
    """Run ``request`` on a model: a Blender object (its Meshy task id, else an upload), a
    file path/URL, or ``obj=None`` with ``input_task_id``/``model_url`` in ``options``."""
    from ..blender.scene import selection

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
        task = selection.model_task_id(obj)
        if task:
            options["input_task_id"] = task
        else:
            options["model_url"] = _upload(obj, request)
        if kw.get("label") is None:
            kw["label"] = obj.name
    if kw.get("placement") and str(kw["placement"]).upper() == "REPLACE" and source is None:
        raise errors.ValidationError("placement='REPLACE' needs a Blender object to replace.",
                                     field="placement")
    return run(request, options, source=source, **kw)


def _upload(obj: Any, request: str) -> str:
    """Export a non-Meshy mesh for upload, in the object's own space, so a result placed with
    ``placement="REPLACE"`` (the source's transform) lands exactly where the original is."""
    import bpy

    from ..blender.core.uploads import export_for_upload

    if obj.type != "MESH":
        raise errors.ValidationError(f"'{obj.name}' is a {obj.type.lower()}, not a mesh: "
                                     f"{request} needs a mesh or a Meshy object.", field="obj")
    return export_for_upload(bpy.context, [obj], runtime().settings, request=request,
                             local_space=True)
