"""Actions on a task of the History gallery, by its id: Texture (a shape), Remesh, Rig.

Meshy works on its own copy of the task's model (``preview_task_id`` / ``input_task_id``), so
nothing is imported or uploaded first; the result lands at the 3D cursor like any new model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import bpy
from bpy.props import EnumProperty, StringProperty

if TYPE_CHECKING:
    from ....jobs.request import JobRequest
    from ...core import config


ACTIONS = [("TEXTURE", "Texture", "Texture this shape (one refine task, with the Generate "
            "panel's Texture options)"),
           ("REMESH", "Remesh", "Remesh this model with the Selected Object panel's options"),
           ("RIG", "Rig", "Rig this humanoid model (walking and running included)")]


def history_request(action: str, task_id: str, s: object,
                    settings: config.Settings) -> JobRequest:
    """The request a History button sends for the task ``task_id``."""
    from ...core import shape_first, sidebar_requests
    if action == "TEXTURE":
        return shape_first.texture_shape(s, settings, task_id, None)
    source = {"input_task_id": task_id}
    if action == "REMESH":
        return sidebar_requests.remesh(s, settings, source, None)
    return sidebar_requests.rig(s, settings, source, None)


class MESHY_OT_history_action(bpy.types.Operator):
    """Texture, remesh or rig a task from the History gallery by its id (nothing is uploaded;
    the result lands at the 3D cursor)"""

    bl_idname = "meshy.history_action"
    bl_label = "Meshy: Use Task from History"
    bl_options = {"REGISTER"}

    action: EnumProperty(name="Action", items=ACTIONS, default="TEXTURE",
                         description="What to do with the task's model")
    task_id: StringProperty(name="Task ID", description="The Meshy task to start from")

    @classmethod
    def description(cls, context, properties):
        return next(d for a, _, d in ACTIONS if a == properties.action)

    def execute(self, context):
        from ...core import submit
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        job = submit.submit_built(self, context, settings, lambda: history_request(
            self.action, self.task_id, context.scene.meshy, settings))
        return {"FINISHED"} if job else {"CANCELLED"}


CLASSES = (MESHY_OT_history_action,)
