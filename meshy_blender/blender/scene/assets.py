"""Meshy results as assets: marked, previewed with Meshy's own thumbnail, tagged, catalogued.

A studio's prop library lives in Blender's Asset Browser: each result gets ``asset_data`` with
tags (kind, model, prompt words) and the catalog ``Meshy/<kind>``. Catalog ids are derived from
their path (uuid5), so every file and every seat files the same kind under the same catalog.

Blender reads the current file's catalogs from the ``blender_assets.cats.txt`` of its asset
library root (the asset library holding the .blend, else the .blend's folder) and writes none
itself unless catalogs were made in its UI: so the definitions of every Meshy asset in the file
are written there whenever the file is saved (:func:`write_file_catalogs`, a save_post handler),
and at once when an asset is marked in a file already saved. An unsaved file's assets keep
their stable catalog ids and resolve on the first save.

A headless batch (:func:`previews_at_save`) keeps each thumbnail for the file's next save
instead of decoding it between two imports: without a window nothing can show a preview before
the file is written, and the batch's imports then cost what Blender's own cost.
"""

from __future__ import annotations

import array
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bpy
from bpy.app.handlers import persistent

from ...jobs.kinds import LABELS

CATALOG_NAMESPACE = uuid.UUID("6d657368-792d-626c-656e-646572000001")
CATS_FILE = "blender_assets.cats.txt"
CATALOG_PROP = "meshy_catalog"  # the catalog path an object was filed under (ids are one-way)
_STOP_WORDS = frozenset(["a", "an", "and", "the", "of", "with", "in", "on", "for", "to", "by",
                         "from", "at"])
MAX_PROMPT_TAGS = 6


def catalog_path(kind: str) -> str:
    """``Meshy/<kind label>`` for a Meshy task or request kind (slashes make the tree)."""
    label = LABELS.get(kind) or LABELS.get(f"{kind}-refine") or kind.replace("-", " ").title()
    return f"Meshy/{label.replace('/', '-')}"


def catalog_id(path: str) -> str:
    """The stable id of a catalog path: the same in every file and on every seat."""
    return str(uuid.uuid5(CATALOG_NAMESPACE, path))


def tags_for(kind: str, model: str, prompt: str) -> list[str]:
    """Tags an artist can search by: Meshy, the kind, the AI model and a few prompt words."""
    tags = ["Meshy", kind]
    if model:
        tags.append(model)
    words = [w for w in re.findall(r"[A-Za-z0-9]+", prompt.lower())
             if len(w) > 2 and w not in _STOP_WORDS]
    for word in words:
        if word not in tags and len(tags) < 3 + MAX_PROMPT_TAGS:
            tags.append(word)
    return tags


def set_preview(idblock: Any, image_path: str | Path) -> bool:
    """Use a picture (Meshy's thumbnail) as the ID's preview; False when it cannot be read.

    Pixels are copied into the ID's own preview, so it is saved in the .blend and needs no
    file next to it (a temporary image datablock is removed again)."""
    try:
        image = bpy.data.images.load(str(image_path), check_existing=False)
    except RuntimeError:
        return False
    try:
        width, height = image.size
        if not width or not height:
            return False
        # A float buffer, not a list: foreach_get/set copy it whole (3 ms for Meshy's 256 px
        # thumbnail instead of 16 ms; a batch imports on the main thread row after row).
        pixels = array.array("f", bytes(4 * width * height * 4))
        image.pixels.foreach_get(pixels)  # type: ignore[attr-defined]
        preview = idblock.preview_ensure()
        preview.image_size = (width, height)
        preview.image_pixels_float.foreach_set(pixels)
        return True
    finally:
        bpy.data.images.remove(image)


def mark(obj: Any, *, kind: str, model: str = "", prompt: str = "",
         thumbnail: str | Path | None = None, catalog: str | None = None,
         extra_tags: Iterable[str] = ()) -> Any:
    """Mark ``obj`` as an asset with tags, a catalog (``Meshy/<kind>`` unless ``catalog``
    names another, e.g. a batch row's) and the thumbnail as preview (Blender renders one
    itself when there is none). Returns its asset_data."""
    if obj.asset_data is None:
        obj.asset_mark()
    data = obj.asset_data
    path = catalog or catalog_path(kind)
    data.catalog_id = catalog_id(path)
    obj[CATALOG_PROP] = path
    existing = {t.name for t in data.tags}
    for tag in [*tags_for(kind, model, prompt), *extra_tags]:
        if tag not in existing:
            data.tags.new(tag, skip_if_exists=True)
    if prompt:
        data.description = prompt[:500]
    data.author = data.author or "Meshy"
    if thumbnail is not None and _deferring:
        _pending[obj.session_uid] = str(thumbnail)
        return data
    _pending.pop(obj.session_uid, None)
    if thumbnail is None or not set_preview(obj, thumbnail):
        obj.asset_generate_preview()
    return data


# Thumbnails kept for the next save (object session uid -> picture), while a headless batch
# runs (see the module docstring).
_pending: dict[int, str] = {}
_deferring: list[bool] = []


@contextmanager
def previews_at_save() -> Iterator[None]:
    """In background mode, :func:`mark` keeps each thumbnail for the file's next save (a
    save_pre handler sets them all then); with a window the preview is set at once."""
    if not bpy.app.background:
        yield
        return
    if apply_pending_previews not in bpy.app.handlers.save_pre:
        bpy.app.handlers.save_pre.append(apply_pending_previews)
    _deferring.append(True)
    try:
        yield
    finally:
        _deferring.pop()


@persistent
def apply_pending_previews(*_args: Any) -> None:
    """save_pre: the kept thumbnails become their objects' previews (Blender renders one where
    a picture cannot be read); objects deleted since are skipped."""
    if not _pending:
        return
    pending = dict(_pending)
    _pending.clear()
    for obj in bpy.data.objects:
        path = pending.pop(obj.session_uid, None)
        if path is not None and obj.asset_data is not None and not set_preview(obj, path):
            obj.asset_generate_preview()
        if not pending:
            break


def forget_pending_previews() -> None:
    """Unregister: no handler of a disabled add-on stays behind."""
    _pending.clear()
    while apply_pending_previews in bpy.app.handlers.save_pre:
        bpy.app.handlers.save_pre.remove(apply_pending_previews)


def write_catalogs(folder: str | Path, paths: list[str]) -> Path:
    """Add the catalog definitions for ``paths`` to ``folder``'s cats file (kept as is
    otherwise), so the Asset Browser shows ``Meshy/<kind>`` for assets saved there."""
    target = Path(folder) / CATS_FILE
    lines = target.read_text(encoding="utf-8").splitlines() if target.exists() else [
        "# This is an Asset Catalog Definition file for Blender.", "", "VERSION 1", ""]
    count = len(lines)
    known = {line.split(":", 1)[0] for line in lines if line and not line.startswith("#")}
    for path in sorted(set(paths)):
        for depth in range(1, path.count("/") + 2):
            part = "/".join(path.split("/")[:depth])
            cid = catalog_id(part)
            if cid not in known:
                lines.append(f"{cid}:{part}:{part.replace('/', '-')}")
                known.add(cid)
    if len(lines) != count or not target.exists():  # an unchanged file is left untouched
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def file_catalogs() -> list[str]:
    """The catalog paths of the Meshy assets in this file that still sit in the catalog Meshy
    filed them under (an asset the artist moved elsewhere is theirs)."""
    known = {catalog_id(catalog_path(kind)): catalog_path(kind) for kind in LABELS}
    paths: set[str] = set()
    for obj in bpy.data.objects:
        data = obj.asset_data
        if data is None or obj.library is not None:
            continue
        path = str(obj.get(CATALOG_PROP) or "") or known.get(data.catalog_id, "")
        if path and data.catalog_id == catalog_id(path):
            paths.add(path)
    return sorted(paths)


def catalog_folder(blend_path: str | Path) -> Path:
    """Where Blender looks for a saved file's catalogs: the root of the asset library that holds
    it (Preferences > File Paths), else the .blend's own folder."""
    blend = Path(blend_path).resolve()
    return library_root(blend.parent)


def library_root(folder: str | Path) -> Path:
    """The root of the asset library ``folder`` lies in (Preferences > File Paths), else
    ``folder`` itself: where the catalogs of .blend files under it are read from."""
    folder = Path(folder).resolve()
    for lib in bpy.context.preferences.filepaths.asset_libraries:
        if not lib.path:
            continue
        root = Path(bpy.path.abspath(lib.path)).resolve()
        if root == folder or root in folder.parents:
            return root
    return folder


def write_file_catalogs(blend_path: str | Path) -> Path | None:
    """Write the catalogs of this file's Meshy assets where Blender reads the catalogs of the
    file saved at ``blend_path`` (nothing for a file without Meshy assets). Returns the cats
    file, or None."""
    paths = file_catalogs()
    if not blend_path or not paths:
        return None
    return write_catalogs(catalog_folder(blend_path), paths)


def _with_children(objects: list[Any]) -> list[Any]:
    out: list[Any] = []
    for obj in objects:
        for found in (obj, *obj.children_recursive):
            if found not in out:
                out.append(found)
    return out


def save_to_library(roots: list[Any], folder: str | Path) -> list[Path]:
    """Write each result (root with its children, marked as an asset) into its own .blend
    under ``folder``/Meshy, plus the catalog definitions (at the root of the asset library
    holding ``folder``, else in it), so the Asset Browser shows it in every file. One file per
    result: saving never rewrites (or loses) what the library held.
    Returns the files written."""
    target = Path(folder) / "Meshy"
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    catalogs: list[str] = []
    for root in roots:
        if root.asset_data is None:
            mark(root, kind=str(root.get("meshy_kind", "meshy")),
                 model=str(root.get("meshy_model", "")), prompt=str(root.get("meshy_prompt", "")))
        catalogs.append(catalog_path(_kind_of(root)))
        path = target / f"{bpy.path.clean_name(root.name)}.blend"
        bpy.data.libraries.write(str(path), set(_with_children([root])), fake_user=True)
        written.append(path)
    write_catalogs(library_root(folder), catalogs)
    return written


def _kind_of(root: Any) -> str:
    """The catalog kind a marked root was filed under (its catalog id names it)."""
    for kind in LABELS:
        if root.asset_data is not None and root.asset_data.catalog_id == catalog_id(
                catalog_path(kind)):
            return kind
    return str(root.get("meshy_kind", "meshy"))
