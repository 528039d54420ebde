"""A headless batch's imported rows, kept out of the view layer until the batch ends.

Every import evaluates the view layer once it is in (Blender's own importer does the same
called from Python), and with every earlier row still in the view layer that evaluation grows
with the batch. Measured on Blender 4.5 (2-core machine, one small GLB again and again):
Blender's importer alone went from 17 ms a row to 119 ms by row 400, ours from 22 ms to 135 ms.
With each imported row's collection excluded from the view layer (nothing is drawn in
background mode), every import costs about what the first did (17 ms, 35 ms by row 400).

When the batch ends, however it ends, every row set aside is included again, the selection and
the active object are what the last import left (Blender's importer selects what it imported),
and the view layer is evaluated once: the saved file, the asset library and the script's next
line see the scene as if nothing had been set aside. With a window the artist watches the rows
arrive, so the sidebar's imports are never set aside (see :func:`rows_aside`). Main thread only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import bpy

from .scene_state import SelectionState


class RowsAside:
    """The row collections excluded so far (to include again at the end)."""

    def __init__(self, view_layer: Any) -> None:
        self.view_layer = view_layer
        self._excluded: list[Any] = []
        self._selection: SelectionState | None = None  # what the newest import left

    def landed(self, job_id: str, result: Any) -> None:
        """The pump's hook after each import: that row leaves the view layer at once."""
        collection = getattr(result, "collection", None)
        if collection is None:
            return
        self._selection = SelectionState.take(self.view_layer)
        for layer in _layers(self.view_layer.layer_collection):
            if layer.collection == collection and not layer.exclude:
                layer.exclude = True
                self._excluded.append(collection)

    def restore(self) -> None:
        """Include every row set aside again (those still in the file), put back what the last
        import left selected and active, and evaluate once."""
        if not self._excluded:
            return
        back = {c.session_uid for c in self._excluded if _alive(c)}
        self._excluded.clear()
        for layer in _layers(self.view_layer.layer_collection):
            if layer.collection.session_uid in back and layer.exclude:
                layer.exclude = False
        if self._selection is not None:  # rows come back selected as they were set aside
            self._selection.restore(self.view_layer)
            self._selection = None
        self.view_layer.update()


@contextmanager
def rows_aside() -> Iterator[RowsAside | None]:
    """A :class:`RowsAside` for a headless batch (None with a window), restored at the end."""
    if not bpy.app.background:
        yield None
        return
    aside = RowsAside(bpy.context.view_layer)
    try:
        yield aside
    finally:
        aside.restore()


def _layers(root: Any) -> Iterator[Any]:
    """Every layer collection under ``root`` (the row collections sit under "Meshy")."""
    stack = list(root.children)
    while stack:
        layer = stack.pop()
        yield layer
        stack.extend(layer.children)


def _alive(collection: Any) -> bool:
    try:
        return bool(collection.name)
    except ReferenceError:  # removed since (a script or a LOD merge deleted it)
        return False
