"""``meshy batch FILE``: a prop library from a CSV / JSON Lines file (see api/batch.py).

A one-line progress display on stderr (done/failed/running, credits, ETA, the queue limit the
gate has learnt), ``--json`` for one summary object, ``--report FILE`` for one JSON line per row.
Exit code 0 only when every row is done; a failed row gives the task-failed code.
``--rows A-B`` runs one chunk (a farm task); ``meshy batch-merge`` merges the chunks' reports
and names the ``--rows`` still to run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..client import errors

EXAMPLE = "props.csv --max-credits 2000 --out-library props.blend --report props.jsonl"
MERGE_EXAMPLE = "props-report.jsonl reports/props-*.jsonl"


def add_parser(add: Any) -> None:
    """The ``batch`` subcommand's options (``add`` is build_parser's sub-parser factory)."""
    p = add("batch", "Run every row of a CSV or JSON Lines file as a job, at the account's "
                     "full queue speed; safe to run again (finished rows cost nothing).", EXAMPLE)
    p.add_argument("file", type=Path, help="CSV (header row) or JSON Lines; one row per prop")
    p.add_argument("--rows", metavar="A-B",
                   help="run only these rows (1 is the first row; e.g. 1-50 or 51-): one chunk "
                        "of a batch split over several processes or farm tasks")
    p.add_argument("--dry-run", action="store_true",
                   help="check the file and print the estimate per row; send nothing")
    p.add_argument("--max-credits", type=int, metavar="N",
                   help="refuse to start when the batch would cost more than N credits")
    p.add_argument("--replace", action="store_true",
                   help="run rows that changed since the last run again (pays for them again)")
    p.add_argument("--out-library", type=Path, metavar="FILE.blend",
                   help="save every result as an asset (catalog and tags from its row)")
    p.add_argument("--report", type=Path, metavar="FILE", help="write one JSON line per row")
    p.add_argument("--max-in-flight", type=int, metavar="N",
                   help="keep at most N tasks of this process on Meshy (workers sharing one "
                        "account each take a share; default env MESHY_MAX_IN_FLIGHT, else "
                        "the queue is learnt; 0: learn it)")
    p.add_argument("--tier", choices=("pro", "premium", "ultra", "studio", "enterprise"),
                   type=str.lower,
                   help="the account's plan: where concurrency starts (it adapts anyway)")
    p.add_argument("--import-format", choices=("GLB", "FBX"), type=str.upper,
                   help="download and import this format (default: preferences, GLB)")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop waiting after this long (exit 7; run again to resume)")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    m = add("batch-merge", "Merge the --report files of a batch's chunks into one report and "
                           "name the rows still to run (the exact --rows).", MERGE_EXAMPLE)
    m.add_argument("merged", type=Path, metavar="OUT", help="the merged report to write")
    m.add_argument("reports", type=Path, nargs="+", metavar="REPORT",
                   help="chunk reports (meshy batch --rows ... --report FILE), or folders "
                        "of them")
    m.add_argument("--catalogs", type=Path, metavar="FOLDER",
                   help="write every row's asset catalog into this library folder's "
                        "blender_assets.cats.txt (once, after the chunks)")
    m.add_argument("--json", action="store_true", help="print one JSON summary object")


def run_batch(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    result = api.batch(args.file, dry_run=args.dry_run, max_credits=args.max_credits,
                       replace=args.replace, out_library=args.out_library, tier=args.tier,
                       import_format=args.import_format, timeout=args.timeout,
                       progress=None if args.quiet else _show, rows=args.rows,
                       max_in_flight=args.max_in_flight)
    if not args.quiet and not args.dry_run:
        print(file=sys.stderr)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text("".join(json.dumps(line, sort_keys=True) + "\n"
                                       for line in result.report_lines()), encoding="utf-8")
    summary = result.as_dict()
    if args.dry_run:
        summary["results"] = [{"id": r.id, "row": r.row, "index": r.index,
                               "estimate": r.estimate, "to_pay": r.to_pay} for r in result.rows]
    if result.failed:
        first = next(r for r in result.rows if r.status == "failed")
        raise BatchRowsFailed(f"{result.failed} of {len(result.rows)} rows failed (first: row "
                              f"{first.row} '{first.id}': {first.error}); run the file again "
                              "to retry them without paying for finished rows.", summary)
    return summary


def run_batch_merge(api: Any, args: argparse.Namespace) -> dict[str, Any]:
    """``meshy batch-merge OUT REPORT...``: exit 0 only when every row of the file is done."""
    from ..api.batch_report import merge_reports, write_catalogs, write_report

    merged = merge_reports(args.reports)
    write_report(merged, args.merged)
    summary = {**merged.as_dict(), "report": str(args.merged)}
    if args.catalogs:
        summary["catalogs"] = write_catalogs(merged, args.catalogs)
    if merged.to_run:
        raise BatchRowsFailed(f"{len(merged.to_run)} of {merged.file_rows} rows of "
                              f"{merged.batch} are not done; run them with: meshy batch "
                              f"{merged.batch} {summary['rerun']}", summary)
    return summary


class BatchRowsFailed(errors.TaskFailedError):
    """Some rows failed; the summary (what did finish) is still printed."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        self.summary = summary
        super().__init__(message)


def _show(p: Any) -> None:
    eta = f"ETA {p.eta:4.0f} s" if p.eta is not None else "ETA    -"
    print(f"\r{p.done}/{p.total} done, {p.failed} failed, {p.running} running, "
          f"{p.credits} credits, {eta}, queue {p.queue_limit}  ", end="", file=sys.stderr,
          flush=True)
