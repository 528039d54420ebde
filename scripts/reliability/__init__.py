"""`make reliability`: fault matrix, soak, bad inputs and security checks against the emulator.

Every row of every table is produced by running the add-on's code (client, jobs, importer) against
the Meshy emulator on 127.0.0.1; nothing is written by hand. Run ``python -m reliability --help``
with ``scripts/`` on the path (the Makefile does this).
"""

import sys
from pathlib import Path

# The repository root (meshy_blender) and scripts/ (meshy_emu) must be importable.
for _path in (Path(__file__).resolve().parents[2], Path(__file__).resolve().parents[1]):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
