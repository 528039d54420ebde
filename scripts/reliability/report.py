"""Markdown tables for out/reliability/report.md, straight from the rows the runs produced."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from .bad_inputs import BadInputRow
from .matrix import Row
from .processes import ProcRow
from .security import Check
from .soak import SoakResult
from .thread_stress import ROOT, StressRow


def _cell(text: Any, limit: int = 220) -> str:
    value = " ".join(str(text).split()).replace("|", "\\|")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def matrix_section(rows: Sequence[Row]) -> list[str]:
    outcomes = Counter(r.outcome for r in rows)
    lines = ["## Fault matrix", "",
             f"{len(rows)} rows: " + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
             + f"; {sum(not r.ok for r in rows)} failing. \"tasks\" is tasks created on the "
             "emulator / tasks charged (not refunded); every charged task is in a journal, and "
             "a clear error that left paid work behind was retried without the fault and "
             "finished without paying again.", "",
             "| fault | mode | outcome | message shown to the user | tasks | s |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        outcome = r.outcome if r.ok else f"**{r.outcome}**: {'; '.join(r.problems)}"
        lines.append(f"| {_cell(r.fault)} | {r.mode} | {_cell(outcome, 400)} | "
                     f"{_cell(r.message)} | {r.tasks_created}/{r.charged} | {r.seconds:.1f} |")
    return [*lines, ""]


def soak_section(result: SoakResult) -> list[str]:
    lines = ["## Soak", "",
             f"{result.jobs} jobs, concurrency {result.concurrency}, seed **{result.seed}** "
             f"(replay: `python -m reliability --only soak --seed {result.seed}`), "
             f"{result.seconds:.0f} s, {result.restarts} simulated restarts (new JobManager on "
             f"the same journal), {sum(result.faults.values())} faults injected, "
             f"{result.charged_tasks} charged tasks, {result.retried} failed jobs with paid work "
             "retried after the faults stopped.", "",
             "| jobs by mode | count |", "| --- | --- |"]
    lines += [f"| {mode} | {n} |" for mode, n in result.modes.most_common()]
    lines += ["", "| final state | count |", "| --- | --- |"]
    lines += [f"| {state} | {n} |" for state, n in result.outcomes.most_common()]
    lines += ["", "| fault injected | times |", "| --- | --- |"]
    lines += [f"| {name} | {n} |" for name, n in result.faults.most_common()]
    if result.errors:
        lines += ["", "| error shown for a failed job | jobs |", "| --- | --- |"]
        lines += [f"| {_cell(msg)} | {n} |" for msg, n in result.errors.most_common()]
    lines += ["", "Every job accounted for: " + ("yes" if result.ok else
                                                 "**no**: " + _cell("; ".join(result.problems),
                                                                    1500)), ""]
    return lines


def bad_input_section(rows: Sequence[BadInputRow]) -> list[str]:
    lines = ["## Bad inputs", "",
             f"{len(rows)} bad inputs, each run through the headless API "
             "(`meshy_blender.api`, the runtime the sidebar uses); \"tasks\" counts tasks created "
             "before the refusal (0: nothing charged).", "",
             "| area | bad input | error | message shown to the user | tasks |",
             "| --- | --- | --- | --- | --- |"]
    for r in rows:
        error = r.error if r.ok else f"**{r.error}** (not a clean refusal)"
        lines.append(f"| {r.area} | {_cell(r.bad_input)} | {error} | {_cell(r.message, 400)} | "
                     f"{r.tasks_created} |")
    return [*lines, ""]


def security_section(checks: Sequence[Check]) -> list[str]:
    lines = ["## Security checks", "", "| check | result | evidence |", "| --- | --- | --- |"]
    lines += [f"| {c.name} | {'PASS' if c.passed else '**FAIL**'} | {_cell(c.detail, 500)} |"
              for c in checks]
    return [*lines, ""]


def processes_section(rows: Sequence[ProcRow]) -> list[str]:
    lines = ["## Processes (never pay twice, never lose a paid result)", "",
             f"{len(rows)} scenarios run as real processes sharing one cache and journal "
             f"folder (SIGKILL, concurrent start-ups, reruns); {sum(not r.ok for r in rows)} "
             "failing. Worker rows run the jobs layer; \"Blender:\" rows run real Blender "
             "processes (the bpy module) executing `meshy` CLI commands with a job key. Each row "
             "checks: no task created twice, every charged task journalled, every job READY "
             "with complete files (Blender rows: IMPORTED, the result imported once). "
             "\"tasks\" is created / charged.", "",
             "| scenario | outcome | tasks | s |", "| --- | --- | --- | --- |"]
    for r in rows:
        outcome = r.outcome if r.ok else f"**FAIL**: {'; '.join(r.problems)}"
        lines.append(f"| {_cell(r.scenario)} | {_cell(outcome, 500)} | "
                     f"{r.tasks_created}/{r.charged} | {r.seconds:.1f} |")
    return [*lines, ""]


def stress_section(rows: Sequence[StressRow], code_root: Any = ROOT) -> list[str]:
    code = "this checkout" if code_root == ROOT else f"the code in `{code_root}`"
    lines = ["## Thread stress (no native crash beside other Python)", "",
             f"{len(rows)} phases, each a real Blender process running {code}: imports of a "
             "Khronos GLB and the emulator's FBX and a GLB export for upload, in a loop, beside "
             "our downloads, a busy pure-Python thread, or another add-on's `temp_override` "
             "operator loop (see scripts/reliability/thread_stress.py). A crash fails the row "
             "with its stacks; a skipped phase says what it waits for.", "",
             "| phase | Blender | outcome | s |", "| --- | --- | --- | --- |"]
    for r in rows:
        outcome = r.outcome if r.ok else f"**FAIL**: {'; '.join(r.problems)}"
        lines.append(f"| {r.phase} | {r.blender} | {_cell(outcome, 400)} | {r.seconds:.1f} |")
    crashed = [r for r in rows if r.stacks]
    for r in crashed:
        lines += ["", f"Stacks of the `{r.phase}` crash:", "", "```", r.stacks, "```"]
    return [*lines, ""]


def render(header: Sequence[str], sections: Sequence[Sequence[str]]) -> str:
    return "\n".join([*header, *(line for section in sections for line in section)])
