"""Generate a textured model from a prompt and save it as a .blend.

    blender -b --online-mode --python scripts/examples/text_to_3d.py -- "a bronze owl" owl.blend

Needs MESHY_API_KEY (or the key in the add-on preferences).
"""

from __future__ import annotations

import os
import sys

import bpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # Blender does not add it
from _meshy import meshy_api, script_args


def main() -> int:
    prompt, out = ([*script_args(), "a bronze owl", "owl.blend"])[:2]
    api = meshy_api()
    bpy.ops.wm.read_homefile(use_empty=True)

    def report(p) -> None:
        print(f"{p.percent:5.1f}%  {p.detail}", flush=True)

    result = api.text_to_3d(prompt, ai_model="latest", enable_pbr=True, progress=report,
                            timeout=1800)
    print("imported:", [o.name for o in result.root_objects], "tasks:", result.task_ids,
          "credits:", result.credits)
    bpy.ops.wm.save_as_mainfile(filepath=bpy.path.abspath(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
