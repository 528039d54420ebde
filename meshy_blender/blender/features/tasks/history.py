"""History: the account's recent Meshy tasks as a gallery (thumbnail, prompt, kind, status,
credits, age, and the time left before Meshy deletes the files).

Read as one call answered by the jobs worker process (jobs/account_reads.py): the list and each
task's small thumbnail (downloaded into the cache by task id and verified like every download,
so a second look costs no transfer). The panel then only formats what arrived and loads
pictures from disk. Each row's kind is Meshy's own ``type`` for the task (a type the add-on does
not know shows as "Other" with that type), and the actions a row offers follow from it.
"""

from __future__ import annotations

import time
from typing import Any

import bpy

from ....jobs import deleted_tasks, kinds
from ...scene import selection

DAY_MS = 86_400_000


def _span(ms: int) -> str:
    minutes = max(0, ms) // 60_000
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def age_text(created_ms: int, now_ms: int | None = None) -> str:
    """"3h 05m ago" ("" when Meshy gave no time)."""
    if not created_ms:
        return ""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    return f"{_span(now_ms - created_ms)} ago"


def expiry_text(expires_ms: int, now_ms: int | None = None) -> str:
    """When Meshy deletes the task's files (3 days after it finished, except on Enterprise
    plans, which keep them: then "")."""
    if not expires_ms:
        return ""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    if expires_ms <= now_ms:
        return "Files deleted by Meshy"
    return f"Files deleted in {_span(expires_ms - now_ms)}"


def expiring_soon(expires_ms: int, now_ms: int | None = None) -> bool:
    """Less than a day left: the row is drawn in red so the artist imports it in time."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    return bool(expires_ms) and expires_ms - now_ms < DAY_MS


def imported_task_ids() -> set[str]:
    """Task ids of every Meshy result in this file (main thread): the gallery marks them."""
    found: set[str] = set()
    for obj in bpy.data.objects:
        if obj.get("meshy_task_ids"):
            found.update(selection.task_ids(obj).values())
    return found


def kind_text(row: dict[str, Any]) -> str:
    """The row's kind in words: "Rig", or "Other (rig-check)" for a type the add-on does not
    know (Meshy adds kinds; an unknown one is shown, never a failure)."""
    label = kinds.LABELS.get(row.get("kind") or "")
    return label or f"Other ({row.get('type') or 'no type'})"


def can_import(row: dict[str, Any]) -> bool:
    """Import (free) applies to a task of a kind the add-on can land that has not failed and that
    Meshy still has."""
    return row.get("kind") in kinds.RESUMABLE_KINDS and row.get("status") in (
        "SUCCEEDED", "PENDING", "IN_PROGRESS") and not deleted_tasks.is_deleted(row.get("id"))
