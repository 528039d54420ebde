"""Selected Object panel: one collapsible section per action that applies to what is selected:
Animate for a rig Meshy made; Retexture, Remesh and Rig for a Meshy model or any mesh; for an
untextured shape, Texture It instead of Retexture.

The actions are one table (``ACTIONS``), each with the test that says whether it applies, so a
later action (e.g. texturing an untextured shape) is one more row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

from ...ui.animation_list import draw_animation_picker
from ...ui.model_options import draw_remesh_options, draw_retexture_options
from ...ui.panel_base import SidebarPanel, cost_button, option, policy_pins, section, ui_policy
from ...ui.texturing import draw_texturing, image_input
from .uv_print_motion_panel import MODEL_ACTIONS as UV_PRINT_ACTIONS
from .uv_print_motion_panel import draw_text_to_motion

if TYPE_CHECKING:
    from ....jobs.request import JobRequest
    from ...core import config
    from ...core.costs import Estimate


def _draw_source(layout: Any, context: Any) -> tuple[str | None, bool]:
    """Say what would be sent; returns (source object name, anything to send)."""
    from ...scene import selection
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
    col = layout.column()
    col.use_property_split = True
    col.prop(context.scene.meshy, "apply_modifiers")
    return meshes[0].name, True


def draw_texture_shape(layout: Any, context: Any, s: Any, settings: Any,
                       source: str | None) -> None:
    """Shape first: texture the untextured shape with Generate's Texture options; the textured
    model replaces it where it stands."""
    from ...core import shape_first
    from ...scene import candidates
    root = bpy.data.objects.get(source) if source else None
    pins = policy_pins("text-to-3d", settings)
    option(layout, s, "texture_model", pins)
    draw_texturing(layout, s, pins)
    if root is not None and candidates.others(root, context.view_layer.objects):
        layout.prop(s, "discard_candidates")
    req = shape_first.request_for(root, s, settings, estimate=True)
    cost_button(layout, "meshy.texture_shape", "Texture It", req, settings,
                icon="SHADING_TEXTURE", context=context)


def draw_retexture(layout: Any, context: Any, s: Any, settings: Any, source: str | None) -> None:
    draw_retexture_options(layout, s)
    if not context.scene.meshy_tools.multiview_retexture:  # else the views are the style
        layout.row().prop(s, "retexture_source", expand=True)
        if s.retexture_source == "PROMPT":
            layout.prop(s, "retexture_prompt")
        else:
            image_input(layout, s.retexture_image, "Style Picture")
    pins = policy_pins("retexture", settings)
    option(layout, s, "retexture_texture_model", pins, "texture_model")
    option(layout, s, "keep_uvs", pins, "enable_original_uv")
    option(layout, s, "retexture_pbr", pins, "enable_pbr")
    layout.prop(s, "replace_selection")
    req, price = retexture_price(s, settings, source)
    cost_button(layout, "meshy.retexture", "Retexture", req, settings, icon="TEXTURE",
                context=context, price=price)


def retexture_price(s: Any, settings: config.Settings,
                    source: str | None) -> tuple[JobRequest | None, Estimate | None]:
    """What prices Retexture, as :func:`..generate.panel.generate_price` for Generate."""
    from ...core import price_labels
    if price_labels.planner_loaded() or ui_policy(settings) is not None:
        from ...core import sidebar_requests
        return sidebar_requests.retexture(s, settings, None, source, estimate=True), None
    price_labels.load_planner_soon()
    return None, price_labels.retexture(s)


def draw_remesh(layout: Any, context: Any, s: Any, settings: Any, source: str | None) -> None:
    from ...core import sidebar_requests
    pins = policy_pins("remesh", settings)
    option(layout, s, "remesh_topology", pins, "topology")
    option(layout, s, "remesh_polycount", pins, "target_polycount")
    row = layout.row(heading="Resize")
    row.prop(s, "remesh_use_height", text="")
    sub = row.row()
    sub.enabled = s.remesh_use_height
    option(sub, s, "remesh_height", pins, "resize_height", text="")
    option(layout, s, "remesh_origin", pins, "origin_at")
    option(layout, s, "remesh_formats", pins, "target_formats")
    draw_remesh_options(layout, s)
    layout.prop(s, "replace_selection")
    cost_button(layout, "meshy.remesh", "Remesh",
                sidebar_requests.remesh(s, settings, None, source), settings,
                icon="MOD_REMESH", context=context)


def draw_rig(layout: Any, context: Any, s: Any, settings: Any, source: str | None) -> None:
    from ...core import sidebar_requests
    option(layout, s, "rig_height", policy_pins("rig", settings), "height_meters")
    layout.prop(s, "rig_check")
    cost_button(layout, "meshy.rig", "Rig", sidebar_requests.rig(s, settings, None, source),
                settings, icon="ARMATURE_DATA", context=context)


def draw_animate(layout: Any, context: Any, s: Any, settings: Any, armature: Any) -> None:
    from ...core import library, sidebar_requests
    from ...scene import selection

    rig_type = selection.rig_type(armature)
    draw_animation_picker(layout, context, rig_type)
    if library.state.get("available") is False:
        layout.prop(s, "action_id")  # the library cannot load: the only typed id
    req = sidebar_requests.animate(s, settings, selection.rig_task_id(armature), armature.name,
                                   rig_type)
    cost_button(layout, "meshy.animate", "Animate", req, settings, icon="PLAY", context=context)


# (section id, title, icon, draw): what a model (Meshy's or any mesh) can have done to it.
MODEL_ACTIONS = (("meshy_sel_retexture", "Retexture", "TEXTURE", draw_retexture),
                 ("meshy_sel_remesh", "Remesh", "MOD_REMESH", draw_remesh),
                 ("meshy_sel_rig", "Rig", "ARMATURE_DATA", draw_rig), *UV_PRINT_ACTIONS)


class MESHY_PT_selected(SidebarPanel):
    bl_idname = "MESHY_PT_selected"
    bl_label = "Selected Object"

    def draw_panel(self, context: bpy.types.Context, settings: config.Settings) -> None:
        from ...core import shape_first
        from ...scene import selection
        layout = self.layout
        s = context.scene.meshy  # type: ignore[attr-defined]
        active = context.view_layer.objects.active
        if selection.rig_task_id(active) is not None:
            kind = selection.rig_type(active)
            layout.label(text=f"Meshy rig: {active.name}" + (f" ({kind})" if kind else ""),
                         icon="ARMATURE_DATA")
            body = section(layout, "meshy_sel_animate", "Animate", closed=False, icon="ACTION")
            if body is not None:
                draw_animate(body, context, s, settings, active)
            body = section(layout, "meshy_sel_motion", "Text to Motion", icon="ACTION")
            if body is not None:
                draw_text_to_motion(body, context, s, settings, active)
            return
        source, ok = _draw_source(layout, context)
        if not ok:
            return
        if active is not None and selection.deleted_on_meshy(active):
            from ....jobs.deleted_tasks import REASON
            layout.label(text=REASON, icon="ERROR")  # no paid action on a task Meshy deleted
            return
        shape = active is not None and shape_first.shape_task(active) is not None
        if shape:
            layout.label(text="Untextured shape: check it, then texture it", icon="MESH_DATA")
            body = section(layout, "meshy_sel_texture_shape", "Texture Shape", closed=False,
                           icon="SHADING_TEXTURE")
            if body is not None:
                draw_texture_shape(body, context, s, settings, source)
        for idname, title, icon, draw in MODEL_ACTIONS:
            if shape and idname == "meshy_sel_retexture":
                continue  # a shape is textured by Texture It (its own texture), not restyled
            body = section(layout, idname, title, closed=idname != "meshy_sel_retexture",
                           icon=icon)
            if body is not None:
                draw(body, context, s, settings, source)
        if selection.meshy_root(active) is not None:
            layout.operator("meshy.save_to_asset_library", icon="ASSET_MANAGER")
