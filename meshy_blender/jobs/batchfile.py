"""Batch files: a prop library as CSV (header row) or JSON Lines, one request per row.

Reading a file never sends anything: every row is parsed and every problem (unknown column,
missing prompt, bad JSON, a duplicate id, a bad LOD list) is collected with its row number and
column, so a TD fixes the whole file in one go instead of paying for half a library first.
Option values (Meshy's names: ``ai_model``, ``target_polycount``, ...) are checked later by the
same planning as every job (api/batch.py adds those problems to the same list).

Columns: ``id`` (required, unique), ``kind`` (default ``text-to-3d``), ``prompt`` / ``image`` /
``images``, any API option, chain columns ``remesh`` / ``rig`` / ``animations`` (JSON), and
library columns ``name``, ``catalog``, ``tags``, ``lods`` (``20000,5000,1000``). Pure Python.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..client import specs, validation
from ..client.errors import ValidationError
from .policy import request_options

BATCH_KINDS = ("text-to-3d", "image-to-3d", "multi-image-to-3d", "retexture", "remesh")
LIBRARY_COLUMNS = ("id", "kind", "name", "catalog", "tags", "lods")
CHAIN_COLUMNS = ("remesh", "rig", "animations")
ALIASES = {"image": "image_url", "images": "image_urls"}  # friendly column -> API option
PATH_OPTIONS = ("image_url", "image_urls", "model_url", "texture_image_url")
TEXT_OPTIONS = {"prompt", "negative_prompt", "texture_prompt", "text_style_prompt", "name",
                "catalog", "id"}
MAX_LODS = 8


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with one row, said so an artist can find and fix it."""

    row: int  # line number in the file (the CSV header is line 1)
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column '{self.column}': {self.reason}"


class BatchFileError(ValidationError):
    """The batch file has problems; nothing was sent. ``problems`` lists every one."""

    def __init__(self, path: str, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{path}: {len(problems)} problem(s), nothing was sent:\n  {shown}{more}",
                         field=problems[0].column if problems else "file")


@dataclass(frozen=True)
class BatchRow:
    """One row: its request (kind + API options + chain) and where its result goes."""

    row: int
    id: str
    kind: str
    options: Mapping[str, Any]
    name: str = ""
    catalog: str = ""
    tags: tuple[str, ...] = ()
    lods: tuple[int, ...] = ()
    columns: Mapping[str, str] = field(default_factory=dict)  # API option -> column it came from

    @property
    def label(self) -> str:
        """The objects' name: the ``name`` column, else the id."""
        return self.name or self.id


def read_batch(path: str | Path) -> list[BatchRow]:
    """Every row of a CSV or JSON Lines file; BatchFileError listing every problem."""
    rows, problems = read_rows(path)
    if problems:
        raise BatchFileError(str(path), problems)
    return rows


def read_rows(path: str | Path) -> tuple[list[BatchRow], list[RowProblem]]:
    """The good rows of a file and every problem of the others (the caller adds the problems
    only planning finds, e.g. an unknown model, and reports them all at once)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(f"Cannot read the batch file {path}: {exc.strerror or exc}.",
                              field="file") from None
    except UnicodeDecodeError:
        raise ValidationError(f"The batch file {path} is not UTF-8 text.", field="file") from None
    typed = _is_json_lines(path, text)
    records, problems = _json_lines(text) if typed else _csv_rows(text)
    rows, row_problems = parse_records(records, base=path.parent, typed=typed)
    problems += row_problems
    if not rows and not problems:
        problems.append(RowProblem(1, "id", "the file has no rows"))
    return rows, problems


def parse_records(records: Iterable[tuple[int, Mapping[str, Any]]], *,
                  base: Path | None = None,
                  typed: bool = True) -> tuple[list[BatchRow], list[RowProblem]]:
    """Rows from (line number, column -> value) records; every problem collected. ``typed``:
    the values are already what the API wants (JSON, Python); else they are CSV text."""
    rows: list[BatchRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for line, record in records:
        found: list[RowProblem] = []
        row = _row(line, record, found, base, typed)
        if row is not None and row.id in seen:
            found.append(RowProblem(line, "id", f"'{row.id}' is already used on row "
                                                f"{seen[row.id]}; ids must be unique"))
        if row is not None:
            seen.setdefault(row.id, line)
        problems += found
        if row is not None and not found:
            rows.append(row)
    return rows, problems


def _is_json_lines(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return True
    return path.suffix.lower() != ".csv" and text.lstrip().startswith("{")


def _json_lines(text: str) -> tuple[list[tuple[int, Mapping[str, Any]]], list[RowProblem]]:
    records: list[tuple[int, Mapping[str, Any]]] = []
    problems: list[RowProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(RowProblem(number, "-", f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(value, dict):
            problems.append(RowProblem(number, "-", "each line must be one JSON object"))
            continue
        records.append((number, value))
    return records, problems


def _csv_rows(text: str) -> tuple[list[tuple[int, Mapping[str, Any]]], list[RowProblem]]:
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "id" not in header:
        return [], [RowProblem(1, "id", "the header row needs an 'id' column")]
    reader.fieldnames = header
    records: list[tuple[int, Mapping[str, Any]]] = []
    for number, record in enumerate(reader, start=2):
        if None in record:
            return records, [RowProblem(number, "-", "more cells than header columns")]
        values = {k: v for k, v in record.items() if k and v is not None and v.strip() != ""}
        if values:
            records.append((number, values))
    return records, []


def _row(line: int, record: Mapping[str, Any], problems: list[RowProblem],
         base: Path | None, typed: bool) -> BatchRow | None:
    def bad(column: str, reason: str) -> None:
        problems.append(RowProblem(line, column, reason))

    raw_id = record.get("id")
    row_id = str(raw_id).strip() if raw_id is not None else ""
    if not row_id:
        bad("id", "every row needs an id (it makes reruns safe)")
    elif len(row_id) > 100 or not row_id.isprintable():
        bad("id", "an id is printable text of at most 100 characters")
    kind = str(record.get("kind") or "text-to-3d").strip()
    if kind not in BATCH_KINDS:
        bad("kind", f"'{kind}' is not one of {', '.join(BATCH_KINDS)}")
        return None
    allowed = request_options(kind)
    options: dict[str, Any] = {}
    columns: dict[str, str] = {}
    for column, value in record.items():
        if column in LIBRARY_COLUMNS:
            continue
        option = ALIASES.get(column, column)
        if column in CHAIN_COLUMNS:
            chained = _chain_value(column, value, bad)
            if chained is not None:
                options[column] = chained
        elif option in allowed:
            converted = value if typed else _value(option, value, bad, column)
            if option in PATH_OPTIONS and base is not None:
                converted = _resolve_paths(converted, base)
            options[option] = converted
            columns[option] = column
        else:
            hint = "" if column not in {o for k in BATCH_KINDS for o in request_options(k)} \
                else f" for {kind}"
            bad(column, f"unknown column{hint}; use an option Meshy documents for {kind}, "
                        "a chain column (remesh, rig, animations) or a library column "
                        "(name, catalog, tags, lods)")
    if kind == "text-to-3d" and not options.get("prompt"):
        bad("prompt", "a text-to-3d row needs a prompt")
    if kind == "image-to-3d" and not options.get("image_url"):
        bad("image", "an image-to-3d row needs an image (a file, URL or data URI)")
    if kind == "multi-image-to-3d" and not options.get("image_urls"):
        bad("images", "a multi-image-to-3d row needs 1-4 images")
    if kind in ("retexture", "remesh") and not (options.get("input_task_id")
                                                or options.get("model_url")):
        bad("input_task_id", f"a {kind} row needs input_task_id or model_url")
    lods = _lods(record.get("lods"), bad)
    tags = _tags(record.get("tags"), bad)
    catalog = str(record.get("catalog") or "").strip().strip("/")
    if catalog and any(not part.strip() for part in catalog.split("/")):
        bad("catalog", f"'{catalog}' has an empty part; write it like Props/Kitchen")
    if not row_id:
        return None
    return BatchRow(line, row_id, kind, options, str(record.get("name") or "").strip(),
                    catalog, tags, lods, columns)


def _value(option: str, value: str, bad: Any, column: str) -> Any:
    """A CSV cell as the API wants it."""
    text = value.strip()
    if option in TEXT_OPTIONS:
        return text
    if option in ("image_urls", "target_formats"):
        if text.startswith("["):
            return _json(text, bad, column)
        return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    try:
        return option_value(option, text, column)
    except json.JSONDecodeError as exc:
        bad(column, f"not valid JSON ({exc.msg})")
    except ValidationError as exc:
        bad(column, str(exc))
    return None


def option_value(option: str, text: str, shown: str) -> Any:
    """Text typed for API option ``option`` (a CSV cell, a command-line value): a switch must
    be exactly true/false/yes/no/1/0 (else ValidationError naming ``shown``, the column or flag
    the user typed), anything else as :func:`text_value` reads it."""
    if option in specs.BOOLEAN_OPTIONS:
        return validation.boolean_text(shown, text)
    return text_value(text)


def text_value(text: str) -> Any:
    """Typed text, as CSV cells and command-line options mean it: true/yes, false/no, JSON
    objects and lists, integers, decimals, else the text ("on" stays text: it is a value of
    options such as ``symmetry_mode``). Bad JSON raises JSONDecodeError."""
    text = text.strip()
    low = text.lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    if text[:1] in "[{":
        return json.loads(text)
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _json(text: str, bad: Any, column: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        bad(column, f"not valid JSON ({exc.msg})")
        return None


def _chain_value(column: str, value: Any, bad: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        low = text.lower()
        if low in ("true", "yes"):
            return {} if column != "animations" else None
        if low in ("false", "no", ""):
            return None
        if column == "animations" and not text.startswith("["):
            text = f"[{text}]"
        value = _json(text, bad, column)
        if value is None:
            return None
    if value is True:
        return {} if column != "animations" else bad(column, "list the action ids, e.g. [4, 12]")
    if value is False or value is None:
        return None
    if column == "animations":
        if not (isinstance(value, list) and value
                and all(isinstance(a, int) and not isinstance(a, bool) for a in value)):
            bad(column, "animations is a list of library action ids, e.g. [4, 12]")
            return None
        return value
    if not isinstance(value, dict):
        bad(column, f"{column} takes a JSON object of its options, e.g. {{}} or true")
        return None
    return value


def _lods(value: Any, bad: Any) -> tuple[int, ...]:
    if value in (None, ""):
        return ()
    parts = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    counts: list[int] = []
    for part in parts:
        try:
            count = int(str(part).strip())
        except ValueError:
            bad("lods", f"'{part}' is not a polygon count; write e.g. 20000,5000,1000")
            return ()
        if not 100 <= count <= 300_000:
            bad("lods", f"{count} is outside Meshy's remesh range (100-300000 polygons)")
            return ()
        counts.append(count)
    if len(counts) > MAX_LODS:
        bad("lods", f"at most {MAX_LODS} LODs per row")
        return ()
    if counts != sorted(counts, reverse=True):
        bad("lods", "list LODs from the most to the fewest polygons, e.g. 20000,5000,1000")
        return ()
    return tuple(counts)


def _tags(value: Any, bad: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    parts = value if isinstance(value, list) else str(value).split(",")
    tags = tuple(str(t).strip() for t in parts if str(t).strip())
    if any(len(t) > 63 for t in tags):
        bad("tags", "a tag is at most 63 characters")
        return ()
    return tags


def _resolve_paths(value: Any, base: Path) -> Any:
    """Local image/model paths relative to the batch file (URLs and data URIs stay)."""
    if isinstance(value, list):
        return [_resolve_paths(v, base) for v in value]
    if not isinstance(value, str) or "://" in value or value.startswith("data:"):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())
