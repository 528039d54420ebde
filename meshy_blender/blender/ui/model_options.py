"""Model options drawn into the Generate, Retexture and Remesh sections: Meshy-7
and ultra mode (image modes), texture size, a transparent thumbnail, multi-view retexture and
real-world size on remesh. What is drawn is exactly what :mod:`core.model_options` sends."""

from __future__ import annotations

from typing import Any

from ...client import model_catalogue


def draw_generate_options(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    """The Generate panel's "Meshy-7 & Output" section."""
    n = s.id_data.meshy_tools
    if s.mode == "TEXT":
        layout.label(text="Meshy-7 and texture size: Image and Multi-image", icon="INFO")
    else:
        shape = model_catalogue.find("image-to-3d", "meshy-7")
        if n.meshy7 or (shape is not None and not shape.is_retired()):  # on: can be turned off
            layout.prop(n, "meshy7")
        row = layout.row()
        row.enabled = n.meshy7
        row.prop(n, "ultra_mode")
        row = layout.row()
        row.enabled = s.should_texture
        row.prop(n, "texture_resolution")
    layout.prop(n, "alpha_thumbnail")


def draw_retexture_options(layout: Any, s: Any) -> None:
    n = s.id_data.meshy_tools
    layout.prop(n, "multiview_retexture")
    if n.multiview_retexture:
        layout.prop(n, "multiview_count")
    else:
        layout.prop(n, "meshy7")
    layout.prop(n, "texture_resolution")


def draw_remesh_options(layout: Any, s: Any) -> None:
    layout.prop(s.id_data.meshy_tools, "remesh_auto_size")
