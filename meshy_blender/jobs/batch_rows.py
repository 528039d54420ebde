"""Row chunks of a batch file (``--rows 1-50``): which rows a farm task runs, and the
shortest ``--rows`` text for a set of rows (what a merged report says still needs a run).

Rows are counted 1..N in file order (the first row under a CSV header is row 1; blank lines
and JSON Lines comments do not count), so a farm splits a file by its row count alone. Pure
Python.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..client.errors import ValidationError


def select_rows(spec: str, total: int) -> list[int]:
    """The row numbers (1-based, in order, once each) that ``spec`` names: ``A-B``, ``A``,
    ``A-`` (to the end) or a comma list of those. A row outside 1..total is refused."""
    chosen: set[int] = set()
    for part in str(spec).replace(" ", "").split(","):
        if not part:
            continue
        first, dash, last = part.partition("-")
        try:
            start = int(first)
            end = (int(last) if last else total) if dash else start
        except ValueError:
            raise ValidationError(f"--rows '{spec}': write rows as A-B, e.g. 1-50 or 1-50,61",
                                  field="rows") from None
        if start < 1 or end < start:
            raise ValidationError(f"--rows '{spec}': '{part}' is not a range of rows "
                                  "(rows count from 1, the first row after the header)",
                                  field="rows")
        if end > total:
            raise ValidationError(f"--rows '{spec}': the file has {total} rows (1-{total}); "
                                  f"row {end} is not in it", field="rows")
        chosen.update(range(start, end + 1))
    if not chosen:
        raise ValidationError(f"--rows '{spec}' names no rows; write e.g. 1-50", field="rows")
    return sorted(chosen)


def rows_text(rows: Iterable[int]) -> str:
    """The shortest ``--rows`` value for these row numbers, e.g. ``3-5,9``."""
    ordered = sorted(set(rows))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(parts)
