"""The bad-input table: what an artist or a pipeline sees when the input is wrong.

Every row calls the public headless API (``meshy_blender.api``, the same runtime the sidebar uses)
with one bad input, configured the way users configure it (environment variables, a studio policy
file, objects in the scene), and records the exception's message as shown to the user plus whether
any task was created (a charge) before the refusal. Needs bpy (run inside Blender's Python).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import harness as h
from meshy_emu import TEST_MODE_KEY, Emulator


@dataclass
class BadInputRow:
    area: str
    bad_input: str
    error: str
    message: str
    tasks_created: int

    @property
    def ok(self) -> bool:
        """Refused with a message, nothing charged, no traceback or key in the text."""
        return (self.error not in ("", "NOT REFUSED", "InternalError") and bool(self.message)
                and self.tasks_created == 0 and "Traceback" not in self.message
                and TEST_MODE_KEY not in self.message)


class Lab:
    """One emulator, a scratch folder and the env/runtime switching each case needs."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.tmp = Path(tempfile.mkdtemp(prefix="meshy-bad-"))

    def file(self, name: str, data: bytes) -> str:
        path = self.tmp / name
        path.write_bytes(data)
        return str(path)

    @contextmanager
    def env(self, **overrides: str | None) -> Iterator[None]:
        from meshy_blender.blender.core import runtime

        values = {"MESHY_API_KEY": TEST_MODE_KEY, "MESHY_API_BASE": self.emu.api_url,
                  "MESHY_CACHE_DIR": str(self.tmp / "cache"), "MESHY_STUDIO_CONFIG": None,
                  "MESHY_CA_BUNDLE": None, **overrides}
        with h.meshy_env(**values):
            if hasattr(runtime, "reset_session_spent"):
                runtime.reset_session_spent()
            yield

    def policy(self, text: str) -> str:
        return self.file("studio.toml", text.encode())

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


# -- scene helpers (bpy) -----------------------------------------------------------------------

def _link(obj: Any) -> Any:
    import bpy

    scene: Any = bpy.context.scene
    scene.collection.objects.link(obj)
    return obj


def _mesh(name: str, verts: Sequence[tuple[float, float, float]],
          faces: Sequence[tuple[int, ...]]) -> Any:
    import bpy

    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts, [], faces)
    return _link(bpy.data.objects.new(name, mesh))


def flat_plane() -> Any:
    """A flat square: no standing biped, so rigging it must be refused."""
    return _mesh("Plane", [(-1, -1, 0), (1, -1, 0), (1, 1, 0), (-1, 1, 0)], [(0, 1, 2, 3)])


def dense_grid(quads_per_side: int = 401) -> Any:
    """A mesh over Meshy's rigging face limit (a 'huge selection'): 401 x 401 quads are
    321,602 triangles, the limit 320,000 (the face count is checked before flatness)."""
    n = quads_per_side
    verts = [(i / n, j / n, 0.0) for j in range(n + 1) for i in range(n + 1)]
    faces = [(j * (n + 1) + i, j * (n + 1) + i + 1, (j + 1) * (n + 1) + i + 1,
              (j + 1) * (n + 1) + i) for j in range(n) for i in range(n)]
    return _mesh("Dense", verts, faces)


def empty_object() -> Any:
    import bpy

    return _link(bpy.data.objects.new("JustAnEmpty", None))


def plain_armature() -> Any:
    import bpy

    arm = bpy.data.armatures.new("NotMeshy")
    return _link(bpy.data.objects.new("NotMeshyRig", arm))


# -- the cases ---------------------------------------------------------------------------------

Case = tuple[str, str, Callable[[Lab], Any]]


def _png(lab: Lab, name: str, size: int) -> str:
    return lab.file(name, b"\x89PNG\r\n\x1a\n" + b"\0" * (size - 8))


def cases() -> list[Case]:
    from meshy_blender import api

    image = str(h.sample_image())
    big = 21 * 1024**2

    def in_env(fn: Callable[[Lab], Any], **env: str | None) -> Callable[[Lab], Any]:
        def run(lab: Lab) -> Any:
            values = {k: (v.format(tmp=lab.tmp) if isinstance(v, str) else v)
                      for k, v in env.items()}
            with lab.env(**values):
                return fn(lab)
        return run

    def policy(text: str, fn: Callable[[Lab], Any]) -> Callable[[Lab], Any]:
        def run(lab: Lab) -> Any:
            with lab.env(MESHY_STUDIO_CONFIG=lab.policy(text)):
                return fn(lab)
        return run

    def api_call(fn: Callable[[Lab], Any]) -> Callable[[Lab], Any]:
        return in_env(fn)

    return [
        ("prompt", "empty prompt", api_call(lambda lab: api.text_to_3d(""))),
        ("prompt", "prompt of spaces only", api_call(lambda lab: api.text_to_3d("   "))),
        ("prompt", "prompt of 601 characters", api_call(lambda lab: api.text_to_3d("x" * 601))),
        ("prompt", "texture prompt of 601 characters",
         api_call(lambda lab: api.text_to_3d("a cup", texture_prompt="x" * 601))),
        ("options", "target_polycount 5", api_call(
            lambda lab: api.text_to_3d("a cup", target_polycount=5))),
        ("options", "unknown ai_model", api_call(
            lambda lab: api.text_to_3d("a cup", ai_model="meshy-99"))),
        ("options", "enable_pbr without texturing", api_call(
            lambda lab: api.text_to_3d("a cup", should_texture=False, enable_pbr=True))),
        ("options", "animations without a rig", api_call(
            lambda lab: api.text_to_3d("a cup", animations=[1]))),
        ("options", "unknown option", api_call(
            lambda lab: api.text_to_3d("a cup", sparkles=True))),
        ("options", "rig height_meters 0", api_call(
            lambda lab: api.rig(flat_plane(), height_meters=0))),
        ("options", "retexture without a style", api_call(
            lambda lab: api.retexture(flat_plane()))),
        ("images", "a text file named .png", api_call(
            lambda lab: api.image_to_3d(lab.file("notes.png", b"just some text\n" * 10)))),
        ("images", "a GIF image", api_call(
            lambda lab: api.image_to_3d(lab.file("anim.gif", b"GIF89a" + b"\0" * 64)))),
        ("images", "image file that does not exist", api_call(
            lambda lab: api.image_to_3d(str(lab.tmp / "missing.png")))),
        ("images", "PNG of 21 MB (over the size limit)", api_call(
            lambda lab: api.image_to_3d(_png(lab, "huge.png", big)))),
        ("images", "5 images for multi-image (max 4)", api_call(
            lambda lab: api.multi_image_to_3d([image] * 5))),
        ("images", "no images for multi-image", api_call(
            lambda lab: api.multi_image_to_3d([]))),
        ("selection", "rig with nothing selected", api_call(lambda lab: api.rig(None))),
        ("selection", "rig an empty (non-mesh object)", api_call(
            lambda lab: api.rig(empty_object()))),
        ("selection", "remesh an empty (non-mesh object)", api_call(
            lambda lab: api.remesh(empty_object()))),
        ("selection", "rig a flat plane (not a biped)", api_call(
            lambda lab: api.rig(flat_plane()))),
        ("selection", "rig a 160,801-quad mesh (huge selection)", api_call(
            lambda lab: api.rig(dense_grid()))),
        ("selection", "animate a mesh (no Meshy rig)", api_call(
            lambda lab: api.animate(flat_plane(), 1))),
        ("selection", "animate an armature not rigged by Meshy", api_call(
            lambda lab: api.animate(plain_armature(), 1))),
        ("account", "wrong API key", in_env(lambda lab: api.text_to_3d("a cup"),
                                            MESHY_API_KEY="msy-not-a-real-key-0000")),
        ("account", "no API key", in_env(lambda lab: api.text_to_3d("a cup"),
                                         MESHY_API_KEY=None)),
        ("account", "no credits left", api_call(_no_credits)),
        ("network", "offline (online access off, real Meshy URL)", in_env(
            lambda lab: api.text_to_3d("a cup"), MESHY_API_BASE="https://api.meshy.ai")),
        ("network", "invalid base URL", in_env(lambda lab: api.balance(),
                                               MESHY_API_BASE="not a url")),
        ("network", "nothing listening at the base URL", in_env(
            lambda lab: api.balance(), MESHY_API_BASE="http://127.0.0.1:9")),
        ("files", "cache folder is a file (unwritable)", in_env(
            _cache_is_file, MESHY_CACHE_DIR="{tmp}/cache-file")),
        ("policy", "policy file with a TOML syntax error",
         policy("max_credits_per_job = = 5\n", lambda lab: api.text_to_3d("a cup"))),
        ("policy", "policy file with an unknown setting",
         policy("max_credit = 5\n", lambda lab: api.text_to_3d("a cup"))),
        ("policy", "policy file path that does not exist", in_env(
            lambda lab: api.text_to_3d("a cup"), MESHY_STUDIO_CONFIG="{tmp}/nope.toml")),
        ("policy", "job over the policy's credit cap",
         policy("max_credits_per_job = 25\n", lambda lab: api.text_to_3d("a cup"))),
        ("policy", "option the policy locks",
         policy('[locked]\ntopology = "quad"\n',
                lambda lab: api.text_to_3d("a cup", topology="triangle"))),
        ("tasks", "resume an unknown task id", api_call(
            lambda lab: api.resume("0193bfc5-ee4f-73f8-8525-44b398884ce9", "text-to-3d"))),
        ("tasks", "task id with path traversal", api_call(
            lambda lab: api.status("../../etc/passwd", "text-to-3d"))),
        ("tasks", "unknown task kind", api_call(
            lambda lab: api.status("0193bfc5-ee4f-73f8-8525-44b398884ce9", "sculpt"))),
    ]


def _no_credits(lab: Lab) -> Any:
    from meshy_blender import api

    lab.emu.set_balance(TEST_MODE_KEY, 0)
    return api.text_to_3d("a cup")


def _cache_is_file(lab: Lab) -> Any:
    from meshy_blender import api

    (lab.tmp / "cache-file").write_text("not a folder")
    return api.text_to_3d("a cup", should_texture=False)


def run_bad_inputs(emu: Emulator, only: set[str] | None = None,
                   progress: Callable[[BadInputRow], None] | None = None) -> list[BadInputRow]:
    """Run every case (or those whose label is in ``only``) on a fresh scene and emulator."""
    import bpy

    lab = Lab(emu)
    rows = []
    try:
        for area, label, fn in cases():
            if only is not None and label not in only:
                continue
            emu.reset()
            bpy.ops.wm.read_homefile(use_empty=True)
            error, message = "NOT REFUSED", ""
            try:
                fn(lab)
            except Exception as exc:  # the row *is* the exception a user would see
                error, message = type(exc).__name__, str(exc)
            created = len(h.created_tasks(emu))
            row = BadInputRow(area, label, error, message, created)
            rows.append(row)
            if progress is not None:
                progress(row)
    finally:
        lab.close()
    return rows
