"""What a batch run reports: each row's outcome (one ``--report`` line), the progress the
callback gets, and the whole batch's summary (the ``--json`` object)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..jobs import model
from ..jobs.batchfile import BatchRow
from ..jobs.request import JobRequest


@dataclass
class RowResult:
    """One row's outcome (one line of ``--report``)."""

    id: str
    row: int
    estimate: int
    status: str = "planned"  # planned, done, failed
    job_id: str = ""
    task_ids: dict[str, str] = field(default_factory=dict)
    credits: int = 0
    files: dict[str, str] = field(default_factory=dict)
    objects: list[str] = field(default_factory=list)
    error: str = ""
    to_pay: int = 0  # what this run would still pay for it (0 for a finished row)
    index: int = 0  # its place among the file's rows (1..N: what ``--rows`` counts)
    catalog: str = ""  # the row's asset catalog (a farm's last step writes every catalog once)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "row": self.row, "index": self.index, "status": self.status,
                "catalog": self.catalog, "job_id": self.job_id,
                "task_ids": self.task_ids, "credits": self.credits, "estimate": self.estimate,
                "files": self.files, "objects": self.objects, "error": self.error}


@dataclass
class BatchProgress:
    """What the progress callback gets: counts, credits and an ETA (None until one row ends)."""

    done: int
    failed: int
    running: int
    total: int
    credits: int
    elapsed: float
    eta: float | None
    queue_limit: int


@dataclass
class BatchResult:
    name: str
    rows: list[RowResult]
    estimate: int  # the whole file
    to_pay: int  # what this run sends for (rows with no task yet)
    dry_run: bool = False
    seconds: float = 0.0
    full_queue_answers: int = 0
    queue_limit: int = 0
    library: str = ""
    file_rows: int = 0  # rows in the whole file (a chunk runs some of them)
    chunk: str = ""  # the ``--rows`` this run ran ("" for the whole file)

    @property
    def done(self) -> int:
        return sum(r.status == "done" for r in self.rows)

    @property
    def failed(self) -> int:
        return sum(r.status == "failed" for r in self.rows)

    @property
    def credits(self) -> int:
        return sum(r.credits for r in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {"batch": self.name, "rows": len(self.rows), "done": self.done,
                "failed": self.failed, "credits": self.credits, "estimate": self.estimate,
                "to_pay": self.to_pay, "dry_run": self.dry_run,
                "seconds": round(self.seconds, 2), "full_queue_answers": self.full_queue_answers,
                "queue_limit": self.queue_limit, "library": self.library,
                "file_rows": self.file_rows, "chunk": self.chunk,
                "results": [r.as_dict() for r in self.rows]}

    def report_lines(self) -> list[dict[str, Any]]:
        """``--report``: one object per row, each naming its batch and the file's row count
        so chunk reports merge on their own (api/batch_report.py)."""
        return [{**r.as_dict(), "batch": self.name, "file_rows": self.file_rows}
                for r in self.rows]


@dataclass
class Planned:
    """A row with its request and planned job, before it runs."""

    row: BatchRow
    request: JobRequest
    job: model.Job
    result: RowResult
