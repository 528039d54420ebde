"""Sidebar settings -> JobRequests for concept pictures: Text to Image or Image to Image, then
Image (or Multi-image) to 3D from the finished picture's task id.

Like :mod:`sidebar_requests`, a builder serves both the button's price (``estimate``: nothing
uploaded) and the operator, so the price drawn is the price of exactly what is sent.
"""

from __future__ import annotations

from typing import Any

from ....jobs.plans import PLACEHOLDER_TASK_ID
from ....jobs.request import JobRequest
from ...core import config
from ...core.sidebar_requests import generate
from ...core.uploads import upload_dir
from ...scene import image_inputs
from ...scene.naming import safe_name


def concept_references(n: Any) -> list[Any]:
    """The reference picture slots of Image to Image, in order."""
    return [getattr(n, f"concept_reference_{i}") for i in range(1, 6)]


def concept(n: Any, settings: config.Settings, *, estimate: bool = False) -> JobRequest:
    """Text to Image or Image to Image: concept pictures that land as Blender images."""
    prompt = n.concept_prompt.strip()
    opts: dict[str, Any] = {"ai_model": n.concept_model, "prompt": prompt}
    if n.concept_multi_view:
        opts["generate_multi_view"] = True
    if n.concept_mode == "TEXT":
        request = "text-to-image"
        if n.concept_aspect_ratio != "NONE" and not n.concept_multi_view:
            opts["aspect_ratio"] = n.concept_aspect_ratio
        if n.concept_pose != "NONE":
            opts["pose_mode"] = n.concept_pose
    else:
        request = "image-to-image"
        temp = upload_dir(settings)
        refs = [image_inputs.for_estimate(r) if estimate else image_inputs.resolve(r, temp)
                for r in concept_references(n) if image_inputs.is_set(r)]
        opts["reference_image_urls"] = refs or None
    return JobRequest(request, opts, safe_name(prompt) or request,
                      settings.import_options(format="GLB"))


def concept_to_3d(s: Any, settings: config.Settings, image_task_id: str, *, multi_view: bool,
                  label: str, estimate: bool = False) -> JobRequest:
    """Image (or Multi-image) to 3D from a finished concept task: Meshy gets the task's id
    (``input_task_id``), never a re-upload; the Generate panel's model options apply."""
    mode = "MULTI_IMAGE" if multi_view else "IMAGE"
    req = generate(s, settings, mode=mode, estimate=estimate)
    options = {k: v for k, v in req.options.items() if k not in ("image_url", "image_urls")}
    options["input_task_id"] = image_task_id or PLACEHOLDER_TASK_ID
    return JobRequest(req.request, options, safe_name(label) or req.request, req.import_options)
