"""Add-on preferences, keyed by the add-on package name so they work installed or from a checkout.

The API key lives here (PASSWORD subtype, stored in userpref.blend, never in a scene .blend) or in
the MESHY_API_KEY environment variable, which wins (see config.py).
"""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty

from .. import ADDON_ID
from . import config


class MeshyPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    api_key: StringProperty(
        name="API Key",
        description="Meshy API key (msy_...). MESHY_API_KEY in the environment takes precedence",
        subtype="PASSWORD",
    )
    api_base: StringProperty(
        name="API Base URL",
        description="Meshy API address; MESHY_API_BASE takes precedence",
        default="",
    )
    cache_dir: StringProperty(
        name="Cache Folder",
        description="Downloads and the job journal (default: the extension's user folder). "
        "MESHY_CACHE_DIR takes precedence",
        subtype="DIR_PATH",
    )
    ca_bundle: StringProperty(
        name="CA Bundle",
        description="PEM file of extra trusted certificate authorities (corporate proxies). "
        "TLS verification is always on",
        subtype="FILE_PATH",
    )
    max_jobs: IntProperty(
        name="Max Concurrent Jobs",
        description="Jobs running at once (match your Meshy plan's queue limit: Pro 10)",
        default=config.DEFAULT_MAX_JOBS,
        min=1,
        max=100,
    )
    use_stream: BoolProperty(
        name="Live Updates (Streaming)",
        description="Follow tasks with server-sent events; falls back to polling when it fails",
        default=True,
    )
    import_format: EnumProperty(
        name="Import Format",
        items=[("GLB", "GLB", "glTF binary (recommended)"), ("FBX", "FBX", "Autodesk FBX")],
        default="GLB",
    )
    placement: EnumProperty(
        name="Placement",
        items=[
            ("CURSOR", "3D Cursor", "Place results at the 3D cursor"),
            ("ORIGIN", "World Origin", "Place results at the world origin"),
        ],
        default="CURSOR",
    )

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = config.resolve(context)
        col = layout.column()
        if settings.sources.get("api_key") == "MESHY_API_KEY":
            col.label(text="API key: from MESHY_API_KEY (overrides the field below)",
                      icon="CHECKMARK")
        col.prop(self, "api_key")
        for name in ("api_base", "cache_dir", "ca_bundle"):
            row = col.row()
            row.prop(self, name)
            source = settings.sources.get(name, "default")
            if source not in ("preferences", "default"):
                row.label(text=f"from {source}")
        col.prop(self, "max_jobs")
        col.prop(self, "use_stream")
        row = col.row()
        row.prop(self, "import_format", expand=True)
        col.prop(self, "placement")


def get_preferences(context: bpy.types.Context | None = None) -> MeshyPreferences | None:
    """The add-on's preferences, or None when the add-on is registered but not enabled."""
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon else None  # type: ignore[return-value]
