"""A faithful local Meshy API for tests and the demo (not shipped in the extension).

    from meshy_emu import Emulator, TEST_MODE_KEY
    emu = Emulator(task_seconds=0.2).start()   # emu.api_url, emu.assets_url
"""

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

__all__ = ["TEST_MODE_KEY", "Emulator", "ensure_assets"]
