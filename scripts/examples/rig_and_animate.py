"""Generate a character, rig it and add two library animations, then export an FBX.

    blender -b --online-mode --python scripts/examples/rig_and_animate.py -- hero.fbx

Shows chaining (one job: preview -> refine -> rig -> animations) and animating an existing rig.
"""

from __future__ import annotations

import os
import sys

import bpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # Blender does not add it
from _meshy import meshy_api, script_args


def main() -> int:
    out = ([*script_args(), "hero.fbx"])[0]
    api = meshy_api()
    bpy.ops.wm.read_homefile(use_empty=True)
    hero = api.text_to_3d("a stylised knight, full body, T-pose", pose_mode="t-pose",
                          rig={"height_meters": 1.8}, animations=[4], timeout=3600)
    print("rig task:", hero.task_ids["rig"], "actions:", [a.name for a in hero.actions])
    extra = api.animate(hero.armature, 5, timeout=1800)
    print("added:", [a.name for a in extra.actions])
    for obj in bpy.data.objects:
        obj.select_set(obj == hero.armature or obj.parent == hero.armature)
    bpy.ops.export_scene.fbx(filepath=bpy.path.abspath(out), use_selection=True,
                             bake_anim=True, add_leaf_bones=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
