"""Concept image operators: make a picture (Text / Image to Image), make a 3D model from a
finished one by its task id, open a result in the Image Editor, pack it into the .blend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy
from bpy.props import StringProperty

from ...operators.dialog import ConfirmUnpublished

if TYPE_CHECKING:
    from ....jobs.request import JobRequest
    from ...core import config


class MESHY_OT_concept_image(ConfirmUnpublished, bpy.types.Operator):
    """Paint concept pictures with Meshy from the prompt (and reference pictures); they land
    as images in this file"""

    bl_idname = "meshy.concept_image"
    bl_label = "Meshy: Make Concept Image"
    bl_options = {"REGISTER"}

    def dialog_request(self, context: Any, settings: config.Settings) -> JobRequest:
        from . import requests as concept_requests
        return concept_requests.concept(context.scene.meshy_tools, settings, estimate=True)

    @classmethod
    def poll(cls, context):
        return getattr(context.scene, "meshy_tools", None) is not None

    def execute(self, context):
        from ...core import submit
        from . import requests as concept_requests
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        job = submit.submit_built(self, context, settings, lambda: concept_requests.concept(
            context.scene.meshy_tools, settings))
        return {"FINISHED"} if job else {"CANCELLED"}


class _OnConcept:
    job_id: StringProperty(  # type: ignore[valid-type]
        name="Job", description="The concept image job this acts on", options={"HIDDEN"})


class MESHY_OT_concept_to_3d(ConfirmUnpublished, _OnConcept, bpy.types.Operator):
    """Make a 3D model from this concept (several views: Multi-image to 3D); Meshy reuses the
    picture it made, nothing is uploaded again. The Generate panel's model options apply"""

    bl_idname = "meshy.concept_to_3d"
    bl_label = "Meshy: Make 3D from Concept"
    bl_options = {"REGISTER"}

    def dialog_request(self, context: Any, settings: config.Settings,
                       estimate: bool = True) -> JobRequest:
        from . import concepts
        from . import requests as concept_requests
        found = concepts.find(self.job_id)
        return concept_requests.concept_to_3d(
            context.scene.meshy, settings, found.task_id if found else "",
            multi_view=bool(found and found.multi_view),
            label=found.label if found else "concept", estimate=estimate)

    def execute(self, context):
        from ...core import submit
        from . import concepts
        if concepts.find(self.job_id) is None:
            self.report({"ERROR"}, "Meshy: that concept image is no longer in the Tasks list; "
                        "make it again or resume its task by id")
            return {"CANCELLED"}
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        job = submit.submit_built(self, context, settings, lambda: self.dialog_request(
            context, settings, estimate=False))
        return {"FINISHED"} if job else {"CANCELLED"}


class _OnImage:
    image: StringProperty(  # type: ignore[valid-type]
        name="Image", description="Name of the concept image", options={"HIDDEN"})


class MESHY_OT_concept_open(_OnImage, bpy.types.Operator):
    """Show this concept image in an Image Editor (an open one, else a new window)"""

    bl_idname = "meshy.concept_open"
    bl_label = "Open in Image Editor"
    bl_options = {"REGISTER"}

    def execute(self, context):
        image = bpy.data.images.get(self.image)
        if image is None:
            self.report({"ERROR"}, f"Meshy: the image '{self.image}' is not in this file")
            return {"CANCELLED"}
        screens = [w.screen for w in context.window_manager.windows]
        areas = [a for s in screens for a in s.areas if a.type == "IMAGE_EDITOR"]
        if not areas:
            if context.window is None:
                self.report({"ERROR"}, "Meshy: there is no window to open an Image Editor in")
                return {"CANCELLED"}
            bpy.ops.wm.window_new()
            areas = [context.window_manager.windows[-1].screen.areas[0]]
            areas[0].type = "IMAGE_EDITOR"
        areas[0].spaces.active.image = image
        return {"FINISHED"}


class MESHY_OT_concept_pack(_OnImage, bpy.types.Operator):
    """Keep this concept image inside the .blend, so the file works on another computer"""

    bl_idname = "meshy.concept_pack"
    bl_label = "Pack Image"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context):
        image = bpy.data.images.get(self.image)
        if image is None:
            self.report({"ERROR"}, f"Meshy: the image '{self.image}' is not in this file")
            return {"CANCELLED"}
        image.pack()
        self.report({"INFO"}, f"Meshy: packed '{image.name}' into the .blend")
        return {"FINISHED"}


CLASSES = (MESHY_OT_concept_image, MESHY_OT_concept_to_3d, MESHY_OT_concept_open,
           MESHY_OT_concept_pack)
