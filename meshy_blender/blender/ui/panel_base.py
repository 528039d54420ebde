"""Helpers shared by the sidebar panels: the tab, and buttons that show what they cost."""

from __future__ import annotations

from typing import Any

import bpy

from ...jobs.policy import Policy
from ...jobs.request import JobRequest
from ..session import config, costs

CATEGORY = "Meshy"


class SidebarPanel(bpy.types.Panel):
    """Base of the sidebar panels (not registered itself): resolves the settings once per draw
    and hands them to :meth:`draw_panel`."""

    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = CATEGORY

    def draw(self, context: bpy.types.Context) -> None:
        self.draw_panel(context, config.resolve(context))

    def draw_panel(self, context: bpy.types.Context, settings: config.Settings) -> None:
        raise NotImplementedError


def ui_policy(settings: config.Settings) -> Policy | None:
    """The studio policy the sidebar follows (None when there is no usable policy file; the
    Account panel and every submit report an unusable one)."""
    return None if settings.policy_error is not None else settings.policy


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


def cost_button(layout: Any, idname: str, action: str, req: JobRequest | None,
                settings: config.Settings, icon: str = "NONE") -> Any:
    """An operator button labelled with its credit cost ("Rig (5 credits)"); when the request
    does not validate (or the studio policy refuses it), the reason is shown under the button
    instead of a price."""
    est = costs.estimate(req, ui_policy(settings)) if req is not None else None
    op = layout.operator(idname, text=est.label(action) if est else action, icon=icon)
    if est is not None and est.error:
        layout.label(text=est.error, icon="INFO")
    return op
