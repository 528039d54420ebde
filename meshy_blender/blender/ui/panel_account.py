"""Account panel: where the key comes from, balance, online access, Test connection."""

from __future__ import annotations

import bpy

from ..session import calls, config, preflight
from ..session.account import BALANCE_CALL
from .panel_base import SidebarPanel


def draw_account(layout: bpy.types.UILayout, settings: config.Settings) -> None:
    """Also drawn in the add-on preferences (with the key field itself above it)."""
    source = preflight.key_source(settings)
    col = layout.column(align=True)
    if source == "none":
        col.label(text="No API key", icon="ERROR")
        col.label(text="Add it in Preferences > Add-ons > Meshy")
        col.label(text="or set MESHY_API_KEY")
    else:
        col.label(text=f"Key: from {source}", icon="CHECKMARK")
    if settings.sources.get("api_base") != "default":
        col.label(text=f"Server: {settings.api_base}")

    col = layout.column(align=True)
    if not preflight.needs_online(settings):
        col.label(text="Local server: no internet needed", icon="LINKED")
    elif bpy.app.online_access:
        col.label(text="Online access: allowed", icon="URL")
    else:
        col.label(text="Online access is off", icon="INTERNET_OFFLINE")
        col.label(text="Preferences > System > Network >")
        col.label(text="Allow Online Access, or --online-mode")

    ok = preflight.problem(settings) is None
    row = layout.row(align=True)
    row.enabled = ok
    outcome = calls.CALLS.outcomes.get(BALANCE_CALL)
    if calls.CALLS.running(BALANCE_CALL):
        row.label(text="Balance: reading...", icon="SORTTIME")
    elif outcome is not None and outcome.error:
        row.label(text="Balance unavailable", icon="ERROR")
    elif outcome is not None:
        row.label(text=f"Balance: {outcome.value} credits", icon="FUND")
    else:
        row.label(text="Balance: not read yet", icon="FUND")
    row.operator("meshy.refresh_balance", text="", icon="FILE_REFRESH")
    if outcome is not None and outcome.error:
        layout.label(text=outcome.error[:120])
    sub = layout.row()
    sub.enabled = ok
    sub.operator("meshy.test_connection", icon="PLUGIN")


class MESHY_PT_account(SidebarPanel):
    bl_idname = "MESHY_PT_account"
    bl_label = "Account"

    def draw_panel(self, context: bpy.types.Context, settings: config.Settings) -> None:
        draw_account(self.layout, settings)  # type: ignore[arg-type]
