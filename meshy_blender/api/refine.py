"""Shape first from scripts: texture a shape Meshy made earlier, without paying for it again.

``api.refine(preview)`` sends one ``text-to-3d-refine`` step with the shape's
``preview_task_id``: on Meshy API v2 one retexture of that task (client/request_body.py);
given the shape's object, the textured model replaces it in place (same transform; the shape
is then removed from the file unless ``keep_shape=True`` keeps it hidden), as "Texture It"
does in the sidebar.
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
           keep_shape: bool = False, **options: Any) -> Result:
    """Texture ``preview`` (its object, its Result or its task id) with the refine options
    (``enable_pbr``, ``texture_prompt``, ``texture_image_url``, ``ai_model`` ...). With an
    object or Result the textured model replaces the shape unless ``placement`` says
    otherwise, and the shape leaves the file (``keep_shape``: kept hidden, not an asset); with a
    bare id it lands like any result. ``job_key``: a rerun never pays twice.
    """
    task_id, root = preview_task_id(preview)
    if root is not None and keep_shape:
        from ..blender.scene.import_job import KEEP_SHAPE
        root[KEEP_SHAPE] = True
    if root is not None and placement is None:
        placement = "REPLACE"
    prompt = str(root.get("meshy_prompt", "")) if root is not None else ""
    return run("text-to-3d", {"preview_task_id": task_id, **options}, progress=progress,
               timeout=timeout, import_format=import_format, placement=placement,
               label=label or prompt or None,
               source=root if placement == "REPLACE" else None, mark_asset=mark_asset,
               job_key=job_key)
