"""Run one benchmark in its own process with a timeout; never retry.

A benchmark that exits non-zero or writes no figures is FAILED; one that outlives its timeout is
HUNG (its whole process group, emulator included, is killed). Either way the report shows it and
`make bench` exits non-zero: a hang is a bug to look at, not noise to retry away.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .emulator import ROOT

OK, FAILED, HUNG = "OK", "FAILED", "HUNG"
MODULE_PREFIX = "bench."  # benchmark name -> module (tests point it at their own modules)


def run_bench(name: str, args: list[str], json_path: Path, timeout: float) -> dict[str, Any]:
    """{"name", "status", "seconds", "timeout", "data" (the figures, or None if none were
    written), "log" (output tail when not OK)}."""
    json_path.unlink(missing_ok=True)
    path = [str(ROOT / "scripts"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in path if p))
    module = MODULE_PREFIX + name
    cmd = [sys.executable, "-m", module, "--json", str(json_path), *args]
    print(f"$ python -m {module} {' '.join(args)}".rstrip(), flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        status = OK if proc.returncode == 0 and json_path.is_file() else FAILED
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        status = HUNG
    seconds = time.monotonic() - started
    # A benchmark that found a failure still writes what it measured; a hung one wrote nothing.
    data = json.loads(json_path.read_text()) if json_path.is_file() else None
    for line in out.splitlines():
        if line.startswith("bench:"):
            print("  " + line[6:].strip(), flush=True)
    print(f"  {status} in {seconds:.0f} s" + (f" (timeout {timeout:.0f} s)" if status == HUNG
                                             else ""), flush=True)
    tail = "" if status == OK else out[-3000:]
    if tail:
        print(tail, flush=True)
    return {"name": name, "status": status, "seconds": seconds, "timeout": timeout,
            "data": data, "log": tail}


def write_json(path: Path | None, data: dict[str, Any]) -> None:
    """A benchmark's figures, written only once it finished (so a crash leaves no file)."""
    if path is None:
        print(json.dumps(data, indent=2))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))


def say(text: str) -> None:
    """One progress line the runner echoes (prefixed so Blender's own output is ignored)."""
    print(f"bench: {text}", flush=True)
