"""Account reads the jobs worker process answers for Blender: free GETs (balance with its
monthly / permanent split, task lists, the animation library) and the History gallery's rows
with their thumbnails.

They run in the worker (no HTTP in Blender's process) and return plain JSON-able data; tasks
travel as Meshy's own JSON (``Task.raw``) and are parsed again on Blender's side.
"""

from __future__ import annotations

import logging
from typing import Any

from ..client.errors import MeshyError
from . import kinds

log = logging.getLogger(__name__)

HISTORY_SIZE = 20


def recent_rows(client: Any, shown: str, size: int = HISTORY_SIZE) -> list[dict[str, Any]]:
    """The newest ``size`` tasks History shows for its filter ``shown`` (a kind, "ALL" or
    "OTHER") as plain dicts, thumbnails downloaded. Each row's kind is what Meshy's ``type``
    says ("" for a type the add-on does not know, kept as ``type``), never the list asked for."""
    out = []
    for task in client.list_tasks(kinds.history_list_kind(shown), page_size=size):
        if not kinds.history_shows(shown, task.kind):
            continue
        reported = task.raw.get("type")
        out.append({"id": task.id, "kind": task.kind, "status": task.status,
                    "type": reported if isinstance(reported, str) else "",
                    "untextured": untextured(task),
                    "progress": int(task.progress or 0), "created_at": int(task.created_at or 0),
                    "prompt": str(task.sent("prompt") or ""),
                    "credits": int(task.consumed_credits or 0),
                    "expires_at": int(task.files_expire_at),
                    "thumbnail": _thumbnail(client, task)})
    return out


def untextured(task: Any) -> bool:
    """A shape with no texture: a text preview, or an image to 3D made with
    ``should_texture: false`` (History offers Texture It for these, Retexture for the rest)."""
    if task.kind == "text-to-3d-preview":
        return True
    return task.kind in ("image-to-3d", "multi-image-to-3d") and \
        task.sent("should_texture") is False


def _thumbnail(client: Any, task: Any) -> str:
    """The task's thumbnail in the cache ("" when it has none or it cannot be fetched: a
    missing picture never hides the task)."""
    if task.status != "SUCCEEDED" or "thumbnail" not in task.asset_urls():
        return ""
    try:
        return str(client.download_asset(task.kind, task, "thumbnail"))
    except MeshyError as exc:
        log.info("thumbnail of %s not downloaded: %s", task.id, type(exc).__name__)
        return ""


def delete_tasks(client: Any, kind: str, task_ids: list[str]) -> int:
    """Delete tasks on Meshy (discarded candidates); returns how many."""
    for task_id in task_ids:
        client.delete_task(kind, task_id)
    return len(task_ids)


def answer(client: Any, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run one read by name (only these: a pipe message never calls anything else)."""
    if method == "recent_rows":
        return recent_rows(client, *args, **kwargs)
    if method == "delete_tasks":
        return delete_tasks(client, *args, **kwargs)
    if method == "balance_details":
        return client.balance_details().to_dict()
    if method in ("get_task", "list_tasks"):
        found = getattr(client, method)(*args, **kwargs)
        tasks = found if isinstance(found, list) else [found]
        return [task.raw for task in tasks] if isinstance(found, list) else tasks[0].raw
    if method in ("balance", "delete_task", "animation_library"):
        return getattr(client, method)(*args, **kwargs)
    raise ValueError(f"unknown account read {method!r}")
