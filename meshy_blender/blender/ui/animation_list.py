"""The animation library as a searchable, category-filtered list with a tick per animation
(several can be added in one go), in Selected Object > Animate and Generate > Then."""

from __future__ import annotations

from typing import Any

import bpy

from .panel_base import wrapped


def readable(category: str) -> str:
    """"WalkAndRun" -> "Walk And Run" (library categories are CamelCase identifiers)."""
    out = ""
    for n, ch in enumerate(category):
        if ch.isupper() and n and not category[n - 1].isupper():
            out += " "
        out += ch
    return out


class MESHY_UL_animations(bpy.types.UIList):
    """Library rows; the list's own search box filters by name, the category enum by category,
    and the list id (a rig type, see :func:`draw_animation_picker`) by the rig it animates."""

    bl_idname = "MESHY_UL_animations"

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname,
                  index=0, flt_flag=0):
        from ..core import library
        row = layout.row(align=True)
        row.prop(item, "selected", text="")
        row.label(text=item.name, icon="ACTION")
        row.label(text=readable(item.category))
        url = library.preview_url(item.action_id)
        if url:
            row.operator("wm.url_open", text="", icon="PLAY").url = url

    def filter_items(self, context, data, propname):
        from ..core.library import ALL, fits
        items = getattr(data, propname)
        helper = bpy.types.UI_UL_list
        flags = helper.filter_items_by_name(self.filter_name, self.bitflag_filter_item, items,
                                            "name")
        if not flags:
            flags = [self.bitflag_filter_item] * len(items)
        category = data.animation_category
        if category != ALL:
            flags = [f if item.category == category else 0 for f, item in zip(flags, items,
                                                                                strict=True)]
        rig_type = self.list_id  # "" (any rig), "biped" or "quadruped"
        flags = [f if fits(item.rig_type, rig_type) else 0
                 for f, item in zip(flags, items, strict=True)]
        return flags, []


def _draw_preview(layout: Any, wm_state: Any) -> None:
    """The highlighted animation's preview clip (opens in the browser), where Meshy has one."""
    from ..core import library
    index = wm_state.animation_index
    if not 0 <= index < len(wm_state.animations):
        return
    item = wm_state.animations[index]
    url = library.preview_url(item.action_id)
    if url:
        layout.operator("wm.url_open", text=f"Preview '{item.name}'", icon="PLAY").url = url
    else:
        layout.label(text=f"No preview for '{item.name}'", icon="INFO")


def draw_animation_picker(layout: Any, context: Any, rig_type: str = "") -> None:
    """The searchable, categorised library list with a tick per animation (also used by
    Selected Object > Animate, where ``rig_type`` - the rig's, biped or quadruped - leaves only
    the clips made for it); a Load button until the library arrives."""
    from ..core import library
    wm_state = context.window_manager.meshy
    if len(wm_state.animations):
        layout.prop(wm_state, "animation_category")
        if rig_type:
            layout.label(text=f"Clips for a {rig_type} rig", icon="ARMATURE_DATA")
        layout.template_list("MESHY_UL_animations", rig_type, wm_state, "animations", wm_state,
                             "animation_index", rows=5)
        _draw_preview(layout, wm_state)
        return
    message = library.state.get("error")
    if message:
        wrapped(layout, message, context, icon="INFO")
    layout.operator("meshy.load_animation_library", icon="FILE_REFRESH")


def chosen_text(context: Any) -> str:
    """The popover button's text: how many clips are ticked, so the closed list still says it."""
    ticked = sum(1 for item in context.window_manager.meshy.animations if item.selected)
    return f"{ticked} chosen" if ticked else "Choose"


class MESHY_PT_animation_picker(bpy.types.Panel):
    """Generate > Then's clips in a popover: the library list would add seven rows to the
    sidebar (a header-region panel is drawn only where a layout asks for it, as Blender's own
    popovers are)."""

    bl_idname = "MESHY_PT_animation_picker"
    bl_label = "Animations"
    bl_space_type = "VIEW_3D"
    bl_region_type = "HEADER"
    bl_ui_units_x = 16

    def draw(self, context: Any) -> None:
        draw_animation_picker(self.layout, context)


CLASSES = (MESHY_UL_animations, MESHY_PT_animation_picker)
