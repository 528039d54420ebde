"""The API's access to the add-on session: the runtime, the main-thread rule, and clean exit."""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..client import errors

if TYPE_CHECKING:
    from ..blender.core.runtime import Runtime

_exit_hook: list[Callable[[], None]] = []


def runtime() -> Runtime:
    """The session's runtime, from Blender's main thread only.

    Jobs import into the scene, and only the main thread may touch bpy; calls from other threads
    would also mix up each other's results. Parallel work goes through one call that submits
    many jobs and pumps them together on the main thread."""
    if threading.current_thread() is not threading.main_thread():
        raise errors.ValidationError(
            "meshy_blender.api must be called from Blender's main thread (it imports into the "
            "scene); calls from other threads are refused so results never mix. To run several "
            "jobs at once, start one Blender process per job.",
            field="thread")
    from ..blender.core.runtime import get_runtime

    if not _exit_hook:
        # bpy as a Python module tears Blender down in an atexit hook and never returns while
        # the runtime's persistent timer is registered. atexit runs hooks last-in first-out,
        # so this one (registered after bpy's) removes it first, and stops the workers.
        atexit.register(_at_exit)
        _exit_hook.append(_at_exit)
    # No journal resume here: a script must not import other sessions' jobs into its scene.
    return get_runtime(resume=False)


def _at_exit() -> None:
    import sys

    from ..blender.core.runtime import remove_timer, shutdown_runtime

    remove_timer()
    shutdown_runtime()
    # A Python function left in a bpy.app.handlers list hangs the bpy module's own exit
    # (Blender 4.5: its teardown blocks on a condition variable): the previews a batch kept
    # for a save that never came go with their handler.
    assets = sys.modules.get(f"{__package__.rpartition('.')[0]}.blender.scene.assets")
    if assets is not None:
        assets.forget_pending_previews()
