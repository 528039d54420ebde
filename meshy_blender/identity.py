"""The add-on's identity: the package name Blender gave it (a leaf module, imported by all).

Preferences, the CLI command and the user-data folder are keyed by it: "bl_ext.<repo>.meshy"
when installed as an extension, "meshy_blender" from a checkout.
"""

from __future__ import annotations

ADDON_ID: str = __package__ or __name__.rpartition(".")[0]

# The studio policy file's environment variable (read by the session, parsed by jobs.policy).
STUDIO_CONFIG_ENV = "MESHY_STUDIO_CONFIG"
# A seat's or farm worker's cap on its live Meshy tasks (read by the session and the batch).
MAX_IN_FLIGHT_ENV = "MESHY_MAX_IN_FLIGHT"
