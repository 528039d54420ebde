"""A faithful local Meshy API for tests and the demo (not shipped in the extension).

    from meshy_emu import Emulator, TEST_MODE_KEY
    emu = Emulator(task_seconds=0.2).start()   # emu.api_url, emu.assets_url

From a shell: ``PYTHONPATH=scripts python -m meshy_emu --help``; in a child process:
``subprocess.Popen(meshy_emu.command("--task-seconds", "3"), env=meshy_emu.child_env())``.
"""

import os
import sys
from pathlib import Path

# The v2 field table is the add-on's own (meshy_blender/client/request_fields.py, standard
# library only): the checkout's root must be importable when the emulator runs as a script.
_CHECKOUT = str(Path(__file__).resolve().parents[2])
if _CHECKOUT not in sys.path:
    sys.path.append(_CHECKOUT)

from .accounts import TEST_MODE_KEY  # noqa: E402
from .assets import ensure_assets  # noqa: E402
from .emulator import Emulator  # noqa: E402

__all__ = ["TEST_MODE_KEY", "Emulator", "child_env", "command", "ensure_assets"]

_SCRIPTS = str(Path(__file__).resolve().parents[1])


def command(*args: str) -> list[str]:
    """The command line that runs the emulator in a child process (start it with child_env())."""
    return [sys.executable, "-m", "meshy_emu", *args]


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with scripts/ on PYTHONPATH, so ``-m meshy_emu`` runs."""
    base = dict(os.environ if env is None else env)
    base["PYTHONPATH"] = os.pathsep.join(p for p in (_SCRIPTS, base.get("PYTHONPATH", "")) if p)
    return base
