"""Minimal repro of a Blender crash: an operator called under ``context.temp_override`` while
another Python thread runs (docs/blender-bug-report.md).

Run it with Blender's Python as the bpy module, or inside Blender::

    .venv/bin/python scripts/repro/temp_override_thread_crash.py [--seconds 40]
        [--no-thread] [--no-override]
    blender -b --factory-startup --python scripts/repro/temp_override_thread_crash.py -- ...

With both the thread and the override it dies with SIGSEGV (or SIGABRT from the allocator) in
about 1 s on Blender 4.2 and 2-3 s on 4.5; with ``--no-thread`` or ``--no-override`` it runs
to the end and prints the number of operator calls. Nothing here is specific to any add-on.
"""

from __future__ import annotations

import argparse
import faulthandler
import sys
import threading
import time

import bpy


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--no-thread", action="store_true", help="no second Python thread")
    parser.add_argument("--no-override", action="store_true", help="no temp_override")
    args = parser.parse_args(argv)
    faulthandler.enable()

    for n in range(50):
        bpy.ops.mesh.primitive_cube_add(location=(n * 3.0, 0.0, 0.0))
    wm = bpy.context.window_manager
    assert wm is not None, "needs Blender's window manager (the bpy module and -b have one)"
    window = wm.windows[0]

    stop = threading.Event()

    def any_python() -> None:  # any Python at all: it only has to hold the GIL now and then
        while not stop.is_set():
            time.sleep(0.001)

    thread = None if args.no_thread else threading.Thread(target=any_python, daemon=True)
    if thread is not None:
        thread.start()
    print(f"Blender {bpy.app.version_string}, Python {sys.version.split()[0]}, "
          f"thread={'yes' if thread else 'no'}, override={'no' if args.no_override else 'yes'}",
          flush=True)
    calls = 0
    start = time.monotonic()
    while time.monotonic() - start < args.seconds:
        if args.no_override:
            bpy.ops.object.select_all(action="DESELECT")
        else:
            with bpy.context.temp_override(window=window, screen=window.screen):
                bpy.ops.object.select_all(action="DESELECT")
        calls += 1
    stop.set()
    print(f"no crash: {calls} operator calls in {time.monotonic() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    code = main(argv)
    sys.stdout.flush()
    import os

    os._exit(code)  # skip the bpy module's C++ teardown (it can hang or crash, see README)
