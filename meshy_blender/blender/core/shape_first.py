"""Shape first: texture a shape Meshy already made, in place, without paying for it again.

An artist can judge the geometry before paying for texture: an untextured shape lands on its own
(Generate with Texture off); "Texture It" then sends one ``text-to-3d-refine`` step with its
``preview_task_id`` (on Meshy API v2 one retexture of that task; an untextured image to 3D: one
``retexture`` of it) with the Generate panel's texturing options, and the textured result
replaces the shape (same transform, one undo step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

from ..scene import selection
from . import config

if TYPE_CHECKING:  # the request builders load when a request is built, not at the first draw
    from ...jobs.request import JobRequest

# Steps whose untextured model "Texture It" can texture: a text preview is refined (Meshy's own
# second stage); an image to 3D made without texture is retextured with the same options.
SHAPE_STEPS = ("preview", "image-to-3d", "multi-image-to-3d")


def shape_task(obj: Any) -> tuple[str, str] | None:
    """(step name, task id) of an untextured Meshy shape (the object or its Meshy root) that
    "Texture It" applies to; None for anything else (textured, not Meshy's, a stand-in)."""
    root = selection.meshy_root(obj) if obj is not None else None
    if root is None or not root.get("meshy_untextured") or root.get("meshy_intermediate"):
        return None  # a running chain's stand-in is textured by that chain already
    if selection.deleted_on_meshy(root):
        return None  # a discarded candidate (back after Ctrl-Z): Meshy no longer has it
    ids = selection.task_ids(root)
    newest = selection.model_task_id(root)
    for step in SHAPE_STEPS:
        if ids.get(step) and ids[step] == newest:
            return step, ids[step]
    return None


def shape_task_id(obj: Any) -> str | None:
    """The task id "Texture It" would texture for ``obj``, else None."""
    found = shape_task(obj)
    return found[1] if found else None


def texture_shape(s: Any, settings: config.Settings, task_id: str | None,
                  source_object: str | None, *, image: bool = False, prompt: str = "",
                  estimate: bool = False) -> JobRequest:
    """The "Texture It" request for the shape task ``task_id`` (a placeholder while
    estimating), replacing ``source_object`` in place: one refine task of a text preview, or
    (``image``) one retexture of an untextured image to 3D with the same texture options."""
    from ...jobs.request import PLACEHOLDER_TASK_ID, JobRequest
    from ..scene.naming import safe_name
    from . import sidebar_requests
    from .uploads import upload_dir

    fmt = sidebar_requests.import_format(s, settings)
    formats = sidebar_requests.requested_formats(s.target_formats, fmt)
    texture = sidebar_requests.texture_options(s, estimate, upload_dir(settings), textured=True)
    opts: dict[str, Any]
    if image:
        opts = {"input_task_id": task_id or PLACEHOLDER_TASK_ID, "target_formats": formats,
                "enable_pbr": texture["enable_pbr"],
                "remove_lighting": texture["remove_lighting"]}
        if "texture_prompt" in texture:
            opts["text_style_prompt"] = texture["texture_prompt"]
        if "texture_image_url" in texture:
            opts["image_style_url"] = texture["texture_image_url"]
        request = "retexture"
    else:
        opts = {"preview_task_id": task_id or PLACEHOLDER_TASK_ID, "ai_model": s.ai_model,
                "target_formats": formats, **texture}
        if s.moderation:
            opts["moderation"] = True
        request = "text-to-3d"
    placement = "REPLACE" if source_object else None
    return JobRequest(request, opts, safe_name(prompt or source_object or "textured shape"),
                      settings.import_options(format=fmt, placement=placement,
                                              source_object=source_object or ""))


def request_for(shape: Any, s: Any, settings: config.Settings, *,
                estimate: bool = False) -> JobRequest:
    """The "Texture It" request for a shape object (its Meshy root is replaced)."""
    step, task_id = shape_task(shape) or ("preview", None)
    root = selection.meshy_root(shape) if shape is not None else None
    return texture_shape(s, settings, task_id, root.name if root is not None else None,
                         image=step != "preview",
                         prompt=str(root.get("meshy_prompt", "")) if root is not None else "",
                         estimate=estimate)


def shapes_by_job() -> dict[str, Any]:
    """Job id -> the untextured shape that job put in this file (visible ones; their Tasks rows
    offer Texture It). One pass over the objects per panel draw, not one per row."""
    found: dict[str, Any] = {}
    for obj in bpy.data.objects:
        if obj.get("meshy_untextured") and obj.visible_get() and shape_task(obj):
            found.setdefault(str(obj.get("meshy_job_id")), obj)
    return found
