"""Command-line arguments of the tool subcommands (API notes): concept
images, image task to 3D, UV unwrap, 3D print analyze / repair / multi-colour, text to motion,
and one generic subcommand per model tool declared with a summary in ``jobs/kinds.py``.

Added to :func:`meshy_blender.cli.parser.build_parser`'s parser by :func:`build_parser`, so the
original subcommands stay where they are and this module only reads the shared helpers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..jobs.kinds import TOOLS
from . import parser as base

ACCEPT_HELP = ("go ahead where Meshy publishes no price for the request (several animations in "
               "one task, a motion applied to a rig, Meshy-7); without it such a request "
               "is refused before anything is sent (exit 2)")


def build_parser() -> argparse.ArgumentParser:
    """The full command line: the original subcommands plus the tool subcommands."""
    parser = base.build_parser()
    add = parser.add_subcommand  # type: ignore[attr-defined]

    p = add("text-to-image", "Concept images from a prompt (loaded as Blender images).",
            '"a brass lamp" --ai-model nano-banana --generate-multi-view true')
    p.add_argument("prompt", help="what to picture, in words")
    _images(p, "text-to-image")

    p = add("image-to-image", "New concept images from reference images and a prompt.",
            'lamp.png --prompt "the same lamp in copper" --ai-model nano-banana')
    p.add_argument("images", nargs="+", help="reference images (PNG/JPEG files or URLs)")
    p.add_argument("--prompt", required=True, metavar="TEXT",
                   help="how the new images differ from the references (required)")
    _images(p, "image-to-image")

    p = add("concept-to-3d", "A model from a finished text-to-image / image-to-image task "
            "(its id is sent, nothing is uploaded again).", "IMAGE_TASK_ID --out lamp.glb")
    p.add_argument("image_task_id",
                   help="a finished text-to-image or image-to-image task id")
    p.add_argument("--multi-view", action="store_true",
                   help="the image task made several views: use multi-image-to-3D")
    base._add_api_options(p, "image-to-3d")
    base._add_chain(p)
    _model_tail(p)

    p = add("uv-unwrap", "New UVs for a mesh (at most 40,000 faces), optionally retextured "
            "keeping them.", '--input crate.glb --retexture \'{"text_style_prompt": "oak"}\'')
    base._add_model_input(p, "the mesh")
    base._add_api_options(p, "uv-unwrap")
    p.add_argument("--retexture", metavar="JSON",
                   help="retexture the unwrapped model, keeping its UVs (options as JSON)")
    _model_tail(p)

    for name, help_text, example in (
        ("print-analyze", "Printability report of a model (free; nothing changes).",
         "--task-id TASK --json"),
        ("print-repair", "A repaired, printable copy of a model (textures dropped).",
         "--input statue.glb --out statue_fixed.glb"),
        ("print-multicolor", "A multi-colour 3MF of a model, saved to the Save Results To "
         "folder (preference; default: next to the .blend, --input FILE.blend, else the "
         "first asset library).", "--task-id TASK --max-colors 6"),
    ):
        p = add(name, help_text, example)
        base._add_model_input(p, "the model")
        base._add_api_options(p, "print-multi-color" if name == "print-multicolor" else name)
        if name == "print-repair":
            _model_tail(p)
        else:
            _basic(p)

    p = add("text-to-motion", "A motion from a prompt, applied to a Meshy rig as an action or "
            "imported on its own (BVH for swift, FBX for prime).",
            '"a deep bow" --mode swift --duration 4 --rig-task-id RIG_TASK')
    p.add_argument("prompt", help="the motion, in words")
    base._add_api_options(p, "text-to-motion")
    rig = p.add_argument_group("rig", "apply the motion to a Meshy rig (else it lands alone)")
    rig.add_argument("--rig-task-id", metavar="ID",
                     help="the rig's Meshy task id: the rig is imported first (no charge)")
    rig.add_argument("--input", type=Path, metavar="FILE",
                     help="a .blend holding the rig (then --object picks the armature)")
    rig.add_argument("--object", metavar="NAME", help="the armature inside --input")
    _basic(p)

    for tool in TOOLS:  # a model in, a model out: declared in jobs/kinds.py, nothing built here
        if tool.summary:
            p = add(tool.kind, tool.summary, tool.example)
            base._add_model_input(p, "the model")
            base._add_api_options(p, tool.kind)
            _model_tail(p)
    return parser


def _images(p: argparse.ArgumentParser, request: str) -> None:
    base._add_api_options(p, request)
    p.add_argument("--pack", action="store_true",
                   help="pack the images into the .blend (saved with --out FILE.blend)")
    _basic(p)


def _basic(p: argparse.ArgumentParser) -> None:
    """--json/--quiet, --timeout, --label, --job-key, --accept-unpublished-price and --out
    (a .blend: the whole file, with the landed images, report or actions)."""
    base._add_common(p, imports=False)
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="give up waiting after this long (exit 7; resumable) (default: wait "
                        "until done)")
    p.add_argument("--label", help="name of what lands (default: the prompt or the request)")
    p.add_argument("--out", type=Path, metavar="FILE.blend",
                   help="save the .blend afterwards (default: not saved)")
    p.set_defaults(import_format=None, placement=None, clear_scene=False)
    _money(p)


def _model_tail(p: argparse.ArgumentParser) -> None:
    base._add_common(p)
    _money(p)


def _money(p: argparse.ArgumentParser) -> None:
    base._add_job_key(p)
    p.add_argument("--accept-unpublished-price", action="store_true", help=ACCEPT_HELP)
