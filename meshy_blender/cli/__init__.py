"""``blender --background --online-mode --command meshy <subcommand> ...``: Meshy from a shell.

Registered by the extension (blender/cli_command.py) as Blender's ``meshy`` command; Blender
calls :func:`main` with the arguments after ``meshy`` and exits with its return value. Every
subcommand is a thin layer over :mod:`meshy_blender.api`, so the CLI, scripts and the sidebar
share jobs, journal, cache and studio policy. ``--json`` prints one JSON object on stdout (also
for failures); Blender's own chatter goes to stderr meanwhile.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..client import errors
from .commands import HANDLERS as _BASE_HANDLERS
from .exit_codes import (
    EXIT_AUTH,
    EXIT_BAD_INPUT,
    EXIT_CODES_HELP,
    EXIT_CREDITS,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_OTHER,
    EXIT_TASK_FAILED,
    EXIT_TIMEOUT,
    UsageError,
    exit_code_for,
)
from .output import check_out, emit, importer_notes_quiet, stdout_to_stderr
from .parser import PROG, CommandLineError, given_flags, in_flags
from .suggest import usage_message
from .tool_commands import HANDLERS as _TOOL_HANDLERS
from .tool_parser import build_parser

_HANDLERS = {**_BASE_HANDLERS, **_TOOL_HANDLERS}

__all__ = ["EXIT_AUTH", "EXIT_BAD_INPUT", "EXIT_CODES_HELP", "EXIT_CREDITS", "EXIT_INTERRUPTED",
           "EXIT_NETWORK",
           "EXIT_OK", "EXIT_OTHER", "EXIT_TASK_FAILED", "EXIT_TIMEOUT", "PROG", "UsageError",
           "build_parser", "exit_code_for", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit code (see EXIT_CODES_HELP). Never raises."""
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    command = next((a for a in argv if not a.startswith("-")), "")
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help
            return int(exc.code or 0)
        except CommandLineError as exc:
            raise UsageError(usage_message(parser, argv, str(exc))) from None
        if not args.command:
            build_parser().print_help()
            return EXIT_BAD_INPUT
        with stdout_to_stderr(as_json), importer_notes_quiet():
            payload = _run(args)
    except KeyboardInterrupt as exc:
        # api.Interrupted carries the detached job's error: its paid task ids are printed and
        # the job stays resumable (rerun with the same --job-key).
        error = getattr(exc, "error", None) or errors.CancelledError("Interrupted.")
        return _fail(command, error, as_json, code=EXIT_INTERRUPTED)
    except Exception as exc:
        return _fail(command, exc, as_json)
    emit(payload, as_json)
    return EXIT_OK


def _run(args: argparse.Namespace) -> dict[str, Any]:
    from .. import api

    handler = _HANDLERS[args.command]
    check_out(getattr(args, "out", None))  # before anything is sent
    journal = _journal()
    before = set(journal.directory.glob("*.damaged")) if journal is not None else set()
    try:
        payload = {"ok": True, "command": args.command, **handler(api, args)}
    except (errors.ValidationError, errors.InvalidRequestError, errors.NotFoundError) as exc:
        raise in_flags(exc, given_flags(args)) from None
    finally:
        if journal is not None:
            _tell_damaged(journal, before)
    return payload


def _journal() -> Any:
    """This seat's job journal (as the runtime will open it), or None when not configured."""
    from ..blender.core import config
    from ..jobs.journal import Journal

    try:
        return Journal(Path(config.resolve().cache_dir) / "journal")
    except Exception:  # a bad configuration is reported by the command itself
        return None


def _tell_damaged(journal: Any, before: set[Path]) -> None:
    """Journal files this run set aside as damaged are named once on stderr (in the journal's
    own words); they never stop the run."""
    journal.damaged = sorted(p.name for p in set(journal.directory.glob("*.damaged")) - before)
    message = journal.damaged_message()
    if message:
        print(f"meshy: warning: {errors.scrub(message)}", file=sys.stderr, flush=True)


def _network_next_step() -> str:
    """What to check when Meshy (or the emulator) could not be reached, naming the address."""
    from ..blender.core import config

    try:
        base = config.resolve().api_base
    except Exception:
        base = ""
    if base.startswith(("http://127.0.0.1", "http://localhost")):
        return (f"Check that the Meshy emulator is running at {base} (it prints the "
                "MESHY_API_BASE to set) or unset MESHY_API_BASE to use Meshy itself.")
    return (f"Check that {base or 'the Meshy API'} is the right address (MESHY_API_BASE), that "
            "this machine is online, and the proxy settings (HTTPS_PROXY) if you use one.")


def _fail(command: str, exc: BaseException, as_json: bool, code: int | None = None) -> int:
    code = exit_code_for(exc) if code is None else code
    message = errors.scrub(str(exc) or type(exc).__name__)
    if isinstance(exc, errors.NetworkError):
        message = f"{message} {_network_next_step()}"
    if as_json:
        error: dict[str, Any] = {"type": type(exc).__name__, "message": message}
        for attr in ("field", "task_id", "status", "estimate", "cap", "balance", "required",
                     "job_key"):
            value = getattr(exc, attr, None)
            if value is not None:
                error[attr] = value
        error["task_ids"] = dict(getattr(exc, "task_ids", None) or {})  # paid work behind it
        if getattr(exc, "problems", None):  # a batch file: every row's problem
            error["problems"] = [str(p) for p in exc.problems]  # type: ignore[attr-defined]
        summary = getattr(exc, "summary", None) or {}  # a batch with failed rows
        emit({**summary, "ok": False, "command": command, "exit_code": code, "error": error},
             True)
    else:
        print(f"meshy: error: {message}", file=sys.stderr)
    return code
