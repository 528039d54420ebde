"""Helpers shared by the sidebar panels: the tab, and buttons that show what they cost."""

from __future__ import annotations

from typing import Any

import bpy

from . import costs
from .requests_ui import Request

CATEGORY = "Meshy"


class SidebarPanel(bpy.types.Panel):
    """Base of the sidebar panels (not registered itself)."""

    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = CATEGORY


def cost_button(layout: Any, idname: str, action: str, req: Request | None,
                icon: str = "NONE") -> Any:
    """An operator button labelled with its credit cost ("Rig (5 credits)"); when the request
    does not validate, the reason is shown under the button instead of a price."""
    est = costs.estimate(req) if req is not None else None
    op = layout.operator(idname, text=est.label(action) if est else action, icon=icon)
    if est is not None and est.error:
        layout.label(text=est.error, icon="INFO")
    return op
