"""3D printing: analyze (free, read-only), repair (a closed mesh, beside or in place of the
original) and multi-colour (a 3MF saved to the *Save Results To* folder: the preference, else
next to the .blend, else the first asset library while the file is unsaved). Models are given as for
:func:`~meshy_blender.api.retexture`."""

from __future__ import annotations

from typing import Any

from ..jobs import money_gate
from .models import from_model
from .results import ProgressCallback, Result


def print_analyze(obj: Any = None, *, progress: ProgressCallback | None = None,
                  timeout: float | None = None, label: str | None = None,
                  job_key: str | None = None, **options: Any) -> Result:
    """Meshy's printability report (watertight, holes, non-manifold edges, volume) as
    ``result.report``; also stored on ``obj`` and the scene as ``meshy_printability``. Free;
    nothing in the scene changes."""
    return _print("print-analyze", obj, options, False, progress=progress, timeout=timeout,
                  import_format=None, placement=None, label=label, job_key=job_key)


def print_repair(obj: Any = None, *, progress: ProgressCallback | None = None,
                 timeout: float | None = None, import_format: str | None = None,
                 placement: str | None = None, label: str | None = None,
                 job_key: str | None = None, accept_unpublished_price: bool = False,
                 **options: Any) -> Result:
    """A repaired, printable copy (textures dropped). ``placement="REPLACE"`` puts it where
    ``obj`` was and hides the original."""
    return _print("print-repair", obj, options, accept_unpublished_price, progress=progress,
                  timeout=timeout, import_format=import_format, placement=placement,
                  label=label, job_key=job_key)


def print_multicolor(obj: Any = None, *, progress: ProgressCallback | None = None,
                     timeout: float | None = None, label: str | None = None,
                     job_key: str | None = None, accept_unpublished_price: bool = False,
                     **options: Any) -> Result:
    """A multi-colour 3MF (``max_colors`` 1-16, ``max_depth`` 3-6); its path is in
    ``result.saved_files``."""
    return _print("print-multi-color", obj, options, accept_unpublished_price,
                  progress=progress, timeout=timeout, import_format=None, placement=None,
                  label=label, job_key=job_key)


def _print(request: str, obj: Any, options: dict[str, Any], accepted: bool,
           **kw: Any) -> Result:
    money_gate.require_published_for_model(request, options, accepted)
    return from_model(request, obj, options, **kw)
