"""``blender --background --online-mode --command meshy <subcommand> ...``: Meshy from a shell.

Registered by the extension (blender/cli_command.py) as Blender's ``meshy`` command; Blender
calls :func:`main` with the arguments after ``meshy`` and exits with its return value. Every
subcommand is a thin layer over :mod:`meshy_blender.api`, so the CLI, scripts and the sidebar
share jobs, journal, cache and studio policy. ``--json`` prints one JSON object on stdout (also
for failures); Blender's own chatter goes to stderr meanwhile.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .client import errors
from .jobs import kinds

PROG = "blender --background --online-mode --command meshy"
EXIT_OK = 0
EXIT_OTHER = 1
EXIT_BAD_INPUT = 2
EXIT_AUTH = 3
EXIT_CREDITS = 4
EXIT_TASK_FAILED = 5
EXIT_NETWORK = 6
EXIT_TIMEOUT = 7
EXIT_CODES_HELP = """exit codes:
  0  success
  1  other error (e.g. the import failed; the files stay in the cache)
  2  bad input: unknown option or value, missing file, policy refusal, unknown task
  3  authentication: no API key, or Meshy refused it
  4  credits: not enough credits, or over the studio policy's cap/budget
  5  the Meshy task failed or was canceled on the server (credits are refunded)
  6  network: Meshy unreachable, offline Blender (use --online-mode), server errors
  7  timeout (--timeout): the task may still finish; pick it up with `resume`"""

# Exception class -> exit code; the first matching base class wins (order matters).
_EXIT_MAP: tuple[tuple[type[BaseException], int], ...] = (
    (errors.WaitTimeoutError, EXIT_TIMEOUT),
    (errors.InsufficientCreditsError, EXIT_CREDITS),
    (errors.AuthError, EXIT_AUTH),
    (errors.ForbiddenError, EXIT_AUTH),
    (errors.TaskFailedError, EXIT_TASK_FAILED),
    (errors.TaskCanceledError, EXIT_TASK_FAILED),
    (errors.ValidationError, EXIT_BAD_INPUT),
    (errors.InvalidRequestError, EXIT_BAD_INPUT),
    (errors.NotFoundError, EXIT_BAD_INPUT),
    (errors.CannotProcessError, EXIT_BAD_INPUT),
    (errors.OnlineAccessError, EXIT_NETWORK),
    (errors.NetworkError, EXIT_NETWORK),
    (errors.ServerError, EXIT_NETWORK),
    (errors.RateLimitedError, EXIT_NETWORK),
    (errors.QueueFullError, EXIT_NETWORK),
    (errors.DownloadError, EXIT_NETWORK),
    (errors.AssetExpiredError, EXIT_NETWORK),
    (errors.MalformedResponseError, EXIT_NETWORK),
)
# Option values kept as text even when they look like numbers.
TEXT_OPTIONS = {"prompt", "negative_prompt", "texture_prompt", "text_style_prompt",
                "texture_image_url", "image_style_url"}
LIST_OPTIONS = {"target_formats"}
# Given positionally or by --input/--task-id, not as --option flags.
INPUT_OPTIONS = {"prompt", "image_url", "image_urls", "input_task_id", "model_url",
                 "rig_task_id", "action_id"}


class UsageError(Exception):
    """Bad command line (argparse would exit; we report it with exit code 2 instead)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # never sys.exit() from inside Blender
        raise UsageError(f"{self.prog}: {message}")


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code for an exception (see EXIT_CODES_HELP)."""
    if isinstance(exc, UsageError | FileNotFoundError):
        return EXIT_BAD_INPUT
    for cls, code in _EXIT_MAP:
        if isinstance(exc, cls):
            return code
    return EXIT_OTHER


# ------------------------------------------------------------------------------ parser

def _value(name: str, text: str) -> Any:
    """A command-line option value as the API wants it (bool, number, list, JSON, text)."""
    if name in TEXT_OPTIONS:
        return text
    if name in LIST_OPTIONS:
        return [part.strip() for part in text.split(",") if part.strip()]
    low = text.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if text.strip()[:1] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            raise UsageError(f"--{name.replace('_', '-')}: not valid JSON: {text}") from None
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _add_api_options(parser: argparse.ArgumentParser, request: str) -> None:
    from .jobs.policy import request_options

    group = parser.add_argument_group(
        "Meshy options", "the API's parameters (true/false, numbers, comma lists, JSON objects)")
    for name in sorted(request_options(request) - INPUT_OPTIONS):
        group.add_argument(f"--{name.replace('_', '-')}", dest=f"opt_{name}", metavar="VALUE")


def _add_chain(parser: argparse.ArgumentParser, *, rig: bool = True) -> None:
    group = parser.add_argument_group("chain", "follow-up tasks in the same job")
    group.add_argument("--remesh", nargs="?", const="{}", metavar="JSON",
                       help="remesh the result (options as a JSON object)")
    if rig:
        group.add_argument("--rig", nargs="?", const="{}", metavar="JSON",
                           help='rig the result, e.g. --rig \'{"height_meters": 1.8}\'')
    group.add_argument("--animation", action="append", type=int, metavar="ACTION_ID",
                       help="animate the rig with a library action (repeatable)")


def _add_common(parser: argparse.ArgumentParser, *, imports: bool = True) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object on stdout (also on failure)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    if not imports:
        return
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="save the result: .blend (the whole file), .glb/.gltf or .fbx "
                             "(the imported objects)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="give up waiting after this long (exit 7; resumable)")
    parser.add_argument("--import-format", choices=("GLB", "FBX"), type=str.upper,
                        help="download and import this format (default: preferences, GLB)")
    parser.add_argument("--placement", choices=("CURSOR", "ORIGIN", "REPLACE"), type=str.upper,
                        help="where results land (REPLACE: in place of --object)")
    parser.add_argument("--label", help="name of the imported objects (default: the prompt)")
    parser.add_argument("--clear-scene", action="store_true",
                        help="remove every object first (e.g. the startup cube) so --out holds "
                             "only the result")


def _add_model_input(parser: argparse.ArgumentParser, what: str) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", type=Path, metavar="FILE",
                        help=f"{what}: a model file (.glb/.fbx/.obj/.stl) or a .blend file "
                             "(then --object picks the object)")
    source.add_argument("--task-id", metavar="ID", help=f"{what}: an earlier Meshy task id")
    parser.add_argument("--object", metavar="NAME",
                        help="object inside the --input .blend (default: its Meshy object, or "
                             "its only mesh)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
                     description="Meshy AI 3D from the command line: generate, texture, remesh, "
                                 "rig and animate, results imported into Blender.",
                     epilog=EXIT_CODES_HELP + "\n\nconfiguration: MESHY_API_KEY, MESHY_API_BASE, "
                     "MESHY_CACHE_DIR, MESHY_CA_BUNDLE, MESHY_STUDIO_CONFIG, HTTPS_PROXY "
                     "(environment over add-on preferences).")
    sub = parser.add_subparsers(dest="command", metavar="<subcommand>", parser_class=_Parser)

    def add(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text,
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              epilog=f"example:\n  {PROG} {name} {example}\n\n"
                                     + EXIT_CODES_HELP)

    p = add("text-to-3d", "Generate a textured model from a prompt.",
            '"a bronze owl" --ai-model meshy-6 --out owl.glb')
    p.add_argument("prompt")
    _add_api_options(p, "text-to-3d")
    _add_chain(p)
    _add_common(p)

    p = add("image-to-3d", "Generate a model from one image (file or URL).",
            "photo.png --out model.blend")
    p.add_argument("image")
    _add_api_options(p, "image-to-3d")
    _add_chain(p)
    _add_common(p)

    p = add("multi-image-to-3d", "Generate a model from 1-4 views of one object.",
            "front.png side.png back.png --out model.glb")
    p.add_argument("images", nargs="+")
    _add_api_options(p, "multi-image-to-3d")
    _add_chain(p)
    _add_common(p)

    for name, help_text, example, chain in (
        ("retexture", "New textures for a model.",
         '--input chair.glb --text-style-prompt "worn leather" --out chair.glb', True),
        ("remesh", "New topology for a model.",
         "--task-id TASK --target-polycount 5000 --topology quad --out low.glb", True),
        ("rig", "Auto-rig a humanoid model (walking and running included).",
         "--input hero.glb --height-meters 1.8 --animation 4 --out hero.blend", False),
    ):
        p = add(name, help_text, example)
        _add_model_input(p, "the model")
        _add_api_options(p, name)
        if chain:
            _add_chain(p)
        else:
            p.add_argument("--animation", action="append", type=int, metavar="ACTION_ID",
                           help="animate the rig with a library action (repeatable)")
        _add_common(p)

    p = add("animate", "Add library animations to a Meshy rig (actions on its armature).",
            "--task-id RIG_TASK --action-id 4 --out hero.fbx")
    _add_model_input(p, "the rig")
    p.add_argument("--action-id", type=int, action="append", required=True, metavar="N",
                   help="animation library id (repeatable)")
    _add_api_options(p, "animate")
    _add_common(p)

    p = add("status", "Show one task as Meshy reports it.", "TASK_ID --kind rig")
    p.add_argument("task_id")
    p.add_argument("--kind", default="auto", help="task kind (default: look it up)")
    _add_common(p, imports=False)

    p = add("balance", "Show the account's credit balance.", "--json")
    _add_common(p, imports=False)

    p = add("list", "List recent tasks of one kind.", "--kind text-to-3d --limit 5")
    p.add_argument("--kind", default="text-to-3d", help="task kind (default text-to-3d)")
    p.add_argument("--limit", type=int, default=10, help="how many (1-50, default 10)")
    _add_common(p, imports=False)

    p = add("resume", "Wait for an existing task, download and import it (no new charge).",
            "TASK_ID --kind text-to-3d --out model.glb")
    p.add_argument("task_id")
    p.add_argument("--kind", default="auto", help="task kind (default: look it up)")
    _add_common(p)
    return parser


# ------------------------------------------------------------------------------ running

def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit code (see EXIT_CODES_HELP). Never raises."""
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    command = next((a for a in argv if not a.startswith("-")), "")
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help
            return int(exc.code or 0)
        if not args.command:
            build_parser().print_help()
            return EXIT_BAD_INPUT
        with _stdout_to_stderr(as_json):
            payload = _run(args)
    except KeyboardInterrupt:
        return _fail(command, errors.CancelledError("Interrupted."), as_json, code=130)
    except Exception as exc:
        return _fail(command, exc, as_json)
    _emit(payload, as_json)
    return EXIT_OK


def _run(args: argparse.Namespace) -> dict[str, Any]:
    from . import api

    handler = _HANDLERS[args.command]
    payload = {"ok": True, "command": args.command, **handler(api, args)}
    return payload


def _fail(command: str, exc: BaseException, as_json: bool, code: int | None = None) -> int:
    code = exit_code_for(exc) if code is None else code
    message = errors.scrub(str(exc) or type(exc).__name__)
    if as_json:
        error: dict[str, Any] = {"type": type(exc).__name__, "message": message}
        for attr in ("field", "task_id", "status", "estimate", "cap"):
            value = getattr(exc, attr, None)
            if value is not None:
                error[attr] = value
        _emit({"ok": False, "command": command, "exit_code": code, "error": error}, True)
    else:
        print(f"meshy: error: {message}", file=sys.stderr)
    return code


def _emit(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(payload, indent=1, sort_keys=True, default=str), flush=True)
        return
    for key, value in payload.items():
        if key in ("ok", "command") or value in (None, [], {}):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for row in value:
                print("  ".join(f"{k}={v}" for k, v in row.items()))
        else:
            shown = (", ".join(f"{k}={v}" for k, v in value.items())
                     if isinstance(value, dict) else value)
            print(f"{key}: {shown}")
    sys.stdout.flush()


@contextlib.contextmanager
def _stdout_to_stderr(active: bool) -> Iterator[None]:
    """Keep stdout pure JSON: Blender prints to file descriptor 1, Python code to sys.stdout,
    and importers log through handlers that hold sys.stdout; all go to stderr meanwhile."""
    if not active:
        yield
        return
    import logging

    stdout = sys.stdout
    handlers = [h for h in _stream_handlers(logging) if h.stream is stdout]
    stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    for handler in handlers:
        handler.setStream(sys.stderr)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        for handler in handlers:
            handler.setStream(stdout)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _stream_handlers(logging: Any) -> list[Any]:
    loggers = [logging.getLogger(), *(logging.getLogger(name)
                                      for name in list(logging.root.manager.loggerDict))]
    return [h for lg in loggers for h in getattr(lg, "handlers", [])
            if isinstance(h, logging.StreamHandler)]


# ------------------------------------------------------------------------------ subcommands

def _options(args: argparse.Namespace) -> dict[str, Any]:
    opts = {key[4:]: _value(key[4:], value) for key, value in vars(args).items()
            if key.startswith("opt_") and value is not None}
    for key in ("remesh", "rig"):
        raw = getattr(args, key, None)
        if raw is not None:
            value = _value(key, raw)
            if not isinstance(value, dict):
                raise UsageError(f"--{key} takes a JSON object, e.g. '{{}}'")
            opts[key] = value
    if getattr(args, "animation", None):
        opts["animations"] = list(args.animation)
    return opts


def _progress(args: argparse.Namespace) -> Callable[[Any], None] | None:
    if args.quiet:
        return None
    t0 = time.monotonic()
    last: list[Any] = []

    def show(p: Any) -> None:
        if last and p.detail == last[0].detail and abs(p.percent - last[0].percent) < 5:
            return
        last[:] = [p]
        print(f"[{p.percent:5.1f}% {time.monotonic() - t0:5.1f}s] {p.detail or p.status}",
              file=sys.stderr, flush=True)

    return show


def _common(args: argparse.Namespace) -> dict[str, Any]:
    return {"progress": _progress(args), "timeout": args.timeout,
            "import_format": args.import_format, "placement": args.placement,
            "label": args.label}


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
    out = _save(args.out, result) if args.out else None
    objects = result.objects or ([result.armature] if result.armature else [])
    return {"job_id": result.job_id, "kind": result.kind, "task_ids": result.task_ids,
            "credits": result.credits, "objects": [o.name for o in objects],
            "root_objects": [o.name for o in result.root_objects],
            "armature": result.armature.name if result.armature else None,
            "actions": [a.name for a in result.actions], "files": result.files,
            "out": str(out) if out else None}


def _save(out: Path, result: Any) -> Path:
    """Write the result: a .blend of the whole file, or the result's objects as GLB/FBX."""
    import bpy

    path = Path(out).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".blend":
        bpy.ops.wm.save_as_mainfile(filepath=str(path), check_existing=False)
        return path
    if suffix not in (".glb", ".gltf", ".fbx"):
        raise UsageError(f"--out {path.name}: use .blend, .glb, .gltf or .fbx")
    objects = set(result.objects)
    if result.armature is not None:
        objects |= {result.armature, *result.armature.children_recursive}
    layer: Any = bpy.context.view_layer
    for obj in layer.objects:
        obj.select_set(obj in objects)
    if suffix == ".fbx":
        bpy.ops.export_scene.fbx(filepath=str(path), use_selection=True, bake_anim=True,
                                 add_leaf_bones=False)
    else:
        bpy.ops.export_scene.gltf(filepath=str(path), use_selection=True,
                                  export_format="GLB" if suffix == ".glb" else "GLTF_SEPARATE")
    return path


def _cmd_generate(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    _prepare_scene(args)
    opts = _options(args)
    if args.command == "text-to-3d":
        result = api.text_to_3d(args.prompt, **_common(args), **opts)
    elif args.command == "image-to-3d":
        result = api.image_to_3d(args.image, **_common(args), **opts)
    else:
        result = api.multi_image_to_3d(args.images, **_common(args), **opts)
    return _finish(args, result)


def _cmd_model(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    obj, extra = _model_source(args, "MESH")
    if obj is None or isinstance(obj, str):  # a .blend input is the scene: keep it
        _prepare_scene(args)
    fn = {"retexture": api.retexture, "remesh": api.remesh, "rig": api.rig}[args.command]
    return _finish(args, fn(obj, **_common(args), **_options(args), **extra))


def _cmd_animate(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    armature, extra = _model_source(args, "ARMATURE")
    if armature is None:
        _prepare_scene(args)
    opts = _options(args)
    ids = list(args.action_id)
    if len(ids) > 1:
        opts["animations"] = ids
    common = _common(args)
    common.pop("placement")
    return _finish(args, api.animate(armature, ids[0], **common, **opts, **extra))


def _find_kind(api: Any, task_id: str, kind: str) -> tuple[str, Any]:
    if kind != "auto":
        return kind, api.status(task_id, kind)
    for candidate in kinds.SEARCH_ORDER:
        try:
            return candidate, api.status(task_id, candidate)
        except errors.NotFoundError:
            continue
    raise errors.NotFoundError(f"No task {task_id} of any kind on this account.")


def _cmd_status(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    kind, task = _find_kind(api, args.task_id, args.kind)
    return {"task_id": task.id, "kind": kind, "status": task.status, "progress": task.progress,
            "credits": task.consumed_credits, "preceding_tasks": task.preceding_tasks,
            "error": task.task_error.message if task.task_error else None,
            "outputs": sorted(task.asset_urls())}  # names only: signed links stay private


def _cmd_balance(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    return {"balance": api.balance()}


def _cmd_list(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    tasks = api.list_tasks(args.kind, page_size=args.limit)
    return {"kind": args.kind, "tasks": [
        {"task_id": t.id, "status": t.status, "progress": t.progress,
         "credits": t.consumed_credits, "created_at": t.created_at} for t in tasks]}


def _cmd_resume(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    _prepare_scene(args)
    kind, _ = _find_kind(api, args.task_id, args.kind)
    common = _common(args)
    return _finish(args, api.resume(args.task_id, kind, **common))


_HANDLERS: dict[str, Callable[[Any, argparse.Namespace], dict[str, Any]]] = {
    "text-to-3d": _cmd_generate, "image-to-3d": _cmd_generate,
    "multi-image-to-3d": _cmd_generate, "retexture": _cmd_model, "remesh": _cmd_model,
    "rig": _cmd_model, "animate": _cmd_animate, "status": _cmd_status,
    "balance": _cmd_balance, "list": _cmd_list, "resume": _cmd_resume,
}
