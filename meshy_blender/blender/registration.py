"""Register and unregister every bpy class, property and timer in one place.

Unregistering must leave nothing behind (classes, timers, handlers, properties), so that
disabling and re-enabling the add-on, or reloading scripts, is always clean.
"""

from __future__ import annotations

import bpy

from . import cli_command
from .operators import (
    account,
    assets,
    cache,
    concept,
    generate,
    history,
    jobs,
    newer,
    selected,
    shape,
    tasks,
)
from .session import account as account_state
from .session import calls, library, notices, runtime, thumbnails
from .ui import animation_list, menus, panels, preferences, properties, properties_newer

CLASSES: tuple[type, ...] = (
    preferences.MeshyPreferences,
    *properties.CLASSES,
    *properties_newer.CLASSES,
    *jobs.CLASSES,
    *generate.CLASSES,
    *selected.CLASSES,
    *shape.CLASSES,
    *history.CLASSES,
    *assets.CLASSES,
    *newer.CLASSES,
    *concept.CLASSES,
    *tasks.CLASSES,
    *account.CLASSES,
    *cache.CLASSES,
    *animation_list.CLASSES,
    *panels.CLASSES,
    *menus.CLASSES,
)

# Functions this add-on registers with bpy.app.timers; unregister() removes each one.
TIMERS: tuple = (runtime.timer_tick, runtime.startup_resume)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    properties.register_properties()
    properties_newer.register_properties()
    menus.register_menus()
    bpy.app.timers.register(runtime.startup_resume, first_interval=runtime.STARTUP_RESUME_DELAY)
    cli_command.register()


def unregister() -> None:
    cli_command.unregister()
    runtime.shutdown_runtime()
    calls.CALLS.shutdown()
    library.reset()
    account_state.reset()
    notices.forget()
    thumbnails.free()
    for fn in TIMERS:
        if bpy.app.timers.is_registered(fn):
            bpy.app.timers.unregister(fn)
    menus.unregister_menus()
    properties_newer.unregister_properties()
    properties.unregister_properties()
    for cls in reversed(CLASSES):
        if getattr(cls, "is_registered", False):
            bpy.utils.unregister_class(cls)
