"""Picture inputs for requests: an image datablock or a file on disk, as a path the client reads.

An image that exists only inside Blender (generated, painted, packed or in an unsupported file
format) is written to a temporary PNG first. That is done on a copy, so the artist's image keeps
its source, file path and unsaved pixels exactly as they were.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import bpy

from ...client.errors import ValidationError

PLACEHOLDER_URL = "https://placeholder.invalid/input.png"  # for cost estimates: never sent
UPLOADABLE_FORMATS = ("PNG", "JPEG")


def is_set(item: Any) -> bool:
    """True when the input names an image or a file."""
    return item.image is not None or bool(item.filepath.strip())


def _on_disk(image: bpy.types.Image) -> str | None:
    """The image's own file, when uploading it as-is gives Meshy exactly what Blender shows."""
    if image.packed_file is not None or image.is_dirty or image.source != "FILE":
        return None
    if image.file_format not in UPLOADABLE_FORMATS:
        return None
    path = bpy.path.abspath(image.filepath, library=image.library)
    return path if path and os.path.isfile(path) else None


def _write_png(image: bpy.types.Image, directory: Path) -> str:
    width, height = image.size
    if width == 0 or height == 0:
        raise ValidationError(f"The image '{image.name}' has no pixels to upload.", field="image")
    pixels = [0.0] * (width * height * 4)
    source_pixels: Any = image.pixels
    source_pixels.foreach_get(pixels)
    digest = hashlib.sha1(repr((image.name, width, height)).encode()).hexdigest()[:10]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{bpy.path.clean_name(image.name)}-{digest}.png"
    temp = bpy.data.images.new("meshy-upload", width, height, alpha=True)
    try:
        temp.colorspace_settings.name = image.colorspace_settings.name
        temp_pixels: Any = temp.pixels
        temp_pixels.foreach_set(pixels)
        temp.filepath_raw = str(path)
        temp.file_format = "PNG"
        temp.save()
    finally:
        bpy.data.images.remove(temp)
    return str(path)


def resolve(item: Any, temp_dir: Path) -> str | None:
    """Main thread: a local file path for this input (None when nothing is chosen)."""
    if item.image is not None:
        return _on_disk(item.image) or _write_png(item.image, temp_dir)
    if item.filepath.strip():
        return bpy.path.abspath(item.filepath.strip())
    return None


def for_estimate(item: Any) -> str | None:
    """A stand-in value that validates like a chosen picture without reading any file."""
    return PLACEHOLDER_URL if is_set(item) else None
