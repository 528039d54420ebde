"""Request validation per endpoint, as documented (seeds 000/003/004 and the API notes).

Each `validate_*` returns a `Plan`: the task kind, the fields echoed on the task object, the
parameters that decide the price, and a function that builds the outputs once the task exists.
Everything that is wrong raises `ApiError` with the documented status.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .accounts import IMAGE_MODELS
from .errors import ApiError
from .models import ModelInput, read_model
from .outputs import OutputBuilder, Outputs
from .tasks import Task

MAX_PROMPT = 600
MAX_RIG_FACES = 300_000
BIPED_RATIO = 1.2
AI_MODELS = ("meshy-5", "meshy-6", "latest")
MESH_FORMATS = ("glb", "obj", "fbx", "stl", "usdz", "3mf")
REMESH_FORMATS = ("glb", "fbx", "obj", "usdz", "blend", "stl")

Build = Callable[[OutputBuilder, str], Outputs]


@dataclass
class Plan:
    kind: str
    params: dict[str, Any]
    price_params: dict[str, Any] = field(default_factory=dict)
    build: Build | None = None


class Context(Protocol):
    """What validation needs from the server: the caller's tasks and the asset host."""

    def find_task(self, task_id: str) -> Task | None: ...
    def task_status(self, task: Task) -> str: ...
    def fetch_url(self, url: str) -> bytes | None: ...
    def library_ids(self) -> dict[int, str]: ...


def bad(message: str) -> ApiError:
    return ApiError(400, message)


# -- field checks ------------------------------------------------------------------------------
def _str(body: dict[str, Any], name: str, *, required: bool = False, max_len: int | None = None,
         choices: tuple[str, ...] | None = None) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise bad(f"Missing required parameter: {name}")
        return None
    if not isinstance(value, str):
        raise bad(f"Invalid parameter {name}: must be a string")
    if required and not value.strip():
        raise bad(f"Missing required parameter: {name}")
    if max_len is not None and len(value) > max_len:
        raise bad(f"Invalid parameter {name}: must be at most {max_len} characters")
    if choices is not None and value not in choices:
        raise bad(f"Invalid parameter {name}: must be one of {', '.join(map(repr, choices))}")
    return value


def _bool(body: dict[str, Any], name: str) -> bool | None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise bad(f"Invalid parameter {name}: must be a boolean")
    return value


def _int(body: dict[str, Any], name: str, lo: int, hi: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"Invalid parameter {name}: must be an integer")
    if not lo <= value <= hi:
        raise bad(f"Invalid parameter {name}: must be between {lo:,} and {hi:,}")
    return value


def _number(body: dict[str, Any], name: str, *, positive: bool = True) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(f"Invalid parameter {name}: must be a number")
    if positive and value < 0:
        raise bad(f"Invalid parameter {name}: must not be negative")
    return float(value)


def _formats(body: dict[str, Any], allowed: tuple[str, ...], *,
             required: bool = False) -> list[str] | None:
    value = body.get("target_formats")
    if value is None:
        if required:
            raise bad("Missing required parameter: target_formats")
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise bad("Invalid parameter target_formats: must be a non-empty array of strings")
    wrong = [v for v in value if v not in allowed]
    if wrong:
        raise bad(f"Invalid parameter target_formats: unsupported format {wrong[0]!r}")
    return list(value)


def _echo(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {n: body[n] for n in names if n in body}


_DATA_URI = re.compile(r"^data:([\w.+/-]*)(;[\w=.-]+)*;base64,(.*)$", re.S)


def _data_uri(value: str, name: str) -> bytes:
    match = _DATA_URI.match(value)
    if not match:
        raise bad(f"Invalid parameter {name}: data URIs must be base64-encoded")
    try:
        return base64.b64decode(match.group(3), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise bad(f"Invalid parameter {name}: invalid base64 data") from exc


def _fetch(ctx: Context, value: str, name: str) -> bytes:
    if value.startswith("data:"):
        return _data_uri(value, name)
    if not re.match(r"^https?://", value):
        raise bad(f"Invalid parameter {name}: must be a URL or a data URI")
    data = ctx.fetch_url(value)
    if data is None:
        raise bad(f"Invalid parameter {name}: the URL is unreachable: {value.split('?')[0]}")
    return data


def image_bytes(ctx: Context, value: Any, name: str) -> bytes:
    """A PNG or JPEG given as URL or data URI; the bytes decide, not the declared type."""
    if not isinstance(value, str) or not value:
        raise bad(f"Invalid parameter {name}: must be an image URL or data URI")
    data = _fetch(ctx, value, name)
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise bad(f"Invalid parameter {name}: unsupported image format (use .jpg, .jpeg or .png)")
    return data


def _image_list(ctx: Context, body: dict[str, Any], name: str, lo: int, hi: int) -> list[str]:
    value = body.get(name)
    if value is None:
        raise bad(f"Missing required parameter: {name}")
    if not isinstance(value, list) or not lo <= len(value) <= hi:
        raise bad(f"Invalid parameter {name}: must contain {lo} to {hi} images")
    for i, item in enumerate(value):
        image_bytes(ctx, item, f"{name}[{i}]")
    return list(value)


def _model_source(ctx: Context, body: dict[str, Any], *, glb_only: bool = False) -> ModelInput:
    """`input_task_id` (wins) or `model_url` (URL or data URI of GLB/FBX/OBJ/STL)."""
    task_id = body.get("input_task_id")
    if task_id is not None:
        if not isinstance(task_id, str) or not task_id:
            raise bad("Invalid parameter input_task_id")
        task = ctx.find_task(task_id)
        if task is None:
            raise bad(f"Invalid parameter input_task_id: task {task_id} not found")
        if ctx.task_status(task) != "SUCCEEDED" or not task.model_file:
            raise bad("Invalid parameter input_task_id: the input task has not succeeded")
        with open(task.model_file, "rb") as fh:
            return read_model(fh.read(), fallback_name=task.kind)
    url = body.get("model_url")
    if url is None:
        raise bad("Missing required parameter: input_task_id or model_url")
    if not isinstance(url, str) or not url:
        raise bad("Invalid parameter model_url")
    data = _fetch(ctx, url, "model_url")
    try:
        model = read_model(data)
    except ValueError as exc:
        raise bad(f"Invalid parameter model_url: {exc}") from exc
    if glb_only and model.format != "glb":
        raise bad(f"Invalid model file: expected a GLB file, got {model.format.upper()}")
    return model


def _common_mesh(body: dict[str, Any]) -> None:
    _str(body, "ai_model", choices=AI_MODELS)
    _str(body, "model_type", choices=("standard", "lowpoly"))
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
              "moderation", "auto_size", "origin_at", "decimation_mode", "remove_lighting")


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
                    lambda b, _tid: b.generated(textured=False, pbr=False, formats=formats))
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
                lambda b, _tid: b.generated(textured=True, pbr=pbr, formats=formats))


def validate_image_to_3d(ctx: Context, body: dict[str, Any], *, multi: bool = False) -> Plan:
    if multi:
        _image_list(ctx, body, "image_urls", 1, 4)
    else:
        if body.get("image_url") is None:
            raise bad("Missing required parameter: image_url")
        image_bytes(ctx, body["image_url"], "image_url")
    _str(body, "texture_prompt", max_len=MAX_PROMPT)
    if body.get("texture_image_url") is not None:
        image_bytes(ctx, body["texture_image_url"], "texture_image_url")
    _common_mesh(body)
    formats = _formats(body, MESH_FORMATS)
    textured = body.get("should_texture", True) is not False
    pbr = bool(body.get("enable_pbr"))
    pre = bool(body.get("save_pre_remeshed_model"))
    params = _echo(body, _MESH_ECHO)
    params.setdefault("texture_prompt", "")
    kind = "multi-image-to-3d" if multi else "image-to-3d"
    return Plan(kind, params, body,
                lambda b, _tid: b.generated(textured=textured, pbr=pbr, formats=formats,
                                            pre_remeshed=pre))


def validate_retexture(ctx: Context, body: dict[str, Any]) -> Plan:
    source = _model_source(ctx, body)
    style = _str(body, "text_style_prompt", max_len=MAX_PROMPT)
    if body.get("image_style_url") is not None:
        image_bytes(ctx, body["image_style_url"], "image_style_url")
    elif not style:
        raise bad("Missing required parameter: text_style_prompt or image_style_url")
    _str(body, "ai_model", choices=AI_MODELS)
    for name in ("enable_original_uv", "enable_pbr", "remove_lighting", "moderation"):
        _bool(body, name)
    formats = _formats(body, MESH_FORMATS)
    variant = "textured_pbr" if body.get("enable_pbr") else "textured"
    params = _echo(body, ("input_task_id", "text_style_prompt", "ai_model", "enable_pbr",
                          "enable_original_uv", "target_formats"))
    return Plan("retexture", params, body,
                lambda b, tid: b.from_input(tid, source, kind="retexture", formats=formats,
                                            texture=variant, default_formats=DEFAULT_MESH))


DEFAULT_MESH = ("glb", "fbx", "obj", "usdz", "stl")


def validate_remesh(ctx: Context, body: dict[str, Any]) -> Plan:
    source = _model_source(ctx, body)
    formats = _formats(body, REMESH_FORMATS)
    _str(body, "topology", choices=("quad", "triangle"))
    polycount = _int(body, "target_polycount", 100, 300_000)
    _number(body, "resize_height")
    _str(body, "origin_at", choices=("bottom", "center", ""))
    _bool(body, "convert_format_only")
    params = _echo(body, ("input_task_id", "target_formats", "topology", "target_polycount",
                          "resize_height", "origin_at", "convert_format_only"))
    extra = {"target_polycount": polycount or 30_000, "topology": body.get("topology", "triangle")}
    return Plan("remesh", params, body,
                lambda b, tid: b.from_input(tid, source, kind="remesh", formats=formats,
                                            all_formats=REMESH_FORMATS, extra=extra))


def validate_convert(ctx: Context, body: dict[str, Any]) -> Plan:
    source = _model_source(ctx, body)
    formats = _formats(body, MESH_FORMATS, required=True)
    params = _echo(body, ("input_task_id", "target_formats"))
    return Plan("convert", params, body,
                lambda b, tid: b.from_input(tid, source, kind="convert", formats=formats))


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
    bounds = source.glb.bounds()
    if bounds is None:
        raise ApiError(422, "Pose estimation failed: the model has no geometry.")
    lo, hi = bounds
    tall = hi[1] - lo[1]
    wide = max(hi[0] - lo[0], hi[2] - lo[2])
    if tall < BIPED_RATIO * wide:
        raise ApiError(422, "Pose estimation failed: the model does not look like a standing "
                            "humanoid (biped). Rigging works best on bipeds in an A/T pose.")
    params = _echo(body, ("input_task_id", "height_meters"))
    return Plan("rig", params, body, lambda b, tid: b.rig(tid, source, height or 1.7))


def validate_animation(ctx: Context, body: dict[str, Any]) -> Plan:
    rig_id = _str(body, "rig_task_id", required=True)
    action = body.get("action_id")
    if action is None:
        raise bad("Missing required parameter: action_id")
    if isinstance(action, bool) or not isinstance(action, int):
        raise bad("Invalid parameter action_id: must be an integer")
    library = ctx.library_ids()
    if action not in library:
        raise bad(f"Invalid parameter action_id: unknown action {action}")
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
    params = _echo(body, ("rig_task_id", "action_id", "post_process"))
    name = library[action]
    return Plan("animate", params, body,
                lambda b, tid: b.animation(tid, action, name, post))


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
    "animations": validate_animation,
    "text-to-image": validate_text_to_image,
    "image-to-image": lambda c, b: validate_text_to_image(c, b, reference=True),
    "convert": validate_convert,
    "resize": validate_resize,
}
