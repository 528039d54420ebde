"""Export objects to a GLB file for upload (retexture, remesh, rig of a non-Meshy mesh).

Main thread only. The artist's selection, active object and mode are restored afterwards; the
scene itself is not changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import bpy
from mathutils import Matrix

from .op_context import leave_edit_modes, operator_context


def export_selection_glb(objects: Sequence[bpy.types.Object], path: str | Path,
                         apply_modifiers: bool = True,
                         local_space: bool = True) -> tuple[Path, int]:
    """Write ``objects`` (meshes; others are skipped) to ``path`` as GLB; returns the path and
    the exported face count (evaluated, after modifiers when ``apply_modifiers``).

    With ``local_space`` a single object is written without its world transform, so a result
    placed with ``placement="REPLACE"`` (the source's transform) lands exactly where it was."""
    meshes = [o for o in objects if o is not None and o.type == "MESH"]
    if not meshes:
        raise ValueError("Nothing to export: no mesh objects given.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with operator_context() as ctx:
        leave_edit_modes(ctx)
        layer = ctx.view_layer
        before = [o for o in layer.objects if o.select_get()]
        active = layer.objects.active
        saved = meshes[0].matrix_world.copy() if local_space and len(meshes) == 1 else None
        try:
            if saved is not None:
                meshes[0].matrix_world = Matrix.Identity(4)
            for obj in layer.objects:
                obj.select_set(False)
            for obj in meshes:
                obj.select_set(True)
            layer.objects.active = meshes[0]
            bpy.ops.export_scene.gltf(filepath=str(path), export_format="GLB",
                                      use_selection=True, export_apply=apply_modifiers,
                                      export_animations=False)
        finally:
            if saved is not None:
                meshes[0].matrix_world = saved
            for obj in layer.objects:
                obj.select_set(obj in before)
            layer.objects.active = active
        depsgraph = ctx.evaluated_depsgraph_get()
        faces = 0
        for obj in meshes:
            source = obj.evaluated_get(depsgraph) if apply_modifiers else obj
            faces += len(source.data.polygons)
    return path, faces
