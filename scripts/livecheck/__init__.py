"""``make live-check``: one request of every kind against the real Meshy API, each answer's
shape compared with what the client and the emulator expect. Run ``python -m livecheck`` with
``scripts/`` on the path (the Makefile does this); ``__main__.py`` says more."""

import sys
from pathlib import Path

# The repository root (meshy_blender) must be importable wherever the command is started.
_CHECKOUT = str(Path(__file__).resolve().parents[2])
if _CHECKOUT not in sys.path:
    sys.path.insert(0, _CHECKOUT)
