"""One report from a batch's chunk reports (``meshy batch-merge``): what a farm ran, and the
exact ``--rows`` still to run.

Each ``--report`` line names its batch, its row (``index``, 1..N) and the file's row count, so
the merge needs only the reports. A row reported by several chunks (a chunk run again, chunks
that overlapped) counts once: its best outcome wins (done, then failed, then unfinished; a
later report of the same rank wins). A row no report names (its chunk died before writing
one) still needs a run. Merging is pure Python (no network); writing the catalogs uses
Blender's asset module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..client.errors import ValidationError
from ..jobs.batch_rows import rows_text

_RANK = {"done": 3, "failed": 2}  # anything else (unfinished, planned) ranks lowest


@dataclass
class MergedReport:
    batch: str
    file_rows: int
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)  # index -> best line

    @property
    def to_run(self) -> list[int]:
        """Rows not done: failed, unfinished or never reported."""
        return [n for n in range(1, self.file_rows + 1)
                if self.rows.get(n, {}).get("status") != "done"]

    def as_dict(self) -> dict[str, Any]:
        lines = list(self.rows.values())
        rerun = rows_text(self.to_run)
        return {"batch": self.batch, "file_rows": self.file_rows, "reported": len(lines),
                "done": sum(r.get("status") == "done" for r in lines),
                "failed": sum(r.get("status") == "failed" for r in lines),
                "credits": sum(int(r.get("credits") or 0) for r in lines),
                "files": sum(len(r.get("files") or {}) for r in lines),
                "to_run": rerun, "rerun": f"--rows {rerun}" if rerun else ""}


def merge_reports(paths: Sequence[str | Path]) -> MergedReport:
    """Merge chunk reports (JSON Lines from ``meshy batch --report``; a folder stands for the
    ``*.jsonl`` files in it) of one batch file."""
    merged: MergedReport | None = None
    for path in _report_files(paths):
        for number, line in enumerate(_lines(Path(path)), start=1):
            try:
                row = json.loads(line)
                index, batch, total = int(row["index"]), str(row["batch"]), int(row["file_rows"])
            except (ValueError, KeyError, TypeError):
                raise ValidationError(f"{path}, line {number}: not a line of a batch report "
                                      "(meshy batch --report writes them)",
                                      field="reports") from None
            if merged is None:
                merged = MergedReport(batch, total)
            elif (batch, total) != (merged.batch, merged.file_rows):
                raise ValidationError(f"{path} reports batch '{batch}' ({total} rows), not "
                                      f"'{merged.batch}' ({merged.file_rows} rows); merge the "
                                      "reports of one batch file", field="reports")
            best = merged.rows.get(index)
            if best is None or _rank(row) >= _rank(best):
                merged.rows[index] = row
    if merged is None:
        raise ValidationError("The reports hold no rows; nothing to merge.", field="reports")
    merged.rows = dict(sorted(merged.rows.items()))
    return merged


def write_report(merged: MergedReport, out: str | Path) -> None:
    """The merged report: one JSON line per reported row, in file order."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in merged.rows.values()),
                   encoding="utf-8")


def write_catalogs(merged: MergedReport, folder: str | Path) -> str:
    """The asset catalogs of every reported row, written once into the library folder (chunks
    save their libraries in folders of their own, so no two processes write one cats file)."""
    from ..blender.scene import assets

    catalogs = sorted({str(r.get("catalog") or "") for r in merged.rows.values()} - {""})
    return str(assets.write_catalogs(Path(folder), catalogs))


def _report_files(paths: Sequence[str | Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return files


def _rank(line: dict[str, Any]) -> int:
    return _RANK.get(str(line.get("status")), 0)


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Cannot read the report {path}: {exc.strerror or exc}.",
                              field="reports") from None
    return [line for line in text.splitlines() if line.strip()]
