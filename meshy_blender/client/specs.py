"""What each Meshy task kind is: endpoint, output shape, every documented option, and its checks.

``build_payload`` is the only way the rest of the add-on makes a request body, so a wrong option
is caught here (before any request, before any credit is spent) with a message naming it.
Costs live in :mod:`pricing` and are re-exported here; which models a kind takes, and which are
retired on the day, come from :mod:`model_catalogue`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from . import glbinfo, model_catalogue, renamed_options, request_fields, request_metadata
from . import validation as v
from .errors import ValidationError
from .limits import (
    CONVERT_FORMATS,
    FACE_LIMITS,
    MAX_MOTION_PROMPT,
    MAX_POLYCOUNT,
    MAX_PROMPT,
    MODEL_FORMATS,
    MOTION_MODES,
    POST_PROCESS_OPS,
    REMESH_FORMATS,
    SMART_TOPOLOGY_POLYCOUNT,
    TEXTURE_RESOLUTIONS,
)
from .pricing import estimate_chain, estimate_cost, quote

TaskKind = Literal[
    "text-to-3d-preview", "text-to-3d-refine", "image-to-3d", "multi-image-to-3d", "retexture",
    "remesh", "rig-check", "rig", "animate", "text-to-image", "image-to-image", "convert",
    "resize",
    "text-to-motion", "uv-unwrap", "print-analyze", "print-repair", "print-multi-color",
]
Output = Literal["model", "rig", "animation", "images", "motion", "report", "check"]


@dataclass(frozen=True)
class TaskSpec:
    """One task kind: where to create it and what it produces (every read goes through
    Meshy API v2's ``/openapi/v2/tasks``)."""

    kind: str
    create_path: str  # Meshy API v2's create route (Texture It: see request_body.create_route)
    output: Output
    fixed: dict[str, Any] = field(default_factory=dict)  # always sent
    textured: bool = False  # output has textures (retexture/refine); informational


_V2 = "/openapi/v2/"
SPECS: dict[str, TaskSpec] = {
    "text-to-3d-preview": TaskSpec("text-to-3d-preview", _V2 + "text-to-3d", "model"),
    "text-to-3d-refine": TaskSpec("text-to-3d-refine", _V2 + "text-to-3d", "model",
                                  textured=True),
    "image-to-3d": TaskSpec("image-to-3d", _V2 + "image-to-3d", "model"),
    "multi-image-to-3d": TaskSpec("multi-image-to-3d", _V2 + "multi-image-to-3d", "model"),
    "retexture": TaskSpec("retexture", _V2 + "retexture", "model", textured=True),
    "remesh": TaskSpec("remesh", _V2 + "remesh", "model"),
    "rig-check": TaskSpec("rig-check", _V2 + "rigging/check", "check"),
    "rig": TaskSpec("rig", _V2 + "rigging", "rig"),
    "animate": TaskSpec("animate", _V2 + "animations", "animation"),
    "text-to-image": TaskSpec("text-to-image", _V2 + "text-to-image", "images"),
    "image-to-image": TaskSpec("image-to-image", _V2 + "image-to-image", "images"),
    "convert": TaskSpec("convert", _V2 + "convert", "model"),
    "resize": TaskSpec("resize", _V2 + "resize", "model"),
    "text-to-motion": TaskSpec("text-to-motion", _V2 + "text-to-motion", "motion"),
    "uv-unwrap": TaskSpec("uv-unwrap", _V2 + "uv-unwrap", "model"),
    "print-analyze": TaskSpec("print-analyze", _V2 + "print/analyze", "report"),
    "print-repair": TaskSpec("print-repair", _V2 + "print/repair", "model"),
    "print-multi-color": TaskSpec("print-multi-color", _V2 + "print/multi-color", "model"),
}

# Option vocabularies (seeds 000/003/004 and meshy-api-notes.md; models: model_catalogue).


def _model(kind: str, option: str = "ai_model") -> v.Checker:
    """A model the catalogue lists for ``kind``; a retired one is refused before any request,
    with its retirement date and its replacement."""
    def check(name: str, value: Any) -> Any:
        model = model_catalogue.find(kind, value, option)
        if model is None or isinstance(value, bool):
            shown = ", ".join(repr(m.value) for m in model_catalogue.offered(kind, option))
            raise ValidationError(f"'{name}' must be one of {shown} (got {value!r}).", field=name)
        if model.is_retired():
            raise ValidationError(model.retired_sentence(), field=name)
        return value
    return check


_prompt = v.text(MAX_PROMPT)
_GEOMETRY = {
    "model_type": _model("text-to-3d-preview", "model_type"),
    "ai_model": _model("text-to-3d-preview"),
    "topology": v.choice("quad", "triangle"),
    "target_polycount": v.integer(100, MAX_POLYCOUNT),
    "decimation_mode": v.integer(1, 4),
    "should_remesh": v.boolean,
    "symmetry_mode": v.choice("off", "auto", "on"),
    "pose_mode": v.choice("a-pose", "t-pose", ""),
    "is_a_t_pose": v.boolean,
    "moderation": v.boolean,
    "target_formats": v.formats(MODEL_FORMATS),
    "auto_size": v.boolean,
    "origin_at": v.choice("bottom", "center"),
    "alpha_thumbnail": v.boolean,
    "multi_view_thumbnails": v.boolean,
}
_TEXTURING = {
    "enable_pbr": v.boolean,
    "texture_prompt": v.text(MAX_PROMPT),
    "texture_image_url": v.image(),
    "remove_lighting": v.boolean,
    "texture_resolution": v.choice(*TEXTURE_RESOLUTIONS),
    "hd_texture": v.boolean,
}


def _image_to_3d(kind: str) -> dict[str, v.Checker]:
    return {
        **_GEOMETRY, **_TEXTURING,
        "ai_model": _model(kind), "model_type": _model(kind, "model_type"),
        "ultra_mode": v.boolean,
        "input_task_id": v.task_id,  # a succeeded text-to-image / image-to-image task
        "should_texture": v.boolean,
        "save_pre_remeshed_model": v.boolean,
        "image_enhancement": v.boolean,
        # Meshy API v2's names (request_fields.py); the v1 names above are translated to them.
        "texture_model": v.choice(*_v2_choices(kind, "texture_model")),
        "geometry_resolution": v.choice(*_v2_choices(kind, "geometry_resolution")),
    }


def _v2_choices(kind: str, name: str) -> tuple[str, ...]:
    """The values Meshy API v2's field table allows for ``name`` on ``kind``'s route."""
    choices = request_fields.REQUEST_FIELDS[kind][name].choices
    assert choices is not None
    return choices



_MODEL_INPUT = {"input_task_id": v.task_id, "model_url": v.model()}


def _post_process(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(f"'{name}' must be an object with 'operation_type'.", field=name)
    unknown = set(value) - {"operation_type", "fps"}
    if unknown:
        raise ValidationError(f"'{name}' has unknown keys: {', '.join(sorted(unknown))}.",
                              field=name)
    op = v.choice(*POST_PROCESS_OPS)(f"{name}.operation_type", value.get("operation_type"))
    out: dict[str, Any] = {"operation_type": op}
    if op == "change_fps":
        if "fps" not in value:
            raise ValidationError("Changing the frame rate needs 'fps' (24, 25, 30 or 60).",
                                  field=f"{name}.fps")
        out["fps"] = v.choice(24, 25, 30, 60)(f"{name}.fps", value["fps"])
    elif "fps" in value:
        raise ValidationError("'fps' only applies to the change_fps operation.",
                              field=f"{name}.fps")
    return out


_THUMBNAILS = {"alpha_thumbnail": v.boolean, "multi_view_thumbnails": v.boolean}
_SOURCE_ONLY = {**_MODEL_INPUT, "model_url": v.model(frozenset({"glb"}))}


def _action_ids(name: str, value: Any) -> list[int]:
    """Several library actions in one task; ids may be negative or zero (catalog ids -2..0)."""
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise ValidationError(f"'{name}' must be a list of animation ids.", field=name)
    if not value:
        raise ValidationError(f"'{name}' needs at least one animation id.", field=name)
    ids = [_ACTION_ID(name, item) for item in value]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValidationError(f"'{name}' lists animation {repeated[0]} more than once.",
                              field=name)
    return ids


def _half_seconds(lo: float, hi: float) -> v.Checker:
    inner = v.number(lo, hi)

    def check(name: str, value: Any) -> float:
        value = inner(name, value)
        if round(value * 2) != value * 2:
            raise ValidationError(f"'{name}' must be in steps of 0.5 seconds (got {value}).",
                                  field=name)
        return value
    return check


_ACTION_ID = v.integer(-1_000_000, 1_000_000_000)

_TEXT_GEOMETRY = v.choice(*_v2_choices("text-to-3d", "geometry_resolution"))

OPTIONS: dict[str, dict[str, v.Checker]] = {
    "text-to-3d-preview": {"prompt": _prompt, "negative_prompt": v.text(MAX_PROMPT),
                           "art_style": v.choice("realistic", "sculpture"), **_GEOMETRY,
                           "geometry_resolution": _TEXT_GEOMETRY},
    # One textured call (a prompt), or Texture It: a retexture of the shape (preview_task_id).
    "text-to-3d-refine": {"prompt": _prompt, "negative_prompt": v.text(MAX_PROMPT),
                          "art_style": v.choice("realistic", "sculpture"), **_GEOMETRY,
                          "geometry_resolution": _TEXT_GEOMETRY,
                          "preview_task_id": v.task_id,
                          "ai_model": _model("text-to-3d-refine"),
                          "model_type": _model("text-to-3d-refine", "model_type"),
                          "texture_model": v.choice(*_v2_choices("text-to-3d", "texture_model")),
                          **_TEXTURING, **_THUMBNAILS},
    "image-to-3d": {"image_url": v.image(), **_image_to_3d("image-to-3d")},
    "multi-image-to-3d": {"image_urls": v.image_list(1, 4), **_image_to_3d("multi-image-to-3d"),
                          "texture_image_urls": v.image_list(1, 4)},
    "retexture": {**_MODEL_INPUT, "texture_prompt": v.text(MAX_PROMPT),
                  "texture_image_url": v.image(),
                  "texture_model": v.choice(*_v2_choices("retexture", "texture_model")),
                  "uv_mode": v.choice(*_v2_choices("retexture", "uv_mode")),
                  "text_style_prompt": v.text(MAX_PROMPT),
                  "image_style_url": v.image(), "ai_model": _model("retexture"),
                  "multiview_image_urls": v.image_list(1, 4),
                  "enable_original_uv": v.boolean, "enable_pbr": v.boolean,
                  "remove_lighting": v.boolean, "target_formats": v.formats(MODEL_FORMATS),
                  "texture_resolution": v.choice(*TEXTURE_RESOLUTIONS), "hd_texture": v.boolean,
                  "auto_size": v.boolean, "origin_at": v.choice("bottom", "center"),
                  **_THUMBNAILS},
    "remesh": {**_MODEL_INPUT, "target_formats": v.formats(REMESH_FORMATS, required=True),
               "topology": v.choice("quad", "triangle"),
               "target_polycount": v.integer(100, MAX_POLYCOUNT),
               "resize_height": v.number(0, 1000), "origin_at": v.choice("bottom", "center", ""),
               "auto_size": v.boolean, "convert_format_only": v.boolean},
    # Whether Meshy can rig the model, and as what (biped or quadruped): 1 credit, not 5.
    "rig-check": dict(_SOURCE_ONLY),
    "rig": {"input_task_id": v.task_id, "model_url": v.model(frozenset({"glb"})),
            "height_meters": v.number(0, 100, lo_open=True), "texture_image_url": v.image()},
    "animate": {"rig_task_id": v.task_id, "action_id": _ACTION_ID, "action_ids": _action_ids,
                "motion_task_id": v.task_id, "post_process": _post_process},
    "text-to-image": {"ai_model": _model("text-to-image"), "prompt": v.text(),
                      "generate_multi_view": v.boolean, "pose_mode": v.choice("a-pose", "t-pose"),
                      "aspect_ratio": v.choice("1:1", "16:9", "9:16", "4:3", "3:4")},
    "image-to-image": {"ai_model": _model("image-to-image"), "prompt": v.text(),
                       "reference_image_urls": v.image_list(1, 5),
                       "generate_multi_view": v.boolean},
    "convert": {**_MODEL_INPUT, "target_formats": v.formats(CONVERT_FORMATS, required=True)},
    "resize": {**_MODEL_INPUT, "resize_height": v.number(0, 1000, lo_open=True),
               "resize_longest_side": v.number(0, 1000, lo_open=True), "auto_size": v.boolean,
               "origin_at": v.choice("bottom", "center")},
    "text-to-motion": {"prompt": v.text(MAX_MOTION_PROMPT), "mode": v.choice(*MOTION_MODES),
                       "duration": _half_seconds(2, 10)},
    "uv-unwrap": dict(_SOURCE_ONLY),
    "print-analyze": dict(_MODEL_INPUT),
    "print-repair": dict(_MODEL_INPUT),
    "print-multi-color": {**_MODEL_INPUT, "max_colors": v.integer(1, 16),
                          "max_depth": v.integer(3, 6)},
}

for _table in OPTIONS.values():  # any task can be labelled for cost attribution (v2's header)
    _table["metadata"] = request_metadata.check

# Options that are a yes/no switch on any kind (should_texture also splits text to 3D into
# shape and texture): text that means them is read strictly (validation.boolean_text).
BOOLEAN_OPTIONS = frozenset({"should_texture"} | {
    name for table in OPTIONS.values() for name, check in table.items() if check is v.boolean})

REQUIRED: dict[str, tuple[str, ...]] = {
    "text-to-3d-preview": ("prompt",),
    "animate": ("rig_task_id",),
    "text-to-image": ("ai_model", "prompt"),
    "image-to-image": ("ai_model", "prompt", "reference_image_urls"),
    "convert": ("target_formats",),
    "text-to-motion": ("prompt",),
}


def spec(kind: str) -> TaskSpec:
    """The spec for ``kind``, or a ValidationError listing the known kinds."""
    try:
        return SPECS[kind]
    except KeyError:
        raise ValidationError(f"Unknown task kind {kind!r}; known: {', '.join(SPECS)}.",
                              field="kind") from None


def build_payload(kind: str, *, encode_files: bool = True, **options: Any) -> dict[str, Any]:
    """Checked request body for ``kind``; ``None`` values are treated as "not given".

    With ``encode_files=False`` local file inputs are checked (existence, size, type from their
    first bytes) but left as paths: cheap validation for the main thread, before any request.
    """
    token = v.ENCODE_FILES.set(encode_files)
    try:
        return _build_payload(kind, options)
    finally:
        v.ENCODE_FILES.reset(token)


def _build_payload(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    s = spec(kind)
    table = OPTIONS[kind]
    given = {k: val for k, val in options.items() if val is not None}
    unknown = sorted(set(given) - set(table) - set(s.fixed))
    if unknown:
        raise ValidationError(f"Unknown option(s) for {kind}: {', '.join(unknown)}.",
                              field=unknown[0])
    for key, val in s.fixed.items():
        if key in given and given[key] != val:
            raise ValidationError(f"'{key}' must be {val!r} for {kind}.", field=key)
    for name in REQUIRED.get(kind, ()):
        if name not in given:
            raise ValidationError(f"'{name}' is required for {kind}.", field=name)
    _check_relations(kind, given)
    payload: dict[str, Any] = dict(s.fixed)
    for name, val in given.items():
        if name not in s.fixed:
            payload[name] = table[name](name, val)
    renamed_options.translate(kind, payload)  # a v1 name with no v2 equivalent: refused now
    if kind in FACE_LIMITS and "model_url" in given:  # a local GLB: count before uploading
        faces = glbinfo.triangles(given["model_url"])
        if faces is not None:
            check_face_limit(kind, faces)
    return payload


def _exclusive(given: dict[str, Any], a: str, b: str, message: str) -> None:
    if a in given and b in given:
        raise ValidationError(message, field=b)


def _check_relations(kind: str, given: dict[str, Any]) -> None:
    """Options that depend on or exclude each other."""
    if "model_url" in OPTIONS[kind]:
        has_task, has_url = "input_task_id" in given, "model_url" in given
        if has_task and has_url:
            raise ValidationError("Give either 'input_task_id' or 'model_url', not both.",
                                  field="model_url")
        if not (has_task or has_url):
            raise ValidationError(
                f"{kind} needs a model: 'input_task_id' (a Meshy task) or 'model_url' "
                "(a URL or a local file).", field="input_task_id")
    if kind in ("text-to-3d-preview", "text-to-3d-refine"):
        _v2_text_to_3d(given)
    if kind in ("text-to-3d-preview", "text-to-3d-refine", "image-to-3d", "multi-image-to-3d"):
        _check_geometry(given)
    if kind == "text-to-3d-refine" and ("prompt" in given) == ("preview_task_id" in given):
        raise ValidationError("Textured text to 3D needs either a prompt or the shape to "
                              "texture ('preview_task_id'), not both.", field="prompt")
    _exclusive(given, "texture_prompt", "texture_image_url",
               "Use either a texture prompt or a texture image, not both.")
    if kind in ("image-to-3d", "multi-image-to-3d") and given.get("should_texture") is False:
        for name in ("enable_pbr", "texture_prompt", "texture_image_url", "remove_lighting"):
            if given.get(name):
                raise ValidationError(
                    f"'{name}' needs texturing; turn on 'should_texture' or drop '{name}'.",
                    field=name)
    _exclusive(given, "texture_resolution", "hd_texture",
               "Use 'texture_resolution' ('2k', '4k' or '8k') instead of the older "
               "'hd_texture', not both.")
    if kind == "retexture":
        styles = [n for n in ("text_style_prompt", "image_style_url", "texture_prompt",
                              "texture_image_url") if n in given]
        if len(styles) > 1:
            raise ValidationError("Give either a style prompt or a style image, not both.",
                                  field=styles[1])
        if not styles and "multiview_image_urls" not in given:
            raise ValidationError("Retexture needs a style: 'texture_prompt' or "
                                  "'texture_image_url' (v1: 'text_style_prompt', "
                                  "'image_style_url').",
                                  field="text_style_prompt")
        if "multiview_image_urls" in given and "meshy-7" not in (given.get("ai_model"),
                                                                 given.get("texture_model")):
            raise ValidationError("Multi-view retexture (views of the model) only works with "
                                  "Meshy-7: set ai_model to 'meshy-7'.", field="ai_model")
    if kind == "text-to-image" and given.get("generate_multi_view") and "aspect_ratio" in given:
        raise ValidationError("Multi-view images have a fixed aspect ratio; drop 'aspect_ratio'.",
                              field="aspect_ratio")
    if kind in ("image-to-3d", "multi-image-to-3d"):
        _image_source(kind, given)
        _check_model_options(given)
    if given.get("texture_image_urls") and given.get("ai_model") not in (None, "latest",
                                                                         "meshy-7.1"):
        raise ValidationError("Texture views guide textures made by Meshy-7.1 (Latest) only: "
                              "pick Latest as the AI Model, or texture from a prompt or a "
                              "picture.", field="texture_image_urls")
    if kind == "animate":
        chosen: list[str] = [k for k in ("action_id", "action_ids", "motion_task_id")
                             if k in given]
        if len(chosen) != 1:
            raise ValidationError(
                "Animate needs exactly one of: an animation id ('action_id'), several ids "
                "('action_ids') or a text-to-motion task ('motion_task_id').",
                field=chosen[1] if len(chosen) > 1 else "action_id")
    if kind == "resize":
        # a size of 0 is a size given (refused by its own check: "must be more than 0")
        chosen = [k for k in ("resize_height", "resize_longest_side", "auto_size")
                  if k in given and given[k] is not False]
        if len(chosen) != 1:
            raise ValidationError("Resize needs exactly one of 'resize_height', "
                                  "'resize_longest_side' or 'auto_size'.", field="resize_height")


def _v2_text_to_3d(given: dict[str, Any]) -> None:
    """Meshy API v2 makes Text to 3D in one call with neither a negative prompt nor an art
    style (realistic, the default, is what it makes): refused before anything is sent."""
    negative = given.get("negative_prompt")
    if isinstance(negative, str) and negative.strip():  # a malformed one: refused as such
        raise ValidationError("Meshy API v2 takes no Negative Prompt for Text to 3D: clear it "
                              "and say what you want in the Prompt.", field="negative_prompt")
    if given.get("art_style") == "sculpture":
        raise ValidationError("Meshy API v2 has no Art Style for Text to 3D: set it to "
                              "Realistic and describe the style in the Prompt.",
                              field="art_style")


def _image_source(kind: str, given: dict[str, Any]) -> None:
    """The picture(s) or, instead, a finished text-to-image / image-to-image task's id."""
    field = "image_url" if kind == "image-to-3d" else "image_urls"
    if field in given and "input_task_id" in given:
        raise ValidationError(f"Give either '{field}' or an image task ('input_task_id'), "
                              "not both.", field="input_task_id")
    if field not in given and "input_task_id" not in given:
        raise ValidationError(f"'{field}' is required for {kind} (or 'input_task_id': a "
                              "finished text-to-image or image-to-image task).", field=field)


# Meshy's Ultra geometry pass is made by Meshy-7.1 (Latest); 2K also by Meshy-7 (reference:
# `geometry_resolution`, 7.1/latest only; a third-party schema adds 2K on meshy-7).
_GEOMETRY_MODELS = {"2k": (None, "latest", "meshy-7.1", "meshy-7"),
                    "4k": (None, "latest", "meshy-7.1")}


def _check_geometry(given: dict[str, Any]) -> None:
    resolution = given.get("geometry_resolution")
    models = _GEOMETRY_MODELS.get(str(resolution))
    if models is not None and given.get("ai_model") not in models:
        makers = "Meshy-7.1 (Latest) or Meshy-7" if resolution == "2k" else \
            "Meshy-7.1 (Latest)"
        raise ValidationError(f"{str(resolution).upper()} geometry is made by {makers} only: "
                              f"pick Latest as the AI Model, or Standard geometry.",
                              field="geometry_resolution")


def _check_model_options(given: dict[str, Any]) -> None:
    """Meshy-7-only switches and the smart-topology polycount range (image endpoints)."""
    model = given.get("ai_model")
    if given.get("ultra_mode") and model not in (None, "meshy-7", "latest"):
        raise ValidationError("Ultra mode only works with Meshy-7: set ai_model to 'meshy-7' "
                              "or turn ultra mode off.", field="ultra_mode")
    lo, hi = SMART_TOPOLOGY_POLYCOUNT
    count = given.get("target_polycount")
    if given.get("model_type") == "smart-topology" and isinstance(count, int) \
            and not lo <= count <= hi:
        raise ValidationError(f"Smart topology makes {lo:,} to {hi:,} polygons; "
                              f"'target_polycount' is {count:,}.", field="target_polycount")


def check_face_limit(kind: str, faces: int) -> None:
    """Refuse, before any request, a mesh bigger than Meshy accepts for ``kind``."""
    limit = FACE_LIMITS.get(kind)
    if limit is not None and faces > limit:
        what = {"rig": "Rigging", "uv-unwrap": "UV unwrap"}.get(kind, kind)
        raise ValidationError(f"{what} accepts at most {limit:,} faces; this mesh has "
                              f"{faces:,}. Decimate or remesh it first.", field="model_url")


__all__ = ["BOOLEAN_OPTIONS", "FACE_LIMITS", "OPTIONS", "SPECS", "TaskKind", "TaskSpec",
           "build_payload", "check_face_limit", "estimate_chain", "estimate_cost", "quote", "spec"]
