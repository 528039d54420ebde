"""Meshy's thumbnails as Blender icons (``bpy.utils.previews``), keyed by task id.

The pictures are downloaded (and verified) with each job by the worker, into the cache keyed by
task id; here the main thread only loads a file already on disk into one shared preview
collection, so a Tasks row, the history gallery and a candidate all show the same icon, and a
redraw never reads the network.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import bpy
import bpy.utils.previews

_collection: Any = None


def collection() -> Any:
    """The add-on's preview collection (made on first use, freed by :func:`free`)."""
    global _collection
    if _collection is None:
        _collection = bpy.utils.previews.new()
    return _collection


def load(task_id: str, path: str | Path | None) -> Any:
    """The preview of the thumbnail of ``task_id`` (loading ``path`` once), None when there is
    no complete picture on disk (then the caller draws its usual icon)."""
    if not task_id:
        return None
    previews = collection()
    if task_id in previews:
        return previews[task_id]
    from ...client import verify  # loaded with the first thumbnail, not at enable

    if not path or not verify.is_complete(path):
        return None
    return previews.load(task_id, str(path), "IMAGE")


def load_file(path: str) -> Any:
    """The preview of a picture file chosen as an input (keyed by path and modification time,
    so a file replaced on disk shows its new picture); None when it is not a complete PNG/JPEG.
    """
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return None
    return load(f"file:{path}:{stamp}", path)


def icon(preview: Any) -> int | None:
    """A preview's icon id for ``icon_value`` (None without a preview). Blender makes the icon
    lazily; in background mode it stays 0, which draws as an empty square."""
    return None if preview is None else int(preview.icon_id)


def thumbnail_file(snapshot: dict[str, Any]) -> tuple[str, str] | None:
    """(task id, downloaded thumbnail path) of a job snapshot's result, or None."""
    for step in reversed(snapshot.get("steps", [])):
        path = (step.get("files") or {}).get("thumbnail")
        if path and step.get("task_id"):
            return str(step["task_id"]), str(path)
    return None


def icon_for_job(snapshot: dict[str, Any]) -> int | None:
    """The job's result thumbnail as an icon id, None while it has none."""
    found = thumbnail_file(snapshot)
    return icon(load(*found)) if found else None


def free() -> None:
    """Release the previews (unregister): Blender warns about collections left behind."""
    global _collection
    if _collection is not None:
        bpy.utils.previews.remove(_collection)
        _collection = None
