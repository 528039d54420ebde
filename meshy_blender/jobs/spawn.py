"""Start this package's helper processes with Blender's own Python: the jobs worker
(:mod:`.remote`) and the one-shot retention prune the start-up timer launches.

A small standard-library module of its own because Blender's main thread imports it at every
start (to launch the prune): the worker, its pipe and the job model load only when a worker is
first needed. On POSIX the prune is started with ``os.posix_spawn`` (:class:`SpawnedProcess`),
so the start-up timer does not import ``subprocess`` either (about 4 ms of every Blender start);
the worker, which needs its pipes set up, is started with ``subprocess``. Processes told to exit
are kept here until reaped; at interpreter exit every one is waited for (bounded), so no child
outlives its parent's teardown.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import subprocess

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


class Process(Protocol):
    """What this package uses of a child process (``subprocess.Popen`` has it all)."""

    pid: int

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


# Processes told to exit (or one-shot ones), to be reaped.
EXITING: list[Process] = []


def start(*args: str, **popen: Any) -> subprocess.Popen[bytes]:
    """``python -c BOOT <package folder> *args`` with Blender's Python (``sys.executable``)."""
    import subprocess

    # Windows: no console window, and below Blender's priority (POSIX: the worker lowers its
    # own).
    flags = (getattr(subprocess, "CREATE_NO_WINDOW", 0)
             | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0))
    return subprocess.Popen([sys.executable, "-c", BOOT, PACKAGE_FOLDER, *args],
                            close_fds=True, creationflags=flags, **popen)


class SpawnedProcess:
    """A child started with ``os.posix_spawn`` (stdin and stdout on the null device), seen
    through the part of ``Popen`` this package uses. Only descriptors marked inheritable reach
    it (Python's own are not, PEP 446); it lives for seconds."""

    def __init__(self, *args: str) -> None:
        null = os.devnull
        self.pid = os.posix_spawn(
            sys.executable, [sys.executable, "-c", BOOT, PACKAGE_FOLDER, *args], os.environ,
            file_actions=[(os.POSIX_SPAWN_OPEN, 0, null, os.O_RDONLY, 0),
                          (os.POSIX_SPAWN_OPEN, 1, null, os.O_WRONLY, 0)])
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped by someone else: gone (Popen says 0 too)
                self.returncode = 0
                return 0
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit code; ``subprocess.TimeoutExpired`` past ``timeout`` (as ``Popen``)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                import subprocess

                raise subprocess.TimeoutExpired(["meshy prune"], timeout or 0.0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        import signal

        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)


def prune_in_process(journal_dir: str | Path, cache_dir: str | Path, rules: Any) -> Process:
    """Apply the retention ``rules`` (jobs/retention_rules.py) in a short-lived process of its
    own: deleting old jobs' files never costs Blender's process a thread or a stall. Reaped
    later."""
    arguments = json.dumps({"journal_dir": str(journal_dir), "cache_dir": str(cache_dir),
                            "keep_days": rules.keep_days, "keep_jobs": rules.keep_jobs})
    process: Process
    if hasattr(os, "posix_spawn"):
        process = SpawnedProcess("prune", arguments)
    else:  # pragma: no cover - Windows
        import subprocess

        process = start("prune", arguments, stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL)
    EXITING.append(process)
    return process


def reap() -> None:
    """Collect the processes that exited (no zombie processes)."""
    EXITING[:] = [p for p in EXITING if p.poll() is None]


def stop(process: Process, timeout: float = STOP_WAIT_S) -> None:
    """Wait for a parked worker to exit; kill it past ``timeout`` (as safe as a crash: its
    journal writes are atomic and its jobs resume)."""
    import subprocess

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
