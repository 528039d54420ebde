"""Pure-Python Meshy API client (requests). Runs on threads of the jobs worker process.

May import: the standard library, requests/urllib3. Never imports bpy, ``jobs/``,
``blender/``, ``api`` or ``cli``.

Public surface: :class:`MeshyClient`, :func:`is_loopback`, the task model (:class:`Task`),
payload building and costs (:func:`build_payload`, :func:`estimate_cost`,
:func:`estimate_chain`), the :mod:`model_catalogue` (every model with its kinds, price and
retirement dates) and the :mod:`errors` family.

The names are loaded on first use (PEP 562), not when the package is imported: importing
``client.errors`` or ``client.specs`` (as the sidebar does when the add-on is enabled) must not
pull in requests/urllib3/ssl, which cost most of the add-on's start-up before any network use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import MeshyClient
    from .specs import SPECS, TaskKind, TaskSpec, build_payload, estimate_chain, estimate_cost
    from .tasks import Task, TaskError, merge_event, parse_task
    from .urls import is_loopback

_WHERE = {
    "MeshyClient": "client", "is_loopback": "urls",
    "SPECS": "specs", "TaskKind": "specs", "TaskSpec": "specs", "build_payload": "specs",
    "estimate_chain": "specs", "estimate_cost": "specs",
    "Task": "tasks", "TaskError": "tasks", "merge_event": "tasks", "parse_task": "tasks",
}

__all__ = ["SPECS", "MeshyClient", "Task", "TaskError", "TaskKind", "TaskSpec", "build_payload",
           "estimate_chain", "estimate_cost", "is_loopback", "merge_event", "parse_task"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
