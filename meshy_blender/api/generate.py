"""Generating new models: text, image and multi-image to 3D (optionally chained to remesh,
rig and animations). Shared by every API call: :func:`run` submits one JobRequest and waits."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..client import errors, renamed_options
from ..jobs import model
from ..jobs.candidates import candidate_requests
from ..jobs.request import JobRequest
from . import keyed, preflight
from .results import ProgressCallback, Result
from .session import runtime

if TYPE_CHECKING:
    from ..blender.core.runtime import Runtime


def text_to_3d(prompt: str, *, progress: ProgressCallback | None = None,
               timeout: float | None = None, import_format: str | None = None,
               placement: str | None = None, label: str | None = None,
               mark_asset: bool | None = None, candidates: int | None = None,
               job_key: str | None = None, **options: Any) -> Any:
    """Text to a (textured, unless ``should_texture=False``) model; chains with ``remesh={}``,
    ``rig={...}`` and ``animations=[action_id, ...]``. ``job_key``: a stable name for this
    job (a farm job, a batch row); running it again resumes or returns it, never pays twice.

    ``candidates=N`` (1-4, with ``should_texture=False``) makes N shapes side by side and
    returns a list of N Results; texture the one you pick with :func:`refine`.
    ``mark_asset`` overrides the "Mark Results as Assets" preference."""
    if candidates is not None:
        return run_candidates(prompt, candidates, progress=progress, timeout=timeout,
                              import_format=import_format, placement=placement, label=label,
                              mark_asset=mark_asset, job_key=job_key, **options)
    return run("text-to-3d", {"prompt": prompt, **options}, progress=progress, timeout=timeout,
               import_format=import_format, placement=placement, label=label,
               mark_asset=mark_asset, job_key=job_key)


def image_to_3d(image: str | Path, *, progress: ProgressCallback | None = None,
                timeout: float | None = None, import_format: str | None = None,
                placement: str | None = None, label: str | None = None,
                job_key: str | None = None, **options: Any) -> Result:
    """An image (local PNG/JPEG path, URL or data URI) to a model."""
    return run("image-to-3d", {"image_url": _path_text(image), **options}, progress=progress,
               timeout=timeout, import_format=import_format, placement=placement,
               label=label or Path(str(image)).stem, job_key=job_key)


def multi_image_to_3d(images: Sequence[str | Path], *, progress: ProgressCallback | None = None,
                      timeout: float | None = None, import_format: str | None = None,
                      placement: str | None = None, label: str | None = None,
                      job_key: str | None = None, **options: Any) -> Result:
    """1-4 views of one object to a model."""
    if isinstance(images, str | Path):
        raise errors.ValidationError("multi_image_to_3d takes a list of images.",
                                     field="image_urls")
    first = Path(str(images[0])).stem if images else "multi image"
    return run("multi-image-to-3d", {"image_urls": [_path_text(i) for i in images], **options},
               progress=progress, timeout=timeout, import_format=import_format,
               placement=placement, label=label or first, job_key=job_key)


def run(request: str, options: dict[str, Any], *, progress: ProgressCallback | None,
        timeout: float | None, import_format: str | None, placement: str | None,
        label: str | None, source: Any = None, target_armature: str = "",
        job_key: str | None = None, rt: Runtime | None = None,
        mark_asset: bool | None = None) -> Result:
    """Submit one request (policy, caps, validation and the balance against the whole chain
    first: nothing is sent on a refusal) and pump it until its result is in the scene.

    With ``job_key`` a rerun never pays twice: the job journalled under that key is resumed or
    returned (see keyed.py); the same key with a different request is refused."""
    rt = rt or runtime()
    req = build(rt, request, options, import_format=import_format, placement=placement,
                label=label, source=source, target_armature=target_armature,
                mark_asset=mark_asset, job_key=job_key)
    return submit_and_land(rt, [req], progress, timeout)[0]


def build(rt: Runtime, request: str, options: dict[str, Any], *, import_format: str | None,
          placement: str | None, label: str | None, source: Any = None,
          target_armature: str = "", mark_asset: bool | None = None,
          job_key: str | None = None) -> JobRequest:
    """The JobRequest an API call sends, with this seat's import defaults. A Meshy API v1
    option name in a caller's script warns (it is translated to its v2 name when sent)."""
    renamed_options.warn_old_names(request, options, stacklevel=5)
    ids = options.get("animations") or options.get("action_ids") or (
        [options["action_id"]] if "action_id" in options else [])
    import_options = rt.settings.import_options(
        format=import_format, placement=placement,
        source_object=source.name if source is not None else "",
        target_armature=target_armature, action_names=action_names(rt, ids),
        mark_asset=mark_asset)
    return JobRequest(request, options, label or "", import_options, job_key=job_key or "")


def submit_and_land(rt: Runtime, requests: list[JobRequest],
                    progress: ProgressCallback | None, timeout: float | None) -> list[Result]:
    """Check the balance for every request first, submit them all, then land each in turn."""
    planned = [preflight.check_balance(rt, job_request) for job_request in requests]
    submitted = []
    for job_request, plan in zip(requests, planned, strict=True):
        earlier = keyed.live_ids(rt, job_request.job_key)
        job = rt.submit(job_request, origin=model.ORIGIN_SCRIPT, planned=plan)
        submitted.append((job, job.id in earlier))
    return [keyed.land(rt, job, progress, timeout, rerun=rerun) for job, rerun in submitted]


def run_candidates(prompt: str, count: int, *, progress: ProgressCallback | None = None,
                   timeout: float | None = None, import_format: str | None = None,
                   placement: str | None = None, label: str | None = None,
                   mark_asset: bool | None = None, job_key: str | None = None,
                   **options: Any) -> list[Result]:
    """``count`` (1-4) untextured shapes of ``prompt`` side by side, run at once and waited
    for in order. ``should_texture`` defaults to False here (a textured candidate would pay for
    texture the artist may throw away)."""
    rt = runtime()
    options.setdefault("should_texture", False)
    base = build(rt, "text-to-3d", {"prompt": prompt, **options}, import_format=import_format,
                 placement=placement, label=label, mark_asset=mark_asset, job_key=job_key)
    return submit_and_land(rt, candidate_requests(base, count), progress, timeout)


def action_names(rt: Runtime, action_ids: Sequence[Any]) -> dict[str, str]:
    """Library names for action ids ("Attack"), so the actions are named like in Meshy."""
    if not action_ids:
        return {}
    try:
        library = rt.client.animation_library() or []
    except errors.MeshyError:
        return {}  # names are a nicety; the ids still work
    names = {str(item.get("action_id")): str(item.get("name")) for item in library
             if item.get("name")}
    return {str(a): names[str(a)] for a in action_ids if str(a) in names}


def _path_text(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value
