"""Add-on preferences, keyed by the add-on package name so they work installed or from a checkout.

The API key lives here (PASSWORD subtype, stored in userpref.blend, never in a scene .blend) or in
the MESHY_API_KEY environment variable, which wins (see config.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty

from ....identity import ADDON_ID
from ....jobs import retention_rules
from ....version import extension_version
from ...core.sidebar_data import DEFAULT_MAX_JOBS
from .panel import draw_account

if TYPE_CHECKING:
    from ...core import config


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
    proxy: StringProperty(
        name="Proxy",
        description="HTTP(S) proxy for Meshy, e.g. http://proxy.example:3128 (empty: the "
        "system's HTTPS_PROXY/NO_PROXY settings). Never used for the local emulator",
    )
    max_jobs: IntProperty(
        name="Max Concurrent Jobs",
        description="Tasks sent to Meshy at once to start with (Pro 10, Premium 30, Studio 60, "
                    "Ultra and Enterprise 100); more follow while Meshy accepts them, fewer "
                    "when its queue is full",
        default=DEFAULT_MAX_JOBS,
        min=1,
        max=100,
    )
    max_in_flight: IntProperty(
        name="Max Tasks on Meshy",
        description="At most this many of this computer's tasks on Meshy at once, whatever "
                    "its queue takes: a share when several computers use one account (a queue "
                    "of 60 and 6 computers: 10 each). 0: no cap. MESHY_MAX_IN_FLIGHT wins; "
                    "the studio policy's max_in_flight applies when this is 0",
        default=0,
        min=0,
        max=200,
    )
    tier: EnumProperty(
        name="Account Tier",
        description="Your Meshy plan: where concurrency and request pacing start (Auto learns "
                    "the queue limit and request rate from Meshy's answers). MESHY_TIER wins",
        # Numbered: Blender stores the number, so a plan added later never changes what a
        # saved preference means (Studio stays 2 with Premium and Ultra listed before it).
        items=[("AUTO", "Auto", "Learn the queue limit and request rate from Meshy's answers", 0),
               ("PRO", "Pro", "Queue of 10 tasks, 20 requests per second", 1),
               ("PREMIUM", "Premium", "Queue of 30 tasks, 20 requests per second", 4),
               ("ULTRA", "Ultra", "Queue of 100 tasks, 20 requests per second", 5),
               ("STUDIO", "Studio", "Queue of 60 tasks, 20 requests per second", 2),
               ("ENTERPRISE", "Enterprise", "Queue of 100 or more tasks, 100 requests per "
                "second", 3)],
        default="AUTO",
    )
    use_stream: BoolProperty(
        name="Live Updates (Streaming)",
        description="Follow tasks with server-sent events; falls back to polling when it fails",
        default=True,
    )
    import_format: EnumProperty(
        name="Import Format",
        description="Which file of each result lands in the scene",
        items=[("GLB", "GLB", "glTF binary: materials come out closest to Meshy's "
                                        "(recommended)"),
               ("FBX", "FBX", "Autodesk FBX, as a game engine would get it")],
        default="GLB",
    )
    placement: EnumProperty(
        name="Placement",
        items=[
            ("CURSOR", "3D Cursor", "Place results at the 3D cursor"),
            ("ORIGIN", "World Origin", "Place results at the world origin"),
        ],
        description="Where generated models land (Retexture/Remesh can replace the selection)",
        default="CURSOR",
    )
    mark_assets: BoolProperty(
        name="Mark Results as Assets",
        description="Mark each imported result as an asset with Meshy's thumbnail as its "
                    "preview, tags and a Meshy catalog, so it shows up in the Asset Browser",
        default=True,
    )
    save_folder: StringProperty(
        name="Save Results To",
        description="Folder for results saved as files (Save to Asset Library, multi-colour "
                    "3MF). Empty: beside the .blend, or your first asset library while the "
                    "file is unsaved",
        subtype="DIR_PATH",
    )

    keep_days: IntProperty(
        name="Keep Imported Jobs",
        description="Days a finished job and its downloaded files stay in the cache for a "
        "re-import; older ones are removed at start-up (pinned jobs are always kept)",
        default=retention_rules.DEFAULT_KEEP_DAYS,
        min=1,
        max=3650,
    )
    keep_jobs: IntProperty(
        name="Keep at Most",
        description="Number of finished jobs kept for a re-import; beyond it the oldest are "
        "removed with their files at start-up (pinned jobs are always kept)",
        default=retention_rules.DEFAULT_KEEP_JOBS,
        min=1,
        max=100000,
    )

    def draw(self, context: bpy.types.Context) -> None:
        draw_preferences(self.layout, self, context)


def draw_preferences(layout: bpy.types.UILayout, prefs: MeshyPreferences,
                     context: bpy.types.Context) -> None:
    """Every setting with where its effective value comes from, then the account status.
    Proxy, certificates and concurrency sit in a closed "Network" section."""
    from ...core import config
    settings = config.resolve(context)
    layout.label(text=f"Meshy for Blender {extension_version()}")
    col = layout.column()
    col.use_property_split = True
    col.use_property_decorate = False
    if settings.sources.get("api_key") == "MESHY_API_KEY":
        col.label(text="API key: from MESHY_API_KEY (overrides the field below)",
                  icon="CHECKMARK")
    col.prop(prefs, "api_key")
    _sourced(col, prefs, settings, ("api_base", "cache_dir"))
    col.row().prop(prefs, "import_format", expand=True)
    col.prop(prefs, "placement")
    col.prop(prefs, "mark_assets")
    col.prop(prefs, "save_folder")
    from ...scene import save_location

    col.label(text=f"Saving to {save_location.resolve(context).said()}", icon="FILE_FOLDER")
    header, body = layout.panel("meshy_prefs_network", default_closed=True)
    header.label(text="Network")
    if body is not None:
        body.use_property_split = True
        body.use_property_decorate = False
        _sourced(body, prefs, settings, ("ca_bundle", "proxy"))
        body.prop(prefs, "max_jobs")
        _sourced(body, prefs, settings, ("max_in_flight",))
        body.prop(prefs, "tier")
        body.prop(prefs, "use_stream")
    draw_cache(layout, prefs, settings)
    box = layout.box()
    draw_account(box, settings, context)


def draw_cache(layout: bpy.types.UILayout, prefs: MeshyPreferences,
               settings: config.Settings) -> None:
    """The "Cache" section: how long finished jobs stay re-importable, the downloads' size and
    Clear Cache (which keeps unfinished, unimported and pinned jobs)."""
    header, body = layout.panel("meshy_prefs_cache", default_closed=True)
    header.label(text="Cache")
    if body is None:
        return
    body.use_property_split = True
    body.use_property_decorate = False
    col = body.column(align=True)
    col.prop(prefs, "keep_days", text="Keep Imported Jobs (Days)")
    col.prop(prefs, "keep_jobs", text="Keep at Most (Jobs)")
    from ....jobs import retention  # the pruning machinery loads when Preferences draw

    size, files = retention.cached_size(settings.download_dir)
    row = body.row()
    row.label(text="Downloads")
    row.label(text=f"{retention.human_size(size)} in {files} file(s)")
    body.operator("meshy.clear_cache", icon="TRASH")


def _sourced(layout: bpy.types.UILayout, prefs: MeshyPreferences, settings: config.Settings,
             names: tuple[str, ...]) -> None:
    """Fields that an environment variable or the studio policy can override, saying so."""
    for name in names:
        row = layout.row()
        row.prop(prefs, name)
        source = settings.sources.get(name, "default")
        if source not in ("preferences", "default"):
            row.label(text=f"from {source}")
