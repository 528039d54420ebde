"""A faithful local Meshy API for tests and the demo (not shipped in the extension).

    from meshy_emu import Emulator, TEST_MODE_KEY
    emu = Emulator(task_seconds=0.2).start()   # emu.api_url, emu.assets_url
"""

from .accounts import TEST_MODE_KEY
from .assets import ensure_assets
from .emulator import Emulator

__all__ = ["TEST_MODE_KEY", "Emulator", "ensure_assets"]
