"""``python -m meshy_blender.cli <subcommand> ...`` (or ``make cli ARGS=...``): the same command
as ``blender --background --online-mode --command meshy`` for a checkout, whose venv has the bpy
module but no ``blender`` program.

Blender runs in the background as the bpy module; online access is allowed as ``--online-mode``
allows it (the environment's MESHY_API_BASE and MESHY_API_KEY choose the service). The exit code
is the subcommand's (see ``--help``).
"""

from __future__ import annotations

import os
import sys


def run(argv: list[str]) -> int:
    """Allow online access (``--online-mode``), then run the subcommand as Blender would."""
    import bpy

    prefs = bpy.context.preferences
    if prefs is not None:
        prefs.system.use_online_access = True
    from . import main

    return main(argv)


if __name__ == "__main__":
    code = run(sys.argv[1:])
    # Skip the bpy module's C++ teardown (it can crash or hang at exit after the work is saved,
    # as in scripts/demo.py); the exit code stays the subcommand's.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
