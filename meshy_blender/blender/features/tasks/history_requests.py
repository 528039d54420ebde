"""The requests History's paid buttons send (Texture It, Retexture, Remesh, Rig, Animate) and
which of them apply to a row: one place for the click (history_operators.py) and for the price
in the button's label (history_panel.py), so the label is the plan of what the click sends.
Loaded at the first History draw or click, not when the add-on is enabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ....jobs import deleted_tasks

if TYPE_CHECKING:
    from ....jobs.request import JobRequest
    from ...core import config

# Task kinds whose result is a model another task can start from (remesh, rig, retexture).
MODEL_KINDS = ("text-to-3d-preview", "text-to-3d-refine", "image-to-3d", "multi-image-to-3d",
               "retexture", "remesh")


def history_request(action: str, task_id: str | None, kind: str, s: object,
                    settings: config.Settings, armature: str | None = None) -> JobRequest:
    """The request a History button sends for the task ``task_id`` of ``kind`` (None: a
    placeholder id, for the button's price, which does not depend on the task)."""
    from ...core import shape_first, sidebar_requests
    if action == "TEXTURE":
        return shape_first.texture_shape(s, settings, task_id, None, estimate=task_id is None,
                                         image=kind != "text-to-3d-preview")
    if action == "ANIMATE":
        return sidebar_requests.animate(s, settings, task_id, armature)
    source = {"input_task_id": task_id} if task_id else None
    if action == "RETEXTURE":
        return sidebar_requests.retexture(s, settings, source, None, estimate=task_id is None)
    if action == "REMESH":
        return sidebar_requests.remesh(s, settings, source, None)
    return sidebar_requests.rig(s, settings, source, None)


def paid_actions(row: dict[str, Any]) -> list[str]:
    """The paid actions (history_operators.ACTIONS) that apply to a History row: Texture It for an
    untextured shape, Retexture for any other model, Remesh and Rig for models, Animate for a
    rig; none for a task that has not succeeded or that Meshy deleted."""
    if row.get("status") != "SUCCEEDED" or deleted_tasks.is_deleted(row.get("id")):
        return []
    kind = row.get("kind")
    if kind == "rig":
        return ["ANIMATE"]
    if kind not in MODEL_KINDS:
        return []
    return ["TEXTURE" if row.get("untextured") else "RETEXTURE", "REMESH", "RIG"]
