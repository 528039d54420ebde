"""Money-safety scenarios run as real processes: SIGKILL, two processes on one cache, cut
downloads, damaged journal files, reruns with a job key, a live owner left alone.

Each scenario starts worker processes (``python -m reliability.processes worker ...``, plain
Python: the client and jobs layers never need Blender) against one emulator and one shared
cache/journal folder, then judges the row like every other row of the report: no task created
twice, every charged task journalled, and the job's files complete in the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from meshy_blender.client import MeshyClient
from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job

from . import harness as h

ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 30.0


@dataclass
class ProcRow:
    scenario: str
    outcome: str
    tasks_created: int
    charged: int
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# -- the worker (one "Blender" process) -------------------------------------------------------

def worker(argv: list[str] | None = None) -> int:
    """Run jobs like one Blender process would; print a JSON summary on the last line."""
    p = argparse.ArgumentParser(prog="reliability.processes worker")
    p.add_argument("--api", required=True)
    p.add_argument("--root", type=Path, required=True)
    p.add_argument("--resume", action="store_true", help="resume orphaned journalled jobs")
    p.add_argument("--submit", action="append", default=[], help="prompt of a job to submit")
    p.add_argument("--chain", action="store_true",
                   help="a two-task chain: the shape, then a remesh of it")
    p.add_argument("--key", help="job key for the submitted job")
    p.add_argument("--hold", type=float, default=0.0, help="stay alive this long at the end")
    p.add_argument("--submit-at", type=float, default=0.0,
                   help="wall-clock time (time.time()) to submit at, to line processes up")
    p.add_argument("--origin", default="", help="Job.origin of submitted jobs ('script')")
    p.add_argument("--reimport", action="store_true",
                   help="import a finished job's cached result again (verifies it first)")
    args = p.parse_args(argv)
    ws = h.Workspace(args.root)
    client = MeshyClient(os.environ["MESHY_API_KEY"], args.api,
                         **{**h.FAST_CLIENT, "cache_dir": ws.cache})
    manager = ws.manager(client)
    out: dict[str, Any] = {"pid": os.getpid(), "resumed": [], "ready": [], "submitted": [],
                           "errors": []}
    jobs = []
    if args.resume:
        resumed, ready = manager.resume_from_journal()
        out["resumed"] = [j.id for j in resumed]
        out["ready"] = [j.id for j in ready]
        out["damaged"] = manager.journal.damaged_message() if manager.journal else ""
        jobs += resumed
    if args.submit_at:
        time.sleep(max(0.0, args.submit_at - time.time()))
    for prompt in args.submit:
        chain: dict[str, Any] = {"remesh": {}} if args.chain else {}
        job = plan_job("text-to-3d", {"prompt": prompt, "should_texture": False, **chain})
        job.job_key = args.key
        job.origin = args.origin
        try:
            job = manager.submit(job)
            if args.reimport and job.status in (model.READY, model.IMPORTED):
                manager.prepare_reimport(job.id)
        except Exception as exc:  # reported, judged by the scenario
            out["errors"].append(f"{type(exc).__name__}: {exc}")
            continue
        out["submitted"].append(job.id)
        print(json.dumps({"started": job.id}), flush=True)
        jobs.append(job)
    out["events"] = _wait_noting_events(manager, jobs)
    out["status"] = {j.id: j.status for j in jobs}
    print(json.dumps(out), flush=True)
    if args.hold:
        time.sleep(args.hold)
    manager.shutdown(cancel_running=False, wait=True)
    client.close()
    return 0


def _wait_noting_events(manager: Any, jobs: list[model.Job]) -> dict[str, list[str]]:
    """Like ``harness.wait_jobs``, keeping each job's "ready"/"restored" events (was it
    imported on its own, or only offered?)."""
    seen: dict[str, list[str]] = {}
    deadline = time.monotonic() + WORKER_TIMEOUT
    settle = None  # a worker posts "ready" a moment after it sets the status
    while time.monotonic() < deadline:
        for event in manager.drain():
            if event.type in ("ready", "restored"):
                seen.setdefault(event.job_id, []).append(event.type)
        if not any(job.is_active for job in jobs):
            settle = settle or time.monotonic() + 1.0
            if time.monotonic() > settle or all(
                    j.id in seen for j in jobs if j.status == model.READY):
                break
        time.sleep(0.01)
    return seen


# -- scenarios ----------------------------------------------------------------------------

class Bench:
    """One scenario's emulator, shared folder and worker processes."""

    def __init__(self, emu: Any, ws: h.Workspace) -> None:
        self.emu = emu
        self.ws = ws
        self.procs: list[subprocess.Popen[str]] = []

    def start(self, *args: str) -> subprocess.Popen[str]:
        env = {**os.environ, "MESHY_API_KEY": h.TEST_MODE_KEY,
               "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "scripts")])}
        proc = subprocess.Popen(
            [sys.executable, "-m", "reliability.processes", "worker", "--api", self.emu.api_url,
             "--root", str(self.ws.root), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        self.procs.append(proc)
        return proc

    def run(self, *args: str) -> dict[str, Any]:
        return summary(self.start(*args))

    def kill_when(self, proc: subprocess.Popen[str], ready: Callable[[], bool],
                  timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            if ready():
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.005)
        return False

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


def summary(proc: subprocess.Popen[str]) -> dict[str, Any]:
    """The worker's JSON summary (its last stdout line); raises with its stderr if it died."""
    out, err = proc.communicate(timeout=WORKER_TIMEOUT + 30)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"worker failed ({proc.returncode}): {err.strip()[-800:]}")
    return json.loads(lines[-1])


def _journal_has(ws: h.Workspace, what: Callable[[model.Job], bool]) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return any(what(j) for j in ws.journalled().values())
        except Exception:
            return False
    return check


def sigkill_mid_step(b: Bench) -> str:
    """Killed while the preview runs; the restart finishes the chain without paying again."""
    proc = b.start("--submit", "a brass lantern", "--chain")
    if not b.kill_when(proc, _journal_has(b.ws, lambda j: bool(j.step("preview").task_id))):
        raise RuntimeError("the worker finished before it could be killed")
    after = b.run("--resume")
    return f"killed, then resumed {len(after['resumed'])} job(s): {_statuses(after)}"


def two_processes_one_cache(b: Bench) -> str:
    """Three orphaned jobs, two processes resuming at once: each job is taken exactly once."""
    proc = b.start("--submit", "a cup", "--submit", "a bowl", "--submit", "a plate")
    if not b.kill_when(proc, _journal_has(
            b.ws, lambda j: len(b.ws.journalled()) >= 3
            and all(x.task_ids for x in b.ws.journalled().values()))):
        raise RuntimeError("the worker finished before it could be killed")
    # Both stay alive a while after their work, like two open Blender windows.
    first, second = b.start("--resume", "--hold", "2"), b.start("--resume", "--hold", "2")
    one, two = summary(first), summary(second)
    taken = one["resumed"] + one["ready"] + two["resumed"] + two["ready"]
    if len(taken) != len(set(taken)):
        raise AssertionError(f"a job was taken by both processes: {taken}")
    if len(set(taken)) != len(b.ws.journalled()):
        raise AssertionError(f"jobs left behind: took {taken} of {list(b.ws.journalled())}")
    return f"process 1 took {len(one['resumed'] + one['ready'])}, process 2 " \
           f"{len(two['resumed'] + two['ready'])}, none twice"


def live_owner_left_alone(b: Bench) -> str:
    """A job owned by a live process is never touched by another; once it dies, it is taken."""
    b.emu.store.task_seconds = 2.0
    owner = b.start("--submit", "a slow statue", "--hold", "30")
    deadline = time.monotonic() + 20
    while not _journal_has(b.ws, lambda j: bool(j.task_ids))() and time.monotonic() < deadline:
        time.sleep(0.01)
    other = b.run("--resume")
    if other["resumed"] or other["ready"]:
        raise AssertionError(f"another process took a live process's job: {other}")
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    b.emu.store.task_seconds = h.TASK_SECONDS
    after = b.run("--resume")
    if len(after["resumed"] + after["ready"]) != 1:
        raise AssertionError(f"the orphaned job was not taken over: {after}")
    return "left alone while its owner lived, taken over once it was killed"


def cut_download(fault: str) -> Callable[[Bench], str]:
    def scenario(b: Bench) -> str:
        b.emu.set_fault(fault, 1)
        out = b.run("--submit", "a wooden stool")
        return f"{fault}: {_statuses(out)}"
    scenario.__doc__ = f"A download cut by {fault} is fetched again, never cached as complete."
    return scenario


def damaged_journal(b: Bench) -> str:
    """Damaged journal files beside an orphaned job: set aside, named, the job resumes."""
    proc = b.start("--submit", "a clay pot")
    if not b.kill_when(proc, _journal_has(b.ws, lambda j: bool(j.task_ids))):
        raise RuntimeError("the worker finished before it could be killed")
    for name, text in (("job-0list.json", "[]"), ("job-0null.json", "null"),
                       ("job-0garbage.json", "\x00{not json"),
                       ("job-0stamp.json", json.dumps({"format": 1, "created_ms": "x"}))):
        (b.ws.journal / name).write_text(text, encoding="utf-8")
    out = b.run("--resume")
    if len(out["resumed"]) != 1 or "4 damaged" not in out.get("damaged", ""):
        raise AssertionError(f"damaged files blocked resuming or were not named: {out}")
    return f"4 files set aside and named; {_statuses(out)}"


def rerun_with_key(b: Bench) -> str:
    """A rerun with the same job key returns the journalled job; a different request under the
    same key is refused; neither pays."""
    first = b.run("--submit", "a copper kettle", "--key", "row-12")
    again = b.run("--submit", "a copper kettle", "--key", "row-12")
    other = b.run("--submit", "a silver kettle", "--key", "row-12")
    if again["submitted"] != first["submitted"]:
        raise AssertionError(f"the rerun made a new job: {first['submitted']} vs {again}")
    if not any("JobKeyConflictError" in err for err in other["errors"]):
        raise AssertionError(f"a different request under the same key was not refused: {other}")
    return "rerun returned the journalled job; a different request was refused"


def same_key_at_once(b: Bench) -> str:
    """Four processes submit one job key at the same instant (a farm that launched one row
    twice, two seats running one batch file): exactly one task is created."""
    at = time.time() + 1.5  # after every interpreter has started
    procs = [b.start("--submit", "a brass lamp", "--key", "row-3", "--submit-at", f"{at:.3f}")
             for _ in range(4)]
    outs = [summary(proc) for proc in procs]
    creates = len(h.created_tasks(b.emu))
    if creates != 1:
        raise AssertionError(f"{creates} tasks created for one job key: {outs}")
    ran = [o for o in outs if o["submitted"]]
    refused = [o for o in outs if any("JobOwnedError" in e for e in o["errors"])]
    if len(ran) + len(refused) != len(outs) or len({j for o in ran for j in o["submitted"]}) != 1:
        raise AssertionError(f"the processes did not agree on one job: {outs}")
    return f"1 task created; {len(ran)} process(es) followed the job, {len(refused)} were told " \
           "another process runs it"


SCENARIOS: dict[str, Callable[[Bench], str]] = {
    "SIGKILL mid-step, then restart": sigkill_mid_step,
    "two processes resume one crashed journal": two_processes_one_cache,
    "job of a live process left alone": live_owner_left_alone,
    **{f"download cut: {f}": cut_download(f)
       for f in ("lying_length", "close_delimited_cut", "gzip_cut", "truncate_download")},
    "damaged journal files": damaged_journal,
    "rerun with a job key": rerun_with_key,
    "four processes submit one job key at once": same_key_at_once,
}


B = TypeVar("B", bound=Bench)


def run_scenario(emu: Any, name: str) -> ProcRow:
    return run_row(emu, name, lambda ws: closing(Bench(emu, ws), SCENARIOS[name]))


def closing(bench: B, scenario: Callable[[B], str]) -> str:
    """``scenario(bench)``, its processes stopped afterwards whatever happens."""
    try:
        return scenario(bench)
    finally:
        bench.close()


def run_row(emu: Any, name: str, body: Callable[[h.Workspace], str], *,
            done: tuple[str, ...] = (model.READY, model.IMPORTED),
            extra: Callable[[dict[str, model.Job]], list[str]] | None = None) -> ProcRow:
    """Run one scenario ``body`` on a reset emulator and a fresh shared folder, then judge it
    from the emulator's tasks and the journal: no task created twice, every charged task
    journalled, every job ended in ``done`` (plus ``extra`` checks of the journal)."""
    emu.reset()
    ws = h.Workspace()
    started = time.monotonic()
    problems: list[str] = []
    outcome = ""
    try:
        outcome = body(ws)
    except Exception as exc:
        problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        emu.store.task_seconds = h.TASK_SECONDS
    created = h.created_tasks(emu)
    paid = h.charged(created)
    journal = ws.journalled()
    problems += h.paid_problems(paid, journal) + h.duplicate_problems(paid, journal)
    problems += [f"job {j.id} ended {j.status}: {j.detail}" for j in journal.values()
                 if j.status not in done]
    if extra is not None:
        problems += extra(journal)
    ws.remove()
    return ProcRow(name, outcome, len(created), len(paid), time.monotonic() - started, problems)


def run_all(emu: Any, names: Iterable[str], run: Callable[[Any, str], ProcRow],
            progress: Callable[[ProcRow], None] | None = None) -> list[ProcRow]:
    rows = []
    for name in names:
        row = run(emu, name)
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows


def run_processes(emu: Any, progress: Callable[[ProcRow], None] | None = None) -> list[ProcRow]:
    return run_all(emu, SCENARIOS, run_scenario, progress)


def _statuses(out: dict[str, Any]) -> str:
    return ", ".join(sorted(set(out.get("status", {}).values()))) or "nothing run"


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        sys.exit(worker(sys.argv[2:]))
    sys.exit("usage: python -m reliability.processes worker ...")
