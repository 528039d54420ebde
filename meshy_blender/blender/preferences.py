"""Add-on preferences, keyed by the add-on package name so they work installed or from a checkout.

The API key lives here (PASSWORD subtype, stored in userpref.blend, never in a scene .blend) or in
the MESHY_API_KEY environment variable.
"""

from __future__ import annotations

import os

import bpy
from bpy.props import StringProperty

from .. import ADDON_ID


class MeshyPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    api_key: StringProperty(
        name="API Key",
        description="Meshy API key (msy_...). Leave empty to use the MESHY_API_KEY variable",
        subtype="PASSWORD",
    )

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        if os.environ.get("MESHY_API_KEY"):
            layout.label(text="API key: from MESHY_API_KEY", icon="CHECKMARK")
        layout.prop(self, "api_key")


def get_preferences(context: bpy.types.Context | None = None) -> MeshyPreferences | None:
    """The add-on's preferences, or None when the add-on is registered but not enabled."""
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon else None  # type: ignore[return-value]
