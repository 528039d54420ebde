"""Register and unregister every bpy class, property and timer in one place.

Unregistering must leave nothing behind (classes, timers, handlers, properties), so that
disabling and re-enabling the add-on, or reloading scripts, is always clean.
"""

from __future__ import annotations

import bpy

from . import cli_command, operators_jobs, panels, preferences, properties, runtime

CLASSES: tuple[type, ...] = (
    preferences.MeshyPreferences,
    properties.MeshySceneSettings,
    *operators_jobs.CLASSES,
    panels.MESHY_PT_account,
    panels.MESHY_PT_generate,
)

# Functions this add-on registers with bpy.app.timers; unregister() removes each one.
TIMERS: tuple = (runtime.timer_tick,)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    properties.register_properties()
    cli_command.register()


def unregister() -> None:
    cli_command.unregister()
    runtime.shutdown_runtime()
    for fn in TIMERS:
        if bpy.app.timers.is_registered(fn):
            bpy.app.timers.unregister(fn)
    properties.unregister_properties()
    for cls in reversed(CLASSES):
        if getattr(cls, "is_registered", False):
            bpy.utils.unregister_class(cls)
