"""Snapshots of Blender data so an import can be undone exactly when it fails half-way.

A failed import must leave the file as it was: every datablock the importer created is removed
again, and scene settings importers like to touch (frame range, fps) are put back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import bpy

# Datablock kinds importers create; objects and collections first so data loses its users.
KINDS = ("objects", "collections", "meshes", "armatures", "materials", "images", "textures",
         "node_groups", "actions", "cameras", "lights", "curves")


@dataclass
class DataSnapshot:
    """Which datablocks existed at a point in time (by identity), per kind."""

    before: dict[str, set[Any]] = field(default_factory=dict)

    @classmethod
    def take(cls) -> DataSnapshot:
        return cls({kind: set(getattr(bpy.data, kind)) for kind in KINDS})

    def new(self, kind: str) -> list[Any]:
        """Datablocks of `kind` created since the snapshot, in Blender's order."""
        old = self.before[kind]
        return [block for block in getattr(bpy.data, kind) if block not in old]

    def remove_new(self, keep: Iterable[Any] = ()) -> None:
        """Delete everything created since the snapshot except `keep`."""
        keep_set = set(keep)
        for kind in KINDS:
            collection = getattr(bpy.data, kind)
            for block in self.new(kind):
                if block not in keep_set:
                    collection.remove(block)


@dataclass
class SceneSettings:
    """Scene settings glTF/FBX importers may change (frame range, fps, current frame)."""

    values: dict[str, Any]

    @classmethod
    def take(cls, scene: Any) -> SceneSettings:
        return cls({
            "frame_start": scene.frame_start, "frame_end": scene.frame_end,
            "frame_current": scene.frame_current, "fps": scene.render.fps,
            "fps_base": scene.render.fps_base,
        })

    def restore(self, scene: Any) -> None:
        """Put back what changed. Only what changed: writing even the same value tags the scene
        for re-evaluation (tens of ms in a large scene)."""
        v = self.values
        for owner, key in ((scene.render, "fps"), (scene.render, "fps_base"),
                           (scene, "frame_start"), (scene, "frame_end")):
            if getattr(owner, key) != v[key]:
                setattr(owner, key, v[key])
        if scene.frame_current != v["frame_current"]:
            scene.frame_set(v["frame_current"])


@dataclass
class SelectionState:
    """Selection and active object of a view layer, to put back after a failed import."""

    selected: list[str]
    active: str | None

    @classmethod
    def take(cls, view_layer: Any) -> SelectionState:
        active = view_layer.objects.active
        return cls([o.name for o in _selected(view_layer)], active.name if active else None)

    def restore(self, view_layer: Any) -> None:
        keep = set(self.selected)
        for obj in _selected(view_layer):
            if obj.name not in keep:
                obj.select_set(False)
        for name in self.selected:
            obj = view_layer.objects.get(name)
            if obj is not None:
                obj.select_set(True)
        view_layer.objects.active = view_layer.objects.get(self.active) if self.active else None


def _selected(view_layer: Any) -> list[Any]:
    """The selected objects, filtered in C (the cost follows the selection, not the scene).
    Blender 4.2 lists None for objects removed since the view layer last synced (a rolled-back
    import): skipped."""
    return [obj for obj in view_layer.objects.selected if obj is not None]


def deselect_all(view_layer: Any) -> None:
    """Deselect every object of ``view_layer``, touching only the selected ones."""
    for obj in _selected(view_layer):
        obj.select_set(False)
