"""Operators that drive and control jobs: the modal watcher (ESC cancels), cancel, re-import."""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, StringProperty

from ..session import runtime


class MESHY_OT_watch_jobs(bpy.types.Operator):
    """Follow running Meshy jobs; press Esc to cancel them"""

    bl_idname = "meshy.watch_jobs"
    bl_label = "Meshy: Watch Jobs"
    bl_options = {"INTERNAL"}

    job_ids: StringProperty(name="Job IDs", description="Comma-separated job ids to follow")

    _timer = None

    def _ids(self) -> list[str]:
        return [i for i in self.job_ids.split(",") if i]

    def invoke(self, context, event):
        rt = runtime.get_runtime(context)
        if context.window is None:
            # No window (background): the persistent timer or the headless driver pumps instead.
            rt.pump.tick()
            return {"FINISHED"}
        self._timer = context.window_manager.event_timer_add(0.1, window=context.window)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        rt = runtime.current_runtime()
        if rt is None:
            return self._finish(context, {"CANCELLED"})
        if event.type == "ESC" and event.value == "PRESS":
            for job_id in self._ids():
                rt.manager.cancel(job_id)
            self.report({"WARNING"}, "Meshy: cancelled")
            return self._finish(context, {"CANCELLED"})
        if event.type == "TIMER":
            rt.pump.tick()
            if not rt.pump.busy(self._ids()):
                return self._finish(context, {"FINISHED"})
        return {"PASS_THROUGH"}

    def _finish(self, context, result):
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None
        return result


class MESHY_OT_cancel_job(bpy.types.Operator):
    """Stop waiting for this Meshy job (optionally delete the task on Meshy's server)"""

    bl_idname = "meshy.cancel_job"
    bl_label = "Meshy: Cancel Job"

    job_id: StringProperty(name="Job ID")
    on_server: BoolProperty(
        name="Cancel on Server",
        description="Also delete the running task on Meshy (credits already charged stay spent)",
        default=False,
    )

    def execute(self, context):
        rt = runtime.get_runtime(context)
        if rt.manager.cancel(self.job_id, on_server=self.on_server):
            self.report({"INFO"}, f"Meshy: cancelling job {self.job_id}")
            return {"FINISHED"}
        self.report({"WARNING"}, f"Meshy: job {self.job_id} is not running")
        return {"CANCELLED"}


class MESHY_OT_reimport_job(bpy.types.Operator):
    """Import this job's downloaded result again from the cache (no new download or charge)"""

    bl_idname = "meshy.reimport_job"
    bl_label = "Meshy: Re-import Result"
    bl_options = {"REGISTER", "UNDO"}

    job_id: StringProperty(name="Job ID")

    def execute(self, context):
        rt = runtime.get_runtime(context)
        if not rt.pump.request_import(self.job_id):
            self.report({"ERROR"}, f"Meshy: job {self.job_id} has no downloaded result")
            return {"CANCELLED"}
        rt.pump.tick(max_imports=1)
        job = rt.manager.get(self.job_id)
        if job is not None and job.import_error:
            self.report({"ERROR"}, f"Meshy: import failed: {job.import_error}")
            return {"CANCELLED"}
        self.report({"INFO"}, f"Meshy: imported {job.label if job else self.job_id}")
        return {"FINISHED"}


CLASSES = (MESHY_OT_watch_jobs, MESHY_OT_cancel_job, MESHY_OT_reimport_job)
