"""The picture inputs and texturing options that several panels draw (Generate, Selected
Object, Texture It), kept here so no feature's panel imports another's.

May import what ``ui/`` may: ``core/``, ``scene/`` and bpy.
"""

from __future__ import annotations

from typing import Any

import bpy

from .panel_base import option


def image_input(layout: Any, item: Any, label: str) -> None:
    """A picture input drawn as the picture: Blender's image browser with its preview and an
    Open button (like a texture slot), or, for a file on disk, the file's own thumbnail."""
    from ..core import thumbnails
    col = layout.column(align=True)
    col.label(text=label)
    col.template_ID_preview(item, "image", open="image.open", rows=2, cols=4)
    if item.image is None:
        col.prop(item, "filepath", text="")
        path = bpy.path.abspath(item.filepath) if item.filepath.strip() else ""
        icon = thumbnails.icon(thumbnails.load_file(path)) if path else None
        if icon is not None:
            col.template_icon(icon_value=icon, scale=5.0)



def draw_texturing(layout: Any, s: Any, pins: dict[str, Any], guide: bool = True) -> None:
    """How a model is textured (also what "Texture It" uses for a shape made earlier);
    ``guide=False`` when something else guides the texture (Multi-image's Texture Views)."""
    option(layout, s, "enable_pbr", pins)
    option(layout, s, "remove_lighting", pins)
    if not guide:
        return
    layout.prop(s, "texture_source")
    if s.texture_source == "PROMPT":
        layout.prop(s, "texture_prompt")
    elif s.texture_source == "IMAGE":
        image_input(layout, s.texture_image, "Texture Reference")
