"""Operators on the selection: Retexture, Remesh, Rig and Animate.

A Meshy-made object goes back by its task id; anything else is exported to a GLB in the cache
folder (main thread) and uploaded by the worker. Retexture and Remesh can replace the original.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

from ...operators.dialog import MenuDialog
from ...operators.on_selection import OnRig, OnSelection

if TYPE_CHECKING:
    from ....jobs.request import JobRequest
    from ...core import config


class MESHY_OT_retexture(OnSelection):
    """Give the selected model a new look from a style prompt or picture"""

    bl_idname = "meshy.retexture"
    bl_label = "Meshy: Retexture Selected"
    _can_replace = True
    _request = "retexture"
    _dialog_props = ("retexture_prompt", "retexture_texture_model", "replace_selection")

    def _build(self, s, settings, model, source):
        # Multi-view retexture: the selection is rendered from 1-4 sides now, before any spend.
        from ...core import model_options, sidebar_requests, uploads
        views = None if model is None else model_options.render_multiview(
            bpy.context, s, uploads.upload_dir(settings) / "views")
        return sidebar_requests.retexture(s, settings, model, source, estimate=model is None,
                                          views=views)


class MESHY_OT_remesh(OnSelection):
    """Rebuild the selected model's topology (quads or triangles, target polycount)"""

    bl_idname = "meshy.remesh"
    bl_label = "Meshy: Remesh Selected"
    _can_replace = True
    _request = "remesh"
    _dialog_props = ("remesh_topology", "remesh_polycount", "replace_selection")

    def _build(self, s, settings, model, source):
        from ...core import sidebar_requests
        return sidebar_requests.remesh(s, settings, model, source)


class MESHY_OT_rig(OnSelection):
    """Rig the selected character or animal (Meshy checks first whether it can): an armature
    with walking and running actions"""

    bl_idname = "meshy.rig"
    bl_label = "Meshy: Rig Selected"
    _request = "rig"
    _dialog_props = ("rig_height", "rig_check")

    def _build(self, s, settings, model, source):
        from ...core import sidebar_requests
        return sidebar_requests.rig(s, settings, model, source)


class MESHY_OT_animate(MenuDialog, OnRig):
    """Add the animations ticked in the library list to the selected Meshy rig (one Meshy
    task; each a new action on its armature)"""

    bl_idname = "meshy.animate"
    bl_label = "Meshy: Animate Selected Rig"

    def draw_dialog(self, layout: Any, context: Any) -> None:
        """Which animations are added (ticked in the sidebar's library list)."""
        from ...core import library
        from ...scene import selection

        rig_type = selection.rig_type(context.view_layer.objects.active)
        for action_id in library.selected_ids(rig_type) or [context.scene.meshy.action_id]:
            layout.label(text=library.action_name(action_id) or f"Animation {action_id}",
                         icon="ACTION")
        layout.label(text="Tick animations in Meshy sidebar > Selected Object > Animate",
                     icon="INFO")

    def dialog_request(self, context: Any, settings: config.Settings) -> JobRequest:
        from ...core import sidebar_requests
        from ...scene import selection
        armature = context.view_layer.objects.active
        return sidebar_requests.animate(context.scene.meshy, settings,
                                        selection.rig_task_id(armature), armature.name,
                                        selection.rig_type(armature))



CLASSES = (MESHY_OT_retexture, MESHY_OT_remesh, MESHY_OT_rig, MESHY_OT_animate)
