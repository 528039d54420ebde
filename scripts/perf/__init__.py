"""``python -m perf`` (with ``scripts/`` on the path): the add-on's own costs on this machine
(import, enable, idle timer, start-up journal); ``__main__.py`` says what each figure is."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The repository root (meshy_blender) must be importable wherever the command is started.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def child_env() -> dict[str, str]:
    """The environment for a ``python -m perf`` child: scripts/ and the checkout importable."""
    path = [str(ROOT / "scripts"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in path if p))
