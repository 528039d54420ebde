"""Finished concept images (Text / Image to Image jobs) as the sidebar shows them: each job's
Meshy task id (what "Make 3D" sends instead of a re-upload), whether it holds several views of
one object (for Multi-image to 3D), and the Blender images its files were loaded as.

Read from the pump's job snapshots, so a concept job is listed as soon as it lands, and shared
by the Concept Images panel and its operators (which must agree on the same task id).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import bpy

from ....jobs import model
from ...core import runtime

CONCEPT_KINDS = ("text-to-image", "image-to-image")


@dataclass(frozen=True)
class Concept:
    job_id: str
    label: str
    task_id: str
    multi_view: bool
    paths: tuple[str, ...]


def results() -> list[Concept]:
    """Imported concept jobs of this session, newest first."""
    rt = runtime.current_runtime()
    view = rt.pump.view if rt is not None else {}
    snaps = sorted((s for s in view.values() if s.get("kind") in CONCEPT_KINDS
                    and s.get("status") == model.IMPORTED),
                   key=lambda s: int(s.get("created_ms") or 0), reverse=True)
    found = []
    for snap in snaps:
        step = (snap.get("steps") or [{}])[-1]
        if not step.get("task_id"):
            continue
        paths = tuple(path for _, path in sorted((step.get("files") or {}).items()))
        multi = bool((step.get("options") or {}).get("generate_multi_view")) or len(paths) > 1
        found.append(Concept(snap["id"], str(snap.get("label") or ""), step["task_id"], multi,
                             paths))
    return found


def find(job_id: str) -> Concept | None:
    return next((c for c in results() if c.job_id == job_id), None)


def image_for(path: str) -> bpy.types.Image | None:
    """The Blender image a concept file was loaded as (None once the artist deleted it)."""
    wanted = os.path.normcase(os.path.abspath(path))
    for image in bpy.data.images:
        if image.filepath and os.path.normcase(
                os.path.abspath(bpy.path.abspath(image.filepath))) == wanted:
            return image
    return None
