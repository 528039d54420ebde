"""Register and unregister every bpy class, property and timer in one place.

Unregistering must leave nothing behind (classes, timers, handlers, properties), so that
disabling and re-enabling the add-on, or reloading scripts, is always clean.

Enabling runs on every Blender start, so it imports only what registration needs: the operator,
panel and property classes. Their bodies import the core (runtime, client, jobs) when they
first run or draw, and :func:`unregister` resets only the core modules that were loaded.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from operator import attrgetter
from types import ModuleType
from typing import Any

import bpy
from bpy.app.handlers import persistent

from . import cli_command, panels
from .features.account import operators as account
from .features.account import preferences
from .features.concept import operators as concept
from .features.edit import operators as selected
from .features.edit import uv_print_motion_operators as uv_print_motion
from .features.generate import operators as generate
from .features.resize import operators as resize
from .features.resize import panel as resize_panel
from .features.resize import properties as resize_settings
from .features.shape_first import operators as shape
from .features.tasks import history_operators as history
from .features.tasks import job_list
from .features.tasks import operators as tasks
from .operators import assets, cache, jobs
from .ui import animation_list, menus, properties, properties_tools

# Session state that unregister() drops: (module, its reset function), in this order.
RESETS = (("runtime", "shutdown_runtime"), ("calls", "CALLS.shutdown"), ("library", "reset"),
          ("account", "reset"), ("first_read", "reset"), ("notices", "forget"),
          ("thumbnails", "free"), ("scene.assets", "forget_pending_previews"))
# Seconds after enabling before the previous session's jobs are looked at (Blender has started).
STARTUP_RESUME_DELAY = 1.0

CLASSES: tuple[type, ...] = (
    preferences.MeshyPreferences,
    *properties.CLASSES,
    *properties_tools.CLASSES,
    *jobs.CLASSES,
    *generate.CLASSES,
    *selected.CLASSES,
    *shape.CLASSES,
    *history.CLASSES,
    *assets.CLASSES,
    *uv_print_motion.CLASSES,
    *concept.CLASSES,
    *tasks.CLASSES,
    *account.CLASSES,
    *cache.CLASSES,
    *animation_list.CLASSES,
    *job_list.CLASSES,
    *panels.CLASSES,
    *menus.CLASSES,
    *resize_settings.CLASSES,
    *resize.CLASSES,
    *resize_panel.CLASSES,  # a sub-panel of Selected Object: after its parent
)
# Modules that put their settings on Blender's types (``register_properties`` /
# ``unregister_properties``), in this order: the main settings, the tools', a feature's own.
SETTINGS: tuple[ModuleType, ...] = (properties, properties_tools, resize_settings)



def startup_resume() -> None:
    """The one-shot start-up timer: it lists the journal and starts the pruning process; the
    session and the journal load only when there is something to resume (runtime.py)."""
    from .core import runtime

    runtime.startup_resume()


@persistent
def upgrade_saved_data(*_args: Any) -> None:
    """load_post: the opened file's Meshy settings and objects in today's schema; a newer
    version's are left as saved and the artist is told (scene/migrations.py)."""
    from .scene import migrations

    refused = migrations.upgrade_file()
    if refused:
        from .core import notices

        for text in refused:
            notices.report("WARNING", f"Meshy: {text}")


@persistent
def stamp_saved_data(*_args: Any) -> None:
    """save_pre: each scene's Meshy settings record their schema."""
    from .scene import migrations

    migrations.stamp_file()


@persistent
def write_asset_catalogs(filepath: Any = "", *_args: Any) -> None:
    """save_post: the Meshy/<kind> catalogs of the file's Meshy assets are written where
    Blender reads the saved file's catalogs, so the Asset Browser shows them (scene/assets.py).
    A catalog that cannot be written never fails the save; the artist is told."""
    from .scene import assets

    path = filepath if isinstance(filepath, str) and filepath else bpy.data.filepath
    try:
        assets.write_file_catalogs(path)
    except OSError as exc:
        from .core import notices

        notices.report("WARNING", f"Meshy: could not write the asset catalogs beside "
                                  f"'{path}' ({exc.strerror}); the assets show under "
                                  "Unassigned in the Asset Browser")


# (handler list name, function) pairs register() adds and unregister() removes.
HANDLERS = (("load_post", upgrade_saved_data), ("save_pre", stamp_saved_data),
            ("save_post", write_asset_catalogs))


def _loaded(name: str) -> ModuleType | None:
    """The core module ``name`` (or ``scene.<name>``...) if something imported it; an unloaded
    one holds no state."""
    return sys.modules.get(f"{__package__}.{name}" if "." in name
                           else f"{__package__}.core.{name}")


def timers() -> list[Callable[[], Any]]:
    """Functions this add-on may have registered with bpy.app.timers (unregister removes them)."""
    runtime, first_read, prices = _loaded("runtime"), _loaded("first_read"), \
        _loaded("price_labels")
    return [startup_resume, job_list.sync_now] + \
        ([] if runtime is None else [runtime.timer_tick]) + \
        ([] if first_read is None else [first_read.start]) + \
        ([] if prices is None else [prices.load_planner])


def one_line_tooltip(cls: type) -> None:
    """An operator's tooltip is its docstring: on one line, as Blender's own tooltips are
    (Blender keeps a docstring's line breaks and indentation)."""
    doc = cls.__doc__ or ""
    if issubclass(cls, bpy.types.Operator) and "bl_description" not in cls.__dict__ and doc:
        cls.bl_description = " ".join(doc.split())  # type: ignore[attr-defined]


def register() -> None:
    for cls in CLASSES:
        one_line_tooltip(cls)
        bpy.utils.register_class(cls)
    for module in SETTINGS:
        module.register_properties()
    menus.register_menus()
    for name, fn in HANDLERS:
        getattr(bpy.app.handlers, name).append(fn)
    bpy.app.timers.register(startup_resume, first_interval=STARTUP_RESUME_DELAY)
    cli_command.register()


def unregister() -> None:
    cli_command.unregister()
    for name, reset in RESETS:
        module = _loaded(name)
        if module is not None:
            attrgetter(reset)(module)()
    for fn in timers():
        if bpy.app.timers.is_registered(fn):
            bpy.app.timers.unregister(fn)
    for name, fn in HANDLERS:
        handlers = getattr(bpy.app.handlers, name)
        while fn in handlers:
            handlers.remove(fn)
    menus.unregister_menus()
    for module in reversed(SETTINGS):
        module.unregister_properties()
    for cls in reversed(CLASSES):
        if getattr(cls, "is_registered", False):
            bpy.utils.unregister_class(cls)
