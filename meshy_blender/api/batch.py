"""A prop library from one file: every row a job, all running at once, safe to run again.

``api.batch("props.csv")`` reads and checks the whole file first (every problem reported with
its row and column; nothing sent), prices it, refuses it over ``max_credits`` or the studio
policy's caps, then submits every row through ``Runtime.submit`` with the job key
``<file name>:<row id>`` and pumps them together on the main thread. The job manager's adaptive
gate (jobs/concurrency.py) keeps as many tasks on Meshy as the account's queue takes.

Running the same file again pays nothing for rows that finished (their files are in the cache
and are imported again), resumes rows whose tasks exist, and creates tasks only for rows that
have none. A row changed since the last run is refused unless ``replace=True``.

``rows="1-50"`` runs one chunk of the file (rows counted 1..N, jobs/batch_rows.py): every chunk
reads and checks the whole file, so chunks run by different processes (a farm's tasks) agree on
the rows and their keys; a chunk run again, or overlapping another, pays nothing twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..client import errors
from ..identity import MAX_IN_FLIGHT_ENV
from ..jobs import model, money_gate
from ..jobs.batch_rows import rows_text, select_rows
from ..jobs.batchfile import BatchFileError, BatchRow, RowProblem, parse_records, read_rows
from ..jobs.concurrency import rate_for_tier, start_for_tier
from ..jobs.policy import CreditCapError
from ..jobs.request import JobRequest
from .batch_run import BatchRun
from .batch_types import BatchProgress, BatchResult, Planned, RowResult
from .session import runtime

if TYPE_CHECKING:
    from ..blender.core.runtime import Runtime


def batch(source: str | Path | Sequence[Mapping[str, Any]], *, name: str | None = None,
          dry_run: bool = False, max_credits: int | None = None, replace: bool = False,
          out_library: str | Path | None = None, tier: str | None = None,
          import_format: str | None = None, timeout: float | None = None,
          progress: Callable[[BatchProgress], None] | None = None,
          rows: str | None = None, max_in_flight: int | None = None) -> BatchResult:
    """Run a batch file (CSV / JSON Lines path) or a list of row dicts (then ``name`` is the
    key prefix); ``rows`` (``"1-50"``) runs only those rows; ``max_in_flight`` (else env
    MESHY_MAX_IN_FLIGHT, else the "Max Tasks on Meshy" preference, else the studio policy's
    ``max_in_flight``; 0: learn the queue) caps this session's live tasks. Raises
    BatchFileError (every problem), CreditCapError, the client's errors (ValidationError for
    rows outside the file); a failed row does not stop the others (see each RowResult)."""
    if isinstance(source, str | Path):
        every, problems = read_rows(source)
        name = name or Path(source).name
    else:
        every, problems = parse_records(enumerate(source, start=1))
        name = name or "batch"
    if problems and rows:  # a chunk needs the whole file good: every chunk counts the same rows
        raise BatchFileError(name, problems)
    chosen = select_rows(rows, len(every)) if rows else list(range(1, len(every) + 1))
    most = max_in_flight if max_in_flight is not None else _env_cap()
    if most is not None and most < 0:
        raise errors.ValidationError(f"--max-in-flight {most}: give a number of tasks (0 "
                                     "learns the queue)", field="max_in_flight")
    rt = runtime()
    if most is None:  # the "Max Tasks on Meshy" preference, else the studio policy's
        most = rt.settings.max_in_flight
    planned = _plan(rt, [every[n - 1] for n in chosen], name, import_format, replace,
                    problems)
    for index, p in zip(chosen, planned, strict=True):
        p.result.index = index
    result = BatchResult(name, [p.result for p in planned],
                         sum(p.result.estimate for p in planned),
                         sum(p.result.to_pay for p in planned), dry_run=dry_run,
                         file_rows=len(every), chunk=rows_text(chosen) if rows else "")
    _check_budget(rt, result, max_credits, dry_run)
    if dry_run:
        return result
    gate = rt.manager.concurrency
    if gate is not None and tier:
        gate.raise_start(start_for_tier(tier), rate_for_tier(tier))
    if gate is not None:
        gate.cap(most)  # 0: no cap (a flag's 0 lifts the preference's)
    _run(rt, planned, result, timeout, progress)
    if gate is not None:
        result.full_queue_answers = gate.full_answers
        result.queue_limit = gate.limit
    if out_library:
        from ..blender.scene import asset_library

        result.library = asset_library.save_library(
            Path(out_library), [(p.row, _imported(rt, p), _thumbnail(rt, p)) for p in planned
                                if p.result.status == "done"])
    return result


def _plan(rt: Runtime, rows: list[BatchRow], name: str, import_format: str | None,
          replace: bool, problems: list[RowProblem]) -> list[Planned]:
    """Plan every row (policy, validation, prices) and compare with the journal; every problem
    (with those of reading the file) is collected, and any problem refuses the whole batch
    before anything is sent."""
    problems = list(problems)
    retire: list[model.Job] = []
    planned: list[Planned] = []
    journal = rt.manager.journal
    for row in rows:
        request = JobRequest(row.kind, dict(row.options), row.label,
                             rt.settings.import_options(format=import_format),
                             job_key=f"{name}:{row.id}")
        try:
            job = rt.plan(request)
            lod_cost = _lod_cost(rt, row)
        except errors.MeshyError as exc:
            name_ = str(getattr(exc, "field", "") or "")
            column = row.columns.get(name_, name_ or "-")
            problems.append(RowProblem(row.row, column, str(exc)))
            continue
        job.fingerprint = model.fingerprint(job)
        estimate = job.estimated_credits + lod_cost
        try:
            rt.policy.check_cost(estimate)  # the studio's per-job cap covers the row's LODs too
        except errors.MeshyError as exc:
            problems.append(RowProblem(row.row, "lods" if row.lods else "-", str(exc)))
            continue
        to_pay = estimate
        existing = journal.find_key(request.job_key) if journal is not None else None
        if existing is not None and existing.fingerprint != job.fingerprint:
            if not replace:
                problems.append(RowProblem(row.row, "id", f"'{row.id}' changed since it was "
                                           f"run (job {existing.id}); run with --replace to "
                                           "make it again (and pay for it again)"))
                continue
            retire.append(existing)
        elif existing is not None:
            to_pay = sum(s.estimated_credits for s in existing.steps if not s.task_id)
            to_pay += 0 if existing.status == model.IMPORTED else lod_cost
        planned.append(Planned(row, request, job,
                                RowResult(row.id, row.row, estimate, to_pay=to_pay,
                                          catalog=row.catalog)))
    if problems:
        raise BatchFileError(name, sorted(problems, key=lambda p: p.row))
    for old in retire:
        _retire(rt, old)
    return planned


def _env_cap() -> int | None:
    """MESHY_MAX_IN_FLIGHT (None when unset): a farm sets it once for every worker sharing
    one account."""
    text = os.environ.get(MAX_IN_FLIGHT_ENV, "").strip()
    if not text:
        return None
    try:
        return max(0, int(text))
    except ValueError:
        raise errors.ValidationError(f"{MAX_IN_FLIGHT_ENV}={text!r} is not a number of tasks "
                                     "(e.g. 10; 0 learns the queue)",
                                     field="max_in_flight") from None


def _lod_cost(rt: Runtime, row: BatchRow) -> int:
    from ..jobs.plans import PLACEHOLDER_TASK_ID

    return sum(rt.plan(_lod_request(row, PLACEHOLDER_TASK_ID, n, "")).estimated_credits
               for n in row.lods)


def _lod_request(row: BatchRow, task_id: str, polycount: int, key: str) -> JobRequest:
    return JobRequest("remesh", {"input_task_id": task_id, "target_polycount": polycount,
                                 "target_formats": ["glb"]},
                      f"{row.label}_LOD{row.lods.index(polycount)}", job_key=key)


def _retire(rt: Runtime, existing: model.Job) -> None:
    """--replace: the old job keeps its files and task ids but gives up the row's key (in the
    journal and, when this session knows it, in memory)."""
    existing.job_key = rt.manager.retire_key(existing.id)  # the worker owns the journal locks


def _check_budget(rt: Runtime, result: BatchResult, max_credits: int | None,
                  dry_run: bool) -> None:
    """--max-credits and the studio policy's session budget, on the whole batch at once."""
    if max_credits is not None and result.to_pay > max_credits:
        raise CreditCapError(f"This batch would cost about {result.to_pay} credits, over "
                             f"--max-credits {max_credits}; nothing was sent.",
                             estimate=result.to_pay, cap=max_credits)
    from ..blender.core.runtime import session_spent

    rt.policy.check_cost(result.to_pay, session_spent())
    if dry_run or result.to_pay == 0:
        return
    gate = rt.manager.concurrency
    if gate is not None:  # the balance read counts in Meshy's request window like the creates
        gate.pacer.wait()
    money_gate.refuse_over_balance(result.to_pay, rt.client.balance(), "this batch")


def _run(rt: Runtime, planned: list[Planned], result: BatchResult, timeout: float | None,
         progress: Callable[[BatchProgress], None] | None) -> None:
    BatchRun(rt, planned, result, progress, _lod_request).run(timeout)


def _imported(rt: Runtime, p: Planned) -> Any:
    return rt.pump.results.get(p.result.job_id)


def _thumbnail(rt: Runtime, p: Planned) -> str | None:
    """Meshy's thumbnail of the row's result (its last step that downloaded one), if any."""
    from ..blender.scene.import_job import thumbnail_of

    job = rt.manager.get(p.result.job_id) if p.result.job_id else None
    return thumbnail_of(job.to_dict()) if job is not None else None
