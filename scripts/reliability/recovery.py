"""Recovery rows run as real processes (issue 26): a keyed rerun after SIGKILL at each step of a
chain whose prompt and job key look like secrets to a scrubber, lost or damaged key-index
entries, a damaged cached result, a dead writer's ``.part``, a refused redirect, and a script's
job another process takes over.

Same bench and judge as :mod:`.processes` (worker processes on one shared folder; no task
created twice, every charged task journalled, complete files for every finished job), plus
each row's own checks: the user's text byte for byte in the journal, and exactly the tasks one
run needs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from meshy_blender.client import verify
from meshy_blender.jobs import model

from . import harness as h
from .processes import Bench, ProcRow, _journal_has, closing, run_all, run_row

# What a scrubber would mangle: "bearer ..." and "Authorization: ..." in a prompt, a job key
# shaped like a key (``msy_...``). All of it must reach the journal and Meshy unchanged.
PROMPT = "a flag bearer with a red banner, ring bearer, Authorization: Bearer x"
KEY = "msy_shot_0070"
CHAIN_TASKS = 2  # the shape ("preview") + its remesh


def _step(name: str, status: str | None = None, with_task: bool = True,
          ) -> Callable[[model.Job], bool]:
    def reached(job: model.Job) -> bool:
        step = job.step(name)
        if status is not None and step.status != status:
            return False
        return bool(step.task_id) == with_task
    return reached


KILL_POINTS: dict[str, Callable[[model.Job], bool]] = {
    "while its preview is being created": _step("preview", model.STEP_CREATING, False),
    "once its preview exists": _step("preview"),
    "once its remesh exists": _step("remesh"),
    "while downloading": lambda j: j.status == model.DOWNLOADING,
    "once it is ready": lambda j: j.status == model.READY,
}


def keyed_rerun_after_kill(point: str) -> Callable[[Bench], str]:
    def scenario(b: Bench) -> str:
        if point.startswith("while its preview"):
            b.emu.set_fault("latency", 0.6)  # a window between "about to POST" and the answer
        proc = b.start("--submit", PROMPT, "--chain", "--key", KEY)
        if not b.kill_when(proc, _journal_has(b.ws, KILL_POINTS[point]), timeout=25):
            raise RuntimeError("the worker finished before it could be killed")
        b.emu.set_fault("latency", 0)
        if point.startswith("while its preview"):
            _wait_for_tasks(b, 1)  # the killed request reached Meshy: it must be found
        out = b.run("--submit", PROMPT, "--chain", "--key", KEY)
        created = len(h.created_tasks(b.emu))
        if created != CHAIN_TASKS:
            raise AssertionError(f"{created} tasks created for one keyed chain: {out}")
        _check_user_text(b)
        return f"killed {point}; the keyed rerun created {created - _before(point)} task(s): " \
               f"{', '.join(sorted(set(out['status'].values())))}"
    scenario.__doc__ = f"Keyed rerun after SIGKILL {point}: user text kept, 0 new tasks."
    return scenario


def _before(point: str) -> int:
    """Tasks that existed when the process was killed at ``point`` (the rerun made the rest)."""
    return 1 if "preview" in point else CHAIN_TASKS


def _wait_for_tasks(b: Bench, n: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while len(h.created_tasks(b.emu)) < n and time.monotonic() < deadline:
        time.sleep(0.02)


def _check_user_text(b: Bench) -> None:
    jobs = list(b.ws.journalled().values())
    if len(jobs) != 1:
        raise AssertionError(f"{len(jobs)} journalled jobs for one key")
    job = jobs[0]
    if job.job_key != KEY or job.step("preview").options.get("prompt") != PROMPT \
            or job.label != PROMPT:
        raise AssertionError(f"user text changed in the journal: {job.job_key!r}, "
                             f"{job.label!r}")
    sent = [t.get("prompt") for t in h.created_tasks(b.emu)
            if h.emulator_kind(t) == "text-to-3d-preview"]
    if sent != [PROMPT]:
        raise AssertionError(f"Meshy received the prompt as {sent!r}")


def index_entry(damage: str) -> Callable[[Bench], str]:
    def scenario(b: Bench) -> str:
        proc = b.start("--submit", PROMPT, "--key", KEY, "--hold", "30")
        if not b.kill_when(proc, _journal_has(b.ws, lambda j: bool(j.task_ids))):
            raise RuntimeError("the worker finished before it could be killed")
        entries = [p for p in (b.ws.journal / "keys").glob("*.json")]
        if not entries:
            raise AssertionError("no key-index entry was written")
        for entry in entries:
            if damage == "deleted":
                entry.unlink()
            else:
                entry.write_text("{ damaged", encoding="utf-8")
        out = b.run("--submit", PROMPT, "--key", KEY)
        if len(h.created_tasks(b.emu)) != 1:
            raise AssertionError(f"a second task was created: {out}")
        return f"index entry {damage}; the keyed rerun took the journalled job back " \
               f"({', '.join(sorted(set(out['status'].values())))})"
    scenario.__doc__ = f"A {damage} key-index entry never causes a second task."
    return scenario


def damaged_cached_file(b: Bench) -> str:
    """A result damaged in the cache after it finished: the keyed rerun's re-import verifies
    it and downloads it again from the recorded task (no task created)."""
    first = b.run("--submit", PROMPT, "--key", KEY)
    job = next(iter(b.ws.journalled().values()))
    glb = Path(next(p for p in job.files.values() if p.endswith(".glb")))
    glb.write_bytes(glb.read_bytes()[:200])
    before = len(b.emu.requests("assets"))
    out = b.run("--submit", PROMPT, "--key", KEY, "--reimport")
    if not verify.is_complete(glb) and not all(
            verify.is_complete(p) for p in b.ws.journalled()[job.id].files.values()):
        raise AssertionError("the damaged file was not fetched again")
    if len(h.created_tasks(b.emu)) != 1 or out["submitted"] != first["submitted"]:
        raise AssertionError(f"the rerun paid again: {out}")
    fetched = len(b.emu.requests("assets")) - before
    return f"damaged GLB fetched again ({fetched} asset request(s)), 0 tasks created"


def dead_writer_part(b: Bench) -> str:
    """A process killed mid-download leaves a ``.part``; the restarted job removes it at once
    (it is seconds old) and finishes."""
    b.emu.set_fault("asset_size_mb", 40)
    b.emu.set_fault("asset_latency", 0.05)
    proc = b.start("--submit", "a brass lantern")
    if not b.kill_when(proc, lambda: any(b.ws.cache.rglob("*.part"))):
        raise RuntimeError("the worker finished before it could be killed")
    b.emu.set_fault("asset_size_mb", 0)
    b.emu.set_fault("asset_latency", 0)
    out = b.run("--resume")
    left = [p.name for p in b.ws.cache.rglob("*.part")]
    if left:
        raise AssertionError(f"parts of the killed writer outlived the restarted job: {left}")
    return f"the killed writer's part was removed; {', '.join(sorted(set(out['status'].values())))}"


def refused_redirect(b: Bench) -> str:
    """A download redirected to file:// fails at once in words that say so, not retried as a
    network error; the paid task stays journalled for a later download."""
    b.emu.set_fault("redirect_to_file", 10)
    started = time.monotonic()
    out = b.run("--submit", "a wooden stool")
    seconds = time.monotonic() - started
    b.emu.set_fault("redirect_to_file", 0)
    job = next(iter(b.ws.journalled().values()))
    asset_requests = len(b.emu.requests("assets"))
    if job.status != model.FAILED or job.error is None or \
            job.error.type != "RefusedRedirectError" or "file://" not in job.error.message:
        raise AssertionError(f"the job did not fail as a refused redirect: {job.detail}")
    if asset_requests != 1:
        raise AssertionError(f"the refused redirect was requested {asset_requests} times")
    return f"failed at once ({seconds:.1f} s, 1 request): {job.error.message[:60]}..." \
           f" {out['status']}"


def script_job_offered(b: Bench) -> str:
    """A job a script (the API, the CLI) started, killed mid-run: the process that takes it
    over offers it ("restored") instead of importing it into its open file."""
    proc = b.start("--submit", "a clay pot", "--origin", model.ORIGIN_SCRIPT)
    if not b.kill_when(proc, _journal_has(b.ws, lambda j: bool(j.task_ids))):
        raise RuntimeError("the worker finished before it could be killed")
    out = b.run("--resume")
    events = [e for evs in out["events"].values() for e in evs]
    if events != ["restored"]:
        raise AssertionError(f"the taken-over script job was not only offered: {out}")
    return "finished by the next process and offered (restored), not imported"


SCENARIOS: dict[str, Callable[[Bench], str]] = {
    **{f"keyed rerun after SIGKILL {p}": keyed_rerun_after_kill(p) for p in KILL_POINTS},
    "key-index entry deleted": index_entry("deleted"),
    "key-index entry damaged": index_entry("damaged"),
    "damaged cached file, keyed rerun": damaged_cached_file,
    "part of a killed writer": dead_writer_part,
    "download redirected to file://": refused_redirect,
    "script's job taken over by another process": script_job_offered,
}
DONE: dict[str, tuple[str, ...]] = {
    "download redirected to file://": (model.FAILED,),
}


def run_scenario(emu: Any, name: str) -> ProcRow:
    return run_row(emu, name, lambda ws: closing(Bench(emu, ws), SCENARIOS[name]),
                   done=DONE.get(name, (model.READY, model.IMPORTED)))


def run_recovery(emu: Any, progress: Callable[[ProcRow], None] | None = None) -> list[ProcRow]:
    return run_all(emu, SCENARIOS, run_scenario, progress)
