"""Find the Meshy API whether the extension is installed (bl_ext.<repo>.meshy) or run from a
checkout (meshy_blender beside this folder). Shared by the examples; copy it into your own."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any


def meshy_api() -> ModuleType:
    """The installed, enabled extension's api module, else the checkout's."""
    import bpy

    prefs: Any = bpy.context.preferences
    for name in prefs.addons.keys():  # noqa: SIM118 (bpy collection)
        if name.startswith("bl_ext.") and name.endswith(".meshy"):
            return importlib.import_module(name + ".api")
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "meshy_blender").is_dir() and str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    return importlib.import_module("meshy_blender.api")


def script_args() -> list[str]:
    """Arguments after `--` (blender -b --python x.py -- ARGS), or after the script name."""
    argv = sys.argv
    return argv[argv.index("--") + 1:] if "--" in argv else argv[1:]
