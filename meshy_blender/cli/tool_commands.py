"""Handlers of the tool subcommands: concept images, UV unwrap, 3D print, text to motion and
the generic model tools of jobs/kinds.py (arguments in tool_parser.py), each a thin layer over
:mod:`meshy_blender.api`; their JSON adds what lands besides objects: images, the printability
report and saved files (a 3MF)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..jobs.kinds import TOOLS
from .commands import _finish, _model_source, _options, _paid, _pick_object, _prepare_scene
from .exit_codes import UsageError
from .parser import value_of


def _money(args: argparse.Namespace) -> dict[str, Any]:
    """The paid-call keywords: progress, timeout, label, job key, price acceptance."""
    kw = _paid(args)
    kw.pop("import_format")
    kw.pop("placement")
    kw["accept_unpublished_price"] = args.accept_unpublished_price
    return kw


def _report(args: argparse.Namespace, result: Any) -> dict[str, Any]:
    payload = _finish(args, result)
    payload.update(images=[i.name for i in result.images], report=result.report,
                   saved_files=list(result.saved_files))
    return payload


def _cmd_images(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    kw = {**_money(args), **_options(args), "pack": args.pack}
    if args.command == "text-to-image":
        return _report(args, api.text_to_image(args.prompt, **kw))
    return _report(args, api.image_to_image(args.images, args.prompt, **kw))


def _cmd_concept_to_3d(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    _prepare_scene(args)
    kw = {**_money(args), "import_format": args.import_format, "placement": args.placement}
    return _report(args, api.image_task_to_3d(args.image_task_id, multi_view=args.multi_view,
                                              **kw, **_options(args)))


def _cmd_uv_unwrap(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    obj, extra = _model_source(args, "MESH")
    if obj is None or isinstance(obj, str):
        _prepare_scene(args)
    opts = _options(args)
    if args.retexture is not None:
        value = value_of("retexture", args.retexture)
        if not isinstance(value, dict):
            raise UsageError("--retexture takes a JSON object, e.g. '{}'")
        opts["retexture"] = value
    kw = {**_money(args), "placement": args.placement}
    return _report(args, api.uv_unwrap(obj, **kw, **opts, **extra))


def _cmd_print(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    obj, extra = _model_source(args, "MESH")
    if obj is None or isinstance(obj, str):
        _prepare_scene(args)
    kw = _money(args)
    if args.command == "print-analyze":
        kw.pop("accept_unpublished_price")
        return _report(args, api.print_analyze(obj, **kw, **_options(args), **extra))
    if args.command == "print-repair":
        kw.update(import_format=args.import_format, placement=args.placement)
        return _report(args, api.print_repair(obj, **kw, **_options(args), **extra))
    return _report(args, api.print_multicolor(obj, **kw, **_options(args), **extra))


def _cmd_text_to_motion(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    armature = None
    if args.input:
        path = Path(args.input).expanduser()
        if not path.is_file() or path.suffix.lower() != ".blend":
            raise UsageError(f"--input {path}: text-to-motion takes a .blend holding the rig")
        import bpy

        bpy.ops.wm.open_mainfile(filepath=str(path.resolve()))
        armature = _pick_object(bpy, args.object, "ARMATURE", path)
    elif args.rig_task_id:
        armature = api.resume(args.rig_task_id, "rig", progress=_paid(args)["progress"],
                              timeout=args.timeout).armature
    result = api.text_to_motion(args.prompt, armature=armature, **_money(args),
                                **_options(args))
    result.armature = result.armature or armature
    return _report(args, result)


def _cmd_model_tool(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    """A model tool declared in jobs/kinds.py: its ``api`` function on the model."""
    tool = next(t for t in TOOLS if t.kind == args.command)
    obj, extra = _model_source(args, "MESH")
    if obj is None or isinstance(obj, str):
        _prepare_scene(args)
    kw = {**_money(args), "placement": args.placement}
    return _report(args, getattr(api, tool.api_name)(obj, **kw, **_options(args), **extra))


HANDLERS: dict[str, Callable[[Any, argparse.Namespace], dict[str, Any]]] = {
    "text-to-image": _cmd_images, "image-to-image": _cmd_images,
    "concept-to-3d": _cmd_concept_to_3d, "uv-unwrap": _cmd_uv_unwrap,
    "print-analyze": _cmd_print, "print-repair": _cmd_print, "print-multicolor": _cmd_print,
    "text-to-motion": _cmd_text_to_motion,
    **{tool.kind: _cmd_model_tool for tool in TOOLS if tool.summary},
}
