"""Request validation per endpoint, as documented (seeds 000/003/004 and the API notes).

Each `validate_*` returns a `Plan` (see :mod:`fields`); everything that is wrong raises
`ApiError` with the documented status. Motion, UV unwrap, 3D print, several-animation and
generation-option checks live in :mod:`tool_validation`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import tool_validation
from .accounts import IMAGE_MODELS
from .errors import ApiError
from .fields import (
    Context,
    Plan,
    _bool,
    _echo,
    _formats,
    _image_list,
    _int,
    _model_source,
    _number,
    _str,
    bad,
    image_bytes,
)
from .models import ModelInput

MAX_PROMPT = 600
MAX_RIG_FACES = 320_000
BIPED_RATIO = 1.2
QUADRUPED_RATIO = 1.5  # body length over width
QUADRUPED_MIN_HEIGHT = 0.25  # height over length: lower is a plate, not an animal
AI_MODELS = ("meshy-5", "meshy-6", "meshy-6-lite", "meshy-7.1", "latest")
MESH_FORMATS = ("glb", "obj", "fbx", "stl", "usdz", "3mf")
REMESH_FORMATS = ("glb", "fbx", "obj", "usdz", "blend", "stl", "3mf")
CONVERT_FORMATS = (*MESH_FORMATS, "blend")


def _common_mesh(body: dict[str, Any], *, models: tuple[str, ...] = AI_MODELS) -> None:
    model = body.get("ai_model")
    if model is not None and model not in models:  # Meshy's answer names it in the code
        raise ApiError(400, f"Invalid parameter ai_model: must be one of "
                            f"{', '.join(map(repr, models))}", code=f"InvalidModel:{model}")
    _str(body, "ai_model", choices=models)
    _str(body, "model_type", choices=("standard", "lowpoly", "smart-topology"))
    tool_validation.generation_options(body)
    _str(body, "topology", choices=("quad", "triangle"))
    _int(body, "target_polycount", 100, 300_000)
    _int(body, "decimation_mode", 1, 4)
    _str(body, "symmetry_mode", choices=("off", "auto", "on"))
    _str(body, "pose_mode", choices=("a-pose", "t-pose", ""))
    _str(body, "origin_at", choices=("bottom", "center"))
    for name in ("should_remesh", "enable_pbr", "moderation", "auto_size", "remove_lighting",
                 "should_texture", "save_pre_remeshed_model", "image_enhancement",
                 "is_a_t_pose"):
        _bool(body, name)


_MESH_ECHO = ("ai_model", "model_type", "topology", "target_polycount", "should_remesh",
              "symmetry_mode", "pose_mode", "enable_pbr", "target_formats", "art_style",
              "negative_prompt", "texture_prompt", "texture_image_url", "should_texture",
              "moderation", "auto_size", "origin_at", "decimation_mode", "remove_lighting",
              "ultra_mode", "texture_resolution", "alpha_thumbnail", "multi_view_thumbnails",
              "input_task_id")


# -- endpoints ---------------------------------------------------------------------------------
def validate_text_to_3d(ctx: Context, body: dict[str, Any]) -> Plan:
    mode = _str(body, "mode", required=True, choices=("preview", "refine"))
    if mode == "preview":
        _str(body, "prompt", required=True, max_len=MAX_PROMPT)
        _str(body, "art_style", choices=("realistic", "sculpture"))
        _str(body, "negative_prompt")
        _common_mesh(body)
        formats = _formats(body, MESH_FORMATS)
        params = {"prompt": body["prompt"], "art_style": body.get("art_style", "realistic"),
                  **_echo(body, _MESH_ECHO)}
        return Plan("text-to-3d-preview", params, body,
                    lambda b, _tid: b.thumbnails(b.generated(textured=False, pbr=False,
                                                             formats=formats), body))
    preview_id = _str(body, "preview_task_id", required=True)
    _str(body, "texture_prompt", max_len=MAX_PROMPT)
    if body.get("texture_image_url") is not None:
        image_bytes(ctx, body["texture_image_url"], "texture_image_url")
    _common_mesh(body)
    formats = _formats(body, MESH_FORMATS)
    preview = ctx.find_task(preview_id or "")
    if preview is None:
        raise ApiError(404, f"Preview task {preview_id} not found")
    if preview.kind != "text-to-3d-preview":
        raise bad("Invalid parameter preview_task_id: not a preview task")
    if ctx.task_status(preview) != "SUCCEEDED":
        raise bad("Invalid parameter preview_task_id: the preview task has not succeeded yet")
    pbr = bool(body.get("enable_pbr"))
    params = {"prompt": preview.params.get("prompt", ""),
              "art_style": preview.params.get("art_style", "realistic"),
              "preview_task_id": preview_id, "texture_prompt": body.get("texture_prompt", ""),
              **_echo(body, _MESH_ECHO)}
    return Plan("text-to-3d-refine", params, body,
                lambda b, _tid: b.thumbnails(b.generated(textured=True, pbr=pbr,
                                                         formats=formats), body))


def validate_image_to_3d(ctx: Context, body: dict[str, Any], *, multi: bool = False) -> Plan:
    if tool_validation.image_task(ctx, body):
        if body.get("image_url" if not multi else "image_urls") is not None:
            raise bad("Invalid parameter input_task_id: cannot be combined with image_url(s)")
    elif multi:
        _image_list(ctx, body, "image_urls", 1, 4)
    else:
        if body.get("image_url") is None:
            raise bad("Missing required parameter: image_url or input_task_id")
        image_bytes(ctx, body["image_url"], "image_url")
    _str(body, "texture_prompt", max_len=MAX_PROMPT)
    if body.get("texture_image_url") is not None:
        image_bytes(ctx, body["texture_image_url"], "texture_image_url")
    _common_mesh(body, models=tool_validation.IMAGE_AI_MODELS)
    formats = _formats(body, MESH_FORMATS)
    textured = body.get("should_texture", True) is not False
    pbr = bool(body.get("enable_pbr"))
    pre = bool(body.get("save_pre_remeshed_model"))
    params = _echo(body, _MESH_ECHO)
    params.setdefault("texture_prompt", "")
    kind = "multi-image-to-3d" if multi else "image-to-3d"
    return Plan(kind, params, body,
                lambda b, _tid: b.thumbnails(b.generated(textured=textured, pbr=pbr,
                                                         formats=formats, pre_remeshed=pre),
                                             body))


def validate_retexture(ctx: Context, body: dict[str, Any]) -> Plan:
    source = _model_source(ctx, body)
    style = _str(body, "text_style_prompt", max_len=MAX_PROMPT)
    views = tool_validation.multiview_retexture(ctx, body)
    if body.get("image_style_url") is not None:
        image_bytes(ctx, body["image_style_url"], "image_style_url")
    elif not style and not views:
        raise bad("Missing required parameter: text_style_prompt or image_style_url")
    _str(body, "ai_model", choices=tool_validation.IMAGE_AI_MODELS)
    _str(body, "texture_resolution", choices=("2k", "4k", "8k"))
    for name in ("enable_original_uv", "enable_pbr", "remove_lighting", "moderation",
                 "hd_texture", "alpha_thumbnail", "multi_view_thumbnails"):
        _bool(body, name)
    formats = _formats(body, MESH_FORMATS)
    variant = "textured_pbr" if body.get("enable_pbr") else "textured"
    params = _echo(body, ("input_task_id", "text_style_prompt", "ai_model", "enable_pbr",
                          "enable_original_uv", "target_formats"))
    return Plan("retexture", params, body,
                lambda b, tid: b.thumbnails(b.from_input(
                    tid, source, kind="retexture", formats=formats, texture=variant,
                    default_formats=DEFAULT_MESH), body))


DEFAULT_MESH = ("glb", "fbx", "obj", "usdz", "stl")


def validate_remesh(ctx: Context, body: dict[str, Any]) -> Plan:
    source = _model_source(ctx, body)
    formats = _formats(body, REMESH_FORMATS)
    _str(body, "topology", choices=("quad", "triangle"))
    polycount = _int(body, "target_polycount", 100, 300_000)
    _number(body, "resize_height")
    _str(body, "origin_at", choices=("bottom", "center", ""))
    _bool(body, "convert_format_only")
    _bool(body, "auto_size")
    params = _echo(body, ("input_task_id", "target_formats", "topology", "target_polycount",
                          "resize_height", "origin_at", "convert_format_only", "auto_size"))
    extra = {"target_polycount": polycount or 30_000, "topology": body.get("topology", "triangle")}
    return Plan("remesh", params, body,
                lambda b, tid: b.from_input(tid, source, kind="remesh", formats=formats,
                                            all_formats=REMESH_FORMATS, extra=extra))


def validate_convert(ctx: Context, body: dict[str, Any]) -> Plan:
    source = _model_source(ctx, body)
    formats = _formats(body, CONVERT_FORMATS, required=True)
    params = _echo(body, ("input_task_id", "target_formats"))
    return Plan("convert", params, body,
                lambda b, tid: b.from_input(tid, source, kind="convert", formats=formats,
                                            all_formats=CONVERT_FORMATS))


def validate_resize(ctx: Context, body: dict[str, Any]) -> Plan:
    source = _model_source(ctx, body)
    height = _number(body, "resize_height")
    longest = _number(body, "resize_longest_side")
    auto = _bool(body, "auto_size")
    _str(body, "origin_at", choices=("bottom", "center"))
    if not (height or longest or auto):
        raise bad("Missing required parameter: resize_height, resize_longest_side or auto_size")
    params = _echo(body, ("input_task_id", "resize_height", "resize_longest_side", "auto_size",
                          "origin_at"))
    extra = {k: v for k, v in params.items() if k != "input_task_id"}
    return Plan("resize", params, body,
                lambda b, tid: b.from_input(tid, source, kind="resize", formats=None,
                                            extra=extra))


def validate_rigging(ctx: Context, body: dict[str, Any]) -> Plan:
    source = _model_source(ctx, body, glb_only=True)
    height = _number(body, "height_meters")
    if height is not None and height <= 0:
        raise bad("Invalid parameter height_meters: must be positive")
    if body.get("texture_image_url") is not None:
        image_bytes(ctx, body["texture_image_url"], "texture_image_url")
    if source.glb is None:
        raise bad("Invalid model file: expected a GLB file")
    if (source.faces or 0) > MAX_RIG_FACES:
        raise bad(f"The model has {source.faces:,} faces; rigging supports at most "
                  f"{MAX_RIG_FACES:,}. Remesh it to fewer faces first.")
    if source.glb.bounds() is None:
        raise ApiError(422, "Pose estimation failed: the model has no geometry.")
    rig_type = rig_type_of(source)
    if rig_type is None:
        raise ApiError(422, "Pose estimation failed: the model does not look like a standing "
                            "humanoid (biped) or a four-legged animal (quadruped). Rigging "
                            "works best on bipeds in an A/T pose.")
    params = _echo(body, ("input_task_id", "height_meters"))
    return Plan("rig", params, body,
                lambda b, tid: b.rig(tid, source, height or 1.7, rig_type))


def rig_type_of(source: ModelInput) -> str | None:
    """What Meshy would rig the model as, judged by its bounds (Y up): taller than wide by
    BIPED_RATIO is a biped, longer than deep by QUADRUPED_RATIO (and not flat) a quadruped;
    anything else (a box, a plate) cannot be rigged. Meshy picks the rig type itself: no
    request field chooses it (docs/meshy-api-v2.md A12)."""
    bounds = source.glb.bounds() if source.glb is not None else None
    if bounds is None or (source.faces or 0) > MAX_RIG_FACES:
        return None
    lo, hi = bounds
    tall = hi[1] - lo[1]
    long_side, short_side = sorted((hi[0] - lo[0], hi[2] - lo[2]), reverse=True)
    if tall >= BIPED_RATIO * long_side:
        return "biped"
    if long_side >= QUADRUPED_RATIO * short_side and tall >= QUADRUPED_MIN_HEIGHT * long_side:
        return "quadruped"
    return None


def validate_text_to_image(ctx: Context, body: dict[str, Any], *, reference: bool = False) -> Plan:
    _str(body, "ai_model", required=True, choices=IMAGE_MODELS)
    _str(body, "prompt", required=True, max_len=MAX_PROMPT)
    multi = _bool(body, "generate_multi_view")
    _str(body, "pose_mode", choices=("a-pose", "t-pose", ""))
    if _str(body, "aspect_ratio", choices=("1:1", "16:9", "9:16", "4:3", "3:4")) and multi:
        raise bad("generate_multi_view cannot be used with aspect_ratio")
    if reference:
        _image_list(ctx, body, "reference_image_urls", 1, 5)
    params = _echo(body, ("ai_model", "prompt", "generate_multi_view", "pose_mode",
                          "aspect_ratio"))
    count = 3 if multi else 1
    return Plan("image-to-image" if reference else "text-to-image", params, body,
                lambda b, _tid: b.images(count))


VALIDATORS: dict[str, Callable[[Context, dict[str, Any]], Plan]] = {
    "text-to-3d": validate_text_to_3d,
    "image-to-3d": validate_image_to_3d,
    "multi-image-to-3d": lambda c, b: validate_image_to_3d(c, b, multi=True),
    "retexture": validate_retexture,
    "remesh": validate_remesh,
    "rigging": validate_rigging,
    "animations": tool_validation.validate_animation,
    "text-to-motion": tool_validation.validate_text_to_motion,
    "uv-unwrap": tool_validation.validate_uv_unwrap,
    "print/analyze": lambda c, b: tool_validation.validate_print("print-analyze", c, b),
    "print/repair": lambda c, b: tool_validation.validate_print("print-repair", c, b),
    "print/multi-color": lambda c, b: tool_validation.validate_print("print-multi-color", c, b),
    "text-to-image": validate_text_to_image,
    "image-to-image": lambda c, b: validate_text_to_image(c, b, reference=True),
    "convert": validate_convert,
    "resize": validate_resize,
}
