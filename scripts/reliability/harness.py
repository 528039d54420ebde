"""The shared test bench: an emulator, fast clients and job managers, and the paid-work checks.

A "row" in any table is judged by the same two questions a user cares about: was anything paid for
lost (a charged Meshy task that is neither downloaded into the cache nor journalled so it can be
resumed), and was anything paid for twice (a charged task no journal knows about).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from meshy_blender.client import MeshyClient, verify
from meshy_blender.client.request_body import textures_a_shape
from meshy_blender.client.tasks import kind_of
from meshy_blender.jobs import model
from meshy_blender.jobs.journal import Journal
from meshy_blender.jobs.manager import JobManager
from meshy_blender.jobs.model import Job

from meshy_emu import TEST_MODE_KEY, Emulator, ensure_assets

# Tiny intervals keep runs short; behaviour (what is retried, what is raised) does not depend on
# their absolute values. The stall timeout must outlast a few task durations of progress frames.
FAST_CLIENT: dict[str, Any] = dict(timeout=(2.0, 5.0), poll_interval=0.05, poll_max_interval=0.2,
                                   stream_stall_seconds=1.0, retry_backoff=0.01, max_retries=3)
FAST_MANAGER: dict[str, Any] = dict(queue_wait_initial=0.05, queue_wait_max=0.3)
# Charged tasks are those the emulator did not refund.
T = TypeVar("T")
UNCHARGED = frozenset({"FAILED", "CANCELED"})
TASK_SECONDS = 0.2


def start_emulator(task_seconds: float = TASK_SECONDS, **kwargs: Any) -> Emulator:
    ensure_assets(python=sys.executable)
    emu = Emulator(task_seconds=task_seconds, rate_limit=1000, **kwargs)
    return emu.start()


def with_emulator(run: Callable[[Emulator], T]) -> T:
    """``run(emulator)`` on a fresh emulator that is stopped afterwards, whatever happens."""
    emu = start_emulator()
    try:
        return run(emu)
    finally:
        emu.stop()


def sample_image() -> Path:
    """A real PNG made by Blender for the emulator (image-to-3d input)."""
    folder = ensure_assets(python=sys.executable)
    return Path(folder) / "images" / "image_0.png"


@dataclass
class Workspace:
    """A throw-away cache + journal folder, like one Blender user's extension folder."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="meshy-rel-")))

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def journal(self) -> Path:
        return self.root / "journal"

    def client(self, emu: Emulator, key: str = TEST_MODE_KEY, **overrides: Any) -> MeshyClient:
        options = {**FAST_CLIENT, "cache_dir": self.cache, **overrides}
        return MeshyClient(key, options.pop("base_url", emu.api_url), **options)

    def manager(self, client: MeshyClient, **overrides: Any) -> JobManager:
        return JobManager(client, self.journal, **{**FAST_MANAGER, **overrides})

    def journalled(self) -> dict[str, Job]:
        """Jobs as a restarted Blender would read them from disk."""
        return {job.id: job for job in Journal(self.journal).load_all()}

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def stop_runtime() -> None:
    """Stop the add-on runtime's workers *and* its timer, as unregistering the add-on does (a
    leftover timer keeps the bpy module from exiting)."""
    from meshy_blender.blender.core import runtime

    runtime.shutdown_runtime()
    runtime.remove_timer()


@contextmanager
def meshy_env(**values: str | None) -> Iterator[None]:
    """Run with these environment variables (None: unset) and a fresh add-on runtime; then
    stop that runtime and put every variable back as it was."""
    saved = {k: os.environ.get(k) for k in values}
    _set_env(values)
    stop_runtime()
    try:
        yield
    finally:
        stop_runtime()
        _set_env(saved)


def _set_env(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def wait_jobs(manager: JobManager, jobs: Iterable[Job], timeout: float) -> bool:
    """Drain events until every job has left the active states; False on timeout."""
    pending = list(jobs)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        manager.drain()
        if not any(job.is_active for job in pending):
            return True
        time.sleep(0.01)
    return False


def created_tasks(emu: Emulator, exclude: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every task the emulator holds (each was a task-creating POST), minus ``exclude``."""
    skip = set(exclude)
    return [t for t in emu.tasks() if t["id"] not in skip]


def charged(tasks: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for t in tasks if t["status"] not in UNCHARGED]


def files_ok(job: Job) -> str | None:
    """None if every file the job needs is in the cache and complete (size and structure)."""
    for step in job.steps:
        for wanted in step.downloads:
            key = wanted.rstrip("?").split("|")[0]
            if wanted.endswith("?") and key not in step.files:
                continue  # optional (thumbnail, intermediate model): never fails a job
            if wanted == "images":
                paths = list(step.files.values())
                if not paths:
                    return f"{step.name}: no images downloaded"
            elif key not in step.files:
                return f"{step.name}: {key} not downloaded"
            else:
                paths = [step.files[key]]
            for path in paths:
                p = Path(path)
                if not p.is_file() or p.stat().st_size == 0:
                    return f"{step.name}: {p.name} missing from the cache"
                problem = verify.problem(p, p.suffix.lstrip("."))
                if problem:
                    return f"{step.name}: {p.name}: {problem}"
    return None


def paid_problems(charged_tasks: list[dict[str, Any]], journal: dict[str, Job]) -> list[str]:
    """Charged tasks no journal references (lost or paid twice), and journals claiming files
    that are not there."""
    referenced: dict[str, str] = {}
    for job in journal.values():
        for step in job.steps:
            if step.task_id:
                referenced[step.task_id] = job.id
    problems = [f"charged {t.get('type', 'task')} {t['id']} is in no journal "
                "(lost or created twice)" for t in charged_tasks if t["id"] not in referenced]
    for job in journal.values():
        if job.status in (model.READY, model.IMPORTED):
            missing = files_ok(job)
            if missing:
                problems.append(f"job {job.id} is {job.status} but {missing}")
    return problems


def duplicate_problems(charged_tasks: list[dict[str, Any]], journal: dict[str, Job]) -> list[str]:
    """More charged tasks of a kind than journalled steps of that kind: something was paid twice."""
    steps: dict[str, int] = {}
    for job in journal.values():
        for step in job.steps:
            # Texture It (a refine of a shape) is one retexture on Meshy API v2.
            kind = ("retexture" if textures_a_shape(step.kind, {**step.options, **step.links})
                    else step.kind)
            steps[kind] = steps.get(kind, 0) + 1
    seen: dict[str, int] = {}
    for task in charged_tasks:
        kind = emulator_kind(task)
        seen[kind] = seen.get(kind, 0) + 1
    return [f"{n} charged {kind} tasks for {steps.get(kind, 0)} step(s)"
            for kind, n in seen.items() if n > steps.get(kind, 0)]


def emulator_kind(task: dict[str, Any]) -> str:
    """The client's task kind for an emulator task object."""
    kind = str(task.get("type") or task.get("kind") or "")
    if kind == "text-to-3d":  # API v2: a shape or a textured model, as its request says
        echo = task.get("input")  # the v2 object's echo, or the emulator's own parameters
        return kind_of(kind, "text-to-3d-refine", echo if isinstance(echo, dict) else task)
    mapping = {"text-to-3d-preview": "text-to-3d-preview",
               "text-to-3d-refine": "text-to-3d-refine", "rigging": "rig",
               "animation": "animate"}
    return mapping.get(kind, kind)
