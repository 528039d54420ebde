"""Meshy for Blender: drive the Meshy AI 3D API from Blender and land results in the scene.

Layers (see README): ``client/`` and ``jobs/`` are pure Python and never import bpy, so this
top-level module must not import bpy either; everything Blender-specific is imported lazily
from ``blender/`` when Blender calls :func:`register`.
"""

from __future__ import annotations

# Preferences, the CLI command and the user-data folder are keyed by the package name Blender
# gave us: "bl_ext.<repo>.meshy" when installed as an extension, "meshy_blender" from a checkout.
ADDON_ID: str = __package__ or __name__


def register() -> None:
    """Called by Blender when the add-on is enabled."""
    from .blender import registration

    registration.register()


def unregister() -> None:
    """Called by Blender when the add-on is disabled; must leave nothing behind."""
    from .blender import registration

    registration.unregister()
