"""The request fields Meshy API v2 accepts, one table per create route, and their check.

v2 answers 400 to any field a route does not define (v1 ignored it), so this table is the
whole contract: type, allowed values or range, default. A v1 name that v2 renamed or removed
is refused with a message naming its v2 replacement. Sources: ../shared/reference/meshy-api-v2.md
§4 (per-kind facts) and v1's documented ranges where v2's page was unreadable; the unverified
entries are listed in docs/meshy-api-v2.md. v1's fields stay with the v1 validators
(validation.py, newer.py), which v1 never used to refuse unknown names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .error_object import CodedApiError

MAX_PROMPT = 600
MESH_MODELS = ("latest", "meshy-7.1", "meshy-6", "meshy-6-lite", "meshy-t2", "meshy-t2.5")
TEXTURE_MODELS = ("meshy-7", "meshy-n1", "meshy-6-lite")
IMAGE_MODELS = ("nano-banana", "nano-banana-2", "nano-banana-2-lite", "nano-banana-2-1",
                "nano-banana-pro", "gpt-image-2", "gpt-image-2-5-flare", "gpt-image-2-5-sunburst",
                "gpt-image-2-6-flare", "gpt-image-2-6-sunburst")
MESH_FORMATS = ("glb", "obj", "fbx", "stl", "usdz", "3mf")
UV_MODES = ("auto", "original", "regenerate")   # assumed: the values were not readable


@dataclass(frozen=True)
class Field:
    """One accepted request field: its JSON type and what values it takes."""

    type: str                                # string|boolean|integer|number|strings|integers|object
    choices: tuple[str, ...] | None = None
    lo: float | None = None                  # number range, or list length for lists
    hi: float | None = None
    default: Any = None
    required: bool = False


def _s(*choices: str, default: Any = None, required: bool = False, max_len: int | None = None
       ) -> Field:
    return Field("string", choices or None, None, max_len, default, required)


_B_FALSE, _B_TRUE = Field("boolean", default=False), Field("boolean", default=True)
_ID = _s()
_URL = _s()

_GENERATION: dict[str, Field] = {
    "ai_model": _s(*MESH_MODELS, default="latest"),
    "texture_model": _s(*TEXTURE_MODELS),
    "should_texture": _B_TRUE,
    "enable_pbr": _B_FALSE,
    "texture_prompt": _s(max_len=MAX_PROMPT),
    "texture_image_url": _URL,
    "topology": _s("quad", "triangle", default="triangle"),
    "target_polycount": Field("integer", lo=100, hi=300_000, default=30_000),
    "should_remesh": _B_FALSE,
    "symmetry_mode": _s("off", "auto", "on", default="auto"),
    "pose_mode": _s("a-pose", "t-pose", "", default=""),
    "geometry_resolution": _s("standard", "2k", "4k", default="standard"),
    "texture_resolution": _s("2k", "4k", "8k", default="2k"),
    "target_formats": Field("strings", MESH_FORMATS, 1, len(MESH_FORMATS)),
    "moderation": _B_FALSE,
    "remove_lighting": _B_TRUE,
    "auto_size": _B_FALSE,
    "origin_at": _s("bottom", "center", default="bottom"),
    "alpha_thumbnail": _B_FALSE,
    "multi_view_thumbnails": _B_FALSE,
}
_IMAGE_SOURCE = {"save_pre_remeshed_model": _B_FALSE, "image_enhancement": _B_TRUE,
                 "input_task_id": _ID}
_MODEL_SOURCE = {"input_task_id": _ID, "model_url": _URL}

REQUEST_FIELDS: dict[str, dict[str, Field]] = {
    "text-to-3d": {"prompt": _s(required=True, max_len=MAX_PROMPT), **_GENERATION},
    "image-to-3d": {"image_url": _URL, **_IMAGE_SOURCE, **_GENERATION},
    "multi-image-to-3d": {
        "image_urls": Field("strings", None, 1, 4), **_IMAGE_SOURCE, **_GENERATION,
        "texture_model": _s("meshy-7", "meshy-n1"),
        "geometry_resolution": _s("standard", "2k", default="standard"),
        "texture_image_urls": Field("strings", None, 1, 4)},
    "retexture": {
        **_MODEL_SOURCE, "texture_model": _s(*TEXTURE_MODELS, required=True),
        "texture_prompt": _s(max_len=MAX_PROMPT), "texture_image_url": _URL,
        "uv_mode": _s(*UV_MODES, default="auto"),
        "texture_resolution": _s("2k", "4k", "8k", default="2k"), "enable_pbr": _B_FALSE,
        "remove_lighting": _B_TRUE, "moderation": _B_FALSE,
        "target_formats": Field("strings", MESH_FORMATS, 1, len(MESH_FORMATS)),
        "alpha_thumbnail": _B_FALSE, "multi_view_thumbnails": _B_FALSE},
    "remesh": {
        **_MODEL_SOURCE,
        "target_formats": Field("strings", (*MESH_FORMATS, "blend"), 1, 7),
        "topology": _s("quad", "triangle", default="triangle"),
        "target_polycount": Field("integer", lo=100, hi=300_000, default=30_000),
        "resize_height": Field("number", lo=0), "origin_at": _s("bottom", "center", ""),
        "convert_format_only": _B_FALSE, "auto_size": _B_FALSE},
    "convert": {**_MODEL_SOURCE, "target_formats": Field(
        "strings", (*MESH_FORMATS, "blend"), 1, 7, required=True)},
    "resize": {**_MODEL_SOURCE, "resize_height": Field("number", lo=0),
               "resize_longest_side": Field("number", lo=0), "auto_size": _B_FALSE,
               "origin_at": _s("bottom", "center")},
    "uv-unwrap": dict(_MODEL_SOURCE),
    "rigging": {**_MODEL_SOURCE, "height_meters": Field("number", lo=0, default=1.7),
                "texture_image_url": _URL},
    "rigging/check": dict(_MODEL_SOURCE),
    "animations": {"rig_task_id": _s(required=True), "action_id": Field("integer"),
                   "action_ids": Field("integers", lo=1), "motion_task_id": _ID,
                   "post_process": Field("object")},
    "text-to-motion": {"prompt": _s(required=True, max_len=400),
                       "duration": Field("number", lo=2, hi=10, default=4.0),
                       "mode": _s("prime", "swift", default="prime")},
    "print/analyze": dict(_MODEL_SOURCE),
    "print/repair": dict(_MODEL_SOURCE),
    "print/multi-color": {**_MODEL_SOURCE, "max_colors": Field("integer", lo=1, hi=16, default=4),
                          "max_depth": Field("integer", lo=3, hi=6, default=4)},
    "text-to-image": {"ai_model": _s(*IMAGE_MODELS, required=True),
                      "prompt": _s(required=True, max_len=MAX_PROMPT),
                      "aspect_ratio": _s("1:1", "16:9", "9:16", "4:3", "3:4"),
                      "generate_multi_view": _B_FALSE, "pose_mode": _s("a-pose", "t-pose", "")},
}
REQUEST_FIELDS["image-to-image"] = {
    **REQUEST_FIELDS["text-to-image"], "reference_image_urls": Field("strings", None, 1, 5),
    "input_task_id": _ID}

# v1 names v2 refuses, with the v2 field that replaced them (None: removed without one).
_GENERATION_RENAMED = {"model_type": "ai_model", "ultra_mode": "geometry_resolution",
                       "hd_texture": "texture_resolution"}
RENAMED_FIELDS: dict[str, dict[str, str | None]] = {
    "text-to-3d": {**_GENERATION_RENAMED, "mode": None, "preview_task_id": None},
    "image-to-3d": dict(_GENERATION_RENAMED),
    "multi-image-to-3d": dict(_GENERATION_RENAMED),
    "retexture": {"ai_model": "texture_model", "text_style_prompt": "texture_prompt",
                  "image_style_url": "texture_image_url", "enable_original_uv": "uv_mode",
                  "hd_texture": "texture_resolution"},
}

# Fields that must not be sent together (the documented `parameters_conflict` cases).
CONFLICTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "text-to-3d": (("texture_prompt", "texture_image_url"),),
    "image-to-3d": (("texture_prompt", "texture_image_url"), ("image_url", "input_task_id")),
    "multi-image-to-3d": (("texture_prompt", "texture_image_url"),
                          ("image_urls", "input_task_id")),
    "retexture": (("input_task_id", "model_url"), ("texture_prompt", "texture_image_url")),
    "remesh": (("input_task_id", "model_url"),),
    "convert": (("input_task_id", "model_url"),),
    "resize": (("input_task_id", "model_url"),
               ("resize_height", "resize_longest_side", "auto_size")),
    "uv-unwrap": (("input_task_id", "model_url"),),
    "rigging": (("input_task_id", "model_url"),),
    "rigging/check": (("input_task_id", "model_url"),),
    "print/analyze": (("input_task_id", "model_url"),),
    "print/repair": (("input_task_id", "model_url"),),
    "print/multi-color": (("input_task_id", "model_url"),),
}


def check_request(route: str, body: dict[str, Any]) -> None:
    """Raise the v2 400 for the first thing wrong with `body` on `route` (v2 names the first)."""
    table = REQUEST_FIELDS[route]
    for name in body:
        if name in table:
            continue
        renamed = RENAMED_FIELDS.get(route, {})
        if name in renamed:
            new = renamed[name]
            raise CodedApiError("unknown_parameter", f"Parameter {name} is not supported in API v2"
                          + (f"; use {new}." if new else "."))
        raise CodedApiError("unknown_parameter", f"Unknown parameter: {name}")
    for name, spec in table.items():
        _check(name, spec, body.get(name))
    for group in CONFLICTS.get(route, ()):
        sent = [n for n in group if body.get(n) not in (None, False)]
        if len(sent) > 1:
            raise CodedApiError("parameters_conflict",
                          f"Parameters {' and '.join(sent)} cannot be used together.")


def _check(name: str, spec: Field, value: Any) -> None:
    if value is None:
        if spec.required:
            raise CodedApiError("missing_parameter", f"Missing required parameter: {name}")
        return
    kind = spec.type
    ok = {"string": isinstance(value, str), "boolean": isinstance(value, bool),
          "integer": isinstance(value, int) and not isinstance(value, bool),
          "number": isinstance(value, int | float) and not isinstance(value, bool),
          "object": isinstance(value, dict),
          "strings": isinstance(value, list) and all(isinstance(v, str) for v in value),
          "integers": isinstance(value, list) and all(
              isinstance(v, int) and not isinstance(v, bool) for v in value)}[kind]
    if not ok:
        raise CodedApiError("invalid_parameter",
                            f"Invalid parameter {name}: must be of type {kind}")
    if kind == "string":
        if spec.required and not value.strip():
            raise CodedApiError("missing_parameter", f"Missing required parameter: {name}")
        if spec.hi is not None and len(value) > spec.hi:
            raise CodedApiError("invalid_parameter",
                          f"Invalid parameter {name}: must be at most {spec.hi:g} characters")
        if spec.choices is not None and value not in spec.choices:
            raise CodedApiError("invalid_parameter", f"Invalid parameter {name}: must be one of "
                                               f"{', '.join(map(repr, spec.choices))}")
    elif kind in ("integer", "number"):
        if spec.lo is not None and value < spec.lo:
            raise CodedApiError("invalid_parameter", f"Invalid parameter {name}: must be at least "
                                               f"{spec.lo:,g}")
        if spec.hi is not None and value > spec.hi:
            raise CodedApiError("invalid_parameter", f"Invalid parameter {name}: must be at most "
                                               f"{spec.hi:,g}")
    elif kind in ("strings", "integers"):
        lo, hi = int(spec.lo or 0), int(spec.hi) if spec.hi is not None else None
        if len(value) < lo or (hi is not None and len(value) > hi):
            raise CodedApiError("invalid_parameter", f"Invalid parameter {name}: must hold {lo} to "
                                               f"{hi if hi is not None else 'any'} items")
        if spec.choices is not None and any(v not in spec.choices for v in value):
            wrong = next(v for v in value if v not in spec.choices)
            raise CodedApiError("invalid_parameter",
                                f"Invalid parameter {name}: unsupported {wrong!r}")
