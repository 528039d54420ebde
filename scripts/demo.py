"""`make demo`: the main job, headless. Text -> textured model -> rig -> animation, in Blender.

Without MESHY_API_KEY it starts the Meshy emulator in this process (short task times; assets
are generated on demand) and uses it; with MESHY_API_KEY set it runs against the real API
(MESHY_API_BASE, default https://api.meshy.ai) and spends real credits (about 39, the rig
check included).
Writes out/demo.blend and out/demo.png (Cycles on the CPU). It prints what it is doing in a
few lines; Blender's own chatter (the glTF importer's notes, Cycles' per-frame log) is kept out.

    MESHY_DEMO_TASK_SECONDS=0.3 python scripts/demo.py    # faster emulator tasks
    python scripts/demo.py --prompt "a bronze knight" --out-dir /tmp/demo
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROMPT = "a friendly cartoon adventurer, full body, standing in T-pose"
ACTION_ID = 1  # "Walking_Woman" in Meshy's animation library
RENDER_SIZE = 480
RENDER_SAMPLES = 12


class ProgressLine:
    """One updating terminal line (plain lines when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = ""

    def __call__(self, p: Any) -> None:
        filled = int(p.percent / 100 * 30)
        text = (f"[{'#' * filled}{'.' * (30 - filled)}] {p.percent:5.1f}% "
                f"{time.monotonic() - self.start:5.1f}s  {p.detail or p.status}")
        if self.tty:
            print("\r" + text[:110].ljust(110), end="", file=sys.stderr, flush=True)
        elif p.detail != self.last:
            print(text, file=sys.stderr, flush=True)
        self.last = p.detail

    def done(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def start_emulator() -> Any:
    sys.path.insert(0, str(ROOT / "scripts"))
    from meshy_emu import TEST_MODE_KEY, Emulator, ensure_assets

    ensure_assets(python=sys.executable)
    seconds = float(os.environ.get("MESHY_DEMO_TASK_SECONDS", "2.5"))
    emu = Emulator(task_seconds=seconds, rate_limit=100, v1_gone=True).start()  # v2 alone
    os.environ["MESHY_API_KEY"] = TEST_MODE_KEY
    os.environ["MESHY_API_BASE"] = emu.api_url
    print(f"No MESHY_API_KEY: using the Meshy emulator at {emu.api_url} "
          f"({seconds:g} s per task)", flush=True)
    return emu


def stock_model_note(prompt: str) -> str:
    """Said when the emulator answers: the picture is its stock model, whatever the prompt."""
    return (f"Note: the emulator answers every prompt with its own stock model (a Blender-made "
            f"character), so demo.png shows that model, not \"{prompt}\". Set MESHY_API_KEY "
            "to make the prompt's model with Meshy (real credits).")


@contextlib.contextmanager
def blender_stdout_silenced() -> Iterator[None]:
    """Blender's C code prints progress to file descriptor 1 (Cycles' "Fra:" lines, "Saved:",
    "Info: Saved as"): send it to /dev/null meanwhile. Errors still raise in Python."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def stage(bpy: Any, result: Any) -> None:
    """Light, camera and floor that frame the character; a pose from the animation."""
    scene = bpy.context.scene
    scene.frame_set(12)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    points = []
    for obj in result.objects:
        if obj.type == "MESH":
            evaluated = obj.evaluated_get(depsgraph)
            points += [evaluated.matrix_world @ v.co for v in evaluated.data.vertices]
    xs, ys, zs = ([p[i] for p in points] for i in range(3))
    center = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, (min(zs) + max(zs)) / 2)
    size = max(max(xs) - min(xs), max(ys) - min(ys), max(zs) - min(zs), 0.1)

    bpy.ops.mesh.primitive_plane_add(size=size * 8, location=(center[0], center[1], min(zs)))
    floor = bpy.context.active_object
    floor.name = "Floor"
    mat = bpy.data.materials.new("Floor")
    mat.use_nodes = True
    mat.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (
        0.55, 0.57, 0.6, 1)
    floor.data.materials.append(mat)

    cam_data = bpy.data.cameras.new("Camera")
    cam_data.lens = 50
    camera = bpy.data.objects.new("Camera", cam_data)
    scene.collection.objects.link(camera)
    distance = size * 2.2
    angle = math.radians(25)
    camera.location = (center[0] + distance * math.sin(angle),
                       center[1] - distance * math.cos(angle), center[2] + size * 0.25)
    direction = camera.location.copy()
    direction.x, direction.y, direction.z = (center[0] - camera.location.x,
                                             center[1] - camera.location.y,
                                             center[2] - camera.location.z)
    camera.rotation_euler = direction.to_track_quat("-Z", "Y").to_euler()
    scene.camera = camera

    sun = bpy.data.objects.new("Sun", bpy.data.lights.new("Sun", "SUN"))
    sun.data.energy = 3.0
    sun.rotation_euler = (math.radians(50), 0, math.radians(30))
    scene.collection.objects.link(sun)
    world = scene.world or bpy.data.worlds.new("World")
    scene.world = world
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.35, 0.4, 0.5, 1)
    world.node_tree.nodes["Background"].inputs["Strength"].default_value = 0.8


def render(bpy: Any, path: Path, size: int, samples: int) -> None:
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = False
    scene.render.resolution_x = scene.render.resolution_y = size
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.filepath = str(path)
    with blender_stdout_silenced():
        bpy.ops.render.render(write_still=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompt", default=DEFAULT_PROMPT)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "out")
    parser.add_argument("--no-render", action="store_true", help="skip out/demo.png")
    parser.add_argument("--size", type=int, default=RENDER_SIZE, help="render size in pixels")
    parser.add_argument("--samples", type=int, default=RENDER_SAMPLES, help="Cycles samples")
    args = parser.parse_args(argv)

    os.environ.setdefault("BLENDER_USER_RESOURCES", tempfile.mkdtemp(prefix="meshy-demo-"))
    emulator = None if os.environ.get("MESHY_API_KEY") else start_emulator()
    os.environ.setdefault("MESHY_CACHE_DIR", tempfile.mkdtemp(prefix="meshy-demo-cache-"))
    sys.path.insert(0, str(ROOT))
    import bpy

    from meshy_blender import api
    from meshy_blender.cli.output import importer_notes_quiet
    from meshy_blender.client import errors

    if emulator is None:
        # The user asked for the real API by setting the key: allow Blender online access.
        prefs: Any = bpy.context.preferences
        prefs.system.use_online_access = True
        print(f"Using the Meshy API at {os.environ.get('MESHY_API_BASE', 'https://api.meshy.ai')}"
              " (real credits)", flush=True)
    else:
        print(stock_model_note(args.prompt), flush=True)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.read_homefile(use_empty=True)
    started = time.monotonic()
    progress = ProgressLine()
    try:
        cost = api.estimate("text-to-3d", prompt=args.prompt, rig={}, animations=[ACTION_ID])
        print(f"Making the model (text to 3D, then rig, then a walk animation); estimated cost: "
              f"{cost} credits", flush=True)
        with importer_notes_quiet():
            result = api.text_to_3d(args.prompt, rig={"height_meters": 1.7},
                                    animations=[ACTION_ID], progress=progress, timeout=3600)
    except errors.MeshyError as exc:
        progress.done()
        print(f"demo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        if emulator is not None:
            emulator.stop()
    progress.done()
    print(f"Done in {time.monotonic() - started:.1f} s: tasks {result.task_ids}, "
          f"{result.credits} credits")
    print(f"  armature {result.armature.name if result.armature else None}, actions "
          f"{[a.name for a in result.actions]}")
    print("Staging a floor, a sun and a camera", flush=True)
    stage(bpy, result)
    blend = args.out_dir / "demo.blend"
    with blender_stdout_silenced():
        bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    print(f"saved {blend}")
    if not args.no_render:
        png = args.out_dir / "demo.png"
        print(f"Rendering {args.size}x{args.size} px, {args.samples} Cycles samples on the CPU",
              flush=True)
        render(bpy, png, args.size, args.samples)
        print(f"rendered {png}")
    return 0


if __name__ == "__main__":
    code = main()
    # Skip the bpy module's C++ teardown: it can segfault (4.2) or deadlock (4.5) at exit, after
    # all the work is saved. The exit code is the demo's own.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
