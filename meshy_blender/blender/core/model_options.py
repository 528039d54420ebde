"""The model options of the sidebar's Generate, Retexture and Remesh buttons (Meshy-7, geometry
pass, texture size, texture views, transparent thumbnail, real-world size on remesh), added to
the payloads that :mod:`sidebar_requests` builds.

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
    if n.texture_resolution != "NONE" and s.should_texture:
        opts["texture_resolution"] = n.texture_resolution
    if n.geometry_resolution != "standard":
        opts["geometry_resolution"] = n.geometry_resolution
    if mode != "TEXT" and n.meshy7:  # Meshy-7 as a 3D model: the image endpoints only
        opts["ai_model"] = "meshy-7"
    return opts


def uses_texture_views(s: Any, mode: str) -> bool:
    """Whether Multi-image to 3D's texture follows the Texture Views (``texture_image_urls``)
    instead of a texture prompt or picture."""
    n = _tools(s)
    return (n is not None and mode == "MULTI_IMAGE" and s.should_texture
            and n.texture_from_views)


def texture_view_slots(s: Any) -> list[Any]:
    """The Texture View pictures that are set, in order."""
    from ..scene import image_inputs

    n = _tools(s)
    slots = [getattr(n, f"texture_view_{i}") for i in range(1, 5)]
    return [slot for slot in slots if image_inputs.is_set(slot)]


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
    if n.texture_resolution != "NONE":
        opts["texture_resolution"] = n.texture_resolution
    if n.alpha_thumbnail:
        opts["alpha_thumbnail"] = True
    return opts


def remesh_extras(s: Any) -> dict[str, Any]:
    n = _tools(s)
    return {"auto_size": True} if n is not None and n.remesh_auto_size else {}
