"""Actions on a task of the History gallery, by its id: Texture It (a shape), Retexture,
Remesh, Rig (models) and Animate (a rig).

Meshy works on its own copy of the task's model (``preview_task_id`` / ``input_task_id`` /
``rig_task_id``), so nothing is imported or uploaded first; the result lands at the 3D cursor
like any new model (an animation on the selected armature). The request is built by
history_requests.py, which the panel's price labels plan too.
"""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, StringProperty

# (identifier, button text, tooltip, icon, number): the operator's enum; History's panel reads
# the text and icon of each button from it (through RNA, as panels name operators by id).
ACTIONS = [("TEXTURE", "Texture It", "Texture this shape with the Generate panel's Texture "
            "options", "SHADING_TEXTURE", 0),
           ("RETEXTURE", "Retexture", "Give this model a new texture with the Selected Object "
            "panel's Retexture options", "BRUSH_DATA", 1),
           ("REMESH", "Remesh", "Remesh this model with the Selected Object panel's options",
            "MOD_REMESH", 2),
           ("RIG", "Rig", "Rig this humanoid model (walking and running included)",
            "ARMATURE_DATA", 3),
           ("ANIMATE", "Animate", "Animate this rig with the animations ticked in the library "
            "(lands on the selected armature)", "ACTION", 4)]


class MESHY_OT_history_action(bpy.types.Operator):
    """Texture, retexture, remesh, rig or animate a task from the History gallery by its id"""

    bl_idname = "meshy.history_action"
    bl_label = "Meshy: Use Task from History"
    bl_options = {"REGISTER"}

    action: EnumProperty(name="Action", items=ACTIONS, default="TEXTURE",
                         description="What to do with the task's model")
    task_id: StringProperty(name="Task ID", description="The Meshy task to start from")
    kind: StringProperty(name="Kind", default="text-to-3d-preview",
                         description="The task's kind, as Meshy's answer says")

    @classmethod
    def description(cls, context, properties):
        return next(a[2] for a in ACTIONS if a[0] == properties.action)

    def execute(self, context):
        from ....jobs import deleted_tasks
        from ...core import submit
        from .history_requests import history_request
        if deleted_tasks.is_deleted(self.task_id):
            self.report({"ERROR"}, f"Meshy: {deleted_tasks.REASON}; nothing was sent.")
            return {"CANCELLED"}
        armature = None
        if self.action == "ANIMATE":
            active = context.view_layer.objects.active
            if active is None or active.type != "ARMATURE":
                self.report({"ERROR"}, "Meshy: select the armature of this rig first (Import "
                                       "the rig's row, then select it); nothing was sent.")
                return {"CANCELLED"}
            armature = active.name
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        job = submit.submit_built(self, context, settings, lambda: history_request(
            self.action, self.task_id, self.kind, context.scene.meshy, settings, armature))
        return {"FINISHED"} if job else {"CANCELLED"}


CLASSES = (MESHY_OT_history_action,)
