"""Options Meshy API v2 renamed or removed, and how an old name keeps working.

v2 answers 400 to a v1 name (``text_style_prompt``, ``ai_model`` on retexture, ``hd_texture``,
``ultra_mode``, ``model_type``...), but scripts written for v1 use them. Each old name here is
translated to its v2 name and value (with one ``DeprecationWarning``, :func:`warn_old_names`,
when a caller's script, not the add-on itself, used it), or refused with a sentence saying what
to use when v2 has no equivalent. The v2 names themselves are in :mod:`.request_fields`.
Standard library only.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ValidationError

IMAGE_TO_3D = ("image-to-3d", "multi-image-to-3d")
# Every generation kind: text to 3D's shape and textured model are v2 text-to-3d calls too.
GENERATION = (*IMAGE_TO_3D, "text-to-3d-preview", "text-to-3d-refine")
# Assumption (docs/meshy-api-v2.md): v1's ultra mode is v2's smallest Ultra geometry pass, the
# one Meshy-7 and multi-image to 3D also take; same price (+5 credits).
ULTRA_GEOMETRY = "2k"
SMART_TOPOLOGY_MODEL = "meshy-t2.5"
# v1 retexture's AI model -> v2 texture model. Assumed (docs/meshy-api-v2.md, C3): "latest"
# textured with Meshy-7 on v1, and Meshy-6's texture model on v2 is Meshy-6 Lite.
TEXTURE_MODEL_OF = {"latest": "meshy-7", "meshy-7": "meshy-7", "meshy-6": "meshy-6-lite"}


@dataclass(frozen=True)
class Renamed:
    """One v1 option name on some kinds: its v2 name (None: none) and how its value changes.

    ``convert(value, options)`` gives the v2 value (None: nothing to send) or raises a
    ValidationError when this value has no v2 equivalent."""

    old: str
    new: str | None
    kinds: tuple[str, ...]
    convert: Callable[[Any, Mapping[str, Any]], Any] = lambda value, _options: value
    refusal: str = ""  # when ``new`` is None: what to do instead, in the artist's words


def _same(value: Any, _options: Mapping[str, Any]) -> Any:
    return value


def _texture_model(value: Any, _options: Mapping[str, Any]) -> Any:
    if value in TEXTURE_MODEL_OF:
        return TEXTURE_MODEL_OF[value]
    raise ValidationError(f"'ai_model' {value!r} (AI Model) is not a texture model on Meshy API "
                          "v2: choose 'meshy-7' (or texture_model 'meshy-n1' or "
                          "'meshy-6-lite').", field="ai_model")


def _uv_mode(value: Any, _options: Mapping[str, Any]) -> Any:
    # Assumption (docs/meshy-api-v2.md): v2's uv_mode values were not readable.
    return "original" if value else "regenerate"


def _hd(value: Any, _options: Mapping[str, Any]) -> Any:
    return "4k" if value else None


def _ultra(value: Any, _options: Mapping[str, Any]) -> Any:
    return ULTRA_GEOMETRY if value else None


def _model_type(value: Any, options: Mapping[str, Any]) -> Any:
    """v1's Model Type became an AI model on v2: Standard is the default, Smart Topology is
    Meshy-T2.5 (which then replaces the AI Model, so a pinned one conflicts)."""
    if value in (None, "standard"):
        return None
    if value == "smart-topology":
        if options.get("ai_model") not in (None, "latest", SMART_TOPOLOGY_MODEL):
            raise ValidationError("Smart Topology ('model_type') is its own AI model on Meshy "
                                  f"API v2 ({SMART_TOPOLOGY_MODEL!r}): drop AI Model "
                                  f"{options.get('ai_model')!r} or Model Type.",
                                  field="model_type")
        return SMART_TOPOLOGY_MODEL
    raise ValidationError(f"Model Type ('model_type') {value!r} has no Meshy API v2 equivalent: "
                          "use Smart "
                          f"Topology (ai_model {SMART_TOPOLOGY_MODEL!r}).", field="model_type")


RENAMED: tuple[Renamed, ...] = (
    Renamed("text_style_prompt", "texture_prompt", ("retexture",), _same),
    Renamed("image_style_url", "texture_image_url", ("retexture",), _same),
    Renamed("enable_original_uv", "uv_mode", ("retexture",), _uv_mode),
    Renamed("ai_model", "texture_model", ("retexture",), _texture_model),
    Renamed("hd_texture", "texture_resolution", ("retexture", *IMAGE_TO_3D, "text-to-3d-refine"),
            _hd),
    Renamed("ultra_mode", "geometry_resolution", IMAGE_TO_3D, _ultra),
    Renamed("model_type", "ai_model", GENERATION, _model_type),
    Renamed("multiview_image_urls", None, ("retexture",),
            refusal="Meshy API v2 names no field for views of the model in Retexture; "
                    "use a style prompt or a style image."),
    Renamed("auto_size", None, ("retexture",),
            refusal="Retexture keeps the model's size on Meshy API v2; resize it with "
                    "Resize afterwards."),
    Renamed("origin_at", None, ("retexture",),
            refusal="Retexture keeps the model's origin on Meshy API v2; move it with "
                    "Resize afterwards."),
    Renamed("decimation_mode", None, GENERATION,
            refusal="Meshy API v2 has no decimation mode; set Polycount instead."),
    Renamed("is_a_t_pose", None, GENERATION,
            refusal="Meshy API v2 replaced is_a_t_pose with pose_mode ('a-pose' or 't-pose')."),
)


def find(kind: str, name: str) -> Renamed | None:
    """The renamed-option entry for ``name`` on ``kind``, or None when the name is current."""
    return next((r for r in RENAMED if r.old == name and kind in r.kinds), None)


def translate(kind: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` with every old name on ``kind`` replaced by its v2 name and value.

    Refuses an old name with no v2 equivalent, a value with none, and an old name given
    together with its v2 name. Values are checked first (specs.build_payload calls this last)."""
    out: dict[str, Any] = {}
    renamed = []
    for name, value in options.items():
        entry = find(kind, name) if value is not None else None
        if entry is None:
            out.setdefault(name, value)
            continue
        if entry.new is None:
            raise ValidationError(f"'{name}' is not an option on Meshy API v2: {entry.refusal}",
                                  field=name)
        if options.get(entry.new) is not None and entry.new != "ai_model":
            raise ValidationError(f"'{name}' is the old name of '{entry.new}': give only "
                                  f"'{entry.new}'.", field=name)
        renamed.append((entry, value))
    for entry, value in renamed:
        assert entry.new is not None
        converted = entry.convert(value, options)
        if converted is not None:
            out[entry.new] = converted
    return out


def warn_old_names(kind: str, options: Mapping[str, Any], *, stacklevel: int = 3) -> list[str]:
    """One DeprecationWarning per v1 name a caller's script used (the add-on's own requests
    are translated silently); returns the warnings' sentences (the CLI prints them)."""
    said = []
    for name, value in options.items():
        entry = find(kind, name) if value is not None else None
        if entry is None or entry.new is None:
            continue  # a name with no v2 equivalent is refused when the request is checked
        sentence = (f"'{name}' is the Meshy API v1 name of '{entry.new}': it is translated "
                    f"for now; please use '{entry.new}'.")
        warnings.warn(sentence, DeprecationWarning, stacklevel=stacklevel)
        said.append(sentence)
    return said


__all__ = ["RENAMED", "Renamed", "find", "translate", "warn_old_names"]
