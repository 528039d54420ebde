"""Listing tasks through API v2's ``GET /openapi/v2/tasks?type=...``, parsed tolerantly.

An empty kind sends no ``type``: every kind at once (History's default); each task's kind is
then what its own ``type`` says (``""`` for a type the add-on does not know).

Meshy's v2 docs name the route but not its paging or answer shape (docs/meshy-api-v2.md, A2):
the add-on sends v1's ``page_num`` / ``page_size`` / ``sort_by`` and accepts a bare array,
``{"data": [...], "has_more": bool}`` (the shape of v2's other list, Usage) or the array under
``result`` / ``tasks`` / ``items``. Entries that are not task objects are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import MalformedResponseError, ValidationError
from .tasks import Task, parse_task

# The kind -> the ``type`` filter sent. Text to 3D's preview and refine are one v2 type family:
# both are listed and each task's own ``type`` tells them apart (as v1's list did).
LIST_TYPES = {"text-to-3d-preview": "text-to-3d", "text-to-3d-refine": "text-to-3d"}
SORTS = ("-created_at", "+created_at")


@dataclass
class TaskPage:
    """One page of tasks; ``has_more`` as Meshy said, or True for a full page it said nothing
    about (then the next page may be empty)."""

    tasks: list[Task] = field(default_factory=list)
    has_more: bool = False


def params(kind: str, page_num: int, page_size: int, sort_by: str) -> dict[str, Any]:
    """The query for one page; wrong paging is refused before anything is sent."""
    if not 1 <= page_size <= 50 or page_num < 1:
        raise ValidationError("page_size must be 1-50 and page_num at least 1.",
                              field="page_size")
    if sort_by not in SORTS:
        raise ValidationError("sort_by must be '-created_at' or '+created_at'.", field="sort_by")
    query: dict[str, Any] = {"page_num": page_num, "page_size": page_size, "sort_by": sort_by}
    if kind:
        query["type"] = LIST_TYPES.get(kind, kind)
    return query


def parse_page(data: Any, kind: str, page_size: int) -> TaskPage:
    """The tasks in a list answer of any of the accepted shapes."""
    more: Any = None
    if isinstance(data, dict):
        more = data.get("has_more")
        data = next((data[k] for k in ("data", "result", "tasks", "items")
                     if isinstance(data.get(k), list)), None)
    if not isinstance(data, list):
        raise MalformedResponseError("Meshy sent a task list that is not a list.")
    tasks = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            tasks.append(parse_task(item, kind))
    has_more = more if isinstance(more, bool) else len(data) >= page_size
    return TaskPage(tasks, has_more)
