"""Start this package's helper processes with Blender's own Python: the jobs worker
(:mod:`.remote`) and the one-shot retention prune the start-up timer launches.

A small standard-library module of its own because Blender's main thread imports it at every
start (to launch the prune): the worker, its pipe and the job model load only when a worker is
first needed. Processes told to exit are kept here until reaped; at interpreter exit every one
is waited for (bounded), so no child outlives its parent's teardown.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# Run as ``python -c BOOT <package folder> [mode args]``: loads the package under a private
# name (its relative imports then work) and runs jobs/worker.py's ``main``. Standard library
# only.
BOOT = (
    "import importlib, importlib.util, os, sys\n"
    "folder = sys.argv[1]\n"
    "name = '_meshy_worker_' + os.path.basename(folder).replace('-', '_')\n"
    "spec = importlib.util.spec_from_file_location(name, os.path.join(folder, '__init__.py'),"
    " submodule_search_locations=[folder])\n"
    "package = importlib.util.module_from_spec(spec)\n"
    "sys.modules[name] = package\n"
    "spec.loader.exec_module(package)\n"
    "sys.exit(importlib.import_module(name + '.jobs.worker').main())\n"
)
PACKAGE_FOLDER = str(Path(__file__).resolve().parents[1])
STOP_WAIT_S = 5.0
# Windows: no console window, and below Blender's priority (POSIX: the worker lowers its own).
CREATION_FLAGS = (getattr(subprocess, "CREATE_NO_WINDOW", 0)
                  | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0))

# Processes told to exit (or one-shot ones), to be reaped.
EXITING: list[subprocess.Popen[bytes]] = []


def start(*args: str, **popen: Any) -> subprocess.Popen[bytes]:
    """``python -c BOOT <package folder> *args`` with Blender's Python (``sys.executable``)."""
    return subprocess.Popen([sys.executable, "-c", BOOT, PACKAGE_FOLDER, *args],
                            close_fds=True, creationflags=CREATION_FLAGS, **popen)


def prune_in_process(journal_dir: str | Path, cache_dir: str | Path,
                     rules: Any) -> subprocess.Popen[bytes]:
    """Apply the retention ``rules`` (jobs/retention_rules.py) in a short-lived process of its
    own: deleting old jobs' files never costs Blender's process a thread or a stall. Reaped
    later."""
    arguments = json.dumps({"journal_dir": str(journal_dir), "cache_dir": str(cache_dir),
                            "keep_days": rules.keep_days, "keep_jobs": rules.keep_jobs})
    process = start("prune", arguments, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    EXITING.append(process)
    return process


def reap() -> None:
    """Collect the processes that exited (no zombie processes)."""
    EXITING[:] = [p for p in EXITING if p.poll() is None]


def stop(process: subprocess.Popen[bytes], timeout: float = STOP_WAIT_S) -> None:
    """Wait for a parked worker to exit; kill it past ``timeout`` (as safe as a crash: its
    journal writes are atomic and its jobs resume)."""
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@atexit.register
def stop_exiting() -> None:
    """Interpreter exit: wait for every process told to exit (registered before
    ``remote.stop_all``, so it runs after the workers were told to park)."""
    for process in list(EXITING):
        stop(process)
    reap()
