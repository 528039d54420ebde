"""Save to Asset Library: the selected Meshy results go into one of the user's asset libraries
(Preferences > File Paths), each as its own .blend with the Meshy/<kind> catalogs, so a
studio's prop library shows up in the Asset Browser of every file."""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import EnumProperty, StringProperty

_items: list[tuple[str, str, str]] = []  # kept alive: Blender does not copy dynamic enum items


def _libraries(self: Any, context: Any) -> list[tuple[str, str, str]]:
    libs = context.preferences.filepaths.asset_libraries
    _items[:] = [(lib.path, lib.name, f"Save into '{lib.name}' ({lib.path})") for lib in libs
                 if lib.path] or [("NONE", "No Asset Library",
                                   "Add one in Preferences > File Paths > Asset Libraries")]
    return _items


def selected_results(context: Any) -> list[Any]:
    """The Meshy roots of the selected objects (each once)."""
    from ..scene import selection
    roots: list[Any] = []
    for obj in context.selected_objects:
        root = selection.meshy_root(obj)
        if root is not None and root not in roots:
            roots.append(root)
    return roots


class MESHY_OT_save_to_asset_library(bpy.types.Operator):
    """Save the selected Meshy results as assets into an asset library, so they show up in the
    Asset Browser of every file (the results stay in this file too)"""

    bl_idname = "meshy.save_to_asset_library"
    bl_label = "Save to Asset Library"
    bl_options = {"REGISTER"}

    library: EnumProperty(name="Library", items=_libraries,
                          description="The asset library to save into")
    directory: StringProperty(name="Folder", subtype="DIR_PATH", options={"SKIP_SAVE"},
                              description="Save into this folder instead (scripts, tests)")

    @classmethod
    def poll(cls, context):
        if not selected_results(context):
            cls.poll_message_set("Select objects Meshy made")
            return False
        return True

    def invoke(self, context, event):
        return context.window_manager.invoke_props_dialog(self)

    def execute(self, context):
        from ..scene import assets
        folder = self.directory or (self.library if self.library != "NONE" else "")
        if not folder:
            self.report({"ERROR"}, "Meshy: no asset library to save into; add one in "
                                   "Preferences > File Paths > Asset Libraries")
            return {"CANCELLED"}
        roots = selected_results(context)
        try:
            written = assets.save_to_library(roots, bpy.path.abspath(folder))
        except OSError as exc:
            self.report({"ERROR"}, f"Meshy: could not save to the asset library: {exc}")
            return {"CANCELLED"}
        self.report({"INFO"}, f"Meshy: saved {len(written)} result(s) to the asset library "
                              f"({folder})")
        return {"FINISHED"}


CLASSES = (MESHY_OT_save_to_asset_library,)
