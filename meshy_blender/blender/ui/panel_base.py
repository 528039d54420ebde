"""Helpers shared by the sidebar panels: the tab, wrapped messages, collapsible sections, and
buttons that show what they cost against the balance."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import bpy

if TYPE_CHECKING:
    from ...jobs.policy import Policy
    from ...jobs.request import JobRequest
    from ..core import config
    from ..core.costs import Estimate

CATEGORY = "Meshy"


class SidebarPanel(bpy.types.Panel):
    """Base of the sidebar panels (not registered itself): resolves the settings once per draw
    and hands them to :meth:`draw_panel`."""

    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = CATEGORY

    def draw(self, context: bpy.types.Context) -> None:
        from ..core import config, first_read
        settings = config.resolve(context)
        # The sidebar's first draw with a usable key asks for the balance (once per session), so
        # prices are compared with it before the artist clicks anything; a timer right after
        # the draw starts the worker that reads it (never the draw itself).
        first_read.ask(settings)
        self.draw_panel(context, settings)

    def draw_panel(self, context: bpy.types.Context, settings: config.Settings) -> None:
        raise NotImplementedError


def ui_policy(settings: config.Settings) -> Policy | None:
    """The studio policy the sidebar follows (None when there is no policy file, or no usable
    one: the Account panel and every submit report an unusable one). Without a file nothing is
    pinned or refused, so the sidebar draws without loading the policy parser."""
    if settings.policy_error is not None or settings.studio_policy is None:
        return None
    return settings.policy


def option(layout: Any, data: Any, name: str, pins: dict[str, Any], api_name: str = "",
           **kwargs: Any) -> None:
    """A setting as a normal field, or, when the studio policy pins its API option
    (``api_name``, default the setting's own name), as a locked line showing the value that
    will be sent."""
    pinned = api_name or name
    if pinned not in pins:
        layout.prop(data, name, **kwargs)
        return
    label = data.bl_rna.properties[name].name
    layout.label(text=f"{label}: {pins[pinned]} (studio)", icon="LOCKED")


def policy_pins(request: str, settings: config.Settings) -> dict[str, Any]:
    """Options the studio policy locks for a request kind, with their values ({} if none)."""
    policy = ui_policy(settings)
    return policy.pins(request) if policy is not None else {}


def wrapped(layout: Any, text: str, context: Any = None, icon: str = "NONE") -> None:
    """A message wrapped to the sidebar's width (labels never wrap by themselves), the icon on
    its first line only."""
    region = getattr(context, "region", None) if context is not None else None
    width = int(getattr(region, "width", 0) or 0)
    chars = max(24, int(width / 7)) if width else 36
    col = layout.column(align=True)
    for n, line in enumerate(textwrap.wrap(text, chars) or [""]):
        col.label(text=line, icon=icon if n == 0 else "BLANK1" if icon != "NONE" else "NONE")


def section(layout: Any, idname: str, title: str, closed: bool = True,
            icon: str = "NONE") -> Any:
    """A collapsible sub-section (``UILayout.panel``, Blender 4.1+) laid out like Blender's own
    option panels (property split); None while collapsed."""
    header, body = layout.panel(idname, default_closed=closed)
    header.label(text=title, icon=icon)
    if body is not None:
        body.use_property_split = True
        body.use_property_decorate = False
    return body


def blocked_reason(settings: config.Settings) -> str | None:
    """Why no Meshy button can work now (no key, offline, unusable policy) in artist words."""
    from ..core import preflight
    if not settings.api_key:
        return "Add your Meshy API key first (Account)"
    if preflight.blocked_offline(settings):
        return "Blender is offline: allow Online Access (Account)"
    if settings.policy_error is not None:
        return "The studio policy file cannot be used (Account)"
    return None


def cost_button(layout: Any, idname: str, action: str, req: JobRequest | None,
                settings: config.Settings, icon: str = "NONE", context: Any = None,
                copies: int = 1, price: Estimate | None = None) -> Any:
    """An operator button labelled with its credit cost ("Rig (5 credits)") and, under it,
    the balance ("balance 9,960"; the price is said once, on the button). The button is
    disabled with the reason drawn when nothing can be
    sent (no key, offline), the request does not validate (what to fix), or the last balance
    read cannot pay for it. ``price``: the cost when there is no ``req`` to plan (priced from
    the tables alone, see core/price_labels.py)."""
    from ..core import account, costs
    blocked = blocked_reason(settings)
    est = None if blocked else costs.estimate(req, ui_policy(settings), copies) \
        if req is not None else price
    balance = account.balance()
    reason = blocked or (est.error if est is not None else None) or \
        (est.shortfall(balance) if est is not None else None)
    col = layout.column()
    row = col.row()
    row.enabled = reason is None
    row.scale_y = 1.3
    op = row.operator(idname, text=est.label(action) if est else action, icon=icon)
    if reason is not None:
        wrapped(col, reason, context, icon="INFO")
    elif est is not None and est.summary(balance):
        col.label(text=est.summary(balance), icon="FUND")
    if est is not None and est.shortfall(balance):
        col.operator("wm.url_open", text="Buy Credits", icon="URL").url = \
            account.BUY_CREDITS_URL
    return op
