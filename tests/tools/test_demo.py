"""`make demo` end to end on a fresh setup: emulator, chain, .blend and a PNG showing the model."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def test_demo_makes_a_blend_and_a_render_of_the_character(bpy, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHY_")}
    env.update(MESHY_DEMO_TASK_SECONDS="0.2", BLENDER_USER_RESOURCES=str(tmp_path / "user"))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py"), "--out-dir",
                           str(out), "--size", "64", "--samples", "2"],
                          env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "using the Meshy emulator" in proc.stdout
    assert "100.0%" in proc.stderr  # the progress display
    assert "'animate':" in proc.stdout and "39 credits" in proc.stdout  # 30 + 1 + 5 + 3
    # What it is doing, in a few lines; not Blender's render and import logs.
    assert "Fra:" not in proc.stdout + proc.stderr
    assert "glTF import" not in proc.stdout + proc.stderr
    assert "Rendering 64x64 px, 2 Cycles samples" in proc.stdout
    assert len(proc.stdout.splitlines()) <= 12, proc.stdout
    assert "emulator answers every prompt with its own stock model" in proc.stdout

    bpy.ops.wm.open_mainfile(filepath=str(out / "demo.blend"))
    armatures = [o for o in bpy.data.objects if o.type == "ARMATURE"]
    assert len(armatures) == 1 and "meshy_task_ids" in armatures[0]
    actions = {s.action.name for t in armatures[0].animation_data.nla_tracks for s in t.strips}
    assert {"Walking", "Running", "Walking_Woman"} <= actions
    assert bpy.context.scene.camera is not None

    image = bpy.data.images.load(str(out / "demo.png"))
    width, height = image.size
    pixels = list(image.pixels)
    def rgb(x: int, y: int) -> tuple[float, ...]:
        i = (y * width + x) * 4
        return tuple(pixels[i:i + 3])

    background = rgb(2, height - 3)  # top-left: the sky
    body = rgb(width // 2, height // 2)  # the character stands in the middle
    assert (width, height) == (64, 64)
    assert max(abs(a - b) for a, b in zip(body, background, strict=True)) > 0.1
    bpy.ops.wm.read_homefile(use_empty=True)
