"""Menu entries, so Meshy is found where Blender users look (and by F3 menu search):
Add (Shift+A) > Meshy > "Model from Text..." / "Model from Image...", and the object context
menu (right click) with the actions that apply to what is selected. Menu entries open a dialog
with the main options and the price before anything is sent.
"""

from __future__ import annotations

from typing import Any

import bpy

from ..core.sidebar_data import GENERATE_OPERATORS


class MESHY_MT_add(bpy.types.Menu):
    """Make a new model with Meshy"""

    bl_idname = "MESHY_MT_add"
    bl_label = "Meshy"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.operator_context = "INVOKE_DEFAULT"
        op = layout.operator(GENERATE_OPERATORS["TEXT"], text="Model from Text...", icon="TEXT")
        op.dialog = True
        op = layout.operator(GENERATE_OPERATORS["IMAGE"], text="Model from Image...",
                             icon="IMAGE_DATA")
        op.dialog = True


def object_actions(context: Any) -> list[tuple[str, str, str]]:
    """(operator, text, icon) for what the selection can have done: Animate for a Meshy rig;
    Retexture, Remesh and Rig for a Meshy model or any mesh; nothing otherwise."""
    from ..core import shape_first
    from ..scene import selection
    active = context.view_layer.objects.active
    if selection.rig_task_id(active) is not None:
        return [("meshy.animate", "Animate with Meshy...", "ACTION")]
    has_model = (active is not None and selection.model_task_id(active)) or \
        selection.selected_meshes(context)
    if not has_model:
        return []
    shape = [("meshy.texture_shape", "Texture Shape with Meshy...", "SHADING_TEXTURE")] \
        if active is not None and shape_first.shape_task(active) else []
    return [*shape, ("meshy.retexture", "Retexture with Meshy...", "TEXTURE"),
            ("meshy.remesh", "Remesh with Meshy...", "MOD_REMESH"),
            ("meshy.rig", "Rig with Meshy...", "ARMATURE_DATA")]


def draw_add_menu(self: Any, context: bpy.types.Context) -> None:
    self.layout.menu(MESHY_MT_add.bl_idname, icon="WORLD")


def draw_object_context_menu(self: Any, context: bpy.types.Context) -> None:
    actions = object_actions(context)
    if not actions:
        return
    self.layout.separator()
    col = self.layout.column()  # our own operator context, not the entries appended after us
    col.operator_context = "INVOKE_DEFAULT"
    for idname, text, icon in actions:
        col.operator(idname, text=text, icon=icon).dialog = True


# (menu type name, draw function) appended on register, removed on unregister.
APPENDS = (("VIEW3D_MT_add", draw_add_menu),
           ("VIEW3D_MT_object_context_menu", draw_object_context_menu))
CLASSES = (MESHY_MT_add,)


def register_menus() -> None:
    for menu, fn in APPENDS:
        getattr(bpy.types, menu).append(fn)


def unregister_menus() -> None:
    for menu, fn in APPENDS:
        getattr(bpy.types, menu).remove(fn)
