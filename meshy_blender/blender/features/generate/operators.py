"""Generate operators: Text, Image and Multi-image to 3D, from the scene's Meshy settings.

From a menu (Add > Meshy) they open as a dialog with the main options and the price; from the
sidebar's button they run at once (the sidebar already shows every option and the price).
"""

from __future__ import annotations

import bpy

from ...core.sidebar_data import GENERATE_OPERATORS
from ...operators.dialog import MenuDialog


class _Generate(MenuDialog, bpy.types.Operator):
    """Base of the Generate operators (not registered itself)."""

    bl_options = {"REGISTER"}
    mode = "TEXT"

    @classmethod
    def poll(cls, context):
        return getattr(context.scene, "meshy", None) is not None

    def draw_dialog(self, layout, context):
        """The inputs of this mode and the main options."""
        s = context.scene.meshy
        if self.mode == "TEXT":
            layout.prop(s, "prompt")
        else:
            layout.prop(s.image, "image", text="Picture")
            if s.image.image is None:
                layout.prop(s.image, "filepath", text="Picture File")
        layout.prop(s, "ai_model")
        layout.prop(s, "should_texture")
        if self.mode == "TEXT" and not s.should_texture:
            layout.prop(s, "candidates")
        layout.prop(s, "chain_rig")

    def dialog_copies(self, context):
        from ...core import sidebar_requests
        return sidebar_requests.candidate_count(context.scene.meshy) if self.mode == "TEXT" \
            else 1

    def dialog_request(self, context, settings):
        from ...core import sidebar_requests
        return sidebar_requests.generate(context.scene.meshy, settings, mode=self.mode,
                                         estimate=True)

    def execute(self, context):
        from ....client.errors import MeshyError
        from ...core import candidates, messages, sidebar_requests, submit
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        try:
            req = sidebar_requests.generate(context.scene.meshy, settings, mode=self.mode)
        except MeshyError as exc:  # e.g. an image that cannot be written for upload
            self.report({"ERROR"}, f"Meshy: {messages.for_error(exc)}")
            return {"CANCELLED"}
        count = self.dialog_copies(context)
        if count > 1:
            sent = candidates.submit_all(self, context, req, count, settings)
            return {"FINISHED"} if sent else {"CANCELLED"}
        return {"FINISHED"} if submit.submit(self, context, req, settings) else {"CANCELLED"}


class MESHY_OT_generate_text(_Generate):
    """Generate a 3D model from the prompt in the Meshy sidebar (preview, then texture)"""

    bl_idname = GENERATE_OPERATORS["TEXT"]
    bl_label = "Meshy: Generate from Text"
    mode = "TEXT"


class MESHY_OT_generate_image(_Generate):
    """Generate a 3D model from the picture chosen in the Meshy sidebar"""

    bl_idname = GENERATE_OPERATORS["IMAGE"]
    bl_label = "Meshy: Generate from Image"
    mode = "IMAGE"


class MESHY_OT_generate_multi_image(_Generate):
    """Generate a 3D model from up to four pictures of the same object"""

    bl_idname = GENERATE_OPERATORS["MULTI_IMAGE"]
    bl_label = "Meshy: Generate from Multiple Images"
    mode = "MULTI_IMAGE"


CLASSES = (MESHY_OT_generate_text, MESHY_OT_generate_image, MESHY_OT_generate_multi_image)
