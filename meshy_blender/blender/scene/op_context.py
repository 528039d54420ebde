"""The context in which bpy.ops importers and exporters run: always the caller's own, never
a context override.

On Python 3.11 (every Blender 4.2-5.0) ``bpy.ops`` releases the GIL while an operator runs, and
while a context override is active Blender looks context members up from C without taking the
GIL whenever any other Python thread holds it: memory corruption and a native crash (see
docs/blender-bug-report.md). So operators are only called where Blender itself supplies the
context: in background mode (``blender -b``, the bpy module) the plain context; in interactive
Blender an operator's ``execute()`` or the modal watcher's ``modal()``, which have a window. The
jobs pump's ``bpy.app.timers`` timer (no window) never imports (``core/pump.imports_allowed``).
Edit/pose/sculpt modes are left first because importers only run in object mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import bpy

try:  # the C entry point bpy.ops itself calls (bpy/ops.py, the same in Blender 4.2 to 5.0)
    from _bpy import ops as _c_ops
except ImportError:  # pragma: no cover (bpy always has it; fake-bpy type stubs do not)
    _c_ops = None


@contextmanager
def operator_context(context: Any | None = None) -> Iterator[Any]:
    """Yield the context import and export operators run in: the caller's, as it is (no
    a context override, see the module docstring)."""
    yield context if context is not None else bpy.context


def leave_edit_modes(context: Any) -> tuple[str | None, str]:
    """Switch to object mode if needed; returns (active object name, previous mode)."""
    obj = context.view_layer.objects.active
    mode = obj.mode if obj is not None else "OBJECT"
    if obj is not None and mode != "OBJECT":
        bpy.ops.object.mode_set(mode="OBJECT")
    return (obj.name if obj is not None else None), mode


def return_to_mode(context: Any, state: tuple[str | None, str]) -> None:
    """Best-effort return to the mode the artist was in (after a failed import)."""
    name, mode = state
    if name is None or mode == "OBJECT":
        return
    obj = context.view_layer.objects.get(name)
    if obj is None:
        return
    context.view_layer.objects.active = obj
    ops: Any = bpy.ops  # mode names come from Object.mode, which mode_set accepts
    with suppress(RuntimeError, TypeError):
        ops.object.mode_set(mode=mode)


def call_unevaluated(op: Any, **kwargs: Any) -> set[str]:
    """Call the ``bpy.ops`` operator ``op`` without the view-layer evaluations ``bpy.ops`` adds
    before and after every call from Python.

    Those evaluations rebuild the dependency graph of the whole scene whenever a collection or
    object was added: about 0.7 s in a 5,000-object scene, paid twice per import (once for the
    job's collection, once for the imported objects) on top of the importer's own work. Called
    this way, everything the import changes is evaluated once, by the next redraw (or by the
    caller in background mode). Raises RuntimeError on error reports, like ``bpy.ops``.
    """
    if _c_ops is None:
        return set(op(**kwargs))
    return set(_c_ops.call(op.idname_py(), kwargs))


# Without a UI (blender --background, the bpy module) nobody can undo, and a memfile undo push
# copies the whole file: skipped there unless asked for (tests of the undo step set this).
UNDO_IN_BACKGROUND = False


def push_undo_step(message: str) -> bool:
    """Record exactly one undo step for the whole import (importers called from Python with the
    default arguments push none themselves). False when there is no undo system to push to, or
    in background mode (see UNDO_IN_BACKGROUND)."""
    if bpy.app.background and not UNDO_IN_BACKGROUND:
        return False
    undo_push: Any = bpy.ops.ed.undo_push
    if not undo_push.poll():
        return False
    undo_push(message=message)
    return True
