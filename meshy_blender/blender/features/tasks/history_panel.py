"""History gallery (Tasks > History): the account's recent tasks of one kind, each with Meshy's
thumbnail, prompt, status, credits, age and the time left before Meshy deletes its files;
Import (no charge) and, for models, Texture / Remesh / Rig straight from the row. Tasks whose
result is already in this file are marked.

Draws the background call's outcome only: no HTTP, and pictures are loaded from disk once.
"""

from __future__ import annotations

import time
from typing import Any

import bpy

from ...ui.panel_base import wrapped

# Task kinds whose result is a model another task can start from.
MODEL_KINDS = ("text-to-3d-preview", "text-to-3d-refine", "image-to-3d", "multi-image-to-3d",
               "retexture", "remesh")


def draw_row(layout: Any, task: dict[str, Any], imported: set[str], now_ms: int) -> None:
    from ....jobs import kinds
    from ...core import messages, thumbnails
    from . import history
    box = layout.box()
    row = box.row()
    icon = thumbnails.icon(thumbnails.load(task["id"], task.get("thumbnail")))
    if icon is not None:
        row.template_icon(icon_value=icon, scale=4.0)
    col = row.column(align=True)
    col.label(text=task["prompt"][:40] or task["id"][:13],
              icon="CHECKMARK" if task["id"] in imported else "NONE")
    kind = kinds.LABELS.get(task["kind"], task["kind"])
    col.label(text=f"{kind} · {messages.title(task['status'])}"
                   + ("" if task["status"] == "SUCCEEDED" else f" {task['progress']}%"))
    col.label(text=f"{task['credits']} credits · {history.age_text(task['created_at'], now_ms)}")
    expiry = history.expiry_text(task.get("expires_at", 0), now_ms)
    if expiry:
        sub = col.row()
        sub.alert = history.expiring_soon(task["expires_at"], now_ms)
        sub.label(text=expiry, icon="TIME")
    if task["id"] in imported:
        col.label(text="In this file", icon="FILE_BLEND")
    buttons = box.row(align=True)
    op = buttons.operator("meshy.resume_task", text="Import (no charge)", icon="IMPORT")
    op.kind = task["kind"]
    op.task_id = task["id"]
    if task["status"] != "SUCCEEDED" or task["kind"] not in MODEL_KINDS:
        return
    actions = [("REMESH", "MOD_REMESH"), ("RIG", "ARMATURE_DATA")]
    if task["kind"] == "text-to-3d-preview":
        actions.insert(0, ("TEXTURE", "SHADING_TEXTURE"))
    for action, action_icon in actions:
        op = buttons.operator("meshy.history_action", text=action.title(), icon=action_icon)
        op.action = action
        op.task_id = task["id"]


def draw_history(layout: Any, wm_state: Any, context: Any = None) -> None:
    from ...core import calls
    from ...core.account import RECENT_CALL
    from . import history
    row = layout.row(align=True)
    row.prop(wm_state, "recent_kind", text="")
    row.operator("meshy.list_server_tasks", text="", icon="FILE_REFRESH")
    if calls.CALLS.running(RECENT_CALL):
        layout.label(text="Reading recent tasks...", icon="SORTTIME")
        return
    outcome = calls.CALLS.outcomes.get(RECENT_CALL)
    if outcome is None:
        layout.label(text="Refresh to see your recent Meshy tasks", icon="INFO")
        return
    if outcome.error:
        wrapped(layout, outcome.error, context or bpy.context, icon="ERROR")
        return
    if not outcome.value:
        layout.label(text="No tasks of this kind on the server")
        return
    imported = history.imported_task_ids()
    now_ms = int(time.time() * 1000)
    for task in outcome.value:
        draw_row(layout, task, imported, now_ms)
