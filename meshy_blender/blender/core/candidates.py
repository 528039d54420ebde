"""Candidates from the sidebar: send one click's 1-4 shapes (priced and checked as a whole),
and after one is picked for texturing, optionally delete the others on Meshy.

Deleting runs as a background call (HTTP never on the main thread); the other shapes leave the
file (Ctrl-Z brings them back, with no paid button: see jobs/deleted_tasks.py) or, kept, stay
hidden and are no longer assets.
"""

from __future__ import annotations

from typing import Any

from ...client.errors import MeshyError
from ...jobs import deleted_tasks
from ...jobs.candidates import candidate_requests
from ...jobs.request import JobRequest
from ..scene import candidates as scene_candidates
from ..scene import import_job, selection
from . import calls, config, messages, runtime, submit

DISCARD_CALL = "discard_candidates"


def submit_all(op: Any, context: Any, req: JobRequest, count: int,
               settings: config.Settings) -> list[Any]:
    """Submit ``count`` candidates of ``req``, each planned once; the whole price is checked
    against the last balance read first, so a click never sends half of its candidates."""
    try:
        reqs = candidate_requests(req, count)
    except MeshyError as exc:
        op.report({"ERROR"}, f"Meshy: {messages.for_error(exc)}")
        return []
    return submit.submit_all(op, context, reqs, settings)


def discard_others(context: Any, picked: Any, settings: config.Settings, *,
                   keep: bool = False) -> list[str]:
    """Remove the other candidates of ``picked``'s group from the file (``keep``: hide them,
    no longer assets) and delete their previews on Meshy in the background. Returns the names
    of the shapes discarded."""
    return discard(context, scene_candidates.others(picked, context.view_layer.objects),
                   settings, keep=keep)


def discard(context: Any, others: list[Any], settings: config.Settings, *,
            keep: bool = False) -> list[str]:
    """Remove these candidate shapes from the file (``keep``: hide them, no longer assets) and
    delete their previews on Meshy in the background. Returns their names."""
    task_ids = [tid for o in others if (tid := selection.task_ids(o).get("preview"))]
    deleted_tasks.remember(task_ids)  # outside the undo stack: Ctrl-Z cannot offer them again
    names = [o.name for o in others]
    for obj in others:
        obj.hide_set(True)
        obj.hide_render = True
        del obj["meshy_candidate_group"]  # out of the comparison for good
        if keep:
            obj[import_job.KEEP_SHAPE] = True
            obj[selection.DELETED_MARK] = True
    import_job.set_aside(others)
    if task_ids:
        client = runtime.get_runtime(context, settings=settings).client
        calls.CALLS.start(DISCARD_CALL,
                          client.later("delete_tasks", "text-to-3d-preview", task_ids))
    return names
