"""Resize, a sub-panel of Selected Object: shown for a Meshy model (not a rig, not a model
whose task Meshy deleted), drawn like the other actions (property split, the priced button
with the balance under it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...ui.panel_base import SidebarPanel, cost_button

if TYPE_CHECKING:
    from ...core import config


def resizable_root(context: Any) -> Any:
    """The Meshy model Resize would send (its root object), else None."""
    from ...scene import selection
    active = context.view_layer.objects.active
    if active is None or selection.rig_task_id(active) is not None:
        return None
    if not selection.model_task_id(active) or selection.deleted_on_meshy(active):
        return None
    return selection.meshy_root(active)


class MESHY_PT_resize(SidebarPanel):
    bl_idname = "MESHY_PT_resize"
    bl_label = "Resize"
    bl_parent_id = "MESHY_PT_selected"
    bl_options = {"DEFAULT_CLOSED"}

    @classmethod
    def poll(cls, context: Any) -> bool:
        return getattr(context.scene, "meshy_resize", None) is not None and \
            resizable_root(context) is not None

    def draw_panel(self, context: Any, settings: config.Settings) -> None:
        from . import requests
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        r = context.scene.meshy_resize
        s = context.scene.meshy
        layout.prop(r, "height")
        layout.prop(r, "origin")
        layout.prop(s, "replace_selection")
        root = resizable_root(context)
        req = requests.resize(r, settings, None, root.name if root else None,
                              s.replace_selection)
        cost_button(layout, "meshy.resize", "Resize", req, settings, icon="FULLSCREEN_ENTER",
                    context=context)


CLASSES = (MESHY_PT_resize,)
