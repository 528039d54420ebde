"""Candidates side by side: each of one click's shapes moves along X to its place in the row
and carries its number and group, so the artist compares them at a glance and the sidebar can
find the others when one is picked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MIN_SPACING = 1.0  # metres between candidate origins, at least
GAP = 1.5  # spacing as a multiple of the widest candidate part


def spacing(objects: Iterable[Any]) -> float:
    """The distance between neighbours: 1.5x the widest part (Meshy models are ~1 m), so
    neighbours never overlap whatever their size."""
    widths = [max(o.dimensions.x, o.dimensions.y) for o in objects if o.type == "MESH"]
    return max(MIN_SPACING, GAP * max(widths, default=MIN_SPACING))


def place(result: Any, number: int, group: str) -> None:
    """Shift candidate ``number`` (1-based) along X and record ``meshy_candidate`` / group."""
    offset = (number - 1) * spacing(result.objects)
    for root in result.root_objects:
        root.location.x += offset
        root["meshy_candidate"] = number
        root["meshy_candidate_group"] = group


def others(obj: Any, objects: Iterable[Any]) -> list[Any]:
    """The other candidates of ``obj``'s group among ``objects`` (its own excluded)."""
    group = obj.get("meshy_candidate_group") if obj is not None else None
    if not group:
        return []
    return [o for o in objects if o is not obj and o.get("meshy_candidate_group") == group]
