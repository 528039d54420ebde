"""Meshy for Blender: drive the Meshy AI 3D API from Blender and land results in the scene.

Layers (see README): ``client/`` and ``jobs/`` are pure Python and never import bpy, so this
top-level module must not import bpy either; everything Blender-specific is imported lazily
from ``blender/`` when Blender calls :func:`register`.
"""

from __future__ import annotations

from .identity import ADDON_ID

__all__ = ["ADDON_ID", "register", "unregister"]


def register() -> None:
    """Called by Blender when the add-on is enabled."""
    from .blender import registration

    registration.register()


def unregister() -> None:
    """Called by Blender when the add-on is disabled; must leave nothing behind."""
    from .blender import registration

    registration.unregister()
