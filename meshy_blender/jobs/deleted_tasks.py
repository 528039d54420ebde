"""Tasks this session deleted on Meshy (discarded candidates), remembered by task id.

Kept here, in the add-on's memory, not on an object or the scene: Ctrl-Z brings a deleted
candidate's object back but must not bring back a button that pays for a task Meshy no longer
has (Texture It, Retexture, Remesh, Rig of that object are refused with the reason).
"""

from __future__ import annotations

from collections.abc import Iterable

_DELETED: set[str] = set()

REASON = "Meshy deleted this shape's task (a discarded candidate); generate it again to use it"


def remember(task_ids: Iterable[str]) -> None:
    """Note tasks being deleted on Meshy (from the moment the delete is asked for)."""
    _DELETED.update(t for t in task_ids if t)


def is_deleted(task_id: str | None) -> bool:
    return bool(task_id) and task_id in _DELETED


def forget_all() -> None:
    """A new session (tests): nothing is known to be deleted."""
    _DELETED.clear()
