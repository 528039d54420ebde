"""Headless, blocking public API for scripts (``blender -b --python``).

The blocking generation functions are built on the jobs layer and the Blender import code; see
README "Python API" for what is available in this version.
"""

from __future__ import annotations

from . import ADDON_ID

__all__ = ["ADDON_ID"]
