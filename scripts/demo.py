"""`make demo`: the main job, headless.

Foundation stage: enables the add-on in real Blender (isolated user folder) and prints what it
registered. Later stages replace this with the text -> model -> rig -> animation chain.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="meshy-demo-"))
    sys.path.insert(0, str(ROOT))
    import importlib

    import bpy

    addon_utils = importlib.import_module("addon_utils")  # on sys.path once bpy is imported
    if addon_utils.enable("meshy_blender", default_set=True) is None:
        print("error: the add-on failed to enable", file=sys.stderr)
        return 1
    from meshy_blender.blender import registration

    print(f"Blender {bpy.app.version_string}: Meshy add-on enabled")
    for cls in registration.CLASSES:
        kind = cls.__mro__[1].__name__
        print(f"  {kind:<16} {cls.__name__}")
    addon_utils.disable("meshy_blender", default_set=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
