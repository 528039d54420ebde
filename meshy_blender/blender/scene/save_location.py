"""Where results saved as files go (Save to Asset Library, a multi-colour 3MF): one folder the
artist chose, or a default they can see, named in every report that saves something.

``MESHY_SAVE_DIR`` (a farm's or a script's environment) wins over *Save Results To* (add-on
preference), as every setting's environment variable does; both unset, results go beside the
saved .blend, and while the file is unsaved into the artist's first asset library (Blender's
"User Library"), so nothing lands in a folder nobody said.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bpy

from ...identity import ADDON_ID

ENV = "MESHY_SAVE_DIR"
PREFERENCE = "save_folder"
PREFERENCE_LABEL = "Save Results To"
NO_LIBRARY_FOLDER = Path("~/Blender/Assets")  # Blender's own default for the User Library


@dataclass(frozen=True)
class SaveLocation:
    """A folder and why it is the one ("beside the .blend", the preference, ...)."""

    folder: Path
    why: str

    def said(self) -> str:
        """"<folder> (<why>)", for a report or a tooltip."""
        return f"{self.folder} ({self.why})"


def resolve(context: Any = None, *, chosen: str = "") -> SaveLocation:
    """The folder results are saved to: ``chosen`` (a script's or the operator's own), else
    MESHY_SAVE_DIR, else the preference, else beside the .blend, else the first asset
    library."""
    context = context or bpy.context
    if chosen:
        return SaveLocation(_absolute(chosen), "chosen for this save")
    if os.environ.get(ENV):
        return SaveLocation(_absolute(os.environ[ENV]), ENV)
    addon = context.preferences.addons.get(ADDON_ID)
    preferred = str(getattr(addon.preferences, PREFERENCE, "") or "") if addon else ""
    relative = preferred.startswith("//")  # relative to the .blend: none while unsaved
    if preferred and (bpy.data.filepath or not relative):
        return SaveLocation(_absolute(preferred), f"Preferences > {PREFERENCE_LABEL}")
    if bpy.data.filepath:
        return SaveLocation(Path(bpy.data.filepath).resolve().parent, "beside the .blend")
    unsaved = f"'{preferred}' needs a saved file" if relative else "this file is unsaved"
    for lib in context.preferences.filepaths.asset_libraries:
        if lib.path:
            return SaveLocation(_absolute(lib.path), f"asset library '{lib.name}', as {unsaved}")
    return SaveLocation(NO_LIBRARY_FOLDER.expanduser(), unsaved)


def _absolute(path: str) -> Path:
    """A preference or field's path as a folder: ``//`` is the .blend's folder, ``~`` home."""
    return Path(bpy.path.abspath(path)).expanduser().resolve()
