"""Account: where the key comes from, balance, online access, Test connection.

Once the key works the sidebar panel is one header line ("Account  9,960 credits" and a
refresh button): nothing to read when nothing needs doing. When something blocks Meshy (no
key, Blender offline, an unusable studio policy) the panel says so in one sentence with the
buttons that fix it. The preferences draw the full account status (:func:`draw_account`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

from ...ui.panel_base import SidebarPanel, blocked_reason, wrapped

if TYPE_CHECKING:
    from ...core import config


def balance_text() -> str:
    """"9,960 credits", "reading...", or why the balance is unknown."""
    from ...core import account, calls, first_read
    from ...core.account import BALANCE_CALL
    if calls.CALLS.running(BALANCE_CALL) or first_read.asked():
        return "Reading balance..."
    outcome = calls.CALLS.outcomes.get(BALANCE_CALL)
    if outcome is not None and outcome.error:
        return "Balance unavailable"
    value = account.balance()
    return f"{value:,} credits" if value is not None else "Balance not read yet"


def draw_fixes(layout: Any, settings: config.Settings, context: Any = None) -> None:
    """The problem that blocks Meshy, in one sentence, and the buttons that fix it."""
    from ....identity import ADDON_ID
    from ...core import account, preflight
    if not settings.api_key:
        wrapped(layout, "Meshy needs an API key: get one on meshy.ai, then paste it in the "
                        "add-on preferences (or set MESHY_API_KEY).", context, icon="ERROR")
        row = layout.row(align=True)
        row.operator("wm.url_open", text="Get an API Key", icon="URL").url = \
            account.GET_KEY_URL
        row.operator("preferences.addon_show", text="Open Preferences",
                     icon="PREFERENCES").module = ADDON_ID
    elif preflight.blocked_offline(settings):
        wrapped(layout, "Blender is not allowed to go online, so Meshy cannot be reached.",
                context, icon="INTERNET_OFFLINE")
        layout.operator("screen.userpref_show", text="Allow Online Access",
                        icon="PREFERENCES").section = "SYSTEM"
    elif settings.policy_error is not None:
        wrapped(layout, f"Studio policy: {settings.policy_error}", context, icon="ERROR")


def draw_account(layout: bpy.types.UILayout, settings: config.Settings,
                 context: Any = None) -> None:
    """The full status, drawn in the add-on preferences (with the key field above it)."""
    from ...core import account, calls, preflight
    from ...core.account import BALANCE_CALL
    source = preflight.key_source(settings)
    col = layout.column(align=True)
    if source != "none":
        col.label(text=f"Key: from {source}", icon="CHECKMARK")
    if settings.sources.get("api_base") != "default":
        col.label(text=f"Server: {settings.api_base}")
    if not preflight.needs_online(settings):
        col.label(text="Local server: no internet needed", icon="LINKED")
    elif bpy.app.online_access:
        col.label(text="Online access: allowed", icon="URL")
    draw_fixes(layout, settings, context)
    ok = preflight.problem(settings) is None
    row = layout.row(align=True)
    row.enabled = ok
    row.label(text=f"Balance: {balance_text()}", icon="FUND")
    row.operator("meshy.refresh_balance", text="", icon="FILE_REFRESH")
    if account.balance_split():
        col = layout.column(align=True)
        col.enabled = ok
        col.label(text=account.balance_split())
    outcome = calls.CALLS.outcomes.get(BALANCE_CALL)
    if outcome is not None and outcome.error:
        wrapped(layout, outcome.error, context)
    row = layout.row(align=True)
    row.enabled = ok
    row.operator("meshy.test_connection", icon="PLUGIN")
    row.operator("wm.url_open", text="Buy Credits", icon="URL").url = account.BUY_CREDITS_URL


class MESHY_PT_account(SidebarPanel):
    bl_idname = "MESHY_PT_account"
    bl_label = "Account"

    def draw_header(self, context: bpy.types.Context) -> None:
        """The one-line summary: the balance once the key works (with its monthly / permanent
        split and reset date when Meshy gives them), else what is missing."""
        from ...core import config
        settings = config.resolve(context)
        reason = blocked_reason(settings)
        row = self.layout.row(align=True)  # type: ignore[union-attr]
        if reason is not None:
            row.alert = True
            row.label(text="Needs attention", icon="ERROR")
            return
        text = balance_text()
        row.label(text=text)
        from ...core import account
        if text.endswith(" credits") and account.balance_split():
            row.label(text=account.balance_split())
        row.operator("meshy.refresh_balance", text="", icon="FILE_REFRESH", emboss=False)

    def draw_panel(self, context: bpy.types.Context, settings: config.Settings) -> None:
        from ...core import account, calls
        from ...core.account import BALANCE_CALL
        layout = self.layout
        if blocked_reason(settings) is None:
            outcome = calls.CALLS.outcomes.get(BALANCE_CALL)
            if outcome is not None and outcome.error:
                wrapped(layout, outcome.error, context, icon="ERROR")
            if account.balance() == 0:
                layout.operator("wm.url_open", text="Buy Credits",
                                icon="URL").url = account.BUY_CREDITS_URL
            return
        draw_fixes(layout, settings, context)
