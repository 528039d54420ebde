"""The request fields Meshy API v2 accepts, one table per create route: the whole contract.

v2 answers 400 to any field a route does not define (v1 ignored it), so the client sends only
what these tables list (:mod:`.request_body` turns a checked payload into such a body), the
emulator refuses everything else with the same tables (scripts/meshy_emu/request_fields.py
imports this module) and the command line lists them. Each field: JSON type, allowed values or
range, default. A v1 name that v2 renamed or removed maps to its v2 replacement (None: removed).
Sources: Meshy's v2 pages (the project's reference notes, meshy-api-v2.md section 4) and v1's
documented ranges where v2's page was unreadable; the unverified entries are listed in
docs/meshy-api-v2.md. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_PROMPT = 600
# meshy-7 as a 3D model is deprecated and retires on 2026-12-31 (the model catalogue refuses it
# from then on); assumed accepted until that day (docs/meshy-api-v2.md).
MESH_MODELS = ("latest", "meshy-7.1", "meshy-7", "meshy-6", "meshy-6-lite", "meshy-t2",
               "meshy-t2.5")
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
