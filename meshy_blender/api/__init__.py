"""Headless, blocking public API for scripts (``blender -b --python``) and the CLI command.

Each function builds one :class:`~meshy_blender.jobs.request.JobRequest`, submits it through
the same runtime as the sidebar (client, job manager, journal, cache, studio policy), pumps it
on the calling (main) thread until the result is in the scene, and returns a :class:`Result`.
``bpy.app.timers`` never fire in ``--background``, which is why these functions drive the pump
themselves. Option names are the Meshy API's parameter names; every failure raises the
client's exception family (``meshy_blender.client.errors.MeshyError``), import failures
included.

    from meshy_blender import api
    result = api.text_to_3d("a bronze owl", ai_model="meshy-6", rig={}, animations=[4])
    print(result.root_objects, result.task_ids, result.credits)

May import: ``client/``, ``jobs/`` and ``blender/core`` + ``blender/scene`` (lazily, so this
package imports outside Blender too). Never ``blender/ui`` or ``blender/operators``.
"""

from __future__ import annotations

from ..identity import ADDON_ID
from .batch import BatchProgress, BatchResult, RowResult, batch
from .generate import image_to_3d, multi_image_to_3d, text_to_3d
from .images import image_task_to_3d, image_to_image, text_to_image
from .models import animate, remesh, resize, retexture, rig
from .motion import text_to_motion, uv_unwrap
from .printing import print_analyze, print_multicolor, print_repair
from .refine import refine
from .results import Interrupted, Progress, ProgressCallback, Result
from .tasks import (
    animation_library,
    balance,
    balance_details,
    estimate,
    list_tasks,
    resume,
    status,
)

__all__ = [
    "ADDON_ID", "BatchProgress", "BatchResult", "Interrupted", "Progress", "ProgressCallback",
    "Result", "RowResult", "animate", "animation_library", "balance", "balance_details",
    "batch", "estimate",
    "image_task_to_3d", "image_to_3d", "image_to_image", "list_tasks", "multi_image_to_3d",
    "print_analyze", "print_multicolor", "print_repair", "refine", "remesh", "resize", "resume",
    "retexture", "rig", "status", "text_to_3d", "text_to_image", "text_to_motion", "uv_unwrap",
]
