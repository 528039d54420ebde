"""Resize's settings -> the JobRequest: one ``resize`` task of the Meshy model by its task id.

Serves the button's price (``model_input`` None: a placeholder id) and the operator (the
model's own id) alike, so the price drawn is the price of exactly what is sent.
"""

from __future__ import annotations

from typing import Any

from ....jobs.plans import PLACEHOLDER_TASK_ID
from ....jobs.request import JobRequest
from ...core import config
from ...scene.naming import safe_name


def resize(r: Any, settings: config.Settings, model_input: dict[str, Any] | None,
           source_object: str | None, replace: bool) -> JobRequest:
    """The model at ``r.height`` metres with its origin at ``r.origin``; a GLB (what Meshy's
    resize answers with) beside the model, or in its place with ``replace``."""
    source = model_input if model_input is not None else {"input_task_id": PLACEHOLDER_TASK_ID}
    opts = {**source, "resize_height": round(float(r.height), 4), "origin_at": r.origin}
    where = settings.import_options(format="GLB", placement="REPLACE",
                                    source_object=source_object) \
        if replace and source_object else settings.import_options(format="GLB")
    return JobRequest("resize", opts, safe_name(f"{source_object or 'model'} resized"), where)
