"""Schema versions of what the jobs layer writes to disk, and the steps that upgrade old data.

Journal entries (``job-<id>.json``, and the job copy a retired key-index entry keeps) carry
``"format"``; key-index entries carry ``"format"`` too (absent: written by 0.1.0, which is
format 1). A reader upgrades an older entry one step at a time, in memory (the file is
rewritten in the current format the next time its job is saved), and refuses an entry from a
newer Meshy for Blender with :class:`NewerDataError`: such a file is left where it is, never set
aside or overwritten, so the newer version still finds its paid jobs after a downgrade.

Adding a step (see docs/releasing.md): raise ``JOURNAL_FORMAT`` by one and register a function
that turns an entry of the previous format into the new one::

    @journal_step(1)
    def _steps_gain_a_field(entry):          # format 1 -> 2
        for step in entry["steps"]:
            step.setdefault("new_field", None)
        return entry
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..client.errors import MeshyError

# The format this version writes. 1: the journal of 0.1.0 and 0.2.0.
JOURNAL_FORMAT = 1
# Key-index entries ({"job_key", "job_id"[, "job"]}); 1: 0.2.0 (0.1.0 wrote them without one).
KEY_INDEX_FORMAT = 1

Entry = dict[str, Any]
Step = Callable[[Entry], Entry]
# format N -> the function that turns an entry of format N into format N + 1.
JOURNAL_STEPS: dict[int, Step] = {}


class NewerDataError(MeshyError, ValueError):
    """Data written by a newer Meshy for Blender: never read, rewritten or set aside here."""

    def __init__(self, what: str, schema: int) -> None:
        self.schema = schema
        super().__init__(
            f"{what} was made by a newer Meshy for Blender (schema {schema}): update the "
            "extension (Preferences > Get Extensions) to use it. It was left untouched.")


def journal_step(from_format: int) -> Callable[[Step], Step]:
    """Register the step that upgrades a journal entry of ``from_format`` by one."""
    def register(step: Step) -> Step:
        JOURNAL_STEPS[from_format] = step
        return step
    return register


def upgrade_journal_entry(data: Entry, what: str = "This Meshy job") -> Entry:
    """``data`` in the current journal format (a copy when any step ran).

    ValueError when it names no format this or an older version wrote; NewerDataError when a
    newer version wrote it."""
    fmt = data.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise ValueError(f"unsupported journal format {fmt!r} (expected {JOURNAL_FORMAT})")
    if fmt > JOURNAL_FORMAT:
        raise NewerDataError(what, fmt)
    while fmt < JOURNAL_FORMAT:
        step = JOURNAL_STEPS.get(fmt)
        if step is None:
            raise ValueError(f"no upgrade from journal format {fmt}")
        data = step(json.loads(json.dumps(data)))  # steps may edit freely: a deep copy
        fmt += 1
        data["format"] = fmt
    return data


def check_key_entry(data: Entry, job_key: str) -> None:
    """Refuse a key-index entry a newer version wrote (its key must not look new: that would
    pay for its job again)."""
    fmt = data.get("format", 1)
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > KEY_INDEX_FORMAT:
        raise NewerDataError(f"The Meshy job with key '{job_key}'", fmt)


def newer_file_schema(path: Path) -> int | None:
    """The schema of a journal file written by a newer version, or None (older, current,
    missing or unreadable: the ordinary readers deal with those)."""
    try:
        fmt = json.loads(path.read_text(encoding="utf-8")).get("format")
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > JOURNAL_FORMAT:
        return fmt
    return None
