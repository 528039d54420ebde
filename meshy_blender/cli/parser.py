"""The command line: subcommands, their options (the API's own parameter names) and how option
text becomes API values."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from ..client.limits import MAX_PROMPT
from ..jobs.kinds import TASK_KIND_ALIASES
from . import artist
from .exit_codes import EXIT_CODES_HELP, UsageError
from .option_help import option_help

PROG = "blender --background --online-mode --command meshy"
# Option values kept as text even when they look like numbers.
TEXT_OPTIONS = {"prompt", "negative_prompt", "texture_prompt", "text_style_prompt",
                "texture_image_url", "image_style_url"}
LIST_OPTIONS = {"target_formats"}
# Given positionally or by --input/--task-id, not as --option flags.
INPUT_OPTIONS = {"prompt", "image_url", "image_urls", "input_task_id", "model_url",
                 "rig_task_id", "action_id", "action_ids", "motion_task_id",
                 "reference_image_urls"}




class _Parser(argparse.ArgumentParser):
    # build_parser's subcommand factory, kept for cli/tool_parser.py to add its subcommands
    add_subcommand: Any

    def error(self, message: str) -> Any:  # never sys.exit() from inside Blender
        raise CommandLineError(message)


class CommandLineError(UsageError):
    """argparse refused the command line; cli.main says it once, with suggestions."""


def flag(name: str) -> str:
    """The command-line flag of an API option: ``should_texture`` -> ``--should-texture``."""
    return f"--{name.replace('_', '-')}"


def given_flags(args: argparse.Namespace) -> dict[str, str]:
    """API option name -> the flag the user typed for it, for every option given."""
    given = {key[4:]: flag(key[4:]) for key, value in vars(args).items()
             if key.startswith("opt_") and value is not None}
    if getattr(args, "task_id", None):  # only --task-id makes Meshy name these
        given["input_task_id"] = given["rig_task_id"] = "--task-id"
    if getattr(args, "input", None):
        given["model_url"] = "--input"
    return given


def in_flags(exc: BaseException, given: dict[str, str]) -> BaseException:
    """A refused option said with the flag the user typed: ``'target_polycount'`` in a
    validation message becomes ``'--target-polycount'`` for each option given as a flag (for
    CLI callers only: the Python API keeps its argument names)."""
    message = getattr(exc, "message", None)
    if not given or not isinstance(message, str):
        return exc
    for name, typed in given.items():
        message = message.replace(f"'{name}'", f"'{typed}'")
        if "_" in name:  # a bare API name (``set ai_model to``) is an identifier, never a word
            message = re.sub(rf"(?<![\w'-]){name}(?![\w'])", typed, message)
    exc.message = message  # type: ignore[attr-defined]
    exc.args = (message,)
    return exc


def value_of(name: str, text: str) -> Any:
    """A command-line option value as the API wants it (bool, number, list, JSON, text)."""
    if name in TEXT_OPTIONS:
        return text
    if name in LIST_OPTIONS:
        return [part.strip() for part in text.split(",") if part.strip()]
    from ..jobs.batchfile import option_value

    try:
        return option_value(name, text, flag(name))
    except ValueError:
        raise UsageError(f"{flag(name)}: not valid JSON: {text}") from None


MODEL_OPTIONS = ("ai_model", "model_type")
KINDS = ", ".join(sorted(TASK_KIND_ALIASES))


def whole_number(lo: int, hi: int) -> Any:
    """An argparse type: a whole number from lo to hi, refused in the flag's words."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = lo - 1
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be a whole number from {lo} to {hi} "
                                             f"(got {text!r})")
        return value
    return parse


def model_choices(request: str, option: str) -> list[str]:
    """The models ``request`` offers for ``option`` today, from the model catalogue: never a
    retired one; a deprecated one says when it retires."""
    from ..client import model_catalogue

    kind = "text-to-3d-preview" if request == "text-to-3d" else request
    return [m.value + (f" ({m.retirement_note()})" if m.retirement_note() else "")
            for m in model_catalogue.offered(kind, option)]


def _add_api_options(parser: argparse.ArgumentParser, request: str) -> None:
    from ..jobs.policy import request_options

    group = parser.add_argument_group(
        "Meshy options", "the API's parameters (true/false, yes/no or 1/0; numbers; comma lists; "
        "JSON objects)")
    from ..client.renamed_options import find

    for name in sorted(request_options(request) - INPUT_OPTIONS):
        shown = model_choices(request, name) if name in MODEL_OPTIONS else []
        metavar, help_text = option_help(name, shown)
        old = find(request, name)
        if old is not None:  # a Meshy API v1 name: still taken, translated with a warning
            note = (f"deprecated: use {flag(old.new)}" if old.new
                    else "refused: not an option on Meshy API v2")
            help_text = f"{help_text} ({note})" if help_text else note
        group.add_argument(flag(name), dest=f"opt_{name}", metavar=metavar, help=help_text)


def _add_chain(parser: argparse.ArgumentParser, *, rig: bool = True) -> None:
    group = parser.add_argument_group("chain", "follow-up tasks in the same job")
    group.add_argument("--remesh", nargs="?", const="{}", metavar="JSON",
                       help="remesh the result (options as a JSON object)")
    if rig:
        group.add_argument("--rig", nargs="?", const="{}", metavar="JSON",
                           help='rig the result, e.g. --rig \'{"height_meters": 1.8}\'')
        _add_no_rig_check(group)
    group.add_argument("--animation", action="append", type=int, metavar="ACTION_ID",
                       help="animate the rig with a library action (repeatable)")


def _add_no_rig_check(group: Any) -> None:
    group.add_argument("--no-rig-check", action="store_true",
                       help="rig without asking Meshy first whether it can (the rig check "
                            "costs 1 credit and stops a model it cannot rig before the "
                            "5-credit rig) (default: check first)")


def _add_common(parser: argparse.ArgumentParser, *, imports: bool = True) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object on stdout (also on failure)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    if not imports:
        return
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="save the result: .blend (the whole file), .glb/.gltf or .fbx "
                             "(the imported objects) (default: not saved; the result stays in "
                             "the download cache)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="give up waiting after this long (exit 7; resumable) (default: "
                             "wait until done)")
    parser.add_argument("--import-format", choices=("GLB", "FBX"), type=str.upper,
                        help="download and import this format (default: preferences, GLB)")
    parser.add_argument("--placement", choices=("CURSOR", "ORIGIN", "REPLACE"), type=str.upper,
                        help="where results land (REPLACE: in place of --object) (default: "
                             "the add-on preference, CURSOR)")
    parser.add_argument("--label", help="name of the imported objects (default: the prompt)")
    parser.add_argument("--clear-scene", action="store_true",
                        help="remove every object first (e.g. the startup cube) so --out holds "
                             "only the result")


def _add_job_key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--job-key", metavar="KEY",
                        help="a stable name for this job (a farm job, a shot): running the "
                             "same command with the same key again resumes or returns the "
                             "first run's job and never pays twice; a different request under "
                             "that key is refused (default: none)")


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
    from ..version import extension_version

    parser.add_argument("--version", action="version",
                        version=f"Meshy for Blender {extension_version()}",
                        help="print the extension's version and exit")
    sub = parser.add_subparsers(dest="command", metavar="<subcommand>", parser_class=_Parser,
                                help="what to do (`<subcommand> --help` lists its options)")

    def add(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text,
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              epilog=f"example:\n  {PROG} {name} {example}\n\n"
                                     + EXIT_CODES_HELP)

    p = add("text-to-3d", "Generate a textured model from a prompt.",
            '"a bronze owl" --ai-model meshy-6 --out owl.glb')
    p.add_argument("prompt", help=f"what to make, in words (up to {MAX_PROMPT} characters)")
    _add_api_options(p, "text-to-3d")
    _add_chain(p)
    _add_common(p)
    _add_job_key(p)
    artist.add_generate_options(p)
    _add_job_key(artist.add_refine(add, _add_api_options, _add_common))

    p = add("image-to-3d", "Generate a model from one image (file or URL).",
            "photo.png --out model.blend")
    p.add_argument("image", help="the picture: a PNG/JPEG file or an https URL")
    _add_api_options(p, "image-to-3d")
    _add_chain(p)
    _add_common(p)
    _add_job_key(p)

    p = add("multi-image-to-3d", "Generate a model from 1-4 views of one object.",
            "front.png side.png back.png --out model.glb")
    p.add_argument("images", nargs="+",
                   help="1-4 pictures of the same object: PNG/JPEG files or https URLs")
    _add_api_options(p, "multi-image-to-3d")
    _add_chain(p)
    _add_common(p)
    _add_job_key(p)

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
            _add_no_rig_check(p)
        _add_common(p)
        _add_job_key(p)

    p = add("animate", "Add library animations to a Meshy rig (actions on its armature).",
            "--task-id RIG_TASK --action-id 4 --out hero.fbx")
    _add_model_input(p, "the rig")
    p.add_argument("--action-id", type=int, action="append", required=True, metavar="N",
                   help="animation library id (repeatable)")
    p.add_argument("--one-task", action="store_true",
                   help="several --action-id in ONE Meshy task (one action per clip; price "
                        "not published: needs --accept-unpublished-price)")
    p.add_argument("--accept-unpublished-price", action="store_true",
                   help="go ahead although Meshy publishes no price for --one-task")
    _add_api_options(p, "animate")
    _add_common(p)
    _add_job_key(p)

    p = add("status", "Show one task as Meshy reports it.", "TASK_ID --kind rig")
    p.add_argument("task_id", help="the Meshy task id (printed when the task was created)")
    p.add_argument("--kind", default="auto", metavar="KIND",
                   help=f"task kind, one of: {KINDS} (default: look it up)")
    _add_common(p, imports=False)

    p = add("balance", "Show the account's credit balance.", "--json")
    _add_common(p, imports=False)

    p = add("list", "List recent tasks of one kind.", "--kind text-to-3d --limit 5")
    p.add_argument("--kind", default="text-to-3d", metavar="KIND",
                   help=f"task kind, one of: {KINDS} (default: text-to-3d)")
    p.add_argument("--limit", type=whole_number(1, 50), default=10, metavar="N",
                   help="how many of the newest tasks, 1-50 (default: 10)")
    _add_common(p, imports=False)

    p = add("resume", "Wait for an existing task, download and import it (no new charge).",
            "TASK_ID --kind text-to-3d --out model.glb")
    p.add_argument("task_id", help="the Meshy task id to pick up (no new charge)")
    p.add_argument("--kind", default="auto", metavar="KIND",
                   help=f"task kind, one of: {KINDS} (default: look it up)")
    chaining = p.add_mutually_exclusive_group()
    chaining.add_argument("--finish-chain", action="store_true",
                          help="a task of an unfinished journalled job: also pay for its "
                               "steps never made (without this, resume names their cost)")
    chaining.add_argument("--only-this-task", action="store_true",
                          help="import this task alone, even if it belongs to an unfinished "
                               "job")
    rig = p.add_argument_group("animations", "an animation lands on the rig it was made for")
    rig.add_argument("--input", type=Path, metavar="FILE",
                     help="a .blend holding the rig (then --object picks the armature)")
    rig.add_argument("--object", metavar="NAME", help="the armature inside --input")
    rig.add_argument("--rig-task-id", metavar="ID",
                     help="the rig's Meshy task id: the rig is imported first (no charge)")
    _add_common(p)

    from .batch import add_parser as add_batch

    add_batch(add)
    parser.add_subcommand = add
    return parser
