"""Pictures of the selected objects from 1-4 sides, for Meshy-7's multi-view retexture.

A temporary camera looks at the objects' bounds from the front, right, back and left; only the
objects are rendered (transparent background), and everything the render touched (camera,
engine, resolution, output path, visibility) is put back afterwards, so the artist's scene and
render settings are exactly as before. With a window: Workbench with textures shown (fast, on
the GPU). In background Blender (no GPU context: Workbench can crash there) a few Cycles CPU
samples instead.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import bpy
from mathutils import Vector

VIEW_SIZE = 768  # pixels; Meshy reads small pictures, and renders stay quick on a laptop
BACKGROUND_VIEW_SIZE = 384  # CPU rendering (background Blender): smaller, still readable
SIDES = (0.0, 90.0, 180.0, 270.0)  # degrees around Z from the front (-Y)


def _bounds(objects: list[Any]) -> tuple[Vector, float]:
    corners = [o.matrix_world @ Vector(c) for o in objects for c in o.bound_box]
    lo = Vector(tuple(min(c[i] for c in corners) for i in range(3)))
    hi = Vector(tuple(max(c[i] for c in corners) for i in range(3)))
    return (lo + hi) / 2, max((hi - lo).length / 2, 1e-3)


def render_views(context: Any, objects: list[Any], count: int, directory: Path) -> list[str]:
    """Render ``count`` (1-4) views of ``objects`` to PNGs in ``directory``; their paths."""
    scene = context.scene
    directory.mkdir(parents=True, exist_ok=True)
    center, radius = _bounds(objects)
    cam_data = bpy.data.cameras.new("Meshy_Views")
    cam_data.lens = 50
    cam = bpy.data.objects.new("Meshy_Views", cam_data)
    scene.collection.objects.link(cam)
    render = scene.render
    saved = {"camera": scene.camera, "engine": render.engine, "x": render.resolution_x,
             "y": render.resolution_y, "pct": render.resolution_percentage,
             "path": render.filepath, "film": render.film_transparent,
             "format": render.image_settings.file_format,
             "color": scene.display.shading.color_type}
    cycles = getattr(scene, "cycles", None)
    saved_cycles = (cycles.samples, cycles.device) if cycles is not None else None
    keep = {o.name for o in objects}
    hidden = [o for o in scene.objects if o.name not in keep and o is not cam
              and not o.hide_render]
    paths: list[str] = []
    try:
        for o in hidden:
            o.hide_render = True
        scene.camera = cam
        if bpy.app.background and cycles is not None:
            render.engine = "CYCLES"
            cycles.samples, cycles.device = 8, "CPU"
        else:
            render.engine = "BLENDER_WORKBENCH"
        render.resolution_x = render.resolution_y = \
            BACKGROUND_VIEW_SIZE if render.engine == "CYCLES" else VIEW_SIZE
        render.resolution_percentage = 100
        render.film_transparent = True
        render.image_settings.file_format = "PNG"
        scene.display.shading.color_type = "TEXTURE"
        distance = radius / math.tan(cam_data.angle / 2) * 1.15
        for n, degrees in enumerate(SIDES[:max(1, min(count, 4))]):
            a = math.radians(degrees)
            cam.location = center + Vector((math.sin(a), -math.cos(a), 0.15)) * distance
            cam.rotation_euler = (center - cam.location).to_track_quat("-Z", "Y").to_euler()
            path = directory / f"view_{n + 1}.png"
            render.filepath = str(path)
            bpy.ops.render.render(write_still=True)
            paths.append(str(path))
    finally:
        for o in hidden:
            o.hide_render = False
        scene.camera = saved["camera"]
        render.engine = saved["engine"]
        render.resolution_x, render.resolution_y = saved["x"], saved["y"]
        render.resolution_percentage = saved["pct"]
        render.filepath = saved["path"]
        render.film_transparent = saved["film"]
        render.image_settings.file_format = saved["format"]
        scene.display.shading.color_type = saved["color"]
        if cycles is not None and saved_cycles is not None:
            cycles.samples, cycles.device = saved_cycles
        bpy.data.objects.remove(cam)
        bpy.data.cameras.remove(cam_data)
    return paths
