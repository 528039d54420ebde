"""What the client and the emulator expect Meshy to answer (API notes, seeds, the v2 reference
and the assumptions docs/meshy-api-v2.md names A1-A11), as shape specs.

Every kind's task object is the common fields plus its outputs; request parameters the API
echoes back are allowed (any type). Alternatives are written as tuples where the notes record
two shapes (``task_error`` null or an object, ``result`` null until done, motion_url at the top
level or under result).
"""

from __future__ import annotations

from typing import Any

from meshy_blender.client.specs import OPTIONS, SPECS

TASK_ERROR = {"message": "str", "type?": "str", "code?": "str", "doc_url?": "str"}
COMMON: dict[str, Any] = {
    "id": "str", "type": "str", "status": "str", "progress": "int", "created_at": "int",
    "started_at": "int", "finished_at": "int", "expires_at": "int", "preceding_tasks": "int",
    "task_error": ("null", TASK_ERROR), "consumed_credits?": "int",
}
MODEL_FORMATS = ("glb", "fbx", "obj", "mtl", "usdz", "stl", "3mf", "blend", "pre_remeshed_glb")
TEXTURES = {"base_color?": "str", "metallic?": "str", "normal?": "str", "roughness?": "str",
            "emission?": "str"}
VIEWS = {"front?": "str", "right?": "str", "back?": "str", "left?": "str"}
THUMBNAILS = {"thumbnail_url?": ("str", "null"), "thumbnail_urls?": ("null", VIEWS),
              "alpha_thumbnail_url?": ("str", "null"), "video_url?": ("str", "null")}
OUTPUTS: dict[str, dict[str, Any]] = {
    "model": {"model_urls": {f"{f}?": "str" for f in MODEL_FORMATS},
              "texture_urls?": ("null", [TEXTURES]), **THUMBNAILS},
    "rig": {"result": ("null", {
        "rig_type?": "str",  # A12: the emulator names the rig type; Meshy may not
        "rigged_character_fbx_url": "str", "rigged_character_glb_url": "str",
        "basic_animations?": {f"{m}_{k}_url?": "str" for m in ("walking", "running")
                              for k in ("glb", "fbx", "armature_glb")}})},
    "animation": {"result": ("null", {
        "animation_glb_url": "str", "animation_fbx_url": "str", "processed_usdz_url?": "str",
        "processed_armature_fbx_url?": "str", "processed_animation_fps_fbx_url?": "str"})},
    "images": {"image_urls": ["str"]},
    "motion": {"result?": ("null", {"motion_url": "str"}), "motion_url?": "str"},
    # The rig check (RIG: riggable, and an animation type; A12: `rig_type` biped | quadruped).
    "check": {"riggable": "bool", "rig_type": ("str", "null")},
    "report": {"printability": ("null", {
        "status": "str", "issue_count": "int",
        "metrics": {"is_watertight": "bool", "volume": "number", "non_manifold_edges": "int",
                    "degenerate_faces": "int", "holes": "int"}})},
}
# Parameters the API echoes on the task object beyond what the client sends.
ECHOED_EXTRA = ("prompt", "art_style", "texture_prompt", "preview_task_id", "mode",
                "texture_image_url", "image_style_url",
                "should_texture", "texture_model", "input_task_id")  # v2 Text to 3D / Texture It
SSE_FRAME = {"id": "str", "progress": "int", "status": "str"}
CREATE = {"result": "str"}
# Meshy API v2: a create answers the task object (lifecycle on top, request in `input`,
# results in `output`, null for "not set"); every error is one object.
CREATE_V2 = {"id": "str", "type": "str", "status": "str", "progress": "int",
             "created_at": "int", "started_at": ("null", "int"), "finished_at": ("null", "int"),
             "expires_at": ("null", "int"), "preceding_tasks": "int", "consumed_credits": "int",
             "task_error": ("null", TASK_ERROR), "input": "any", "output": "any"}
ERROR_V2 = {"type": "str", "code": "str", "message": "str", "doc_url": ("null", "str")}
BALANCE = {"balance": "int"}
ERROR = {"message": "str", "code?": "str", "error_code?": "str"}
LIBRARY = [{"action_id": "int", "name": "str", "category": "str", "sub_category": "str",
            "preview_url": "str", "key?": "str", "is_free?": "bool",
            "rig_type?": "str"}]  # A12: as the public catalog's rigType
PUBLIC_CATALOG = {"result": {"total": "int", "list": [{
    "id": "int", "key": "str", "name": "str", "category": "str", "subCategory": "str",
    "previewUrl": "str", "rigType": "str", "isDefault": "bool", "isFree": "bool"}]}}
# Asset names the client must find in a succeeded task of each output (Task.asset_urls()).
CLIENT_NEEDS = {"model": "glb", "rig": "rigged_character_glb", "animation": "animation_glb",
                "images": "image_0", "motion": "motion"}


# -- API v2 (reads): the task object of /openapi/v2/tasks, the error object, the balance --------
ERROR_V2 = {"type": "str", "code": "str", "message": "str", "doc_url": ("str", "null")}
BALANCE_V2 = {"balance": "int", "monthly_credits": "int", "permanent_credits": "int",
              "monthly_resets_at": ("int", "null")}
V2_COMMON: dict[str, Any] = {
    "id": "str", "type": "str", "status": "str", "progress": "int", "created_at": "int",
    "started_at": ("int", "null"), "finished_at": ("int", "null"),
    "expires_at": ("int", "null"), "preceding_tasks": "int", "consumed_credits": "int",
    "task_error": ("null", ERROR_V2),
}


def _nullable(spec: Any) -> Any:
    """A v1 output spec as v2 sends it: a file not produced is null, never "" (A11)."""
    if spec == "str":
        return ("str", "null")
    if isinstance(spec, tuple):
        out: list[Any] = []
        for alternative in spec:
            made = _nullable(alternative)
            out.extend(x for x in (made if isinstance(made, tuple) else (made,)) if x not in out)
        return tuple(out)
    if isinstance(spec, dict):
        return {k: _nullable(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_nullable(spec[0])]
    return spec


def output_v2(output: str) -> dict[str, Any]:
    """v2's ``output`` for one output shape: v1's fields, v1's ``result`` object moved in (A11:
    the rigging / animation / motion / print keys are assumed unchanged)."""
    fields: dict[str, Any] = {}
    for key, spec in OUTPUTS[output].items():
        name = key.rstrip("?")
        objects = [s for s in (spec if isinstance(spec, tuple) else (spec,))
                   if isinstance(s, dict)]
        if name == "result" and objects:
            fields.update(objects[0])
        elif name not in {k.rstrip("?") for k in fields}:
            fields[key] = spec
    return {k: _nullable(v) for k, v in fields.items()}


def task_spec_v2(kind: str) -> dict[str, Any]:
    """A task of ``kind`` read through /openapi/v2/tasks: lifecycle on top, the request echo
    in ``input``, the results in ``output`` (null until SUCCEEDED)."""
    s = SPECS[kind]
    echoes = {f"{name}?": "any" for name in (*OPTIONS[kind], *s.fixed, *ECHOED_EXTRA)}
    return {**V2_COMMON, "input": echoes, "output": ("null", output_v2(s.output))}


def list_spec_v2(kind: str) -> dict[str, Any]:
    """A page of GET /openapi/v2/tasks (A2: Usage's wrapper)."""
    return {"data": [task_spec_v2(kind)], "has_more": "bool"}


def task_spec(kind: str) -> dict[str, Any]:
    """The full task object of ``kind``: common fields, outputs, echoed parameters."""
    s = SPECS[kind]
    echoes = {f"{name}?": "any" for name in (*OPTIONS[kind], *s.fixed, *ECHOED_EXTRA)}
    return {**echoes, **COMMON, **OUTPUTS[s.output]}
