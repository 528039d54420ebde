"""Tasks: a sub-panel of Generate listing every job in a list (job_list.py), the chosen one with
live progress (its step in words), status, what was really charged and elapsed time, its
actions (Cancel on Meshy, Stop Watching, priced Retry, Re-import ...) and "Clear Finished";
below it, closed sub-panels to resume a task by id and the History gallery of the account's
recent tasks (history_panel.py).

It draws the pump's snapshots (``Pump.view``) only: no lock, no HTTP, nothing that could stall
a redraw while workers run.
"""

from __future__ import annotations

import time
from typing import Any

import bpy

from ...ui.panel_base import SidebarPanel, wrapped
from .history_panel import draw_history
from .job_list import job_snapshots, status_icons


def elapsed_text(snap: dict[str, Any], now_ms: int | None = None) -> str:
    """"1m 05s": since creation, up to the end for finished jobs."""
    end = snap.get("finished_ms") or now_ms or int(time.time() * 1000)
    seconds = max(0, int((end - int(snap.get("created_ms") or end)) / 1000))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def credits_text(snap: dict[str, Any]) -> str:
    """What the job cost: an estimate while it runs, then what Meshy really charged ("30
    credits", "0 credits, refunded" for a failed task, which Meshy refunds)."""
    from ....jobs import model
    status = snap.get("status")
    estimated = int(snap.get("estimated_credits") or 0)
    consumed = int(snap.get("consumed_credits") or 0)
    if status in model.ACTIVE_STATUSES:
        return f"~{estimated} credits" + (f", {consumed} charged so far" if consumed else "")
    if status == model.FAILED:
        return f"{consumed} credits, refunded" if consumed == 0 else f"{consumed} credits charged"
    if status == model.CANCELLED:
        return f"{consumed} credits charged"
    return f"{consumed} credits"


def retry_credits(snap: dict[str, Any]) -> int:
    """What Retry costs: only the steps not yet paid for and finished run again."""
    from ....jobs import model
    return sum(int(step.get("estimated_credits") or 0) for step in snap.get("steps", [])
               if step.get("status") != model.STEP_SUCCEEDED)


def _progress(layout: Any, percent: float, text: str) -> None:
    if hasattr(layout, "progress"):  # UILayout.progress: Blender 4.0+
        layout.progress(factor=percent / 100.0, type="BAR", text=text)
    else:
        layout.label(text=text)


def draw_job(layout: Any, snap: dict[str, Any], context: Any = None,
             settings: Any = None, shapes: dict[str, Any] | None = None) -> None:
    from ....jobs import model, outcome
    from ...core import costs, messages, shape_first, thumbnails
    status = str(snap.get("status"))
    job_id = str(snap["id"])
    box = layout.box()
    row = box.row()
    label = str(snap.get("label") or snap.get("kind"))
    icon_id = thumbnails.icon_for_job(snap)
    if icon_id is not None:  # Meshy's picture of the result says more than a status icon
        row.template_icon(icon_value=icon_id, scale=2.0)
    row.label(text=label, icon=status_icons().get(status, "DOT"))
    row.label(text=elapsed_text(snap))
    if status in model.ACTIVE_STATUSES:
        _progress(box, float(snap.get("progress") or 0), messages.progress_text(snap))
    elif status == model.FAILED:
        wrapped(box, messages.for_job_error(snap.get("error")), context, icon="ERROR")
    elif status == model.CANCELLED:  # says whether the task was deleted on Meshy
        wrapped(box, str(snap.get("detail") or "Cancelled"), context)
    elif status == model.READY and snap.get("offered"):
        box.label(text="Finished elsewhere (started by a script or the command line)")
    else:
        box.label(text=messages.title(status))
    if snap.get("import_error"):
        wrapped(box, f"Import failed: {snap['import_error']}", context, icon="ERROR")
    box.label(text=credits_text(snap), icon="FUND")
    row = box.row(align=True)
    if status in model.ACTIVE_STATUSES:
        row.operator("meshy.cancel_job", text="Cancel", icon="CANCEL").job_id = job_id
        row.operator("meshy.stop_watching", text="Stop Watching", icon="HIDE_ON").job_id = job_id
    if status in (model.READY, model.IMPORTED):
        # READY: downloaded, not imported yet (restored at start-up, or finished after Esc
        # stopped the watcher: the UI timer never imports), so the click imports it.
        text = "Import" if status == model.READY else "Re-import"
        row.operator("meshy.reimport_job", text=text, icon="IMPORT").job_id = job_id
    if status == model.IMPORTED:
        _pin_toggle(row, job_id)
    shape = (shapes or {}).get(job_id) if status == model.IMPORTED else None
    if shape is not None and settings is not None:  # shape first: texture it from its row
        req = shape_first.request_for(shape, context.scene.meshy, settings, estimate=True)
        box.operator("meshy.texture_shape", text=costs.estimate(req).label("Texture It"),
                     icon="SHADING_TEXTURE").object_name = shape.name
    if status == model.CANCELLED or (status == model.FAILED
                                     and outcome.rerun_can_fix(snap.get("error"))):
        price = retry_credits(snap)
        row.operator("meshy.retry_job", text=f"Retry ({price} credits)",
                     icon="FILE_REFRESH").job_id = job_id
    has_files = any(step.get("files") for step in snap.get("steps", []))
    if has_files:
        row.operator("meshy.open_job_folder", text="", icon="FILE_FOLDER").job_id = job_id
    if any(step.get("task_id") for step in snap.get("steps", [])):
        row.operator("meshy.copy_task_id", text="", icon="COPYDOWN").job_id = job_id


def _pin_toggle(layout: Any, job_id: str) -> None:
    """Keep (pin) an imported job past the cache's retention, or let it age out again."""
    from ...core import runtime
    pinned = runtime.is_pinned(job_id)
    op = layout.operator("meshy.pin_job", text="", icon="PINNED" if pinned else "UNPINNED",
                         depress=pinned)
    op.job_id = job_id
    op.pinned = not pinned


def draw_resume(layout: Any, wm_state: Any) -> None:
    col = layout.column()
    col.use_property_split = True
    col.use_property_decorate = False
    col.prop(wm_state, "resume_kind")
    col.prop(wm_state, "resume_task_id")
    col.operator("meshy.resume_task", text="Follow and Import", icon="IMPORT")


class MESHY_PT_tasks(SidebarPanel):
    bl_idname = "MESHY_PT_tasks"
    bl_label = "Tasks"
    bl_parent_id = "MESHY_PT_generate"

    def draw_panel(self, context: bpy.types.Context, settings: Any) -> None:
        from ...core import runtime
        from . import job_list
        layout = self.layout
        snaps = job_snapshots(runtime.current_runtime())
        if not snaps:
            layout.label(text="No Meshy jobs in this session")
            return
        from ....jobs import model
        from ...core import shape_first
        wm_state = context.window_manager.meshy  # type: ignore[attr-defined]
        if not job_list.in_sync(wm_state, snaps):
            job_list.sync_soon()  # the rows are rebuilt right after this draw
        # Every job one line in a list, the chosen one's details and actions under it.
        layout.template_list("MESHY_UL_jobs", "", wm_state, "jobs", wm_state, "job_index",
                             rows=3)
        snap = job_list.selected_snapshot(wm_state, snaps)
        if snap is not None:
            draw_job(layout, snap, context, settings, shape_first.shapes_by_job())
        if any(s.get("status") in model.FINISHED_STATUSES for s in snaps):
            layout.operator("meshy.clear_finished", icon="TRASH")


class _TasksSubpanel(SidebarPanel):
    """A closed sub-panel of Tasks."""

    bl_parent_id = "MESHY_PT_tasks"
    bl_options = {"DEFAULT_CLOSED"}


class MESHY_PT_resume(_TasksSubpanel):
    bl_idname = "MESHY_PT_resume"
    bl_label = "Resume by Task ID"

    def draw_panel(self, context: bpy.types.Context, settings: Any) -> None:
        draw_resume(self.layout, context.window_manager.meshy)  # type: ignore[attr-defined]


class MESHY_PT_recent(_TasksSubpanel):
    bl_idname = "MESHY_PT_recent"
    bl_label = "History"

    def draw_panel(self, context: bpy.types.Context, settings: Any) -> None:
        draw_history(self.layout, context.window_manager.meshy,  # type: ignore[attr-defined]
                     context, settings)
