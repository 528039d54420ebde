"""A batch's results as an asset library: LOD objects gathered per row, every result marked as an
asset in its row's catalog with its tags, and the file saved next to a catalog definition file.

Marking, catalogs and previews are :mod:`.assets`' (the same as the sidebar's "Mark as Asset");
this module adds what a batch needs on top: LODs per row and one library file. Main thread only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import bpy

from . import assets


def gather_lods(main: Any, lods: Sequence[Any], name: str) -> list[bpy.types.Object]:
    """Move each LOD import's objects into the row's collection; roots become ``<name>_LOD<i>``
    (LOD0 has the most polygons). Returns the LOD root objects."""
    roots: list[bpy.types.Object] = []
    for index, lod in enumerate(lods):
        for n, obj in enumerate(lod.root_objects):
            obj.name = f"{name}_LOD{index}" + (f".{n}" if n else "")
            roots.append(obj)
        for obj in lod.objects:
            if main.collection not in obj.users_collection:
                main.collection.objects.link(obj)
            if lod.collection in obj.users_collection and lod.collection != main.collection:
                lod.collection.objects.unlink(obj)
        if lod.collection != main.collection and not lod.collection.all_objects:
            bpy.data.collections.remove(lod.collection)
    return roots


def save_library(path: Path, rows: Sequence[tuple[Any, Any, str | None]]) -> str:
    """Mark every row's result (main roots and LODs) as assets in the row's catalog, with its
    tags and Meshy's thumbnail as preview, and save a copy of the current file at ``path``
    beside the catalog definitions; returns the saved path.
    ``rows``: (BatchRow, ImportResult or None, thumbnail path or None)."""
    path = path.expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    assets.write_catalogs(path.parent, [row.catalog for row, _, _ in rows if row.catalog])
    with assets.previews_at_save():  # headless: each thumbnail is read once, by the save below
        for row, imported, thumbnail in rows:
            if imported is None or isinstance(imported, list):
                continue
            roots = [o for o in imported.collection.all_objects if o.parent is None]
            for obj in roots:
                assets.mark(obj, kind=str(obj.get("meshy_kind") or row.kind),
                            model=str(row.options.get("ai_model") or ""),
                            prompt=str(row.options.get("prompt") or row.label),
                            thumbnail=thumbnail, catalog=row.catalog or None,
                            extra_tags=row.tags)
    bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True, check_existing=False)
    return str(path)
