"""Thread stress: our imports and exports beside other Python activity never crash Blender.

Why (docs/blender-bug-report.md): on Python 3.11, an operator called under
``context.temp_override`` while any other Python thread runs makes Blender read context members
without the GIL; memory is corrupted and Blender dies (SIGSEGV/SIGABRT) within seconds. The
add-on used to wrap every import and export in such an override, so its own download threads,
or any add-on's thread, crashed Blender. Each phase runs one real Blender process (the bpy
module, ``stress_child.py``) that imports a real GLB (a Khronos sample) and FBX (the emulator's,
made by Blender) through the add-on and exports a GLB for an upload, in a loop, beside:

- (a) ``downloads``: our own jobs downloading from the emulator (and imported by the pump);
- (b) ``busy-thread``: a pure-Python thread that never sleeps;
- (c) ``other-addon``: our downloads, plus another add-on's operator loop under
  ``temp_override`` between our imports.

Each phase crashes the code from before (its imports ran under an override while (a) our
download threads or (b) the busy thread held the GIL; in (c) the other add-on's override meets
our threads) and must not crash ours: our imports run in the caller's context, never under an
override. (b) is never combined with (c): another add-on's override beside a busy thread
crashes whatever we do, so it proves nothing about us. (c) needs no Python thread of ours in
Blender's process (downloads in a worker process, issue 21 part A); until then the child says
so and the phase is reported as skipped, not passed.

A crash (a signal, or faulthandler's "Fatal Python error") fails the phase with its stacks.
``code_root`` picks the checkout whose ``meshy_blender`` runs, so the same phases can be
pointed at older code (``python -m reliability --only stress --stress-code-root DIR``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from meshy_emu import TEST_MODE_KEY, ensure_assets

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("stress_child.py")
PHASES = ("downloads", "busy-thread", "other-addon")
GLB = ROOT / "tests" / "assets" / "khronos" / "03_skinned_cylinder.glb"
STACK_LINES = 60


@dataclass
class StressRow:
    phase: str
    blender: str
    seconds: float
    outcome: str = ""
    skipped: str = ""
    problems: list[str] = field(default_factory=list)
    stacks: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def fbx_sample() -> Path:
    """The emulator's textured model as FBX (written by Blender's own exporter)."""
    return Path(ensure_assets(python=sys.executable)) / "textured" / "model.fbx"


def crash_stacks(stderr: str) -> str:
    """faulthandler's report (every thread's stack) from a child's stderr, shortened."""
    at = stderr.find("Fatal Python error")
    if at < 0:
        return ""
    lines = [line for line in stderr[at:].splitlines()
             if not line.startswith("Extension modules")]
    return "\n".join(lines[:STACK_LINES])


def run_phase(emu: Any, phase: str, seconds: float, *, code_root: Path = ROOT) -> StressRow:
    """One child Blender running ``phase`` for ``seconds``; a crash is a failing row."""
    import bpy

    work = Path(tempfile.mkdtemp(prefix="meshy-stress-run-"))
    env = {**os.environ, "MESHY_API_KEY": TEST_MODE_KEY, "MESHY_API_BASE": emu.api_url,
           "MESHY_CACHE_DIR": str(work / "cache"), "BLENDER_USER_RESOURCES": str(work / "user")}
    env.pop("MESHY_STUDIO_CONFIG", None)
    cmd = [sys.executable, str(CHILD), "--phase", phase, "--seconds", str(seconds),
           "--code-root", str(code_root), "--glb", str(GLB), "--fbx", str(fbx_sample())]
    row = StressRow(phase, bpy.app.version_string, 0.0)
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True,
                              errors="replace", timeout=seconds + 120)
    except subprocess.TimeoutExpired:
        row.seconds = time.monotonic() - started
        row.problems.append(f"hung: still running after {seconds + 120:.0f} s")
        return row
    finally:
        shutil.rmtree(work, ignore_errors=True)
    row.seconds = time.monotonic() - started
    row.stacks = crash_stacks(proc.stderr)
    if proc.returncode < 0 or row.stacks:
        name = (signal.Signals(-proc.returncode).name if proc.returncode < 0
                else f"exit {proc.returncode}")
        row.problems.append(f"Blender crashed ({name}) after {row.seconds:.1f} s")
        return row
    summary = _summary(proc.stdout)
    if proc.returncode != 0 or summary is None or "error" in summary:
        error = (summary or {}).get("error") or proc.stderr.strip()[-500:]
        row.problems.append(f"exit {proc.returncode}: {error}")
        return row
    if summary.get("skipped"):
        row.skipped = str(summary["skipped"])
        row.outcome = "skipped: " + row.skipped
        return row
    row.outcome = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items()
                            if k not in ("phase", "seconds")) + f" in {summary['seconds']} s"
    if not summary.get("rounds"):
        row.problems.append("no import/export round finished")
    if phase != "busy-thread" and not summary.get("jobs_imported"):
        row.problems.append("no job of ours was downloaded and imported meanwhile")
    return row


def _summary(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                return dict(json.loads(line))
            except ValueError:
                return None
    return None


def run_stress(emu: Any, seconds_per_phase: float, *, code_root: Path = ROOT,
               progress: Callable[[StressRow], None] | None = None) -> list[StressRow]:
    rows = []
    for phase in PHASES:
        row = run_phase(emu, phase, seconds_per_phase, code_root=code_root)
        if progress is not None:
            progress(row)
        rows.append(row)
    return rows
