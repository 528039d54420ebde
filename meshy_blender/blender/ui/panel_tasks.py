"""Tasks panel: every job with live progress, status, credits and elapsed time, its actions,
resume-by-id and the account's recent server tasks.

It draws the pump's snapshots (``Pump.view``) only: no lock, no HTTP, nothing that could stall
a redraw while workers run.
"""

from __future__ import annotations

import time
from typing import Any

import bpy

from ...jobs import model
from ..session import calls, runtime
from ..session.account import RECENT_CALL
from .panel_base import SidebarPanel

STATUS_ICONS = {model.QUEUED: "SORTTIME", model.RUNNING: "PLAY", model.DOWNLOADING: "IMPORT",
                model.READY: "CHECKMARK", model.IMPORTED: "CHECKMARK", model.FAILED: "ERROR",
                model.CANCELLED: "CANCEL"}


def elapsed_text(snap: dict[str, Any], now_ms: int | None = None) -> str:
    """"1m 05s": since creation, up to the end for finished jobs."""
    end = snap.get("finished_ms") or now_ms or int(time.time() * 1000)
    seconds = max(0, int((end - int(snap.get("created_ms") or end)) / 1000))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def credits_text(snap: dict[str, Any]) -> str:
    estimated = int(snap.get("estimated_credits") or 0)
    consumed = int(snap.get("consumed_credits") or 0)
    if snap.get("status") in (model.READY, model.IMPORTED) or consumed:
        return f"{consumed} of ~{estimated} credits"
    return f"~{estimated} credits"


def _progress(layout: Any, percent: float, text: str) -> None:
    if hasattr(layout, "progress"):  # UILayout.progress: Blender 4.0+
        layout.progress(factor=percent / 100.0, type="BAR", text=text)
    else:
        layout.label(text=text)


def draw_job(layout: Any, snap: dict[str, Any]) -> None:
    status = str(snap.get("status"))
    job_id = str(snap["id"])
    box = layout.box()
    row = box.row()
    row.label(text=str(snap.get("label") or snap.get("kind")), icon=STATUS_ICONS.get(status,
                                                                                      "DOT"))
    row.label(text=elapsed_text(snap))
    if status in model.ACTIVE_STATUSES:
        _progress(box, float(snap.get("progress") or 0),
                  f"{float(snap.get('progress') or 0):.0f}%  {snap.get('detail') or status}")
    else:
        box.label(text=str(snap.get("detail") or status.title()))
    error = snap.get("error")
    if error:
        box.label(text=str(error.get("message", ""))[:200], icon="ERROR")
    if snap.get("import_error"):
        box.label(text=str(snap["import_error"])[:200], icon="ERROR")
    box.label(text=credits_text(snap), icon="FUND")
    row = box.row(align=True)
    if status in model.ACTIVE_STATUSES:
        row.operator("meshy.cancel_job", text="Cancel", icon="CANCEL").job_id = job_id
        op = row.operator("meshy.cancel_job", text="Cancel on Server", icon="TRASH")
        op.job_id = job_id
        op.on_server = True
    if status in (model.READY, model.IMPORTED):
        row.operator("meshy.reimport_job", text="Re-import", icon="IMPORT").job_id = job_id
    if status in (model.FAILED, model.CANCELLED):
        row.operator("meshy.retry_job", text="Retry", icon="FILE_REFRESH").job_id = job_id
    has_files = any(step.get("files") for step in snap.get("steps", []))
    if has_files:
        row.operator("meshy.open_job_folder", text="", icon="FILE_FOLDER").job_id = job_id
    if any(step.get("task_id") for step in snap.get("steps", [])):
        row.operator("meshy.copy_task_id", text="", icon="COPYDOWN").job_id = job_id


def draw_resume(layout: Any, wm_state: Any) -> None:
    col = layout.column(align=True)
    col.label(text="Resume a task by id")
    col.prop(wm_state, "resume_kind", text="")
    col.prop(wm_state, "resume_task_id", text="")
    col.operator("meshy.resume_task", icon="IMPORT")


def draw_recent(layout: Any, wm_state: Any) -> None:
    row = layout.row(align=True)
    row.prop(wm_state, "recent_kind", text="")
    row.operator("meshy.list_server_tasks", text="", icon="FILE_REFRESH")
    if calls.CALLS.running(RECENT_CALL):
        layout.label(text="Reading recent tasks...", icon="SORTTIME")
        return
    outcome = calls.CALLS.outcomes.get(RECENT_CALL)
    if outcome is None:
        return
    if outcome.error:
        layout.label(text=outcome.error[:200], icon="ERROR")
        return
    if not outcome.value:
        layout.label(text="No tasks of this kind on the server")
    for task in outcome.value:
        row = layout.row(align=True)
        text = task["prompt"][:24] or task["id"][:13]
        row.label(text=f"{text}  {task['status'].title()} {task['progress']}%")
        op = row.operator("meshy.resume_task", text="", icon="IMPORT")
        op.kind = task["kind"]
        op.task_id = task["id"]


class MESHY_PT_tasks(SidebarPanel):
    bl_idname = "MESHY_PT_tasks"
    bl_label = "Tasks"

    def draw_panel(self, context: bpy.types.Context, settings: Any) -> None:
        layout = self.layout
        rt = runtime.current_runtime()
        view = rt.pump.view if rt is not None else {}
        snaps = sorted((s for s in view.values() if "id" in s),
                       key=lambda s: int(s.get("created_ms") or 0), reverse=True)
        if not snaps:
            layout.label(text="No Meshy jobs in this session")
        for snap in snaps:
            draw_job(layout, snap)
        wm_state = context.window_manager.meshy  # type: ignore[attr-defined]
        draw_resume(layout.box(), wm_state)
        draw_recent(layout.box(), wm_state)
