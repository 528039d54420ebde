"""The rig check before rigging: 1 credit tells whether Meshy can rig a model (and as a biped
or a quadruped) before the 5-credit rig is paid.

Planning puts a ``rig-check`` step before every rig step unless the request says
``rig_check=False``; the runner keeps the check's answer as that step's ``report`` (journalled,
so a resumed job never asks again) and refuses the rig when the answer is "not riggable".
Meshy chooses biped or quadruped by itself (no request field: docs/meshy-api-v2.md A12); the
rig type the check (or the rig task) reports is kept on the job and the rigged object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..client import errors
from .model import Job, Step

CHECK_KIND = "rig-check"
CHECK_STEP = "rig_check"
OPTION = "rig_check"  # the request option that skips the check when False
RIG_TYPES = ("biped", "quadruped")


def wanted(value: Any) -> bool:
    """Whether ``rig_check=value`` asks for the check (on unless False; refused when not a
    yes/no)."""
    if value is None:
        return True
    if not isinstance(value, bool):
        raise errors.ValidationError("'rig_check' must be True or False (False rigs without "
                                     "the 1-credit check).", field=OPTION)
    return value


def check_step(source: dict[str, Any], links: dict[str, str] | None = None) -> Step:
    """The check of the model a rig step will rig: the same task id or file, or the same link."""
    options = {k: source[k] for k in ("input_task_id", "model_url") if source.get(k) is not None}
    return Step(CHECK_STEP, CHECK_KIND, options, links=dict(links or {}))


def step_report(kind: str, task: Any) -> dict[str, Any] | None:
    """What a finished step of ``kind`` keeps as its ``report``: the check's answer
    ``{"riggable": bool | None, "rig_type": str | None}``, a rig's ``{"rig_type": ...}`` when
    Meshy names it (v2 ``output`` read tolerantly, A11/A12); None for anything else."""
    result = getattr(task, "result", None) or {}
    if kind == CHECK_KIND:
        riggable = result.get("riggable")
        return {"riggable": riggable if isinstance(riggable, bool) else None,
                "rig_type": _rig_type(result.get("rig_type"))}
    rig_type = _rig_type(result.get("rig_type")) if kind == "rig" else None
    return {"rig_type": rig_type} if rig_type else None


def _rig_type(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) and value.lower() in RIG_TYPES else None


def refuse_unriggable(job: Job, step: Step) -> None:
    """Before a rig step is paid: stop when the job's check said the model cannot be rigged."""
    if step.kind != "rig":
        return
    for earlier in job.steps[:job.steps.index(step)]:
        if earlier.kind == CHECK_KIND and (earlier.report or {}).get("riggable") is False:
            raise errors.NotRiggableError()


def job_rig_type(job: Job) -> str | None:
    """The rig type the job learnt: its rig step's own report, else its check's."""
    return rig_type_in((s.kind, s.report) for s in job.steps)


def rig_type_in(steps: Iterable[tuple[Any, Any]]) -> str | None:
    """The rig type in (step kind, step report) pairs (a job or its journal snapshot): the
    rig's own answer first, then the check's."""
    reports = {kind: report for kind, report in steps if isinstance(report, dict)}
    for kind in ("rig", CHECK_KIND):
        found = _rig_type((reports.get(kind) or {}).get("rig_type"))
        if found:
            return found
    return None


def shown(report: dict[str, Any] | None) -> str:
    """The check's answer in words for the job's detail line."""
    if not report:
        return "rig check: done"
    if report.get("riggable") is False:
        return "rig check: Meshy cannot rig this model"
    kind = report.get("rig_type")
    return f"rig check: riggable as a {kind}" if kind else "rig check: riggable"
