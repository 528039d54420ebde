"""See the shape early: a chain's intermediate model (the untextured preview of a textured
text to 3D, the model before a remesh or rig) lands while the job still runs, marked
``meshy_intermediate``; the next model of the same job takes its place (same transform) and it
is removed, inside that import's undo step. Only the job's own stand-in is removed: the result
the artist paid for is always the final import."""

from __future__ import annotations

from typing import Any

import bpy

MARK = "meshy_intermediate"


def of_job(job_id: str) -> list[Any]:
    """The intermediate roots of a job in this file (newest last)."""
    return [o for o in bpy.data.objects if o.get(MARK) and o.get("meshy_job_id") == job_id]


def step_to_show(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """The newest finished step before the last one whose model is downloaded, else None."""
    steps = snapshot.get("steps", [])
    for step in reversed(steps[:-1]):
        if (step.get("files") or {}).get("glb"):
            return step
    return None


def discard(roots: list[Any]) -> None:
    """Remove Meshy roots (a running chain's stand-ins, shapes shape first is done with) with
    their children, and their job collection once empty."""
    for root in roots:
        try:
            objects = [root, *root.children_recursive]
        except ReferenceError:  # already gone (the artist deleted it)
            continue
        collections = {c for o in objects for c in o.users_collection}
        for obj in objects:
            bpy.data.objects.remove(obj)
        for coll in collections:
            if not coll.objects and not coll.children and coll.name != "Meshy":
                bpy.data.collections.remove(coll)
