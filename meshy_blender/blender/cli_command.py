"""Blender's ``meshy`` command-line command (``blender --command meshy ...``).

Registered with ``bpy.utils.register_cli_command`` while the add-on is enabled; the handle is
kept so unregistering removes exactly this command. The work happens in ``meshy_blender.cli``.
"""

from __future__ import annotations

from typing import Any

import bpy

COMMAND = "meshy"
_handle: Any = None


def execute(argv: list[str]) -> int:
    """What Blender calls with the arguments after ``--command meshy``."""
    from ..cli import main

    return main(argv)


def register() -> None:
    global _handle
    if _handle is None:
        _handle = bpy.utils.register_cli_command(COMMAND, execute)


def unregister() -> None:
    global _handle
    if _handle is not None:
        bpy.utils.unregister_cli_command(_handle)
        _handle = None


def is_registered() -> bool:
    return _handle is not None
