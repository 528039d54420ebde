"""Sidebar settings -> JobRequests (request kind, API options, import options, label).

One builder per button, used twice: by the operator (``estimate=False``: real file paths, images
written to disk) and by the panel for the cost label (``estimate=True``: placeholders, no file
I/O), so the price shown is the price of exactly what the button sends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...jobs.request import PLACEHOLDER_TASK_ID, ImportOptions, JobRequest
from ..scene import image_inputs
from ..scene.naming import safe_name
from . import config, model_options
from .sidebar_data import candidate_count  # noqa: F401  (the operators' name for it)
from .uploads import upload_dir


def prompt_of(s: Any) -> str:
    """The prompt: the Text datablock when one is chosen, else the one-line field."""
    if s.prompt_text is not None:
        return s.prompt_text.as_string().strip()
    return s.prompt.strip()


def import_format(s: Any, settings: config.Settings) -> str:
    return settings.import_format if s.import_format == "DEFAULT" else s.import_format


def _image(item: Any, estimate: bool, temp_dir: Path) -> str | None:
    return image_inputs.for_estimate(item) if estimate else image_inputs.resolve(item, temp_dir)


def _chosen_image(item: Any, estimate: bool, temp_dir: Path) -> str:
    """A picture the artist switched on a source for (Texture From / Style From: Image): "" when
    none is chosen, so validation names the missing picture instead of silently dropping it."""
    return _image(item, estimate, temp_dir) or ""


def _temp_dir(settings: config.Settings) -> Path:
    return upload_dir(settings)


def requested_formats(selected: Any, fmt: str) -> list[str]:
    """Requested formats, always including the one we import."""
    return sorted(set(selected) | {fmt.lower()})


def _model_options(s: Any) -> dict[str, Any]:
    opts: dict[str, Any] = {"ai_model": s.ai_model, "model_type": s.model_type,
                            "topology": s.topology, "symmetry_mode": s.symmetry_mode,
                            "should_remesh": s.should_remesh}
    if s.use_polycount:
        opts["target_polycount"] = s.target_polycount
    if s.pose_mode != "NONE":
        opts["pose_mode"] = s.pose_mode
    if s.moderation:
        opts["moderation"] = True
    return opts


def texture_options(s: Any, estimate: bool, temp_dir: Path, *,
                    textured: bool | None = None) -> dict[str, Any]:
    """Generate's texturing options; ``textured=True`` for texturing a shape made earlier
    (shape first), whatever the Texture checkbox says now."""
    textured = s.should_texture if textured is None else textured
    opts: dict[str, Any] = {"should_texture": textured}
    if not textured:
        return opts
    opts["texture_model"] = s.texture_model
    opts["enable_pbr"] = s.enable_pbr
    opts["remove_lighting"] = s.remove_lighting
    if s.texture_source == "PROMPT":
        opts["texture_prompt"] = s.texture_prompt.strip()
    elif s.texture_source == "IMAGE":
        opts["texture_image_url"] = _chosen_image(s.texture_image, estimate, temp_dir)
    return opts


def _output_options(s: Any, fmt: str) -> dict[str, Any]:
    opts: dict[str, Any] = {"target_formats": requested_formats(s.target_formats, fmt)}
    if s.auto_size:
        opts["auto_size"] = True
    if s.origin_at != "NONE":
        opts["origin_at"] = s.origin_at
    return opts


def _remesh_options(s: Any, fmt: str) -> dict[str, Any]:
    opts: dict[str, Any] = {"target_formats": requested_formats(s.remesh_formats, fmt),
                            "topology": s.remesh_topology,
                            "target_polycount": s.remesh_polycount}
    if s.remesh_use_height:
        opts["resize_height"] = s.remesh_height
    if s.remesh_origin != "NONE":
        opts["origin_at"] = s.remesh_origin
    opts.update(model_options.remesh_extras(s))
    return opts


def _chain_options(s: Any, fmt: str) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if s.chain_remesh:
        opts["remesh"] = _remesh_options(s, fmt)
    if s.chain_rig:
        opts["rig"] = {"height_meters": s.rig_height}
        if not s.rig_check:
            opts["rig_check"] = False  # else the 1-credit rig check comes first
    ids = _chain_animation_ids(s)
    if ids:
        opts["animations"] = ids
    return opts


def _chain_animation_ids(s: Any) -> list[int]:
    """The library animations ticked for "Then Animate" (only with "Then Rig")."""
    from .library import selected_ids

    return selected_ids() if s.chain_rig and s.chain_animate else []


def generate(s: Any, settings: config.Settings, *, mode: str | None = None,
             estimate: bool = False) -> JobRequest:
    """The Generate button for ``mode`` (default: the scene's; Text, Image or Multi-image)."""
    mode = mode or s.mode
    fmt = import_format(s, settings)
    temp = _temp_dir(settings)
    opts: dict[str, Any]
    if mode == "TEXT":
        prompt = prompt_of(s)
        request, label = "text-to-3d", prompt
        opts = {"prompt": prompt, **_model_options(s)}
        # Meshy API v2 has neither: an old file's Avoid or Sculpture is refused with a
        # sentence (the panel shows them only then, so they can be cleared).
        if s.negative_prompt.strip():
            opts["negative_prompt"] = s.negative_prompt.strip()
        if s.art_style != "realistic":
            opts["art_style"] = s.art_style
    elif mode == "IMAGE":
        request = "image-to-3d"
        opts = {"image_url": _image(s.image, estimate, temp), **_model_options(s),
                "image_enhancement": s.image_enhancement}
        label = _image_label(s.image)
    else:
        request = "multi-image-to-3d"
        slots = [s.multi_image_1, s.multi_image_2, s.multi_image_3, s.multi_image_4]
        chosen = [slot for slot in slots if image_inputs.is_set(slot)]
        opts = {"image_urls": [_image(slot, estimate, temp) for slot in chosen] or None,
                **_model_options(s), "image_enhancement": s.image_enhancement}
        label = _image_label(chosen[0]) if chosen else "multi image"
    opts.update(texture_options(s, estimate, temp))
    if model_options.uses_texture_views(s, mode):  # the views are the texture's guide
        opts.pop("texture_prompt", None)
        opts.pop("texture_image_url", None)
        opts["texture_image_urls"] = [_image(slot, estimate, temp)
                                      for slot in model_options.texture_view_slots(s)]
    opts.update(_output_options(s, fmt))
    opts.update(_chain_options(s, fmt))
    opts.update(model_options.generate_extras(s, mode))
    ids = _chain_animation_ids(s)
    return JobRequest(request, opts, safe_name(label) if label else request,
                      settings.import_options(format=fmt, action_names=_action_names(ids)))


def _image_label(item: Any) -> str:
    if item.image is not None:
        return item.image.name
    return Path(item.filepath).stem or "image"


def _action_names(ids: list[int]) -> dict[str, str]:
    from .library import action_name

    return {str(i): name for i in ids if (name := action_name(i))}


def _source(model_input: dict[str, Any] | None) -> dict[str, Any]:
    return model_input if model_input is not None else {"input_task_id": PLACEHOLDER_TASK_ID}


def _selected_import(s: Any, settings: config.Settings, source_object: str | None,
                     replace: bool) -> ImportOptions:
    fmt = import_format(s, settings)
    if replace and source_object:
        return settings.import_options(format=fmt, placement="REPLACE",
                                       source_object=source_object)
    return settings.import_options(format=fmt)


def retexture(s: Any, settings: config.Settings, model_input: dict[str, Any] | None,
              source_object: str | None, *, estimate: bool = False,
              views: list[str] | None = None) -> JobRequest:
    """Retexture: ``model_input`` is {"input_task_id": ...} or {"model_url": path}; None while
    estimating (the price does not depend on the model)."""
    fmt = import_format(s, settings)
    opts: dict[str, Any] = {**_source(model_input), "texture_model": s.retexture_texture_model,
                            "enable_original_uv": s.keep_uvs, "enable_pbr": s.retexture_pbr,
                            "target_formats": requested_formats(s.target_formats, fmt)}
    if s.retexture_source == "PROMPT":
        opts["text_style_prompt"] = s.retexture_prompt.strip()
        label = s.retexture_prompt.strip() or "retexture"
    else:
        opts["image_style_url"] = _chosen_image(s.retexture_image, estimate, _temp_dir(settings))
        label = _image_label(s.retexture_image)
    opts.update(model_options.retexture_extras(s))
    multiview = model_options.multiview_views(s, views)
    if multiview:  # views of the model are the style: no prompt or picture besides
        opts.pop("text_style_prompt", None)
        opts.pop("image_style_url", None)
        opts.update(multiview)
    label = f"{source_object or 'model'} {label}"
    return JobRequest("retexture", opts, safe_name(label),
                   _selected_import(s, settings, source_object, s.replace_selection))


def remesh(s: Any, settings: config.Settings, model_input: dict[str, Any] | None,
           source_object: str | None) -> JobRequest:
    fmt = import_format(s, settings)
    opts = {**_source(model_input), **_remesh_options(s, fmt)}
    return JobRequest("remesh", opts, safe_name(f"{source_object or 'model'} remeshed"),
                   _selected_import(s, settings, source_object, s.replace_selection))


def rig(s: Any, settings: config.Settings, model_input: dict[str, Any] | None,
        source_object: str | None) -> JobRequest:
    opts = {**_source(model_input), "height_meters": s.rig_height}
    if not s.rig_check:
        opts["rig_check"] = False
    return JobRequest("rig", opts, safe_name(f"{source_object or 'model'} rigged"),
                   _selected_import(s, settings, source_object, False))


def animate(s: Any, settings: config.Settings, rig_task_id: str | None,
            armature: str | None, rig_type: str = "") -> JobRequest:
    """Animate: every animation ticked in the library list (one task with ``action_ids``),
    else the highlighted one (or the typed id when the library cannot load). ``rig_type``:
    the rig's (biped / quadruped); a ticked clip for the other type is not sent."""
    from .library import action_name, selected_ids

    ids = selected_ids(rig_type) or [s.action_id]
    names = {str(i): action_name(i) or f"Meshy_Action_{i}" for i in ids}
    opts: dict[str, Any] = {"rig_task_id": rig_task_id or PLACEHOLDER_TASK_ID}
    if len(ids) == 1:
        opts["action_id"] = ids[0]
    else:
        opts["action_ids"] = ids
    label = names[str(ids[0])] if len(ids) == 1 else f"{len(ids)} animations"
    return JobRequest("animate", opts, safe_name(f"{armature or 'rig'} {label}"),
                      settings.import_options(format=import_format(s, settings),
                                              target_armature=armature or "",
                                              action_names=names))
