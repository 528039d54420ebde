"""Shape first: "Texture It" on an untextured Meshy shape (Selected Object panel, menus).

One refine task of the shape's own preview (nothing is generated or paid for twice); the
textured result replaces the shape in place (same transform, one undo step); the shape, and the
other candidates when deleted, leave the file unless *Keep the Shapes* keeps them hidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy
from bpy.props import BoolProperty, StringProperty

from ...operators.dialog import MenuDialog

if TYPE_CHECKING:
    from ....jobs.request import JobRequest
    from ...core import config


def _target(context: Any, name: str = "") -> Any:
    """The shape to texture: the named object (a Tasks row) or the active object's root."""
    from ...scene import selection
    obj = bpy.data.objects.get(name) if name else context.view_layer.objects.active
    return selection.meshy_root(obj) if obj is not None else None


class MESHY_OT_texture_shape(MenuDialog, bpy.types.Operator):
    """Texture this untextured Meshy shape with the Texture options of the Generate panel
    (one refine task, or a retexture of an image shape); the textured model replaces the shape
    where it stands"""

    bl_idname = "meshy.texture_shape"
    bl_label = "Meshy: Texture Shape"
    bl_options = {"REGISTER"}

    object_name: StringProperty(name="Object", default="", options={"SKIP_SAVE", "HIDDEN"},
                                description="The shape to texture (empty: the active object)")
    keep_shapes: BoolProperty(name="Keep the Shapes", default=False, options={"SKIP_SAVE"},
                              description="Keep the replaced shape and the other candidates "
                                          "in the file, hidden and not assets (default: "
                                          "removed)")

    @classmethod
    def poll(cls, context):
        from ...core import shape_first
        from ...scene import selection
        if getattr(context.scene, "meshy", None) is None:
            return False
        active = context.view_layer.objects.active
        if active is not None and selection.deleted_on_meshy(active):
            from ....jobs.deleted_tasks import REASON
            cls.poll_message_set(REASON)
            return False
        # The active shape, or (a Tasks row names its own) any shape in view; execute checks.
        if shape_first.shape_task(active) is None and not any(
                o.get("meshy_untextured") and o.visible_get() and shape_first.shape_task(o)
                for o in context.view_layer.objects):
            cls.poll_message_set("Select an untextured Meshy shape (Generate with Texture off)")
            return False
        return True

    def draw_dialog(self, layout: Any, context: Any) -> None:
        s = context.scene.meshy
        for name in ("enable_pbr", "texture_source", "texture_prompt"):
            layout.prop(s, name)
        layout.prop(self, "keep_shapes")

    def dialog_request(self, context: Any, settings: config.Settings) -> JobRequest:
        return self._request(context, settings, estimate=True)

    def _request(self, context: Any, settings: config.Settings, *,
                 estimate: bool = False) -> JobRequest:
        from ...core import shape_first
        return shape_first.request_for(_target(context, self.object_name), context.scene.meshy,
                                       settings, estimate=estimate)

    def execute(self, context):
        from ...core import candidates, shape_first, submit
        from ...scene import selection
        from ...scene.import_job import KEEP_SHAPE
        root = _target(context, self.object_name)
        if root is not None and selection.deleted_on_meshy(root):
            from ....jobs.deleted_tasks import REASON
            self.report({"ERROR"}, f"Meshy: {REASON}.")
            return {"CANCELLED"}
        if root is None or shape_first.shape_task(root) is None:
            self.report({"ERROR"}, "Meshy: Texture It needs an untextured Meshy shape; "
                                   "this object is already textured or not made by Meshy.")
            return {"CANCELLED"}
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        if submit.submit_built(self, context, settings,
                               lambda: self._request(context, settings)) is None:
            return {"CANCELLED"}
        if self.keep_shapes:
            root[KEEP_SHAPE] = True  # the import hides it instead of removing it
        if context.scene.meshy.discard_candidates and root.get("meshy_candidate_group"):
            gone = candidates.discard_others(context, root, settings, keep=self.keep_shapes)
            if gone:
                what = "hid" if self.keep_shapes else "removed"
                self.report({"INFO"}, f"Meshy: {what} {len(gone)} other candidate(s) and is "
                                      "deleting them on Meshy")
        return {"FINISHED"}


CLASSES = (MESHY_OT_texture_shape,)
