"""Operators that drive and control jobs: the modal watcher, cancel (on Meshy, after a
confirmation), stop watching, clear finished, re-import, and the report a finished job leaves.

Cancel and Stop Watching are two clearly different choices: Cancel deletes the task on Meshy
(the only way to stop it running), Stop Watching only stops following it here while Meshy goes
on (and charges); Esc in the watcher stops the redraw loop, never a job.
"""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty

JOB_ID = StringProperty(name="Job ID", description="The job in the Tasks list this acts on",
                        options={"SKIP_SAVE"})
CANCEL_MESSAGE = ("The task is stopped and deleted on Meshy. Meshy refunds failed tasks, but "
                  "does not document a refund for cancelled ones: credits already charged may "
                  "stay spent.")


class MESHY_OT_watch_jobs(bpy.types.Operator):
    """Follow running Meshy jobs and redraw their progress (Esc stops redrawing, not the jobs)"""

    bl_idname = "meshy.watch_jobs"
    bl_label = "Meshy: Watch Jobs"
    bl_options = {"INTERNAL"}

    job_ids: StringProperty(name="Job IDs", description="Comma-separated job ids to follow")

    _timer = None

    def _ids(self) -> list[str]:
        return [i for i in self.job_ids.split(",") if i]

    def invoke(self, context, event):
        from ..core import runtime
        rt = runtime.get_runtime(context)
        if context.window is None:
            # No window (background): the persistent timer or the headless driver pumps instead.
            rt.pump.tick()
            return {"FINISHED"}
        self._timer = context.window_manager.event_timer_add(0.1, window=context.window)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        from ..core import runtime
        rt = runtime.current_runtime()
        if rt is None:
            return self._finish(context, {"CANCELLED"})
        if event.type == "ESC" and event.value == "PRESS":
            # Never abandon a paid job on a stray Esc: the jobs go on (the timer keeps
            # pumping); cancelling is the sidebar's Cancel button, with its confirmation.
            self.report({"INFO"}, "Meshy: jobs keep running and their results wait in the "
                                  "Meshy sidebar's Tasks panel (Import); use Cancel there to "
                                  "stop one")
            return self._finish(context, {"CANCELLED"})
        if event.type == "TIMER":
            rt.pump.tick()  # imports run here, in the window's context, never in the UI timer
            if not rt.pump.busy(self._ids()):
                return self._finish(context, {"FINISHED"})
        return {"PASS_THROUGH"}

    def _finish(self, context, result):
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None
        return result


class MESHY_OT_cancel_job(bpy.types.Operator):
    """Stop this job's task on Meshy and delete it (asks first; see the dialog about credits)"""

    bl_idname = "meshy.cancel_job"
    bl_label = "Cancel Meshy Job"

    job_id: JOB_ID  # type: ignore[valid-type]
    on_server: BoolProperty(
        name="Cancel on Meshy",
        description="Delete the running task on Meshy so it stops; off: only stop following "
        "it here while Meshy finishes it (and charges for it)",
        default=True,
    )

    def invoke(self, context, event):
        return context.window_manager.invoke_confirm(
            self, event, title="Cancel this Meshy job?", message=CANCEL_MESSAGE,
            confirm_text="Cancel Job", icon="WARNING")

    def execute(self, context):
        return stop(self, context, self.job_id, on_server=self.on_server)


def stop(op: Any, context: Any, job_id: str, *, on_server: bool) -> set[str]:
    """Cancel ``job_id``: on Meshy (the task is deleted) or only here (Meshy goes on)."""
    from ..core import runtime
    rt = runtime.get_runtime(context)
    if not rt.manager.cancel(job_id, on_server=on_server):
        op.report({"WARNING"}, "Meshy: this job is not running any more")
        return {"CANCELLED"}
    where = "on Meshy" if on_server else "here; the task goes on on Meshy"
    op.report({"INFO"}, f"Meshy: stopped the job {where}")
    return {"FINISHED"}


class MESHY_OT_stop_watching(bpy.types.Operator):
    """Stop following this job here; the task keeps running on Meshy and is charged. Resume it
    later with its task id (Copy Task ID first)"""

    bl_idname = "meshy.stop_watching"
    bl_label = "Stop Watching"
    bl_options = {"INTERNAL"}

    job_id: JOB_ID  # type: ignore[valid-type]

    def execute(self, context):
        return stop(self, context, self.job_id, on_server=False)


class MESHY_OT_clear_finished(bpy.types.Operator):
    """Remove finished, failed and cancelled jobs from the Tasks list (files stay in the cache;
    nothing is deleted on Meshy)"""

    bl_idname = "meshy.clear_finished"
    bl_label = "Clear Finished"
    bl_options = {"INTERNAL"}

    def execute(self, context):
        from ...jobs import model
        from ..core import runtime
        rt = runtime.current_runtime()
        if rt is None:
            return {"CANCELLED"}
        done = [job_id for job_id, snap in rt.pump.view.items()
                if snap.get("status") in model.FINISHED_STATUSES
                and not (snap.get("status") == model.READY and not snap.get("import_error"))]
        for job_id in done:
            del rt.pump.view[job_id]
        self.report({"INFO"}, f"Meshy: cleared {len(done)} finished job(s)")
        return {"FINISHED"}


class MESHY_OT_notify(bpy.types.Operator):
    """Show a Meshy message in the status bar and the Info log (used when a job lands or
    fails)"""

    bl_idname = "meshy.notify"
    bl_label = "Meshy Message"
    bl_options = {"INTERNAL"}

    level: EnumProperty(name="Level", description="How the message is shown",
                        items=[("INFO", "Info", "A result: shown in the status bar"),
                               ("WARNING", "Warning", "A problem: shown highlighted")],
                        default="INFO")
    message: StringProperty(name="Message", description="What to tell the artist")

    def execute(self, context):
        self.report({self.level}, self.message)
        return {"FINISHED"}


class MESHY_OT_reimport_job(bpy.types.Operator):
    """Import this job's downloaded result (again) from the cache (no new download or charge)"""

    bl_idname = "meshy.reimport_job"
    bl_label = "Meshy: Re-import Result"
    bl_options = {"REGISTER", "UNDO"}

    job_id: JOB_ID  # type: ignore[valid-type]

    def execute(self, context):
        from ..core import runtime
        rt = runtime.get_runtime(context)
        if not rt.pump.request_import(self.job_id):
            self.report({"ERROR"}, f"Meshy: job {self.job_id} has no downloaded result")
            return {"CANCELLED"}
        # Everything waiting lands now (jobs that finished while nobody watched queue up here:
        # the UI timer never imports), this one included, in the window context Blender gave us.
        rt.pump.tick(max_imports=len(rt.pump.waiting_imports()))
        job = rt.manager.get(self.job_id)
        if job is not None and job.is_active:  # a damaged cached file is downloaded again
            from ..core import submit
            submit.watch(context, [job.id])
            self.report({"INFO"}, f"Meshy: the cached result of '{job.label}' was damaged; "
                                  "downloading it again (no charge), it lands when ready")
            return {"FINISHED"}
        if job is not None and job.import_error:
            self.report({"ERROR"}, f"Meshy: import failed: {job.import_error}")
            return {"CANCELLED"}
        self.report({"INFO"}, f"Meshy: imported {job.label if job else self.job_id}")
        return {"FINISHED"}


CLASSES = (MESHY_OT_watch_jobs, MESHY_OT_cancel_job, MESHY_OT_stop_watching,
           MESHY_OT_clear_finished, MESHY_OT_notify, MESHY_OT_reimport_job)
