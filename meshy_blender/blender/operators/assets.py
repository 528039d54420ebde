"""Save to Asset Library: the selected Meshy results go into the *Save Results To* folder (the
default, said in the menu and the report) or one of the user's asset libraries (Preferences >
File Paths), each as its own .blend with the Meshy/<kind> catalogs, so a studio's prop library
shows up in the Asset Browser of every file."""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import EnumProperty, StringProperty

_items: list[tuple[str, str, str]] = []  # kept alive: Blender does not copy dynamic enum items
SAVE_FOLDER = "SAVE_FOLDER"


def _libraries(self: Any, context: Any) -> list[tuple[str, str, str]]:
    from ..scene import save_location
    where = save_location.resolve(context)
    libs = context.preferences.filepaths.asset_libraries
    _items[:] = [(SAVE_FOLDER, save_location.PREFERENCE_LABEL, f"Save into {where.said()}")] + [
        (lib.path, lib.name, f"Save into '{lib.name}' ({lib.path})") for lib in libs
        if lib.path]
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
                          description="Where to save: the Save Results To folder "
                                      "(preference) or one of your asset libraries")
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
        from ..scene import assets, save_location
        chosen = self.directory or (self.library if self.library != SAVE_FOLDER else "")
        where = save_location.resolve(context, chosen=chosen)
        roots = selected_results(context)
        try:
            written = assets.save_to_library(roots, where.folder)
        except OSError as exc:
            self.report({"ERROR"}, f"Meshy: could not save to {where.said()}: {exc.strerror}; "
                                   f"choose another folder in Preferences > "
                                   f"{save_location.PREFERENCE_LABEL}")
            return {"CANCELLED"}
        self.report({"INFO"}, f"Meshy: saved {len(written)} result(s) to "
                              f"{written[0].parent if written else where.folder} "
                              f"({where.why})")
        return {"FINISHED"}


CLASSES = (MESHY_OT_save_to_asset_library,)
