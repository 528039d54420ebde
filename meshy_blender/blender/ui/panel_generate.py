"""Generate panel: Text / Image / Multi-image with every option an artist would set."""

from __future__ import annotations

from typing import Any

import bpy

from ..session import config, sidebar_requests
from ..session.sidebar_requests import GENERATE_OPERATORS, REQUEST_FOR_MODE
from .panel_base import SidebarPanel, cost_button, option, policy_pins


def _image_input(layout: Any, item: Any, label: str) -> None:
    col = layout.column(align=True)
    col.label(text=label)
    col.prop(item, "image", text="")
    if item.image is None:
        col.prop(item, "filepath", text="")


def _section(layout: Any, idname: str, title: str, closed: bool = True) -> Any:
    """A collapsible sub-section (UILayout.panel, Blender 4.1+); None while collapsed."""
    header, body = layout.panel(idname, default_closed=closed)
    header.label(text=title)
    return body


def draw_inputs(layout: Any, s: Any) -> None:
    if s.mode == "TEXT":
        col = layout.column(align=True)
        if s.prompt_text is None:
            col.prop(s, "prompt", text="")
        col.prop(s, "prompt_text", text="Long Prompt", icon="TEXT")
        col.prop(s, "negative_prompt")
        layout.prop(s, "art_style")
    elif s.mode == "IMAGE":
        _image_input(layout, s.image, "Picture")
    else:
        for n in range(1, 5):
            _image_input(layout, getattr(s, f"multi_image_{n}"), f"Picture {n}")


def draw_model(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    col = layout.column()
    option(col, s, "ai_model", pins)
    option(col, s, "model_type", pins)
    option(col, s, "topology", pins)
    row = col.row(align=True)
    row.prop(s, "use_polycount", text="")
    sub = row.row()
    sub.enabled = s.use_polycount
    option(sub, s, "target_polycount", pins)
    option(col, s, "symmetry_mode", pins)
    option(col, s, "pose_mode", pins)
    option(col, s, "should_remesh", pins)
    if s.mode != "TEXT":
        option(col, s, "image_enhancement", pins)
    option(col, s, "moderation", pins)


def draw_texture(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    option(layout, s, "should_texture", pins)
    col = layout.column()
    col.enabled = s.should_texture
    option(col, s, "enable_pbr", pins)
    option(col, s, "remove_lighting", pins)
    col.prop(s, "texture_source")
    if s.texture_source == "PROMPT":
        col.prop(s, "texture_prompt", text="")
    elif s.texture_source == "IMAGE":
        _image_input(col, s.texture_image, "Texture Reference")


def draw_output(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    option(layout, s, "target_formats", pins)
    option(layout, s, "auto_size", pins)
    option(layout, s, "origin_at", pins)
    layout.prop(s, "import_format")


def draw_chain(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    layout.prop(s, "chain_remesh")
    layout.prop(s, "chain_rig")
    row = layout.row()
    row.enabled = s.chain_rig
    row.prop(s, "rig_height")
    row = layout.row()
    row.enabled = s.chain_rig
    row.prop(s, "chain_animations")


class MESHY_PT_generate(SidebarPanel):
    bl_idname = "MESHY_PT_generate"
    bl_label = "Generate"

    def draw_panel(self, context: bpy.types.Context, settings: config.Settings) -> None:
        layout = self.layout
        s = context.scene.meshy  # type: ignore[attr-defined]
        layout.row().prop(s, "mode", expand=True)
        draw_inputs(layout, s)
        pins = policy_pins(REQUEST_FOR_MODE[s.mode], settings)
        for idname, title, draw in (("meshy_gen_model", "Model", draw_model),
                                    ("meshy_gen_texture", "Texture", draw_texture),
                                    ("meshy_gen_output", "Output", draw_output),
                                    ("meshy_gen_chain", "Then", draw_chain)):
            body = _section(layout, idname, title)
            if body is not None:
                draw(body, s, pins)
        req = sidebar_requests.generate(s, settings, estimate=True)
        cost_button(layout.column(), GENERATE_OPERATORS[s.mode], "Generate", req, settings,
                    icon="PLAY")
