"""Money-safety scenarios with real Blender processes running the CLI (`cli.main`), as a render
farm runs `blender -b --command meshy ...`: SIGKILL mid-step then a rerun with the same job key,
two Blender processes on one cache, and a rerun of a finished keyed job.

Each process is the bpy module (Blender itself) running ``meshy_blender.cli.main`` on one shared
cache folder against one emulator. A row checks, from the emulator's own task list and request
log and from the journal: no task created twice, every charged task journalled, the result
imported exactly once (one job per key, IMPORTED, one root object in the finishing run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from meshy_blender.jobs import model

from . import harness as h
from .processes import Bench, ProcRow, closing, run_all, run_row

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 90.0
# One Blender process: the CLI as Blender's command handler calls it, leaving without the bpy
# module's teardown (which can hang after a run, see README), with the CLI's exit code.
_BLENDER = """
import os, sys
sys.path.insert(0, {root!r})
import bpy
from meshy_blender import cli
code = cli.main(sys.argv[1:])
sys.stdout.flush(); sys.stderr.flush()
os._exit(code)
"""


class Farm(Bench):
    """One scenario's emulator, shared cache folder and Blender processes (each runs one CLI
    command); stopping them is the Bench's."""

    def __init__(self, emu: Any, ws: h.Workspace) -> None:
        super().__init__(emu, ws)
        self.user = Path(tempfile.mkdtemp(prefix="meshy-rel-blender-user-"))

    def start(self, *argv: str) -> subprocess.Popen[str]:
        env = {**os.environ, "MESHY_API_KEY": h.TEST_MODE_KEY, "MESHY_API_BASE": self.emu.api_url,
               "MESHY_CACHE_DIR": str(self.ws.root), "BLENDER_USER_RESOURCES": str(self.user)}
        env.pop("MESHY_STUDIO_CONFIG", None)
        proc = subprocess.Popen(
            [sys.executable, "-c", _BLENDER.format(root=str(ROOT)), *argv, "--json", "--quiet",
             "--clear-scene"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        self.procs.append(proc)
        return proc

    def cli(self, *argv: str) -> tuple[int, dict[str, Any]]:
        return outcome(self.start(*argv))

    def creates(self) -> int:
        return sum(1 for r in self.emu.requests("api") if r["method"] == "POST")

    def close(self) -> None:
        super().close()
        shutil.rmtree(self.user, ignore_errors=True)


def outcome(proc: subprocess.Popen[str]) -> tuple[int, dict[str, Any]]:
    """(exit code, the CLI's JSON object); raises with stderr when there is none."""
    out, err = proc.communicate(timeout=RUN_TIMEOUT)
    start = out.find("{\n")
    if start < 0:
        raise RuntimeError(f"Blender exited {proc.returncode} without JSON: {err.strip()[-600:]}")
    return proc.returncode, json.loads(out[start:])


def _journal_has(ws: h.Workspace, what: Callable[[model.Job], bool]) -> bool:
    try:
        return any(what(j) for j in ws.journalled().values())
    except Exception:
        return False


def _imported_once(code: int, data: dict[str, Any]) -> None:
    if code != 0 or len(data.get("root_objects") or []) != 1:
        raise AssertionError(f"expected one imported result, got exit {code}: {data}")


# A two-task chain on the command line: the shape, then a remesh of it (textured is one task).
SHAPE_THEN_REMESH = ("--should-texture", "false", "--remesh")


def sigkill_then_rerun(f: Farm) -> str:
    """`meshy text-to-3d --job-key` (a shape, then its remesh) killed mid-chain; the same
    command again finishes the chain from the paid shape and imports it once."""
    f.emu.store.task_seconds = 2.0
    argv = ("text-to-3d", "a brass lantern", *SHAPE_THEN_REMESH, "--job-key", "shot-010")
    proc = f.start(*argv)
    if not f.kill_when(proc, lambda: _journal_has(
            f.ws, lambda j: bool(j.task_ids.get("preview")) and j.status != model.IMPORTED),
            timeout=RUN_TIMEOUT):
        raise RuntimeError("Blender finished before it could be killed")
    f.emu.store.task_seconds = h.TASK_SECONDS
    preview = next(iter(f.ws.journalled().values())).task_ids["preview"]
    code, data = f.cli(*argv)
    _imported_once(code, data)
    if data["task_ids"].get("preview") != preview:
        raise AssertionError(f"the rerun did not resume the paid preview {preview}: {data}")
    return f"killed after paying the preview; the rerun resumed it: {sorted(data['task_ids'])}"


def two_blenders_one_cache(f: Farm) -> str:
    """Two Blender processes with their own keys at once on one cache, and a third with the
    first one's key while it runs: each job runs in exactly one process, the third is refused
    and sends no create."""
    f.emu.store.task_seconds = 5.0  # the first outlives the third's start-up, even under load
    first = f.start("text-to-3d", "a cup", "--should-texture", "false", "--job-key", "cup")
    second = f.start("text-to-3d", "a bowl", "--should-texture", "false", "--job-key", "bowl")
    deadline = time.monotonic() + RUN_TIMEOUT
    while not _journal_has(f.ws, lambda j: j.job_key == "cup" and bool(j.task_ids)):
        if time.monotonic() > deadline or first.poll() is not None:
            raise RuntimeError("the first Blender never journalled its task")
        time.sleep(0.01)
    code3, third = f.cli("text-to-3d", "a cup", "--should-texture", "false", "--job-key", "cup")
    if first.poll() is not None:
        raise RuntimeError("inconclusive: the first Blender ended before the third asked")
    results = [outcome(first), outcome(second)]
    cups = [t for t in f.emu.tasks() if t.get("prompt") == "a cup"]
    for code, data in results:
        _imported_once(code, data)
    if code3 == 0 or "another Blender process" not in third["error"]["message"]:
        raise AssertionError(f"the same key ran in two processes at once: {third}")
    if len(cups) != 1:
        raise AssertionError(f"'a cup' was created {len(cups)} times")
    ids = {d["job_id"] for _, d in results}
    return f"2 jobs in 2 processes ({len(ids)} distinct), the same key elsewhere refused " \
           "with nothing sent"


def rerun_finished(f: Farm) -> str:
    """A rerun of a finished keyed job sends no create and imports the cached result once."""
    argv = ("text-to-3d", "a wooden stool", "--should-texture", "false", "--job-key", "row-3")
    code, first = f.cli(*argv)
    _imported_once(code, first)
    before, assets = f.creates(), len(f.emu.requests("assets"))
    code, again = f.cli(*argv)
    _imported_once(code, again)
    if f.creates() != before or len(f.emu.requests("assets")) != assets:
        raise AssertionError("the rerun of a finished job sent a create or a download")
    if again["task_ids"] != first["task_ids"]:
        raise AssertionError(f"the rerun returned other tasks: {again} vs {first}")
    return "0 creates and 0 downloads on the rerun; imported from the cache"


def killed_without_a_key(f: Farm) -> str:
    """`meshy text-to-3d` (a shape, then its remesh) without a job key, SIGKILLed while its
    paid shape runs: its stderr already names the shape's task (printed within one pump tick of
    its creation), and `meshy resume ID --finish-chain` finishes the chain, paying only for the
    remesh."""
    f.emu.store.task_seconds = 2.0
    proc = f.start("text-to-3d", "a brass lantern", *SHAPE_THEN_REMESH)

    def preview_running() -> bool:  # mid-step: Meshy reports progress on the paid shape
        return any(h.emulator_kind(t) == "text-to-3d-preview" and int(t.get("progress") or 0)
                   >= 5 for t in f.emu.tasks())

    if not f.kill_when(proc, preview_running, timeout=RUN_TIMEOUT):
        raise RuntimeError("Blender finished before it could be killed")
    f.emu.store.task_seconds = h.TASK_SECONDS
    _, err = proc.communicate(timeout=RUN_TIMEOUT)
    preview = next(iter(f.ws.journalled().values())).task_ids["preview"]
    told = [json.loads(line) for line in err.splitlines() if '"task_created"' in line]
    if {"step": "preview", "task_id": preview, "event": "task_created"} not in told:
        raise AssertionError(f"the killed run never printed its paid task {preview}")
    code, data = f.cli("resume", preview, "--finish-chain")
    _imported_once(code, data)
    if data["task_ids"].get("preview") != preview or "remesh" not in data["task_ids"]:
        raise AssertionError(f"resume did not finish the chain from {preview}: {data}")
    return "the killed run had printed its shape's id; resume --finish-chain paid only the remesh"


SCENARIOS: dict[str, Callable[[Farm], str]] = {
    "Blender: SIGKILL mid-step, rerun with the job key": sigkill_then_rerun,
    "Blender: two processes on one cache": two_blenders_one_cache,
    "Blender: rerun of a finished keyed job": rerun_finished,
    "Blender: killed without a key, resumed by its printed task id": killed_without_a_key,
}


def run_scenario(emu: Any, name: str) -> ProcRow:
    return run_row(emu, name, lambda ws: closing(Farm(emu, ws), SCENARIOS[name]),
                   done=(model.IMPORTED,), extra=_one_job_per_key)


def _one_job_per_key(journal: dict[str, model.Job]) -> list[str]:
    keys = [j.job_key for j in journal.values()]
    return [f"one key journalled as several jobs: {keys}"] if len(keys) != len(set(keys)) else []


def run_blender_runs(emu: Any, progress: Callable[[ProcRow], None] | None = None
                     ) -> list[ProcRow]:
    return run_all(emu, SCENARIOS, run_scenario, progress)
