"""Sidebar settings -> JobRequests for the Selected Object tools: UV unwrap (alone or followed
by Retexture keeping the new UVs), 3D-print analyze / repair / multi-colour, and text-to-motion
applied to a rig (concept pictures: :mod:`concept_requests`).

Like :mod:`sidebar_requests`, each builder serves both the button's price (``model_input``
None: a placeholder task id, nothing exported) and the operator (the real input), so the price
drawn is the price of exactly what is sent.
"""

from __future__ import annotations

from typing import Any

from ....jobs.plans import PLACEHOLDER_TASK_ID
from ....jobs.request import JobRequest
from ...core import config
from ...core.sidebar_requests import import_format
from ...scene.naming import safe_name


def _source(model_input: dict[str, Any] | None) -> dict[str, Any]:
    return model_input if model_input is not None else {"input_task_id": PLACEHOLDER_TASK_ID}


def _import(settings: config.Settings, source_object: str | None, replace: bool) -> Any:
    fmt = "GLB"  # UV unwrap and repair answer with a GLB only
    if replace and source_object:
        return settings.import_options(format=fmt, placement="REPLACE",
                                       source_object=source_object)
    return settings.import_options(format=fmt)


def uv_unwrap(s: Any, n: Any, settings: config.Settings, model_input: dict[str, Any] | None,
              source_object: str | None) -> JobRequest:
    """UV unwrap; with "Then Retexture" one job: unwrap -> retexture keeping the new UVs."""
    opts: dict[str, Any] = dict(_source(model_input))
    label = f"{source_object or 'model'} unwrapped"
    if n.uv_then_retexture:
        opts["retexture"] = {"text_style_prompt": n.uv_retexture_prompt.strip(),
                             "enable_pbr": s.retexture_pbr}
        label = f"{source_object or 'model'} {n.uv_retexture_prompt.strip() or 'retextured'}"
    return JobRequest("uv-unwrap", opts, safe_name(label),
                      _import(settings, source_object, s.replace_selection))


def print_analyze(settings: config.Settings, model_input: dict[str, Any] | None,
                  source_object: str | None) -> JobRequest:
    """Free printability report; nothing is imported and the object is not changed."""
    return JobRequest("print-analyze", dict(_source(model_input)),
                      safe_name(f"{source_object or 'model'} print check"),
                      settings.import_options(format="GLB"))


def print_repair(s: Any, settings: config.Settings, model_input: dict[str, Any] | None,
                 source_object: str | None) -> JobRequest:
    """Repaired model (textures dropped by Meshy), beside the original or in its place."""
    return JobRequest("print-repair", dict(_source(model_input)),
                      safe_name(f"{source_object or 'model'} repaired"),
                      _import(settings, source_object, s.replace_selection))


def print_multi_color(n: Any, settings: config.Settings,
                      model_input: dict[str, Any] | None,
                      source_object: str | None) -> JobRequest:
    """A multi-colour 3MF for printing; saved to disk, not imported."""
    opts = {**_source(model_input), "max_colors": n.print_max_colors,
            "max_depth": n.print_max_depth}
    return JobRequest("print-multi-color", opts,
                      safe_name(f"{source_object or 'model'} multicolour"),
                      settings.import_options(format="GLB"))


def text_to_motion(s: Any, n: Any, settings: config.Settings, rig_task_id: str | None,
                   armature: str | None) -> JobRequest:
    """A motion from words, applied to the selected Meshy rig as one more action."""
    prompt = n.motion_prompt.strip()
    opts: dict[str, Any] = {"prompt": prompt, "mode": n.motion_mode,
                            "duration": round(n.motion_duration * 2) / 2,
                            "apply_to_rig": rig_task_id or PLACEHOLDER_TASK_ID}
    name = safe_name(prompt) or "Meshy_Motion"
    return JobRequest("text-to-motion", opts, safe_name(f"{armature or 'rig'} {name}"),
                      settings.import_options(format=import_format(s, settings),
                                              target_armature=armature or "",
                                              action_names={"motion": name}))
