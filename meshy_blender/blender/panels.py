"""3D Viewport sidebar (N panel), tab "Meshy"."""

from __future__ import annotations

import os

import bpy

from .preferences import get_preferences

CATEGORY = "Meshy"


class MESHY_PT_account(bpy.types.Panel):
    bl_idname = "MESHY_PT_account"
    bl_label = "Account"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = CATEGORY

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        prefs = get_preferences(context)
        if os.environ.get("MESHY_API_KEY"):
            layout.label(text="Key: from MESHY_API_KEY", icon="CHECKMARK")
        elif prefs is not None and prefs.api_key:
            layout.label(text="Key: from preferences", icon="CHECKMARK")
        else:
            layout.label(text="No API key set", icon="ERROR")
        if not bpy.app.online_access:
            col = layout.column(align=True)
            col.label(text="Online access is off", icon="INTERNET_OFFLINE")
            col.label(text="Preferences > System > Network")


class MESHY_PT_generate(bpy.types.Panel):
    bl_idname = "MESHY_PT_generate"
    bl_label = "Generate"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = CATEGORY

    def draw(self, context: bpy.types.Context) -> None:
        settings = context.scene.meshy  # type: ignore[attr-defined]
        self.layout.prop(settings, "prompt", text="")
