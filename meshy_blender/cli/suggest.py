"""A command-line mistake said once, in the user's words, with "did you mean" for a mistyped
subcommand or option (Python 3.11's argparse has no suggestions of its own)."""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Sequence


def usage_message(parser: argparse.ArgumentParser, argv: Sequence[str], message: str) -> str:
    """argparse's ``message`` rewritten: the subcommand named once, close matches offered and
    the --help that lists the alternatives."""
    subcommands = _subcommands(parser)
    command = next((a for a in argv if not a.startswith("-")), "")
    choice = re.search(r"invalid choice: '([^']*)'", message)
    if "<subcommand>" in message and choice:
        typed = choice.group(1)
        return (f"'{typed}' is not a subcommand{_did_you_mean(typed, list(subcommands))}. "
                "`meshy --help` lists them all.")
    sub = subcommands.get(command)
    where = f"{command}: " if sub is not None else ""
    help_hint = f"`meshy {command} --help`" if sub is not None else "`meshy --help`"
    unknown = message.partition("unrecognized arguments: ")[2].split()
    flags = [a for a in unknown if a.startswith("-")]
    if flags:
        known = _option_strings(sub or parser)
        said = "; ".join(f"unknown option {f.split('=')[0]}"
                         f"{_did_you_mean(f.split('=')[0], known)}" for f in flags)
        return f"{where}{said}. {help_hint} lists every option."
    if unknown:
        return f"{where}unexpected {' '.join(unknown)}. {help_hint} shows what it takes."
    return f"{where}{message}. {help_hint} shows what it takes."


def _did_you_mean(typed: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(typed, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [s for a in parser._actions for s in a.option_strings if s.startswith("--")]
