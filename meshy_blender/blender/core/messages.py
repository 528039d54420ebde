"""Artist words: every error a sidebar user can trigger, said with the label they see.

The client names API fields ("'image_url' is required for image-to-3d.") because scripts and the
CLI need exact option names. The sidebar shows the same failures in the words of its own labels
("Pick a picture first (Picture)"), so panels, operator reports and menus all read this one table
instead of each rewording errors. Step kinds and statuses are named here too ("Shape",
"Texture", "In Progress"), so a progress line never shows an API identifier.
"""

from __future__ import annotations

import re
from typing import Any

from ...client import errors
from ...jobs import kinds

# API field -> what to do, naming the sidebar label. "Missing or empty" is the common case; any
# other problem with the field keeps the client's reason, prefixed with the label.
MISSING: dict[str, str] = {
    "prompt": "Type a prompt first (Prompt)",
    "negative_prompt": "The Avoid text is too long",
    "image_url": "Pick a picture first (Picture)",
    "image_urls": "Pick at least one picture (Picture 1-4)",
    "texture_prompt": "Type a texture prompt, or set Texture From to Automatic",
    "texture_image_url": "Pick a texture reference picture, or set Texture From to Automatic",
    "text_style_prompt": "Type a style for Retexture (Style), or pick a style picture",
    "image_style_url": "Pick a style picture for Retexture (Style From: Image)",
    "texture_image_urls": "Pick at least one picture (Texture View 1-4), or turn Texture "
                          "From Views off",
    "input_task_id": "Select a mesh or a Meshy model first",
    "model_url": "Select a mesh or a Meshy model first",
    "rig_task_id": "Select an armature rigged by Meshy first",
    "action_id": "Pick an animation in the list first",
    "animations": "Pick an animation in the list first",
    "target_formats": "Pick at least one file format (Formats)",
}
LABELS: dict[str, str] = {
    "prompt": "Prompt", "negative_prompt": "Avoid", "image_url": "Picture",
    "image_urls": "Pictures", "texture_prompt": "Texture Prompt",
    "texture_image_url": "Texture Reference", "text_style_prompt": "Style",
    "image_style_url": "Style Picture", "target_polycount": "Polycount",
    "resize_height": "Height", "height_meters": "Height", "target_formats": "Formats",
    "ai_model": "AI Model", "topology": "Topology", "model_type": "Model Type",
    "symmetry_mode": "Symmetry", "pose_mode": "Pose", "art_style": "Art Style",
    "origin_at": "Origin", "enable_pbr": "PBR Maps", "remove_lighting": "Remove Lighting",
    "should_remesh": "Remesh", "moderation": "Moderation", "action_id": "Animation",
    "remesh": "Then Remesh", "rig": "Then Rig", "texture_model": "Texture Model",
    "geometry_resolution": "Geometry", "texture_resolution": "Texture Size",
    "texture_image_urls": "Texture Views",
}
# Client error class name -> the sentence an artist needs (the server's words are dropped: they
# stay in the log and the Tasks row's tooltip-free detail is this sentence).
BY_TYPE: dict[str, str] = {
    "AuthError": "Meshy did not accept the API key: check it in Preferences > Add-ons > Meshy",
    "InsufficientCreditsError": "Not enough Meshy credits for this: use Buy Credits in the "
                                "Account panel",
    "KeyCreditLimitError": "This API key reached its own credit limit (your balance still has "
                           "credits): raise it on meshy.ai or use another API Key",
    "ForbiddenError": "Meshy refused this for your account (your plan may not include it)",
    "QueueFullError": "Your Meshy queue is full: wait for a running job to finish",
    "RateLimitedError": "Meshy is busy: try again in a few seconds",
    "ServerError": "Meshy had a server problem: press Retry in a moment",
    "NetworkError": "Meshy cannot be reached: check the internet connection or proxy",
    "OnlineAccessError": "Blender is offline: allow Online Access in Preferences > System",
    "CannotProcessError": "Meshy could not work with this model (Rig needs a standing "
                          "humanoid)",
    "AssetExpiredError": "The download link expired: press Retry to fetch fresh links",
    "NotFoundError": "Meshy no longer has this task (deleted or expired)",
    "WaitTimeoutError": "Meshy is taking long: the task may still finish; Retry follows it",
}
_QUOTED_FIELD = re.compile(r"'([a-z_]+)'")
_MISSING_HINTS = ("is required", "must not be empty", "must be a URL or a file path",
                  "needs a model", "needs a style", "must be text", "needs at least one")

STEP_WORDS: dict[str, str] = {
    "text-to-3d-preview": "Shape", "text-to-3d-refine": "Texture", "image-to-3d": "Model",
    "multi-image-to-3d": "Model", "retexture": "Retexture", "remesh": "Remesh",
    "rig-check": "Rig check", "rig": "Rig",
    "animate": "Animation", "text-to-image": "Picture", "image-to-image": "Picture",
}


def _field_message(field: str, text: str) -> str:
    if field in MISSING and any(hint in text for hint in _MISSING_HINTS):
        return MISSING[field]
    label = LABELS.get(field)
    if label is None:
        return _unquote(text)
    reason = _unquote(text.replace(f"'{field}'", "it"))
    return f"{label}: {reason}"


def _unquote(text: str) -> str:
    """Replace any remaining quoted API field names with the sidebar's labels."""
    return _QUOTED_FIELD.sub(lambda m: LABELS.get(m.group(1), m.group(1).replace("_", " ")),
                             text).rstrip(".")


def for_error(exc: BaseException) -> str:
    """The sentence for an exception raised while checking, pricing or sending a request."""
    if isinstance(exc, errors.ValidationError):
        field = getattr(exc, "field", None) or ""
        return _field_message(field, exc.message)
    if isinstance(exc, errors.InsufficientCreditsError) and exc.required is not None \
            and exc.balance is not None and type(exc) is errors.InsufficientCreditsError:
        return (f"Not enough Meshy credits: this costs {exc.required:,}, you have "
                f"{exc.balance:,}. Use Buy Credits in the Account panel")
    if isinstance(exc, errors.MeshyError):
        found = errors.table_sentence(exc.message)  # a v2 error code's own sentence
        if found is not None:
            return _unquote(found)
        return BY_TYPE.get(type(exc).__name__, _unquote(exc.message))
    return str(exc)


def for_job_error(error: dict[str, Any] | None) -> str:
    """The sentence for a failed job's error (a snapshot's ``error`` dict: type + message)."""
    if not error:
        return ""
    kind = str(error.get("type") or "")
    message = str(error.get("message") or "")
    found = errors.table_sentence(message)  # a v2 error code's own sentence
    if found is not None:
        return _unquote(found)
    if kind in BY_TYPE:
        return BY_TYPE[kind]
    return _unquote(message) or "The Meshy task failed"


def title(status: str) -> str:
    """"IN_PROGRESS" -> "In Progress" (statuses from Meshy and the job model alike)."""
    return status.replace("_", " ").replace("-", " ").title()


def step_word(kind: str) -> str:
    """The step's word in progress lines: its own, else its kind's label (model tools:
    ``kinds.TOOLS``), else the kind in title case."""
    return STEP_WORDS.get(kind) or kinds.LABELS.get(kind) or title(kind)


def progress_text(snap: dict[str, Any]) -> str:
    """"Texture 2/2 · 40%": the running step in words, its place in the chain, the job's
    overall percentage."""
    steps = snap.get("steps") or []
    percent = f"{float(snap.get('progress') or 0):.0f}%"
    if not steps:
        return percent
    current = next((n for n, s in enumerate(steps) if s.get("status") != "SUCCEEDED"),
                   len(steps) - 1)
    word = step_word(str(steps[current].get("kind")))
    if snap.get("status") == "DOWNLOADING":
        word = "Downloading"
    elif snap.get("status") == "QUEUED":
        word = "Queued"
    return f"{word} {current + 1}/{len(steps)} · {percent}"
