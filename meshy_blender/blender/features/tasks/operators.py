"""Operators of the Tasks panel: open folder, copy id, retry, resume a task by id, recent tasks."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import bpy
from bpy.props import EnumProperty, StringProperty

from ....jobs import kinds
from ...operators.jobs import JOB_ID

if TYPE_CHECKING:
    from ....jobs import model


def job_folder(job: model.Job) -> str | None:
    """The cache folder holding this job's downloaded files (None before any download)."""
    for path in job.files.values():
        folder = os.path.dirname(path)
        if os.path.isdir(folder):
            return folder
    return None


def open_folder(folder: str) -> None:
    """Show a folder in the system file browser (Blender's own operator)."""
    bpy.ops.wm.path_open(filepath=folder)


def last_task_id(job: model.Job) -> str | None:
    ids = [s.task_id for s in job.steps if s.task_id]
    return ids[-1] if ids else None


class _JobOperator(bpy.types.Operator):
    """An action on one job of the Tasks panel, by its id (not registered itself)."""

    bl_options = {"INTERNAL"}

    job_id: JOB_ID  # type: ignore[valid-type]

    def job(self) -> model.Job | None:
        """This operator's job, or None with the error reported."""
        from ...core import runtime
        rt = runtime.current_runtime()
        job = rt.manager.get(self.job_id) if rt is not None else None
        if job is None:
            self.report({"ERROR"}, f"Meshy: no job {self.job_id}")
        return job


class MESHY_OT_open_job_folder(_JobOperator):
    """Open the cache folder with this job's downloaded files"""

    bl_idname = "meshy.open_job_folder"
    bl_label = "Meshy: Open Job Folder"

    def execute(self, context):
        job = self.job()
        folder = job_folder(job) if job is not None else None
        if job is not None and folder is None:
            self.report({"WARNING"}, "Meshy: nothing downloaded for this job yet")
        if folder is None:
            return {"CANCELLED"}
        open_folder(folder)
        return {"FINISHED"}


class MESHY_OT_copy_task_id(_JobOperator):
    """Copy this job's Meshy task id to the clipboard (for support or Resume)"""

    bl_idname = "meshy.copy_task_id"
    bl_label = "Meshy: Copy Task ID"

    def execute(self, context):
        job = self.job()
        task_id = last_task_id(job) if job is not None else None
        if job is not None and task_id is None:
            self.report({"WARNING"}, "Meshy: this job has no task id yet")
        if task_id is None:
            return {"CANCELLED"}
        context.window_manager.clipboard = task_id
        self.report({"INFO"}, f"Meshy: copied task id {task_id}")
        return {"FINISHED"}


class MESHY_OT_retry_job(_JobOperator):
    """Run a failed or cancelled job again; steps already paid for are not paid again"""

    bl_idname = "meshy.retry_job"
    bl_label = "Meshy: Retry Job"

    def execute(self, context):
        from ...core import submit
        rt = submit.ready_runtime(self, context)
        if rt is None:
            return {"CANCELLED"}
        from ....jobs import outcome
        shown = rt.pump.view.get(self.job_id) or {}
        if not outcome.rerun_can_fix(shown.get("error")):
            self.report({"ERROR"}, "Meshy: this job cannot succeed by running it again "
                                   f"({shown['error'].get('message', 'its input is gone')}); "
                                   "nothing was sent.")
            return {"CANCELLED"}
        try:
            job = rt.manager.retry(self.job_id)
        except (KeyError, ValueError) as exc:
            self.report({"ERROR"}, f"Meshy: cannot retry: {exc}")
            return {"CANCELLED"}
        submit.watch(context, [job.id])
        self.report({"INFO"}, f"Meshy: retrying '{job.label}'")
        return {"FINISHED"}


class MESHY_OT_resume_task(bpy.types.Operator):
    """Follow an existing Meshy task by its id and import its result (nothing is paid again)"""

    bl_idname = "meshy.resume_task"
    bl_label = "Meshy: Resume Task by ID"
    bl_options = {"REGISTER"}

    kind: EnumProperty(name="Kind", items=kinds.resumable_enum_items(), default="text-to-3d-refine",
                       description="What kind of Meshy task the id belongs to")
    task_id: StringProperty(name="Task ID", description="Empty: use the Tasks panel's field")

    def execute(self, context):
        from ....client.errors import MeshyError
        from ....jobs.request import ImportOptions, JobRequest
        from ...core import runtime, submit
        settings = submit.ready(self, context)
        if settings is None:
            return {"CANCELLED"}
        wm_state = context.window_manager.meshy
        task_id = (self.task_id or wm_state.resume_task_id).strip()
        kind = self.kind if self.properties.is_property_set("kind") else wm_state.resume_kind
        active = context.view_layer.objects.active
        target = ""
        if kind == "animate":
            if active is None or active.type != "ARMATURE":
                self.report({"ERROR"}, "Meshy: select the armature the animation belongs to")
                return {"CANCELLED"}
            target = active.name
        try:
            request = JobRequest.resume(kind, task_id, import_options=ImportOptions(
                settings.import_format, "CURSOR", target_armature=target))
            rt = runtime.get_runtime(context, settings=settings)
            job = rt.submit(request)
        except MeshyError as exc:
            self.report({"ERROR"}, f"Meshy: {exc}")
            return {"CANCELLED"}
        submit.watch(context, [job.id])  # first: a task already failed is reported too
        rt.pump.tick(max_imports=0)
        self.report({"INFO"}, f"Meshy: following {kind} task {task_id}")
        return {"FINISHED"}


class MESHY_OT_list_server_tasks(bpy.types.Operator):
    """List your recent Meshy tasks of the kind History shows (every kind by default)"""

    bl_idname = "meshy.list_server_tasks"
    bl_label = "Meshy: List Recent Server Tasks"

    def execute(self, context):
        from ...core import account, submit
        rt = submit.ready_runtime(self, context)
        if rt is None:
            return {"CANCELLED"}
        account.start_recent(rt.client,
                             context.window_manager.meshy.recent_kind)
        return {"FINISHED"}


CLASSES = (MESHY_OT_open_job_folder, MESHY_OT_copy_task_id, MESHY_OT_retry_job,
           MESHY_OT_resume_task, MESHY_OT_list_server_tasks)
