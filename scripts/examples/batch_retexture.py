"""Retexture every mesh in a .blend with one style and save the result, failing softly.

    blender -b scene.blend --online-mode --python scripts/examples/batch_retexture.py -- \
        "weathered bronze" out.blend

Each mesh is uploaded (or its Meshy task reused); results replace the originals in place (the
originals are hidden, not deleted). A failed object is reported and the batch goes on.
"""

from __future__ import annotations

import os
import sys

import bpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # Blender does not add it
from _meshy import meshy_api, script_args


def main() -> int:
    style, out = ([*script_args(), "weathered bronze", "retextured.blend"])[:2]
    api = meshy_api()
    from importlib import import_module

    errors = import_module(api.__name__.rsplit(".", 1)[0] + ".client.errors")
    meshes = [o for o in bpy.data.objects if o.type == "MESH" and o.visible_get()]
    if not meshes:  # an empty scene: something to retexture
        bpy.ops.mesh.primitive_monkey_add()
        meshes = list(bpy.context.selected_objects)
    failed = 0
    for obj in meshes:
        try:
            result = api.retexture(obj, text_style_prompt=style, placement="REPLACE",
                                   timeout=1800)
            print(f"{obj.name}: retextured -> {result.root_objects[0].name}")
        except errors.MeshyError as exc:
            failed += 1
            print(f"{obj.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
    bpy.ops.wm.save_as_mainfile(filepath=bpy.path.abspath(out))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
