"""The bases of the operators that send the selection (not registered themselves): a model
(``OnSelection``: a Meshy model by its task id, any other mesh exported to a GLB) or a Meshy rig
(``OnRig``). A capability's operator subclasses one and says what it sends (``_build`` /
``dialog_request``), so every capability checks, prices and submits the selection the same
way, whichever feature folder it lives in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

from .dialog import MenuDialog

if TYPE_CHECKING:
    from ...jobs.request import JobRequest
    from ..core import config


def model_input(op: Any, context: Any, settings: config.Settings, *, request: str,
                replace: bool = False) -> tuple[dict[str, Any], str] | None:
    """({"input_task_id"} or {"model_url": exported GLB}, source object name), or None after
    reporting why the selection cannot be sent."""
    from ..core import messages, uploads
    from ..scene import export, selection
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


def meshy_model(context: Any) -> bool:
    """Whether the active object is (part of) a model Meshy made, sent by its task id."""
    from ..scene import selection
    active = context.view_layer.objects.active
    return active is not None and bool(selection.model_task_id(active))


def has_model(context: Any) -> bool:
    """Whether there is a model to send: a Meshy model, or selected meshes to export."""
    from ..scene import selection
    return meshy_model(context) or bool(selection.selected_meshes(context))


def not_deleted(cls: Any, context: Any) -> bool:
    """False (with the reason) for a model whose Meshy task was deleted (a discarded candidate
    brought back by Ctrl-Z): sending it would fail, or pay for nothing."""
    from ...jobs.deleted_tasks import REASON
    from ..scene import selection
    active = context.view_layer.objects.active
    if active is not None and selection.deleted_on_meshy(active):
        cls.poll_message_set(REASON)
        return False
    return True


class OnSelection(MenuDialog, bpy.types.Operator):
    """Base of the operators that send the selected model (not registered itself): check,
    turn the selection into a model input, build the request, submit."""

    bl_options = {"REGISTER"}
    _can_replace = False  # honours the "Replace Selection" setting
    _request = ""  # the request kind this operator sends (checks differ per kind)
    _dialog_props: tuple[str, ...] = ()  # scene settings the menu's dialog shows
    _settings = "meshy"  # the scene's settings group that holds them (a feature's own group)
    _meshy_model_only = False  # sends a Meshy model by its task id; any other mesh is refused

    def draw_dialog(self, layout: Any, context: Any) -> None:
        """The action's main options (object context menu)."""
        for name in self._dialog_props:
            layout.prop(getattr(context.scene, self._settings), name)

    def dialog_request(self, context: Any, settings: config.Settings) -> JobRequest:
        active = context.view_layer.objects.active
        return self._build(context.scene.meshy, settings, None, active.name if active else None)

    @classmethod
    def poll(cls, context):
        if getattr(context.scene, "meshy", None) is None:
            return False
        if cls._meshy_model_only and not meshy_model(context):
            cls.poll_message_set("Select a model Meshy made (this works on Meshy's own models)")
            return False
        if not has_model(context):
            cls.poll_message_set("Select a mesh (or a Meshy-made object)")
            return False
        return not_deleted(cls, context)

    def _build(self, s: Any, settings: config.Settings, model: dict[str, Any] | None,
               source: str | None) -> JobRequest:
        """The request; ``model`` None prices it without exporting anything (dialogs)."""
        raise NotImplementedError

    def execute(self, context):
        from ..core import submit
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


class OnRig(bpy.types.Operator):
    """Base of the operators on the selected Meshy rig (not registered itself): enabled for an
    armature Meshy rigged; sends what ``dialog_request`` builds (the price drawn is of it)."""

    bl_options = {"REGISTER"}

    def dialog_request(self, context: Any, settings: config.Settings) -> JobRequest:
        raise NotImplementedError

    @classmethod
    def poll(cls, context):
        from ..scene import selection
        if getattr(context.scene, "meshy", None) is None:
            return False
        if selection.rig_task_id(context.view_layer.objects.active) is None:
            cls.poll_message_set("Select an armature rigged by Meshy")
            return False
        return True

    def execute(self, context):
        from ..core import submit
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        req = self.dialog_request(context, settings)
        return {"FINISHED"} if submit.submit(self, context, req, settings) else {"CANCELLED"}
