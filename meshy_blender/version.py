"""The extension's version, read from ``blender_manifest.toml``: the one place it is written.

Installed, the manifest sits beside this package's ``__init__.py`` (the extension zip's layout);
in a checkout it is one folder up. The preferences, ``meshy --version`` and every ``--json``
output show this value, so a support report always names the release that made it.
"""

from __future__ import annotations

import functools
from pathlib import Path

MANIFEST_NAME = "blender_manifest.toml"
_HERE = Path(__file__).resolve().parent


@functools.cache
def extension_version() -> str:
    """The manifest's ``version`` (semantic versioning), or "unknown" without a manifest."""
    # Loaded here, not at import: the preferences module imports this on every enable, and
    # compiling tomllib's patterns was a fifth of the add-on's enable time (bench.startup).
    import tomllib

    for folder in (_HERE, _HERE.parent):
        path = folder / MANIFEST_NAME
        if path.is_file():
            with path.open("rb") as fh:
                return str(tomllib.load(fh).get("version", "unknown"))
    return "unknown"
