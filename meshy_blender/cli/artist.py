"""The artist workflow on the command line: ``text-to-3d --candidates N`` (shapes side by
side), ``refine PREVIEW_TASK_ID`` (texture a shape made earlier, one refine task) and
``--mark-asset / --no-mark-asset``. Kept apart from the other subcommands so each stays small.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .exit_codes import UsageError

REFINE_EXAMPLE = "PREVIEW_TASK_ID --enable-pbr true --texture-prompt \"blue glaze\" --out a.glb"


def add_generate_options(parser: argparse.ArgumentParser) -> None:
    """text-to-3d: candidates and asset marking."""
    parser.add_argument("--candidates", type=int, metavar="N",
                        help="make N (1-4) untextured shapes side by side; texture the one you "
                             "pick with `refine` (default: one textured model). Not with "
                             "--out: save the one you refine")
    add_mark_asset(parser)


def add_mark_asset(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mark-asset", action=argparse.BooleanOptionalAction, default=None,
                        help="mark the result as an asset (default: the add-on preference)")


def add_refine(add: Callable[[str, str, str], argparse.ArgumentParser],
               add_api_options: Callable[[argparse.ArgumentParser, str], None],
               add_common: Callable[[argparse.ArgumentParser], None]) -> argparse.ArgumentParser:
    p = add("refine", "Texture a shape made earlier (text to 3D preview): one refine task, "
                      "the shape is not paid for again.", REFINE_EXAMPLE)
    p.add_argument("task_id", metavar="PREVIEW_TASK_ID",
                   help="the shape's task id (text-to-3d --candidates or --should-texture "
                        "false printed it)")
    add_api_options(p, "text-to-3d")
    add_mark_asset(p)
    add_common(p)
    return p


def generate_extras(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of api.text_to_3d these options set (only what was given)."""
    extras: dict[str, Any] = {}
    if getattr(args, "mark_asset", None) is not None:
        extras["mark_asset"] = args.mark_asset
    if getattr(args, "candidates", None) is not None:
        if args.out:
            raise UsageError("--out saves one result; with --candidates, refine the one you "
                             "pick and save that.")
        extras["candidates"] = args.candidates
    return extras


def cmd_refine(api: Any, args: argparse.Namespace, options: dict[str, Any],
               common: dict[str, Any]) -> Any:
    opts = {k: v for k, v in options.items() if k not in ("prompt", "should_texture")}
    return api.refine(args.task_id, **common, **opts, **generate_extras(args))
