"""The session's jobs as a Blender list (``UIList``) in the Tasks sub-panel: one line per job
(status, name, step or outcome), the selected job's details and actions under it.

The list's rows live on the window manager (``MeshyWindowState.jobs``: one job id each), which a
draw may not write: when the pump's jobs differ from the rows, the draw asks a one-shot timer
to rebuild them (:func:`sync_soon`), as Blender's own lists are filled outside their draw.
"""

from __future__ import annotations

import functools
from typing import Any

import bpy


@functools.cache
def status_icons() -> dict[str, str]:
    """The icon of each job status (built on first draw, when the job model is loaded)."""
    from ....jobs import model

    return {model.QUEUED: "SORTTIME", model.RUNNING: "PLAY", model.DOWNLOADING: "IMPORT",
            model.READY: "CHECKMARK", model.IMPORTED: "CHECKMARK", model.FAILED: "ERROR",
            model.CANCELLED: "CANCEL"}


def job_snapshots(rt: Any) -> list[dict[str, Any]]:
    """The pump's job snapshots, newest first."""
    view = rt.pump.view if rt is not None else {}
    return sorted((s for s in view.values() if "id" in s),
                  key=lambda s: int(s.get("created_ms") or 0), reverse=True)


def job_ids(snaps: list[dict[str, Any]]) -> list[str]:
    return [str(snap["id"]) for snap in snaps]


def in_sync(wm_state: Any, snaps: list[dict[str, Any]]) -> bool:
    return [row.name for row in wm_state.jobs] == job_ids(snaps)


def sync(wm_state: Any, snaps: list[dict[str, Any]]) -> None:
    """Rebuild the rows from the jobs (newest first), keeping the selected job selected."""
    if in_sync(wm_state, snaps):
        return
    rows = wm_state.jobs
    selected = rows[wm_state.job_index].name if 0 <= wm_state.job_index < len(rows) else ""
    rows.clear()
    for job_id in job_ids(snaps):
        rows.add().name = job_id
    ids = job_ids(snaps)
    wm_state.job_index = ids.index(selected) if selected in ids else 0


def sync_now() -> None:
    """One-shot timer: bring the rows up to date with the pump's jobs, then redraw."""
    from ...core import runtime
    from ...core.pump import tag_redraw

    wm_state = getattr(bpy.context.window_manager, "meshy", None)
    if wm_state is not None:
        sync(wm_state, job_snapshots(runtime.current_runtime()))
        tag_redraw()
    return None


def sync_soon() -> None:
    if not bpy.app.timers.is_registered(sync_now):
        bpy.app.timers.register(sync_now, first_interval=0.0)


def selected_snapshot(wm_state: Any, snaps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The job chosen in the list; the newest while the rows are being rebuilt."""
    if not snaps:
        return None
    rows = wm_state.jobs
    if 0 <= wm_state.job_index < len(rows):
        chosen = rows[wm_state.job_index].name
        found = next((snap for snap in snaps if str(snap["id"]) == chosen), None)
        if found is not None:
            return found
    return snaps[0]


def row_text(snap: dict[str, Any]) -> str:
    """What a list line says after the name: the running step, else the outcome."""
    from ....jobs import model
    from ...core import messages
    status = str(snap.get("status"))
    if status in model.ACTIVE_STATUSES:
        return messages.progress_text(snap)
    return messages.title(status)


class MESHY_UL_jobs(bpy.types.UIList):
    """This session's Meshy jobs, newest first; select one to see its details and actions."""

    bl_idname = "MESHY_UL_jobs"

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname,
                  index=0, flt_flag=0):
        from ...core import runtime
        rt = runtime.current_runtime()
        snap = rt.pump.view.get(item.name) if rt is not None else None
        if snap is None:
            layout.label(text="(cleared)", icon="DOT")
            return
        row = layout.row(align=True)
        row.label(text=str(snap.get("label") or snap.get("kind")),
                  icon=status_icons().get(str(snap.get("status")), "DOT"))
        row.label(text=row_text(snap))


CLASSES = (MESHY_UL_jobs,)
