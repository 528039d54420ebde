"""The one place where benchmarks import product code (fix paths here when modules move).

Client and jobs names load on first use (no bpy); the Blender side is behind functions, so
that benchmarks which must not load bpy, or must time what the add-on loads, stay free of it.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from meshy_blender.client import MeshyClient, build_payload, sse
    from meshy_blender.jobs.journal import Journal
    from meshy_blender.jobs.manager import JobManager
    from meshy_blender.jobs.model import DOWNLOADING, IMPORTED
    from meshy_blender.jobs.plans import plan_job
    from meshy_blender.jobs.remote import RemoteJobs

# Client and jobs names load on first use (PEP 562), so a start-up child that imports this
# module has loaded none of the product (nor requests/ssl) before what it times.
_LAZY = {"MeshyClient": "meshy_blender.client", "build_payload": "meshy_blender.client",
         "sse": "meshy_blender.client", "Journal": "meshy_blender.jobs.journal",
         "JobManager": "meshy_blender.jobs.manager", "DOWNLOADING": "meshy_blender.jobs.model",
         "IMPORTED": "meshy_blender.jobs.model", "plan_job": "meshy_blender.jobs.plans",
         "RemoteJobs": "meshy_blender.jobs.remote"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


ADDON_MODULE = "meshy_blender"

__all__ = [
    "ADDON_MODULE",
    "DOWNLOADING",
    "IMPORTED",
    "ROOT",
    "JobManager",
    "Journal",
    "MeshyClient",
    "RemoteJobs",
    "build_payload",
    "exiting_processes",
    "import_job",
    "import_model",
    "plan_job",
    "pump_module",
    "runtime_module",
    "sse",
    "startup_timer",
]


def import_model(path: Path, **kw: Any) -> Any:
    """The product's scene import of one model file (``importer.import_model``)."""
    from meshy_blender.blender.scene.importer import import_model as _import_model

    return _import_model(path, **kw)


def import_job(snapshot: dict[str, Any]) -> Any:
    """What the pump calls to land a READY job in the scene."""
    from meshy_blender.blender.scene.import_job import import_job as _import_job

    return _import_job(snapshot)


def pump_module() -> ModuleType:
    """``Pump`` and ``run_until_done`` (the headless driver)."""
    from meshy_blender.blender.core import pump

    return pump


def runtime_module() -> ModuleType:
    """``timer_tick`` and ``startup_resume`` (the persistent timer and the start-up scan)."""
    from meshy_blender.blender.core import runtime

    return runtime


def exiting_processes() -> list[Any]:
    """Processes the add-on started and has not reaped (the start-up timer's pruning)."""
    from meshy_blender.jobs import spawn

    return list(spawn.EXITING)


def startup_timer() -> Any:
    """The one-shot timer enabling registers for start-up (resume and the journal scan)."""
    from meshy_blender.blender import registration

    return getattr(registration, "startup_resume", None) or runtime_module().startup_resume
