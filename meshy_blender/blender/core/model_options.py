"""The model options of the sidebar's Generate, Retexture and Remesh buttons (Meshy-7, ultra
mode, texture size, transparent thumbnail, real-world size on remesh), added to the payloads
that :mod:`sidebar_requests` builds.

Read from ``scene.meshy_tools`` (reached from the main settings' scene), and only sent where
Meshy accepts them, so a Text to 3D job is never refused for an image-only option.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..scene.image_inputs import PLACEHOLDER_URL


def _tools(s: Any) -> Any:
    return getattr(s.id_data, "meshy_tools", None)


def generate_extras(s: Any, mode: str) -> dict[str, Any]:
    """Options for the Generate button in ``mode`` (TEXT, IMAGE, MULTI_IMAGE)."""
    n = _tools(s)
    if n is None:
        return {}
    opts: dict[str, Any] = {}
    if n.alpha_thumbnail:
        opts["alpha_thumbnail"] = True
    if mode == "TEXT":
        return opts  # text to 3D has no Meshy-7 and no texture size
    if n.meshy7:
        opts["ai_model"] = "meshy-7"
        if n.ultra_mode:
            opts["ultra_mode"] = True
    if n.texture_resolution != "NONE" and s.should_texture:
        opts["texture_resolution"] = n.texture_resolution
    return opts


def multiview_views(s: Any, views: list[str] | None) -> dict[str, Any]:
    """Multi-view retexture: the rendered views (placeholders while pricing) replace the style
    prompt or picture; {} when it is off."""
    n = _tools(s)
    if n is None or not n.multiview_retexture:
        return {}
    return {"multiview_image_urls": views or [PLACEHOLDER_URL] * n.multiview_count}


def render_multiview(context: Any, s: Any, directory: Path) -> list[str] | None:
    """Render the selected meshes for multi-view retexture (main thread, before any spend);
    None when it is off or nothing is selected to render."""
    n = _tools(s)
    if n is None or not n.multiview_retexture:
        return None
    from ..scene import selection, view_render

    meshes = selection.selected_meshes(context)
    active = context.view_layer.objects.active
    if not meshes and active is not None:
        root = selection.meshy_root(active)
        meshes = [o for o in [root, *root.children_recursive] if o.type == "MESH"]
    if not meshes:
        return None
    return view_render.render_views(context, meshes, n.multiview_count, directory)


def retexture_extras(s: Any) -> dict[str, Any]:
    n = _tools(s)
    if n is None:
        return {}
    opts: dict[str, Any] = {}
    if n.meshy7 or n.multiview_retexture:  # views of the model need Meshy-7
        opts["ai_model"] = "meshy-7"
    if n.texture_resolution != "NONE":
        opts["texture_resolution"] = n.texture_resolution
    if n.alpha_thumbnail:
        opts["alpha_thumbnail"] = True
    return opts


def remesh_extras(s: Any) -> dict[str, Any]:
    n = _tools(s)
    return {"auto_size": True} if n is not None and n.remesh_auto_size else {}
