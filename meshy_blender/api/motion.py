"""Text to motion (a prompt and a duration make a motion) applied to a Meshy rig as an action,
or imported on its own (BVH for ``mode="swift"``, FBX for ``"prime"``); and UV unwrap of a
mesh, alone or chained into a retexture that keeps the new UVs."""

from __future__ import annotations

from typing import Any

from ..client import errors, specs
from ..jobs import money_gate
from .generate import run
from .models import from_model
from .results import ProgressCallback, Result
from .tasks import checked_armature


def text_to_motion(prompt: str, *, armature: Any = None, progress: ProgressCallback | None = None,
                   timeout: float | None = None, label: str | None = None,
                   job_key: str | None = None, accept_unpublished_price: bool = False,
                   **options: Any) -> Result:
    """A motion from a prompt (``mode`` ``"swift"``/``"prime"``, ``duration`` 2-10 s). With a
    Meshy-rigged ``armature`` (or ``apply_to_rig=RIG_TASK_ID`` with ``armature``) the motion is
    applied to the rig and lands as an action on it; Meshy publishes no price for that step,
    hence ``accept_unpublished_price``. Without, the motion file is imported on its own."""
    from ..blender.scene import selection

    options = {"prompt": prompt, **options}
    target = ""
    if armature is not None:
        rig = checked_armature(armature)
        rig_task = options.get("apply_to_rig") or selection.rig_task_id(rig)
        if not rig_task:
            raise errors.ValidationError(
                f"'{rig.name}' was not rigged by Meshy, so a motion cannot be applied to it; "
                "rig it first or pass apply_to_rig=RIG_TASK_ID.", field="apply_to_rig")
        options["apply_to_rig"] = rig_task
        target = rig.name
    elif options.get("apply_to_rig"):
        raise errors.ValidationError("apply_to_rig needs the armature the motion lands on: "
                                     "text_to_motion(prompt, armature=obj, ...).",
                                     field="armature")
    money_gate.require_published("text-to-motion", options, accept_unpublished_price)
    return run("text-to-motion", options, progress=progress, timeout=timeout,
               import_format=None, placement=None, label=label or prompt,
               target_armature=target, job_key=job_key)


def uv_unwrap(obj: Any = None, *, progress: ProgressCallback | None = None,
              timeout: float | None = None, placement: str | None = None,
              label: str | None = None, job_key: str | None = None,
              accept_unpublished_price: bool = False, **options: Any) -> Result:
    """New UVs for a mesh (at most 40,000 faces, checked before anything is exported or
    paid). ``retexture={...}`` chains a retexture that keeps them; ``placement="REPLACE"``
    puts the result where ``obj`` was."""
    if obj is not None and hasattr(obj, "type") and obj.type == "MESH":
        import bpy

        from ..blender.scene.export import count_faces

        specs.check_face_limit("uv-unwrap", count_faces(bpy.context, [obj], True))
    money_gate.require_published_for_model("uv-unwrap", options, accept_unpublished_price)
    return from_model("uv-unwrap", obj, options, progress=progress, timeout=timeout,
                      import_format=None, placement=placement, label=label, job_key=job_key)
