"""Clear Cache (Preferences > Cache): frees the downloads of imported jobs, after a confirmation;
Keep Job (Tasks panel): pins a job so retention and Clear Cache leave it alone.

Unfinished jobs, jobs downloaded but not imported yet, pinned jobs and jobs another Blender is
using keep their files (see ``jobs/retention.py``); the report says what was freed.
"""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, StringProperty

CLEAR_MESSAGE = ("Delete the downloaded files of imported Meshy jobs? They can no longer be "
                 "imported again from the Tasks panel. Unfinished, not yet imported and pinned "
                 "jobs keep their files.")


class MESHY_OT_clear_cache(bpy.types.Operator):
    """Delete the downloaded files of imported jobs (unfinished, not yet imported and pinned \
jobs keep theirs)"""

    bl_idname = "meshy.clear_cache"
    bl_label = "Clear Cache"

    def invoke(self, context, event):
        return context.window_manager.invoke_confirm(
            self, event, title="Clear the Meshy cache?", message=CLEAR_MESSAGE,
            confirm_text="Clear Cache", icon="WARNING")

    def execute(self, context):
        from ...client.errors import MeshyError
        from ..core import config, runtime
        settings = config.resolve(context)
        try:
            freed = runtime.clear_cache(settings)
        except (OSError, MeshyError) as exc:
            self.report({"ERROR"}, f"Could not clear the Meshy cache in "
                                   f"{settings.download_dir}: {exc}")
            return {"CANCELLED"}
        from ...jobs import retention  # loaded on use, not when the add-on is enabled

        retention.forget_sizes()
        self.report({"INFO"}, freed.sentence())
        return {"FINISHED"}


class MESHY_OT_pin_job(bpy.types.Operator):
    """Keep this job and its downloaded files for a re-import, whatever Preferences > Cache \
says about old jobs (Clear Cache keeps them too)"""

    bl_idname = "meshy.pin_job"
    bl_label = "Meshy: Keep Job"
    bl_options = {"INTERNAL"}

    job_id: StringProperty(name="Job", description="Id of the Meshy job to keep",
                           options={"HIDDEN", "SKIP_SAVE"})
    pinned: BoolProperty(name="Keep", description="Keep the job (off: let it age out)",
                         default=True, options={"SKIP_SAVE"})

    def execute(self, context):
        from ..core import config, runtime
        try:
            runtime.pin_job(self.job_id, self.pinned, config.resolve(context))
        except (OSError, ValueError) as exc:
            self.report({"ERROR"}, f"Meshy: could not change whether job {self.job_id} is "
                                   f"kept: {exc}")
            return {"CANCELLED"}
        for area in getattr(context.screen, "areas", ()):
            area.tag_redraw()
        return {"FINISHED"}


CLASSES = (MESHY_OT_clear_cache, MESHY_OT_pin_job)
