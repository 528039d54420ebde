"""Models and pictures the add-on sends to Meshy are written to one folder: ``<cache>/uploads``.

Meshy takes a local model as a data URI, so a selected (non-Meshy) mesh is exported to a GLB
there first, on the main thread, with its faces and size checked before anything is paid for.
The sidebar, the API and the CLI all export through :func:`export_for_upload`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import Settings

UPLOADS = "uploads"


def upload_dir(settings: Settings) -> Path:
    return Path(settings.cache_dir) / UPLOADS


def export_for_upload(context: Any, objects: list[Any], settings: Settings, *, request: str,
                      apply_modifiers: bool = True, local_space: bool = True) -> str:
    """Export ``objects`` to a GLB for ``request`` and return its path; raises
    scene.export.ExportError (a ValidationError) with what to change. Rigging is checked
    against Meshy's face limit and refused for a flat selection here. ``local_space``
    exports in the first object's own space, for results placed with its transform
    ("Replace")."""
    # At the first export, not the first draw.
    from ..scene.export import RIG_MAX_FACES, RIG_MIN_THICKNESS, export_glb

    rig = request == "rig"
    result = export_glb(context, objects, upload_dir(settings), apply_modifiers=apply_modifiers,
                        max_faces=RIG_MAX_FACES if rig else None,
                        min_thickness=RIG_MIN_THICKNESS if rig else None,
                        local_space=local_space)
    return str(result.path)
