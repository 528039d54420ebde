"""Shape first: texture a shape Meshy already made, in place, without paying for it again.

Meshy's text to 3D is two stages so an artist can judge the geometry before paying for texture.
An untextured preview lands on its own (Generate with Texture off); "Texture It" then sends one
``text-to-3d-refine`` task with its ``preview_task_id`` and the Generate panel's texturing
options, and the textured result replaces the shape (same transform, one undo step).
"""

from __future__ import annotations

from typing import Any

import bpy

from ...jobs.plans import PLACEHOLDER_TASK_ID
from ...jobs.request import JobRequest
from ..scene import selection
from ..scene.naming import safe_name
from . import config, sidebar_requests
from .uploads import upload_dir


def shape_preview_id(obj: Any) -> str | None:
    """The preview task id of an untextured Meshy shape (the object or its Meshy root) that
    "Texture It" can refine; None for anything else (already textured, not Meshy's, or a shape
    Meshy cannot refine, e.g. an untextured image to 3D: Retexture applies there)."""
    root = selection.meshy_root(obj) if obj is not None else None
    if root is None or not root.get("meshy_untextured") or root.get("meshy_intermediate"):
        return None  # a running chain's stand-in is textured by that chain already
    ids = selection.task_ids(root)
    if "preview" not in ids or selection.model_task_id(root) != ids["preview"]:
        return None
    return ids["preview"]


def texture_shape(s: Any, settings: config.Settings, preview_task_id: str | None,
                  source_object: str | None, *, prompt: str = "",
                  estimate: bool = False) -> JobRequest:
    """The "Texture It" request: one refine task of ``preview_task_id`` (a placeholder while
    estimating) replacing ``source_object`` in place."""
    fmt = sidebar_requests.import_format(s, settings)
    opts: dict[str, Any] = {"preview_task_id": preview_task_id or PLACEHOLDER_TASK_ID,
                            "ai_model": s.ai_model,
                            "target_formats": sidebar_requests.requested_formats(
                                s.target_formats, fmt)}
    opts.update(sidebar_requests.texture_options(s, estimate, upload_dir(settings),
                                                 textured=True))
    if s.moderation:
        opts["moderation"] = True
    placement = "REPLACE" if source_object else None
    return JobRequest("text-to-3d", opts, safe_name(prompt or source_object or "textured shape"),
                      settings.import_options(format=fmt, placement=placement,
                                              source_object=source_object or ""))


def shape_of_job(job_id: str) -> Any:
    """The untextured shape a finished job put in this file (its Tasks row offers Texture It),
    else None."""
    for obj in bpy.data.objects:
        if obj.get("meshy_job_id") == job_id and obj.visible_get() and shape_preview_id(obj):
            return obj
    return None
