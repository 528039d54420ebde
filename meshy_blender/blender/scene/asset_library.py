"""A batch's results as an asset library: LOD objects gathered per row, every result marked as an
asset in its row's catalog with its tags, and the file saved next to a catalog definition file.

Minimal marking for the batch (issue 16); the artist workflow's asset marking (issue 13, Meshy
thumbnails as previews) is meant to replace :func:`mark_asset` once it is on main.
Main thread only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import bpy

CATALOG_FILE = "blender_assets.cats.txt"


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


def catalog_ids(path: Path, catalogs: Iterable[str]) -> dict[str, str]:
    """Catalog path -> UUID, from (and added to) the library's catalog definition file."""
    file = path.parent / CATALOG_FILE
    known: dict[str, str] = {}
    lines = file.read_text(encoding="utf-8").splitlines() if file.is_file() else \
        ["# Blender asset catalog definitions (written by Meshy batch)", "", "VERSION 1", ""]
    for line in lines:
        parts = line.split(":")
        if len(parts) >= 2 and not line.startswith(("#", "VERSION")):
            known[parts[1]] = parts[0]
    for catalog in sorted(set(catalogs) - set(known)):
        known[catalog] = str(uuid.uuid4())
        lines.append(f"{known[catalog]}:{catalog}:{catalog.replace('/', '-')}")
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return known


def mark_asset(obj: bpy.types.Object, *, catalog_id: str, tags: Iterable[str],
               description: str) -> None:
    """Make ``obj`` an asset in a catalog, with tags and a description."""
    obj.asset_mark()
    data = obj.asset_data
    if catalog_id:
        data.catalog_id = catalog_id
    for tag in tags:
        if tag not in data.tags:
            data.tags.new(tag)
    data.description = description


def save_library(path: Path, rows: Sequence[tuple[Any, Any]]) -> str:
    """Mark every row's result (main roots and LODs) as assets and save a copy of the current
    file at ``path``; returns the saved path. ``rows``: (BatchRow, ImportResult or None)."""
    path = path.expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = catalog_ids(path, [row.catalog for row, _ in rows if row.catalog])
    for row, imported in rows:
        if imported is None or isinstance(imported, list):
            continue
        roots = [o for o in imported.collection.all_objects if o.parent is None]
        for obj in roots:
            mark_asset(obj, catalog_id=ids.get(row.catalog, ""), tags=row.tags,
                       description=str(row.options.get("prompt") or row.label))
    bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True, check_existing=False)
    return str(path)
