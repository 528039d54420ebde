"""Checks every Meshy button makes before anything is sent: a key, and permission to go online.

The client refuses too, but only on a worker thread after the job was queued; saying it up front
lets the operator report one clear error and send nothing.
"""

from __future__ import annotations

import bpy

from ...client.urls import is_loopback
from . import config

NO_KEY = ("No Meshy API key: add it in Edit > Preferences > Add-ons > Meshy for Blender, "
          "or set the MESHY_API_KEY environment variable.")
OFFLINE = ("Blender is not allowed to go online: enable Preferences > System > Network > "
           "Allow Online Access, or start Blender with --online-mode.")


def key_source(settings: config.Settings) -> str:
    """Where the key comes from, for display ("MESHY_API_KEY", "preferences" or "none")."""
    if not settings.api_key:
        return "none"
    return settings.sources.get("api_key", "preferences")


def needs_online(settings: config.Settings) -> bool:
    """True when the API base is a real remote host (the emulator on loopback is always fine)."""
    return not is_loopback(settings.api_base)


def blocked_offline(settings: config.Settings) -> bool:
    return needs_online(settings) and not bpy.app.online_access


def problem(settings: config.Settings) -> str | None:
    """The reason no request can be made now, or None when the add-on may call Meshy."""
    if not settings.api_key:
        return NO_KEY
    if blocked_offline(settings):
        return OFFLINE
    return None
