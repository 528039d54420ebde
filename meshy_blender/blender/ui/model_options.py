"""Model options drawn into the Generate, Retexture and Remesh sections: Meshy-7 and the
geometry pass (image modes), texture views, texture size on retexture, real-world size on
remesh. What is drawn is exactly what :mod:`core.model_options` sends."""

from __future__ import annotations

from typing import Any

from ...client import model_catalogue
from .panel_base import option
from .texturing import image_input


def draw_image_model_options(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    """Image and Multi-image's model options of API v2: Meshy-7 and the geometry pass."""
    n = s.id_data.meshy_tools
    shape = model_catalogue.find("image-to-3d", "meshy-7")
    if n.meshy7 or (shape is not None and not shape.is_retired()):  # on: can be turned off
        layout.prop(n, "meshy7")
    option(layout, n, "geometry_resolution", pins)


def draw_texture_views(layout: Any, s: Any) -> None:
    """Multi-image to 3D's texture guidance: up to four views of the object's sides."""
    n = s.id_data.meshy_tools
    layout.prop(n, "texture_from_views")
    if n.texture_from_views:
        for i in range(1, 5):
            image_input(layout, getattr(n, f"texture_view_{i}"), f"Texture View {i}")


def draw_retexture_options(layout: Any, s: Any) -> None:
    """Retexture's texture size; multi-view retexture only while an old file has it on (API
    v2 has no such field: shown so it can be turned off)."""
    n = s.id_data.meshy_tools
    if n.multiview_retexture:
        layout.prop(n, "multiview_retexture")
    layout.prop(n, "texture_resolution")


def draw_remesh_options(layout: Any, s: Any) -> None:
    layout.prop(s.id_data.meshy_tools, "remesh_auto_size")
