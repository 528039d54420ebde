"""Pure-Python Meshy API client (requests). Runs on worker threads.

May import: the standard library, requests/urllib3. Never imports bpy, ``jobs/``,
``blender/``, ``api`` or ``cli``.

Public surface: :class:`MeshyClient`, :func:`is_loopback`, the task model (:class:`Task`),
payload building and costs (:func:`build_payload`, :func:`estimate_cost`,
:func:`estimate_chain`) and the :mod:`errors` family.
"""

from .client import MeshyClient, is_loopback
from .specs import SPECS, TaskKind, TaskSpec, build_payload, estimate_chain, estimate_cost
from .tasks import Task, TaskError, merge_event, parse_task

__all__ = ["SPECS", "MeshyClient", "Task", "TaskError", "TaskKind", "TaskSpec", "build_payload",
           "estimate_chain", "estimate_cost", "is_loopback", "merge_event", "parse_task"]
