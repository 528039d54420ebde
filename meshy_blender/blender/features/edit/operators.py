"""Operators on the selection: Retexture, Remesh, Rig and Animate.

A Meshy-made object goes back by its task id; anything else is exported to a GLB in the cache
folder (main thread) and uploaded by the worker. Retexture and Remesh can replace the original.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

from ...operators.dialog import MenuDialog

if TYPE_CHECKING:
    from ....jobs.request import JobRequest
    from ...core import config


def model_input(op: Any, context: Any, settings: config.Settings, *, request: str,
                replace: bool = False) -> tuple[dict[str, Any], str] | None:
    """({"input_task_id"} or {"model_url": exported GLB}, source object name), or None after
    reporting why the selection cannot be sent."""
    from ...core import messages, uploads
    from ...scene import export, selection
    active = context.view_layer.objects.active
    task_id = selection.model_task_id(active) if active is not None else None
    if task_id:
        root = selection.meshy_root(active)
        return {"input_task_id": task_id}, root.name
    meshes = selection.selected_meshes(context)
    try:
        path = uploads.export_for_upload(context, meshes, settings, request=request,
                                         apply_modifiers=context.scene.meshy.apply_modifiers,
                                         local_space=replace)
    except export.ExportError as exc:
        op.report({"ERROR"}, f"Meshy: {messages.for_error(exc)}")
        return None
    return {"model_url": path}, meshes[0].name


def _has_model(context: Any) -> bool:
    from ...scene import selection
    active = context.view_layer.objects.active
    if active is not None and selection.model_task_id(active):
        return True
    return bool(selection.selected_meshes(context))


def _not_deleted(cls: Any, context: Any) -> bool:
    """False (with the reason) for a model whose Meshy task was deleted (a discarded candidate
    brought back by Ctrl-Z): sending it would fail, or pay for nothing."""
    from ....jobs.deleted_tasks import REASON
    from ...scene import selection
    active = context.view_layer.objects.active
    if active is not None and selection.deleted_on_meshy(active):
        cls.poll_message_set(REASON)
        return False
    return True


class _OnSelection(MenuDialog, bpy.types.Operator):
    """Base of the operators that send the selected model (not registered itself): check,
    turn the selection into a model input, build the request, submit."""

    bl_options = {"REGISTER"}
    _can_replace = False  # honours the "Replace Selection" setting
    _request = ""  # the request kind this operator sends (checks differ per kind)
    _dialog_props: tuple[str, ...] = ()  # scene settings the menu's dialog shows
    def draw_dialog(self, layout: Any, context: Any) -> None:
        """The action's main options (object context menu)."""
        for name in self._dialog_props:
            layout.prop(context.scene.meshy, name)

    def dialog_request(self, context: Any, settings: config.Settings) -> JobRequest:
        active = context.view_layer.objects.active
        return self._build(context.scene.meshy, settings, None, active.name if active else None)

    @classmethod
    def poll(cls, context):
        if getattr(context.scene, "meshy", None) is None:
            return False
        if not _has_model(context):
            cls.poll_message_set("Select a mesh (or a Meshy-made object)")
            return False
        return _not_deleted(cls, context)

    def _build(self, s: Any, settings: config.Settings, model: dict[str, Any] | None,
               source: str | None) -> JobRequest:
        """The request; ``model`` None prices it without exporting anything (dialogs)."""
        raise NotImplementedError

    def execute(self, context):
        from ...core import submit
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        found = model_input(self, context, settings, request=self._request,
                            replace=self._can_replace and context.scene.meshy.replace_selection)
        if found is None:
            return {"CANCELLED"}
        job = submit.submit_built(self, context, settings,
                                  lambda: self._build(context.scene.meshy, settings, *found))
        return {"FINISHED"} if job else {"CANCELLED"}


class MESHY_OT_retexture(_OnSelection):
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


class MESHY_OT_remesh(_OnSelection):
    """Rebuild the selected model's topology (quads or triangles, target polycount)"""

    bl_idname = "meshy.remesh"
    bl_label = "Meshy: Remesh Selected"
    _can_replace = True
    _request = "remesh"
    _dialog_props = ("remesh_topology", "remesh_polycount", "replace_selection")

    def _build(self, s, settings, model, source):
        from ...core import sidebar_requests
        return sidebar_requests.remesh(s, settings, model, source)


class MESHY_OT_rig(_OnSelection):
    """Rig the selected character or animal (Meshy checks first whether it can): an armature
    with walking and running actions"""

    bl_idname = "meshy.rig"
    bl_label = "Meshy: Rig Selected"
    _request = "rig"
    _dialog_props = ("rig_height", "rig_check")

    def _build(self, s, settings, model, source):
        from ...core import sidebar_requests
        return sidebar_requests.rig(s, settings, model, source)


class OnRig(bpy.types.Operator):
    """Base of the operators on the selected Meshy rig (not registered itself): enabled for an
    armature Meshy rigged; sends what ``dialog_request`` builds (the price drawn is of it)."""

    bl_options = {"REGISTER"}

    def dialog_request(self, context: Any, settings: config.Settings) -> JobRequest:
        raise NotImplementedError

    @classmethod
    def poll(cls, context):
        from ...scene import selection
        if getattr(context.scene, "meshy", None) is None:
            return False
        if selection.rig_task_id(context.view_layer.objects.active) is None:
            cls.poll_message_set("Select an armature rigged by Meshy")
            return False
        return True

    def execute(self, context):
        from ...core import submit
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        req = self.dialog_request(context, settings)
        return {"FINISHED"} if submit.submit(self, context, req, settings) else {"CANCELLED"}


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
