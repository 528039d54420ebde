"""Concept images: text to image and image to image, landed as Blender images; and "Make 3D
from this image", which sends the image task's id (``input_task_id``) instead of a re-upload."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..client import errors
from ..jobs import money_gate
from .generate import run
from .results import ProgressCallback, Result


def text_to_image(prompt: str, *, pack: bool = False, progress: ProgressCallback | None = None,
                  timeout: float | None = None, label: str | None = None,
                  job_key: str | None = None, accept_unpublished_price: bool = False,
                  **options: Any) -> Result:
    """Images from a prompt (``ai_model`` e.g. ``"nano-banana"``; ``generate_multi_view=True``
    for views that feed multi-image-to-3D). ``result.images`` are Blender images; ``pack=True``
    packs them into the .blend."""
    options = {"prompt": prompt, **options}
    return _images("text-to-image", options, pack, accept_unpublished_price, progress=progress,
                   timeout=timeout, label=label, job_key=job_key)


def image_to_image(images: Sequence[str | Path], prompt: str, *, pack: bool = False,
                   progress: ProgressCallback | None = None, timeout: float | None = None,
                   label: str | None = None, job_key: str | None = None,
                   accept_unpublished_price: bool = False, **options: Any) -> Result:
    """New images from 1+ reference images (PNG/JPEG paths, URLs or data URIs) and a prompt."""
    if isinstance(images, str | Path):
        raise errors.ValidationError("image_to_image takes a list of reference images.",
                                     field="reference_image_urls")
    options = {"prompt": prompt, "reference_image_urls": [str(i) for i in images], **options}
    return _images("image-to-image", options, pack, accept_unpublished_price, progress=progress,
                   timeout=timeout, label=label, job_key=job_key)


def image_task_to_3d(image_task_id: str, *, multi_view: bool = False,
                     progress: ProgressCallback | None = None, timeout: float | None = None,
                     import_format: str | None = None, placement: str | None = None,
                     label: str | None = None, job_key: str | None = None,
                     accept_unpublished_price: bool = False, **options: Any) -> Result:
    """A model from a finished text-to-image / image-to-image task, by its id (nothing is
    uploaded again). ``multi_view=True`` (a multi-view image task) uses multi-image-to-3D."""
    request = "multi-image-to-3d" if multi_view else "image-to-3d"
    options = {"input_task_id": image_task_id, **options}
    money_gate.require_published(request, options, accept_unpublished_price)
    return run(request, options, progress=progress, timeout=timeout,
               import_format=import_format, placement=placement, label=label, job_key=job_key)


def _images(request: str, options: dict[str, Any], pack: bool, accepted: bool,
            **kw: Any) -> Result:
    from ..blender.scene.import_images_motion_print import load_images

    money_gate.require_published(request, options, accepted)
    result = run(request, options, import_format=None, placement=None, **kw)
    if pack:  # the same datablocks, now inside the .blend
        result.images = load_images([i.filepath for i in result.images], pack=True)
    return result
