"""Export the selected meshes to a GLB for retexture, remesh or rigging (main thread only).

Meshy limits what it accepts (rigging: at most 320,000 faces, a character with a body; uploads:
100 MB), so faces, flatness and file size are checked here, before anything is uploaded or paid
for (the rig check costs a credit), with a message that says what to change. The artist's mode,
selection and active object are put back afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bpy
from mathutils import Matrix, Vector

from ...client.datauri import DEFAULT_MAX_MODEL_BYTES
from ...client.errors import ValidationError
from ...client.limits import FACE_LIMITS
from .naming import safe_name
from .op_context import leave_edit_modes, operator_context, return_to_mode
from .scene_state import SelectionState

RIG_MAX_FACES = FACE_LIMITS["rig"]  # 320,000 (API notes)
# Rigging needs a body (a biped or a four-legged animal): a selection whose thinnest side is
# under this share of its longest is a plane or a sheet, which Meshy's rig check refuses for a
# credit. Refused here for free instead (a slim standing figure is several per cent deep).
RIG_MIN_THICKNESS = 0.01
# Passed only when this Blender's glTF exporter has them.
_GLTF_OPTIONS = {"export_format": "GLB", "use_selection": True, "export_animations": False,
                 "export_extras": False, "export_cameras": False, "export_lights": False}


class ExportError(ValidationError):
    """The selection cannot be uploaded; the message says why and what to do (a
    ValidationError: nothing was sent or paid)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="selection")


@dataclass
class ExportResult:
    path: Path
    faces: int
    size: int


def count_faces(context: Any, objects: list[Any], apply_modifiers: bool) -> int:
    """Triangles the exported file will hold (glTF is triangulated)."""
    depsgraph = context.evaluated_depsgraph_get() if apply_modifiers else None
    total = 0
    for obj in objects:
        data = obj.evaluated_get(depsgraph).data if depsgraph is not None else obj.data
        counts = [0] * len(data.polygons)
        data.polygons.foreach_get("loop_total", counts)
        total += sum(counts) - 2 * len(counts)
    return total


def export_glb(context: Any, objects: list[Any], directory: Path, *,
               apply_modifiers: bool = True, max_faces: int | None = None,
               min_thickness: float | None = None,
               max_bytes: int = DEFAULT_MAX_MODEL_BYTES,
               local_space: bool = False) -> ExportResult:
    """Write ``objects`` (meshes) to one GLB in ``directory``; raises ExportError.

    The first object's origin becomes the file's origin. With ``local_space`` its rotation and
    scale are taken out too, for results that will be placed with that object's transform
    ("Replace"); otherwise the shape is exported as the artist sees it.
    """
    meshes = [o for o in objects if o.type == "MESH"]
    if not meshes:
        raise ExportError("Select at least one mesh object to send to Meshy.")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{safe_name(meshes[0].name)}-{os.getpid()}-{time.time_ns()}.part.glb"
    with operator_context(context) as ctx, ExitStack() as stack:
        mode_state = leave_edit_modes(ctx)  # edit-mode changes are flushed to the mesh here
        selection = SelectionState.take(ctx.view_layer)
        try:
            stack.enter_context(made_visible(ctx, meshes))  # put back before the selection
            faces = count_faces(ctx, meshes, apply_modifiers)
            if max_faces is not None and faces > max_faces:
                raise ExportError(
                    f"The selection has {faces:,} faces; Meshy rigs models of at most "
                    f"{max_faces:,}. Decimate or remesh it first.")
            if faces == 0:
                raise ExportError("The selected meshes have no faces to send to Meshy.")
            if min_thickness is not None:
                _refuse_flat(ctx, meshes, apply_modifiers, local_space, min_thickness)
            for obj in ctx.view_layer.objects:
                obj.select_set(obj in meshes)
            ctx.view_layer.objects.active = meshes[0]
            with _relative_to(meshes[0], meshes, local_space):
                _run_exporter(path, apply_modifiers)
        finally:
            stack.close()
            selection.restore(ctx.view_layer)
            return_to_mode(ctx, mode_state)
    if not glb_has_meshes(path):
        path.unlink(missing_ok=True)
        raise ExportError("Blender wrote no geometry for the selection (is it hidden in a way "
                          "the exporter skips?); nothing was sent. Unhide it and try again.")
    path = _named_by_content(path, meshes[0].name)
    size = path.stat().st_size
    if size > max_bytes:
        path.unlink(missing_ok=True)
        raise ExportError(f"The exported selection is {size / 1024**2:.1f} MB; Meshy accepts "
                          f"uploads up to {max_bytes / 1024**2:.0f} MB. Reduce textures or "
                          "geometry first.")
    return ExportResult(path=path, faces=faces, size=size)


def exported_size(context: Any, objects: list[Any], apply_modifiers: bool,
                  local_space: bool) -> tuple[float, ...]:
    """The bounding box size (x, y, z) of what the export writes: in world space, or in the
    first object's own space (its rotation and scale taken out) with ``local_space``."""
    depsgraph = context.evaluated_depsgraph_get() if apply_modifiers else None
    space = objects[0].matrix_world.inverted() if local_space and objects else Matrix()
    corners = []
    for obj in objects:
        shown = obj.evaluated_get(depsgraph) if depsgraph is not None else obj
        corners += [space @ shown.matrix_world @ Vector(c) for c in shown.bound_box]
    if not corners:
        return (0.0, 0.0, 0.0)
    return tuple(max(c[i] for c in corners) - min(c[i] for c in corners) for i in range(3))


def _refuse_flat(context: Any, meshes: list[Any], apply_modifiers: bool, local_space: bool,
                 min_thickness: float) -> None:
    size = exported_size(context, meshes, apply_modifiers, local_space)
    if max(size) > 0 and min(size) < min_thickness * max(size):
        shown = " x ".join(f"{v:.2f}" for v in size)
        raise ExportError(f"The selection is flat ({shown} m): Meshy rigs a character with a "
                          "body (a biped or a four-legged animal). Nothing was sent or paid.")


@contextmanager
def made_visible(ctx: Any, meshes: list[Any]) -> Iterator[None]:
    """Make ``meshes`` visible and selectable in ``ctx``'s view layer for the export, then put
    everything back. Blender's exporter skips hidden objects and cannot select ones outside
    the view layer (an excluded or hidden collection, another scene, the source "Replace" just
    hid, one made unselectable): they are unhidden (made selectable), or linked into the scene's
    own collection, for the export only."""
    scene, layer = ctx.scene, ctx.view_layer
    linked: list[Any] = []
    unhidden: list[Any] = []
    enabled: list[Any] = []
    selectable: list[Any] = []
    try:
        for obj in meshes:
            if obj.hide_viewport:
                obj.hide_viewport = False
                enabled.append(obj)
            if obj.hide_select:  # the exporter's "selected only" would skip it
                obj.hide_select = False
                selectable.append(obj)
        layer.update()
        for obj in meshes:
            outside = layer.objects.get(obj.name) is None or not obj.visible_get(view_layer=layer)
            if outside and scene.collection.objects.get(obj.name) is None:
                scene.collection.objects.link(obj)
                linked.append(obj)
        layer.update()
        for obj in meshes:
            if obj.hide_get(view_layer=layer):
                obj.hide_set(False, view_layer=layer)
                unhidden.append(obj)
        hidden = [o.name for o in meshes if not o.visible_get(view_layer=layer)]
        if hidden:
            raise ExportError(f"'{hidden[0]}' cannot be made visible for the export; show it "
                              "in the viewport and try again. Nothing was sent.")
        yield
    finally:
        for obj in unhidden:
            obj.hide_set(True, view_layer=layer)
        for obj in linked:
            scene.collection.objects.unlink(obj)
        for obj in enabled:
            obj.hide_viewport = True
        for obj in selectable:
            obj.hide_select = True
        layer.update()


def glb_has_meshes(path: Path) -> bool:
    """True when the GLB's JSON chunk lists at least one mesh (an empty scene is not a model)."""
    try:
        with path.open("rb") as f:
            header = f.read(20)
            length = struct.unpack_from("<I", header, 12)[0]
            doc = json.loads(f.read(length))
    except (OSError, ValueError, struct.error):
        return False
    return bool(doc.get("meshes"))


def _named_by_content(path: Path, name: str) -> Path:
    """Rename the export after its content: the same mesh gives the same file and so the same
    request, which a rerun under a job key must match to resume instead of being refused."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    final = path.with_name(f"{safe_name(name)}-{digest.hexdigest()[:16]}.glb")
    os.replace(path, final)
    return final


@contextmanager
def _relative_to(origin: Any, objects: list[Any], local_space: bool) -> Iterator[None]:
    """Move ``objects`` into ``origin``'s space (only its location unless ``local_space``) for
    the export, then put every transform back exactly. A result placed with the source's
    transform then lands where the source is instead of carrying that transform twice."""
    saved = {obj: obj.matrix_basis.copy() for obj in objects}
    space = origin.matrix_world if local_space else \
        Matrix.Translation(origin.matrix_world.translation)
    inverse = space.inverted_safe()
    targets = {obj: inverse @ obj.matrix_world for obj in objects}
    try:
        for obj in sorted(objects, key=_depth):  # parents first: children follow them
            obj.matrix_world = targets[obj]
        yield
    finally:
        for obj, basis in saved.items():
            obj.matrix_basis = basis


def _depth(obj: Any) -> int:
    depth = 0
    while obj.parent is not None:
        obj, depth = obj.parent, depth + 1
    return depth


def _run_exporter(path: Path, apply_modifiers: bool) -> None:
    ops: Any = bpy.ops  # exporter options differ per Blender version; checked below
    op = ops.export_scene.gltf
    props = {p.identifier for p in op.get_rna_type().properties}
    options = {k: v for k, v in {**_GLTF_OPTIONS, "export_apply": apply_modifiers}.items()
               if k in props}
    try:
        outcome = op(filepath=str(path), **options)
    except RuntimeError as exc:
        raise ExportError(f"Blender could not export the selection: {exc}") from exc
    if "FINISHED" not in outcome or not path.is_file():
        raise ExportError("Blender could not export the selection to GLB.")
