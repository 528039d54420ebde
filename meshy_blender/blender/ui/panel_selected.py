"""Selected object panel: Retexture, Remesh, Rig, and Animate for rigs Meshy made."""

from __future__ import annotations

from typing import Any

import bpy

from ..scene import selection
from ..session import config, library, sidebar_requests
from .panel_base import SidebarPanel, cost_button, option, policy_pins


def _draw_source(layout: Any, context: Any) -> tuple[str | None, bool]:
    """Say what would be sent; returns (source object name, anything to send)."""
    active = context.view_layer.objects.active
    task_id = selection.model_task_id(active) if active is not None else None
    if task_id:
        root = selection.meshy_root(active)
        layout.label(text=f"Meshy model: {root.name}", icon="CHECKMARK")
        return root.name, True
    meshes = selection.selected_meshes(context)
    if not meshes:
        layout.label(text="Select a mesh to retexture, remesh or rig", icon="INFO")
        return None, False
    layout.label(text=f"Uploads {len(meshes)} mesh object(s) as GLB", icon="EXPORT")
    layout.prop(context.scene.meshy, "apply_modifiers")
    return meshes[0].name, True


def draw_retexture(layout: Any, s: Any, settings: Any, source: str | None) -> None:
    layout.row().prop(s, "retexture_source", expand=True)
    if s.retexture_source == "PROMPT":
        layout.prop(s, "retexture_prompt", text="")
    else:
        col = layout.column(align=True)
        col.prop(s.retexture_image, "image", text="")
        if s.retexture_image.image is None:
            col.prop(s.retexture_image, "filepath", text="")
    pins = policy_pins("retexture", settings)
    option(layout, s, "retexture_ai_model", pins, "ai_model")
    row = layout.row()
    option(row, s, "keep_uvs", pins, "enable_original_uv")
    option(row, s, "retexture_pbr", pins, "enable_pbr")
    req = sidebar_requests.retexture(s, settings, None, source, estimate=True)
    cost_button(layout, "meshy.retexture", "Retexture", req, settings, icon="TEXTURE")


def draw_remesh(layout: Any, s: Any, settings: Any, source: str | None) -> None:
    pins = policy_pins("remesh", settings)
    option(layout, s, "remesh_topology", pins, "topology")
    option(layout, s, "remesh_polycount", pins, "target_polycount")
    row = layout.row(align=True)
    row.prop(s, "remesh_use_height", text="")
    sub = row.row()
    sub.enabled = s.remesh_use_height
    option(sub, s, "remesh_height", pins, "resize_height")
    option(layout, s, "remesh_origin", pins, "origin_at")
    option(layout, s, "remesh_formats", pins, "target_formats")
    cost_button(layout, "meshy.remesh", "Remesh",
                sidebar_requests.remesh(s, settings, None, source), settings,
                icon="MOD_REMESH")


def draw_rig(layout: Any, s: Any, settings: Any, source: str | None) -> None:
    option(layout, s, "rig_height", policy_pins("rig", settings), "height_meters")
    cost_button(layout, "meshy.rig", "Rig", sidebar_requests.rig(s, settings, None, source),
                settings,
                icon="ARMATURE_DATA")


def draw_animate(layout: Any, context: Any, s: Any, settings: Any, armature: Any) -> None:
    wm_state = context.window_manager.meshy
    if len(wm_state.animations):
        layout.prop(wm_state, "animation_category")
        layout.template_list("MESHY_UL_animations", "", wm_state, "animations", wm_state,
                             "animation_index", rows=5)
    else:
        message = library.state.get("error")
        if message:
            layout.label(text=message, icon="INFO")
        layout.operator("meshy.load_animation_library", icon="FILE_REFRESH")
    layout.prop(s, "action_id")
    name = library.action_name(s.action_id)
    if name:
        layout.label(text=name, icon="ACTION")
    req = sidebar_requests.animate(s, settings, selection.rig_task_id(armature), armature.name)
    cost_button(layout, "meshy.animate", "Animate", req, settings, icon="PLAY")


class MESHY_PT_selected(SidebarPanel):
    bl_idname = "MESHY_PT_selected"
    bl_label = "Selected Object"

    def draw_panel(self, context: bpy.types.Context, settings: config.Settings) -> None:
        layout = self.layout
        s = context.scene.meshy  # type: ignore[attr-defined]
        active = context.view_layer.objects.active
        if selection.rig_task_id(active) is not None:
            draw_animate(layout.box(), context, s, settings, active)
        source, ok = _draw_source(layout, context)
        if not ok:
            return
        layout.prop(s, "replace_selection")
        for title, draw in (("Retexture", draw_retexture), ("Remesh", draw_remesh),
                            ("Rig", draw_rig)):
            box = layout.box()
            box.label(text=title)
            draw(box, s, settings, source)
