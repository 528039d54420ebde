"""Generate operators: Text, Image and Multi-image to 3D, from the scene's Meshy settings."""

from __future__ import annotations

import bpy

from ..client.errors import MeshyError
from . import requests_ui, submit


class _Generate(bpy.types.Operator):
    """Base of the Generate operators (not registered itself)."""

    bl_options = {"REGISTER"}
    mode = "TEXT"

    @classmethod
    def poll(cls, context):
        return getattr(context.scene, "meshy", None) is not None

    def execute(self, context):
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        try:
            req = requests_ui.generate(context.scene.meshy, settings, mode=self.mode)
        except MeshyError as exc:  # e.g. an image that cannot be written for upload
            self.report({"ERROR"}, f"Meshy: {exc}")
            return {"CANCELLED"}
        return {"FINISHED"} if submit.submit(self, context, req) else {"CANCELLED"}


class MESHY_OT_generate_text(_Generate):
    """Generate a 3D model from the prompt in the Meshy sidebar (preview, then texture)"""

    bl_idname = "meshy.generate_text"
    bl_label = "Meshy: Generate from Text"
    mode = "TEXT"


class MESHY_OT_generate_image(_Generate):
    """Generate a 3D model from the picture chosen in the Meshy sidebar"""

    bl_idname = "meshy.generate_image"
    bl_label = "Meshy: Generate from Image"
    mode = "IMAGE"


class MESHY_OT_generate_multi_image(_Generate):
    """Generate a 3D model from up to four pictures of the same object"""

    bl_idname = "meshy.generate_multi_image"
    bl_label = "Meshy: Generate from Multiple Images"
    mode = "MULTI_IMAGE"


OPERATOR_FOR_MODE = {"TEXT": MESHY_OT_generate_text.bl_idname,
                     "IMAGE": MESHY_OT_generate_image.bl_idname,
                     "MULTI_IMAGE": MESHY_OT_generate_multi_image.bl_idname}
CLASSES = (MESHY_OT_generate_text, MESHY_OT_generate_image, MESHY_OT_generate_multi_image)
