"""Meshy API v2's side of a task: its create plan per route, its price, and the task object.

v2 creates reuse the v1 validators (files, input tasks, outputs) after the v2 field table has
checked the request (request_fields.py): the v2 names are handed over under their v1 meaning. The
task object keeps only the lifecycle at the top level; the request is echoed in `input`, the
results sit in `output`, and "not set" is `null` (reference §3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import tool_validation
from .accounts import price
from .error_object import CodedApiError, task_error
from .faults import FAIL_VARIANTS
from .fields import Context, Plan, _model_source, image_bytes
from .outputs import Outputs
from .tasks import RETENTION_MS, TERMINAL, Task, signed_value
from .validation import VALIDATORS, rig_type_of

TEXT_TO_3D_KINDS = ("text-to-3d", "text-to-3d-preview", "text-to-3d-refine")
_V2_ONLY = ("texture_model", "geometry_resolution", "texture_image_urls", "ai_model")


# -- create ------------------------------------------------------------------------------------
MODERATION_MARKER = "nsfw"   # with `moderation: true`, a prompt holding it is blocked (403)


def plan(route: str, ctx: Context, body: dict[str, Any]) -> Plan:
    """The task a checked v2 request makes; raises the documented 400/403/404/422 errors."""
    if body.get("moderation") is True and any(
            MODERATION_MARKER in str(body.get(name) or "").lower()
            for name in ("prompt", "texture_prompt")):
        raise CodedApiError("moderation_blocked_nsfw", "The request was blocked by content "
                                                 "moderation.")
    if route == "text-to-3d":
        return _text_to_3d(ctx, body)
    if route == "rigging/check":
        return _rig_check(ctx, body)
    legacy = dict(body)
    if route in ("image-to-3d", "multi-image-to-3d"):
        _needs_texture_model(body)
        for name in _V2_ONLY:
            legacy.pop(name, None)
        legacy["target_formats"] = body.get("target_formats") or ["glb"]
    elif route == "retexture":
        legacy = {k: v for k, v in body.items()
                  if k not in ("texture_model", "texture_prompt", "texture_image_url", "uv_mode")}
        if body.get("texture_prompt") is not None:
            legacy["text_style_prompt"] = body["texture_prompt"]
        if body.get("texture_image_url") is not None:
            legacy["image_style_url"] = body["texture_image_url"]
        if body.get("uv_mode") is not None:
            legacy["enable_original_uv"] = body["uv_mode"] == "original"
        legacy["target_formats"] = body.get("target_formats") or ["glb"]
    elif route == "animations":
        _animation_source(ctx, body)
    elif route in ("text-to-image", "image-to-image"):
        legacy["ai_model"] = "nano-banana"   # the v1 validator knows fewer models
        if route == "image-to-image" and body.get("input_task_id") is not None:
            tool_validation.image_task(ctx, body)
            legacy.pop("input_task_id")
            legacy.pop("reference_image_urls", None)
            made = VALIDATORS["text-to-image"](ctx, legacy)
            made.kind = "image-to-image"
            return made
    return VALIDATORS[route](ctx, legacy)


def _needs_texture_model(body: dict[str, Any]) -> None:
    if body.get("should_texture", True) is not False and body.get("texture_model") is None:
        raise CodedApiError("missing_parameter", "Missing required parameter: texture_model "
                                           "(needed for a textured model; or send "
                                           "should_texture: false)")
    model = body.get("ai_model") or "latest"
    if body.get("geometry_resolution") == "4k" and model not in ("latest", "meshy-7.1"):
        raise CodedApiError("invalid_parameter", "Invalid parameter geometry_resolution: 4k needs "
                                           "ai_model meshy-7.1 (latest)")


def _text_to_3d(ctx: Context, body: dict[str, Any]) -> Plan:
    _needs_texture_model(body)
    textured = body.get("should_texture", True) is not False
    if body.get("texture_image_url") is not None:
        image_bytes(ctx, body["texture_image_url"], "texture_image_url")
    formats = body.get("target_formats")
    pbr = textured and bool(body.get("enable_pbr"))
    return Plan("text-to-3d", dict(body), body,
                lambda b, _tid: b.thumbnails(b.generated(textured=textured, pbr=pbr,
                                                         formats=formats), body))


def _rig_check(ctx: Context, body: dict[str, Any]) -> Plan:
    """Whether the emulator's rigging would take the model (1 credit instead of 5), and as a
    biped or a quadruped (validation.rig_type_of decides both)."""
    source = _model_source(ctx, body, glb_only=True)
    rig_type = rig_type_of(source)
    result = {"riggable": rig_type is not None, "rig_type": rig_type}
    return Plan("rig-check", dict(body), body, lambda _b, _tid: Outputs(fields=result))


def _animation_source(ctx: Context, body: dict[str, Any]) -> None:
    rig = ctx.find_task(str(body.get("rig_task_id")))
    if rig is None:
        raise CodedApiError("task_not_found", f"Task {body.get('rig_task_id')} not found")
    if rig.kind != "rig":
        raise CodedApiError("input_task_unsupported", "rig_task_id must be a rigging task")
    if ctx.task_status(rig) != "SUCCEEDED":
        raise CodedApiError("input_task_not_ready", "The rigging task has not succeeded yet")
    rig_type = ((rig.outputs or {}).get("result") or {}).get("rig_type") or "biped"
    given = body.get("action_ids")
    ids: list[Any] = list(given) if isinstance(given, list) else [body.get("action_id")]
    kinds = ctx.library_rig_types()
    wrong = [i for i in ids if isinstance(i, int) and kinds.get(i, rig_type) != rig_type]
    if wrong:  # documented as a 400 (ANIM); the code is assumption A7
        raise CodedApiError("rig_type_mismatch", f"Action {wrong[0]} is for a "
                                                 f"{kinds[wrong[0]]} rig; this rig is a "
                                                 f"{rig_type}.")


def cost(route: str, kind: str, body: dict[str, Any]) -> int:
    """Credits charged at creation: the one price table (accounts.price, reference §8)."""
    return price(kind, body)


# -- the task object ---------------------------------------------------------------------------
def render(task: Task, now: float, sign: Callable[[str, str], str], *,
           preceding: int) -> dict[str, Any]:
    """The v2 task object: lifecycle on top, `input` and `output`, null for "not set"."""
    status = task.status(now)
    done = status in TERMINAL
    succeeded = status == "SUCCEEDED"
    expires = None
    if succeeded and task.kind not in TEXT_TO_3D_KINDS:
        expires = _ms(task.finished) + RETENTION_MS
    failed = status == "FAILED"
    return {
        "id": task.id,
        "type": task.kind,
        "status": status,
        "progress": task.progress(now),
        "created_at": _ms(task.created),
        "started_at": None if status == "PENDING" else _ms(task.started),
        "finished_at": _ms(task.finished) if done else None,
        "expires_at": expires,
        "preceding_tasks": preceding if status == "PENDING" else 0,
        "consumed_credits": 0 if failed else task.credits,
        "task_error": task_error(FAIL_VARIANTS[task.fail or "server_error"]) if failed else None,
        "input": dict(task.request if task.request is not None else task.params),
        "output": _output(task, sign) if succeeded else None,
    }


def _output(task: Task, sign: Callable[[str, str], str]) -> dict[str, Any]:
    """v1's result fields moved under `output`; v1's `result` object is folded in, and a file
    that was not produced is null instead of ""."""
    fields: dict[str, Any] = {}
    for name, value in task.outputs.items():
        signed = signed_value(value, task.id, sign)
        if name == "result" and isinstance(signed, dict):
            fields.update(signed)
        else:
            fields[name] = signed
    return _nulls(fields)


def _nulls(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, dict):
        return {k: _nulls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulls(v) for v in value]
    return value


def _ms(t: float) -> int:
    return int(t * 1000)
