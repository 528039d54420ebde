"""History gallery (Tasks > History): the account's recent tasks of every kind (or one kind, by
the filter), each with Meshy's thumbnail, prompt, kind as Meshy's answer says, status, credits,
age and the time left before Meshy deletes its files; Import (no charge) and the paid actions
that apply to the row (history_requests.paid_actions), each button priced by planning its
request like every other priced button. Tasks whose result is already in this file are marked.

Draws the background call's outcome only: no HTTP, and pictures are loaded from disk once.
"""

from __future__ import annotations

import time
from typing import Any

import bpy

from ...ui.panel_base import ui_policy, wrapped


def action_item(action: str) -> Any:
    """The History action's enum item (its button text ``name`` and ``icon``), as the
    registered operator defines it."""
    rna = bpy.ops.meshy.history_action.get_rna_type()  # type: ignore[attr-defined]
    return rna.properties["action"].enum_items[action]


def _price(action: str, kind: str, context: Any, settings: Any,
           prices: dict[tuple[str, bool], Any]) -> Any:
    """The Estimate of ``action`` on a task of ``kind`` (None when its request cannot be
    built), planned once per draw: a placeholder id prices every row alike (the task does not
    change the price; only Texture It of an image's shape is a different request)."""
    from ....client.errors import MeshyError
    from ...core import costs
    from .history_requests import history_request
    key = (action, action == "TEXTURE" and kind != "text-to-3d-preview")
    if key not in prices:
        try:
            prices[key] = costs.estimate(history_request(action, None, kind, context.scene.meshy,
                                                         settings), ui_policy(settings))
        except MeshyError:
            prices[key] = None
    return prices[key]


def _paid_button(layout: Any, action: str, task: dict[str, Any], context: Any,
                 settings: Any, prices: dict[tuple[str, bool], Any]) -> None:
    """One paid action, its price in its label ("Texture It (10 credits)") from the plan of
    the request the click sends; disabled, with what to set first, when that request cannot
    be sent as the sidebar is set."""
    item = action_item(action)
    est = _price(action, task["kind"], context, settings, prices)
    sub = layout.row(align=True)
    sub.enabled = est is not None and est.credits is not None
    op = sub.operator("meshy.history_action", text=est.label(item.name) if est else item.name,
                      icon=item.icon)
    op.action = action
    op.task_id = task["id"]
    op.kind = task["kind"]
    if est is not None and est.error:  # what to set first, e.g. a style to texture with
        wrapped(layout, f"{item.name}: {est.error}", context, icon="INFO")


def draw_row(layout: Any, task: dict[str, Any], imported: set[str], now_ms: int,
             context: Any = None, settings: Any = None,
             prices: dict[tuple[str, bool], Any] | None = None) -> None:
    from ...core import messages, thumbnails
    from . import history, history_requests
    box = layout.box()
    row = box.row()
    icon = thumbnails.icon(thumbnails.load(task["id"], task.get("thumbnail")))
    if icon is not None:
        row.template_icon(icon_value=icon, scale=4.0)
    col = row.column(align=True)
    col.label(text=task["prompt"][:40] or task["id"][:13],
              icon="CHECKMARK" if task["id"] in imported else "NONE")
    col.label(text=f"{history.kind_text(task)} · {messages.title(task['status'])}"
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
    if history.can_import(task):
        done = task["status"] == "SUCCEEDED"
        op = buttons.operator("meshy.resume_task", icon="IMPORT",
                              text="Import (no charge)" if done else "Import When Done (no charge)")
        op.kind = task["kind"]
        op.task_id = task["id"]
    actions = history_requests.paid_actions(task)
    if actions and settings is not None:
        paid = box.column(align=True)
        prices = {} if prices is None else prices
        for action in actions:
            _paid_button(paid, action, task, context, settings, prices)


def draw_history(layout: Any, wm_state: Any, context: Any = None, settings: Any = None) -> None:
    from ....jobs import kinds
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
    shown = [t for t in outcome.value or () if kinds.history_shows(wm_state.recent_kind,
                                                                  t.get("kind") or "")]
    if not shown:
        layout.label(text="None of the tasks read is of this kind: Refresh to list them"
                     if outcome.value else "No tasks of this kind on the server")
        return
    imported = history.imported_task_ids()
    now_ms = int(time.time() * 1000)
    context = context or bpy.context
    prices: dict[tuple[str, bool], Any] = {}  # one plan per action and draw, not per row
    for task in shown:
        draw_row(layout, task, imported, now_ms, context, settings, prices)
