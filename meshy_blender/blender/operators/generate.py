"""Generate operators: Text, Image and Multi-image to 3D, from the scene's Meshy settings.

From a menu (Add > Meshy) they open as a dialog with the main options and the price; from the
sidebar's button they run at once (the sidebar already shows every option and the price).
"""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import BoolProperty

from ...client.errors import MeshyError
from ..session import config, costs, messages, sidebar_requests, submit
from ..session.sidebar_requests import GENERATE_OPERATORS

DIALOG = BoolProperty(name="Dialog", description="Ask for the main options and show the price "
                      "before sending (menus)", default=False, options={"SKIP_SAVE", "HIDDEN"})


def draw_price(layout: Any, req: Any, settings: config.Settings) -> None:
    """The price line of a dialog: "Costs 30 credits", or what to fix first."""
    est = costs.estimate(req, settings.check_policy() if settings.policy_error is None else None)
    if est.error:
        layout.label(text=est.error, icon="INFO")
    elif est.credits is not None:
        layout.label(text=f"Costs {est.credits:,} credits", icon="FUND")


class _Generate(bpy.types.Operator):
    """Base of the Generate operators (not registered itself)."""

    bl_options = {"REGISTER"}
    mode = "TEXT"
    dialog: DIALOG  # type: ignore[valid-type]

    @classmethod
    def poll(cls, context):
        return getattr(context.scene, "meshy", None) is not None

    def invoke(self, context, event):
        if self.dialog:
            return context.window_manager.invoke_props_dialog(self, width=340)
        return self.execute(context)

    def draw(self, context):
        """The dialog: the inputs of this mode, the main options, and the price."""
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        s = context.scene.meshy
        if self.mode == "TEXT":
            layout.prop(s, "prompt")
            layout.prop(s, "art_style")
        else:
            layout.prop(s.image, "image", text="Picture")
            if s.image.image is None:
                layout.prop(s.image, "filepath", text="Picture File")
        layout.prop(s, "ai_model")
        layout.prop(s, "should_texture")
        layout.prop(s, "chain_rig")
        settings = config.resolve(context)
        draw_price(layout, sidebar_requests.generate(s, settings, mode=self.mode, estimate=True),
                   settings)

    def execute(self, context):
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        try:
            req = sidebar_requests.generate(context.scene.meshy, settings, mode=self.mode)
        except MeshyError as exc:  # e.g. an image that cannot be written for upload
            self.report({"ERROR"}, f"Meshy: {messages.for_error(exc)}")
            return {"CANCELLED"}
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
