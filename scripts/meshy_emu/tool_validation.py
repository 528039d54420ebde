"""Validation of Meshy's model-tool endpoints and the generation options (API notes).

Text-to-motion, UV unwrap, 3D print analyze / repair / multi-colour, animations with several
actions or a text-to-motion, and the generation options (Meshy-7, ultra mode, smart
topology, texture resolution, alpha and multi-view thumbnails, image-to-3D from an image task).
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError
from .fields import Context, Plan, _bool, _image_list, _int, _model_source, _number, _str, bad
from .models import ModelInput

MAX_MOTION_PROMPT = 400
UV_MAX_FACES = 40_000
IMAGE_AI_MODELS = ("meshy-5", "meshy-6", "meshy-6-lite", "meshy-7", "meshy-7.1", "latest")
SMART_TOPOLOGY = (100, 15_000)
IMAGE_TASK_KINDS = ("text-to-image", "image-to-image")

def generation_options(body: dict[str, Any]) -> None:
    """Meshy-7-only switches, smart topology's own polycount range, texture resolution and
    thumbnail switches, wherever a generating endpoint accepts them."""
    ultra = _bool(body, "ultra_mode")
    if ultra and body.get("ai_model") not in (None, "meshy-7", "latest"):
        raise bad("Invalid parameter ultra_mode: only available with ai_model meshy-7")
    if body.get("model_type") == "smart-topology" and body.get("target_polycount") is not None:
        _int(body, "target_polycount", *SMART_TOPOLOGY)
    _str(body, "texture_resolution", choices=("2k", "4k", "8k"))
    for name in ("hd_texture", "alpha_thumbnail", "multi_view_thumbnails"):
        _bool(body, name)

def image_task(ctx: Context, body: dict[str, Any]) -> bool:
    """True when the images come from a succeeded text-to-image / image-to-image task."""
    task_id = body.get("input_task_id")
    if task_id is None:
        return False
    if not isinstance(task_id, str) or not task_id:
        raise bad("Invalid parameter input_task_id")
    task = ctx.find_task(task_id)
    if task is None or task.kind not in IMAGE_TASK_KINDS:
        raise bad(f"Invalid parameter input_task_id: no text-to-image or image-to-image task "
                  f"{task_id}")
    if ctx.task_status(task) != "SUCCEEDED":
        raise bad("Invalid parameter input_task_id: the image task has not succeeded")
    return True

def multiview_retexture(ctx: Context, body: dict[str, Any]) -> bool:
    """Multi-view retexture: 1-4 views of the model, accepted only with Meshy-7 (live: 400)."""

    if body.get("multiview_image_urls") is None:
        return False
    if body.get("ai_model") != "meshy-7":
        raise bad("Invalid parameter multiview_image_urls: requires ai_model meshy-7")
    _image_list(ctx, body, "multiview_image_urls", 1, 4)
    return True

def validate_text_to_motion(ctx: Context, body: dict[str, Any]) -> Plan:
    _str(body, "prompt", required=True, max_len=MAX_MOTION_PROMPT)
    mode = _str(body, "mode", choices=("prime", "swift")) or "prime"
    duration = _number(body, "duration")
    if duration is not None and (not 2 <= duration <= 10 or duration * 2 != int(duration * 2)):
        raise bad("Invalid parameter duration: must be 2 to 10 seconds in 0.5 s steps")
    params = {"prompt": body["prompt"], "mode": mode, "duration": duration or 4.0}
    return Plan("text-to-motion", params, body, lambda b, tid: b.motion(mode))

def validate_uv_unwrap(ctx: Context, body: dict[str, Any]) -> Plan:
    source = _model_source(ctx, body, glb_only=True)
    if (source.faces or 0) > UV_MAX_FACES:
        raise ApiError(400, f"The model has {source.faces:,} faces; UV unwrap supports at most "
                            f"{UV_MAX_FACES:,} faces.", code="LimitExceeded")
    params = {k: body[k] for k in ("input_task_id",) if k in body}
    return Plan("uv-unwrap", params, body, lambda b, tid: b.unwrapped(tid, source))

def _print_source(ctx: Context, body: dict[str, Any]) -> tuple[ModelInput, bool]:
    """The model to print, and whether it already is a print-repair result."""
    source = _model_source(ctx, body)
    task = ctx.find_task(body["input_task_id"]) if body.get("input_task_id") else None
    return source, task is not None and task.kind == "print-repair"

def validate_print(kind: str, ctx: Context, body: dict[str, Any]) -> Plan:
    source, repaired = _print_source(ctx, body)
    params = {k: body[k] for k in ("input_task_id",) if k in body}
    if kind == "print-analyze":
        return Plan(kind, params, body, lambda b, tid: b.print_report(repaired))
    if kind == "print-repair":
        return Plan(kind, params, body, lambda b, tid: b.repaired(tid, source))
    colours = _int(body, "max_colors", 1, 16)
    depth = _int(body, "max_depth", 3, 6)
    params.update({"max_colors": colours or 4, "max_depth": depth or 4})
    return Plan(kind, params, body, lambda b, tid: b.multicolor())

def validate_animation(ctx: Context, body: dict[str, Any]) -> Plan:
    """Exactly one of `action_id`, `action_ids` (one file, one clip each) or `motion_task_id`;
    action ids can be negative or zero."""
    rig_id = _str(body, "rig_task_id", required=True)
    given = [k for k in ("action_id", "action_ids", "motion_task_id") if body.get(k) is not None]
    if len(given) != 1:
        raise bad("Exactly one of action_id, action_ids or motion_task_id is required")
    post = body.get("post_process")
    if post is not None:
        if not isinstance(post, dict):
            raise bad("Invalid parameter post_process: must be an object")
        op = _str(post, "operation_type", required=True,
                  choices=("change_fps", "fbx2usdz", "extract_armature"))
        if op == "change_fps" and post.get("fps") not in (24, 25, 30, 60):
            raise bad("Invalid parameter post_process.fps: must be 24, 25, 30 or 60")
    rig = ctx.find_task(rig_id or "")
    if rig is None or rig.kind != "rig":
        raise ApiError(404, f"Rig task {rig_id} not found")
    if ctx.task_status(rig) != "SUCCEEDED":
        raise bad("Invalid parameter rig_task_id: the rigging task has not succeeded")
    params = {k: body[k] for k in ("rig_task_id", *given, "post_process") if k in body}
    if given[0] == "motion_task_id":
        motion = ctx.find_task(str(body["motion_task_id"]))
        if motion is None or motion.kind != "text-to-motion":
            raise bad(f"Invalid parameter motion_task_id: no text-to-motion task "
                      f"{body['motion_task_id']}")
        if ctx.task_status(motion) != "SUCCEEDED":
            raise bad("Invalid parameter motion_task_id: the motion task has not succeeded")
        return Plan("animate", params, body, lambda b, tid: b.applied_motion(tid, post))
    ids = _action_ids(ctx, body, given[0])
    library = ctx.library_ids()
    names = [library[i] for i in ids]
    if given[0] == "action_id":
        return Plan("animate", params, body,
                    lambda b, tid: b.animation(tid, ids[0], names[0], post))
    return Plan("animate", params, body, lambda b, tid: b.animations(tid, names, post))

def _action_ids(ctx: Context, body: dict[str, Any], name: str) -> list[int]:
    raw = body[name]
    values = raw if name == "action_ids" else [raw]
    if name == "action_ids" and (not isinstance(raw, list) or not raw):
        raise bad("Invalid parameter action_ids: must be a non-empty array of integers")
    library = ctx.library_ids()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(f"Invalid parameter {name}: must be an integer")
        if value not in library:
            raise bad(f"Invalid parameter {name}: unknown action {value}")
    return list(values)
