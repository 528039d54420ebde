"""One handler per subcommand, each a thin layer over :mod:`meshy_blender.api`."""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..client import errors, renamed_options
from ..jobs import kinds
from . import artist
from .batch import run_batch, run_batch_merge
from .exit_codes import UsageError
from .output import save
from .parser import flag, value_of


def _options(args: argparse.Namespace) -> dict[str, Any]:
    opts = {key[4:]: value_of(key[4:], value) for key, value in vars(args).items()
            if key.startswith("opt_") and value is not None}
    for key in ("remesh", "rig"):
        raw = getattr(args, key, None)
        if raw is not None:
            value = value_of(key, raw)
            if not isinstance(value, dict):
                raise UsageError(f"--{key} takes a JSON object, e.g. '{{}}'")
            opts[key] = value
    if getattr(args, "animation", None):
        opts["animations"] = list(args.animation)
    if getattr(args, "no_rig_check", False):
        opts["rig_check"] = False
    _say_old_names(getattr(args, "command", ""), opts)
    return opts


def _say_old_names(kind: str, opts: dict[str, Any]) -> None:
    """One stderr line per Meshy API v1 option name used (translated to its v2 name)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        said = renamed_options.warn_old_names(kind, opts)
    for line in said:  # said with the flags typed: '--text-style-prompt' ... '--texture-prompt'
        for name in set(line.split("'")[1::2]):
            line = line.replace(f"'{name}'", f"'{flag(name)}'")
        print(f"meshy: {line}", file=sys.stderr)


def _progress(args: argparse.Namespace) -> Callable[[Any], None] | None:
    """Progress lines on stderr (none with --quiet), and, whatever --quiet says, one line the
    moment each paid task is created: its id recovers the work if this run dies."""
    t0 = time.monotonic()
    last: list[Any] = []
    announced: set[str] = set()

    def show(p: Any) -> None:
        for step, task_id in p.task_ids.items():
            if task_id not in announced:
                announced.add(task_id)
                _announce_task(step, task_id, bool(getattr(args, "json", False)))
        if args.quiet or not p.detail or p.status in ("FAILED", "CANCELLED"):
            return  # a bare status says nothing yet; a failure is said once, as the error
        if last and p.detail == last[0].detail and abs(p.percent - last[0].percent) < 5:
            return
        last[:] = [p]
        line = f"[{p.percent:5.1f}% {time.monotonic() - t0:5.1f}s] {p.detail}"
        print(errors.scrub(line), file=sys.stderr, flush=True)

    return show


def _announce_task(step: str, task_id: str, as_json: bool) -> None:
    """One stderr line naming a paid task just created (a JSON object with --json)."""
    if as_json:
        line = json.dumps({"event": "task_created", "step": step, "task_id": task_id})
    else:
        line = (f"meshy: paid task created: {step}={task_id} (if this run stops, "
                f"`meshy resume {task_id}` picks it up without paying again)")
    print(line, file=sys.stderr, flush=True)


def _common(args: argparse.Namespace) -> dict[str, Any]:
    return {"progress": _progress(args), "timeout": args.timeout,
            "import_format": args.import_format, "placement": args.placement,
            "label": args.label}


def _paid(args: argparse.Namespace) -> dict[str, Any]:
    """Options of a subcommand that creates paid tasks: the common ones plus its job key."""
    return {**_common(args), "job_key": args.job_key}


def _prepare_scene(args: argparse.Namespace) -> None:
    if getattr(args, "clear_scene", False):
        import bpy

        bpy.data.batch_remove(list(bpy.data.objects))


def _model_source(args: argparse.Namespace, want: str) -> tuple[Any, dict[str, Any]]:
    """(obj for the api call, extra options) from --input/--task-id/--object."""
    if args.task_id:
        key = "rig_task_id" if want == "ARMATURE" else "input_task_id"
        return None, {key: args.task_id}
    path = Path(args.input).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"--input {path}: no such file")
    if path.suffix.lower() != ".blend":
        if want == "ARMATURE":
            raise UsageError("animate --input takes a .blend file holding a Meshy rig "
                             "(or use --task-id RIG_TASK_ID)")
        return str(path.resolve()), {}
    import bpy

    bpy.ops.wm.open_mainfile(filepath=str(path.resolve()))
    return _pick_object(bpy, args.object, want, path), {}


def _pick_object(bpy: Any, name: str | None, want: str, path: Path) -> Any:
    if name:
        obj = bpy.data.objects.get(name)
        if obj is None:
            raise errors.ValidationError(f"No object named '{name}' in {path.name}.",
                                         field="object")
        return obj
    candidates = [o for o in bpy.context.scene.objects if o.type == want]
    meshy = [o for o in candidates if "meshy_task_ids" in o.keys()]  # noqa: SIM118
    if len(meshy) >= 1:
        return meshy[0]
    if len(candidates) == 1:
        return candidates[0]
    kind = "armature" if want == "ARMATURE" else "mesh"
    raise errors.ValidationError(f"{path.name} has {len(candidates)} {kind} objects; choose one "
                                 "with --object NAME.", field="object")


def _finish(args: argparse.Namespace, result: Any) -> dict[str, Any]:
    out = save(args.out, result) if args.out else None
    objects = result.objects or ([result.armature] if result.armature else [])
    return {"job_id": result.job_id, "kind": result.kind, "task_ids": result.task_ids,
            "credits": result.credits, "objects": [o.name for o in objects],
            "root_objects": [o.name for o in result.root_objects],
            "armature": result.armature.name if result.armature else None,
            "actions": [a.name for a in result.actions], "files": result.files,
            "rig_type": result.rig_type, "out": str(out) if out else None}


def _cmd_generate(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    _prepare_scene(args)
    opts = _options(args)
    if args.command == "text-to-3d":
        result = api.text_to_3d(args.prompt, **_paid(args), **opts,
                                **artist.generate_extras(args))
        if isinstance(result, list):  # --candidates: one entry per shape
            return {"candidates": [_finish(args, r) for r in result]}
    elif args.command == "image-to-3d":
        result = api.image_to_3d(args.image, **_paid(args), **opts)
    else:
        result = api.multi_image_to_3d(args.images, **_paid(args), **opts)
    return _finish(args, result)


def _cmd_refine(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    _prepare_scene(args)
    return _finish(args, artist.cmd_refine(api, args, _options(args), _paid(args)))


def _cmd_model(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    obj, extra = _model_source(args, "MESH")
    if obj is None or isinstance(obj, str):  # a .blend input is the scene: keep it
        _prepare_scene(args)
    fn = {"retexture": api.retexture, "remesh": api.remesh, "rig": api.rig}[args.command]
    return _finish(args, fn(obj, **_paid(args), **_options(args), **extra))


def _cmd_animate(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    armature, extra = _model_source(args, "ARMATURE")
    if armature is None:
        _prepare_scene(args)
    opts = _options(args)
    ids = list(args.action_id)
    common = _paid(args)
    common.pop("placement")
    if args.one_task:  # one Meshy task, one clip per action (price not published)
        return _finish(args, api.animate(
            armature, action_ids=ids, accept_unpublished_price=args.accept_unpublished_price,
            **common, **opts, **extra))
    if len(ids) > 1:
        opts["animations"] = ids
    return _finish(args, api.animate(armature, ids[0], **common, **opts, **extra))


def _find_kind(api: Any, task_id: str, kind: str) -> tuple[str, Any]:
    if kind != "auto":
        return kind, api.status(task_id, kind)
    for candidate in kinds.SEARCH_ORDER:
        try:
            task = api.status(task_id, candidate)
        except errors.NotFoundError:
            continue
        # One v2 route reads every kind: Meshy's type says which (preview/refine: text-to-3d).
        return ("text-to-3d" if task.kind.startswith("text-to-3d") else task.kind), task
    raise errors.NotFoundError(f"No task {task_id} of any kind on this account.")


def _cmd_status(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    kind, task = _find_kind(api, args.task_id, args.kind)
    return {"task_id": task.id, "kind": kind, "status": task.status, "progress": task.progress,
            "credits": task.consumed_credits, "preceding_tasks": task.preceding_tasks,
            "error": task.task_error.message if task.task_error else None,
            "outputs": sorted(task.asset_urls())}  # names only: signed links stay private


def _cmd_balance(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The balance, its monthly / permanent split and the monthly reset day (null when Meshy
    does not say)."""
    found = api.balance_details()
    return {"balance": found.balance, "monthly_credits": found.monthly,
            "permanent_credits": found.permanent, "monthly_resets_on": found.reset_date()}


def _cmd_list(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    tasks = api.list_tasks(args.kind, page_size=args.limit)
    return {"kind": args.kind, "tasks": [
        {"created": local_time(t.created_at), "task_id": t.id, "status": t.status,
         "progress": t.progress, "credits": t.consumed_credits, "prompt": _prompt_of(t),
         "created_at": t.created_at} for t in tasks]}


def local_time(epoch_ms: int | None) -> str:
    """Meshy's epoch milliseconds as local ISO time (``2026-12-06T14:02:11+01:00``)."""
    if not epoch_ms:
        return "-"
    return datetime.fromtimestamp(epoch_ms / 1000).astimezone().isoformat(timespec="seconds")


def _prompt_of(task: Any) -> str:
    """The words the task was made from (its prompt, texture or style prompt), else ''."""
    raw = getattr(task, "raw", None) or {}
    sources = (raw, raw.get("input") or {})  # API v1 top level, v2 under "input"
    return next((str(src[k]) for src in sources if isinstance(src, dict)
                 for k in ("prompt", "texture_prompt", "text_style_prompt") if src.get(k)), "")


def _cmd_resume(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Follow an existing task of any kind (free). An animation needs the armature it was made
    for: from --input rig.blend, or imported first from --rig-task-id (or the rig id Meshy
    reports on the task)."""
    kind, task = _find_kind(api, args.task_id, args.kind)
    common = _common(args)
    if kind != "animate":
        _prepare_scene(args)
        chain = True if args.finish_chain else (False if args.only_this_task else None)
        return _finish(args, api.resume(args.task_id, kind, finish_chain=chain, **common))
    common.pop("placement")
    armature = _resume_armature(api, args, task, common)
    result = api.resume(args.task_id, "animate", armature=armature, **common)
    result.armature = result.armature or armature
    return _finish(args, result)


def _resume_armature(api: Any, args: argparse.Namespace, task: Any,
                     common: dict[str, Any]) -> Any:
    if args.input:
        path = Path(args.input).expanduser()
        if not path.is_file() or path.suffix.lower() != ".blend":
            raise UsageError(f"--input {path}: resume takes a .blend file holding the rig")
        import bpy

        bpy.ops.wm.open_mainfile(filepath=str(path.resolve()))
        return _pick_object(bpy, args.object, "ARMATURE", path)
    rig_task = args.rig_task_id or (task.sent("rig_task_id") if task is not None else None)
    if not rig_task:
        raise UsageError("Resuming an animation needs its rig: --input rig.blend or "
                         "--rig-task-id RIG_TASK_ID")
    _prepare_scene(args)
    return api.resume(str(rig_task), "rig", **common).armature


HANDLERS: dict[str, Callable[[Any, argparse.Namespace], dict[str, Any]]] = {
    "text-to-3d": _cmd_generate, "image-to-3d": _cmd_generate,
    "multi-image-to-3d": _cmd_generate, "retexture": _cmd_model, "remesh": _cmd_model,
    "rig": _cmd_model, "animate": _cmd_animate, "status": _cmd_status,
    "balance": _cmd_balance, "list": _cmd_list, "resume": _cmd_resume, "batch": run_batch,
    "refine": _cmd_refine, "batch-merge": run_batch_merge,
}
