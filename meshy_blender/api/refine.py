"""Shape first from scripts: texture a shape Meshy made earlier, without paying for it again.

``api.refine(preview)`` sends one ``text-to-3d-refine`` step with the shape's
``preview_task_id``: on Meshy API v2 one retexture of that task (client/request_body.py);
given the shape's object, the textured model replaces it in place (same transform; the shape
is then removed from the file unless ``keep_shape=True`` keeps it hidden), as "Texture It"
does in the sidebar; ``discard_others=True`` also removes the shape's other candidates and
deletes them on Meshy, as *Delete the Other Candidates* does, so one prop leaves one asset.
"""

from __future__ import annotations

from typing import Any

from ..client import errors
from .generate import run
from .results import ProgressCallback, Result


def preview_task_id(preview: Any) -> tuple[str, Any]:
    """(preview task id, the shape's root object or None) of an object, a Result or an id."""
    if isinstance(preview, str):
        return preview, None
    if isinstance(preview, Result):
        found = preview.task_ids.get("preview")
        root = preview.root_objects[0] if preview.root_objects else None
        if found:
            return found, root
        raise errors.ValidationError("This result has no untextured shape to texture (it has "
                                     "no preview task).", field="preview_task_id")
    from ..blender.scene import selection

    root = selection.meshy_root(preview)
    found = selection.task_ids(root).get("preview") if root is not None else None
    if not found:
        name = getattr(preview, "name", repr(preview))
        raise errors.ValidationError(f"'{name}' is not a Meshy text to 3D shape, so there is "
                                     "nothing to refine.", field="preview_task_id")
    return found, root


def refine(preview: Any, *, progress: ProgressCallback | None = None,
           timeout: float | None = None, import_format: str | None = None,
           placement: str | None = None, label: str | None = None,
           mark_asset: bool | None = None, job_key: str | None = None,
           keep_shape: bool = False, discard_others: bool = False,
           **options: Any) -> Result:
    """Texture ``preview`` (its object, its Result or its task id) with the refine options
    (``enable_pbr``, ``texture_prompt``, ``texture_image_url``, ``ai_model`` ...). With an
    object or Result the textured model replaces the shape unless ``placement`` says
    otherwise, and the shape leaves the file (``keep_shape``: kept hidden, not an asset); with a
    bare id it lands like any result. ``job_key``: a rerun never pays twice.
    ``discard_others``: once the textured model landed, the shape's other candidates leave the
    file too (``keep_shape``: kept hidden, not assets) and are deleted on Meshy.
    """
    task_id, root = preview_task_id(preview)
    if root is not None and keep_shape:
        from ..blender.scene.import_job import KEEP_SHAPE
        root[KEEP_SHAPE] = True
    if root is not None and placement is None:
        placement = "REPLACE"
    prompt = str(root.get("meshy_prompt", "")) if root is not None else ""
    others = _other_candidates(root) if discard_others else []
    result = run("text-to-3d", {"preview_task_id": task_id, **options}, progress=progress,
                 timeout=timeout, import_format=import_format, placement=placement,
                 label=label or prompt or None,
                 source=root if placement == "REPLACE" else None, mark_asset=mark_asset,
                 job_key=job_key)
    if others:
        _discard(others, keep=keep_shape)
    return result


def _other_candidates(root: Any) -> list[str]:
    """The names of ``root``'s other candidates in the file (taken before it is replaced)."""
    if root is None:
        return []
    import bpy

    from ..blender.scene import candidates

    return [o.name for o in candidates.others(root, bpy.data.objects)]


def _discard(names: list[str], *, keep: bool) -> None:
    """The sidebar's *Delete the Other Candidates*, waited for: the shapes leave the file (or
    stay hidden, not assets) and are deleted on Meshy; a failed deletion is raised."""
    import bpy

    from ..blender.core import calls, candidates
    from .session import runtime

    shapes = [bpy.data.objects[n] for n in names if n in bpy.data.objects]
    if not shapes:
        return
    settings = runtime().settings
    calls.CALLS.wait(candidates.DISCARD_CALL)  # an earlier deletion still running finishes
    calls.CALLS.outcomes.pop(candidates.DISCARD_CALL, None)  # only this one's outcome counts
    candidates.discard(bpy.context, shapes, settings, keep=keep)
    outcome = calls.CALLS.wait(candidates.DISCARD_CALL, timeout=60.0)
    if outcome is not None and outcome.error:
        raise errors.MeshyError(f"The other candidates left the file, but Meshy did not "
                                f"delete them: {outcome.error}")
