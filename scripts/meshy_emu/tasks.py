"""Tasks and their lifecycle, computed lazily from the clock (no ticking thread).

A task's schedule (queued -> started -> finished) is fixed when it is created, from the key's
worker slots and `task_seconds`; its status, progress and timestamps are derived from `now`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .faults import FAIL_VARIANTS

PARALLELISM = 3          # default tasks per key that run at once; later ones wait in PENDING
PENDING_SHARE = 0.1      # even an unqueued task shows PENDING for this share of its duration
STALL_FROM = 0.8         # progress reaches 99 % at this share and sits there (like Meshy)
FAIL_AT = 0.5            # failing tasks fail half-way through
RETENTION_MS = 3 * 24 * 3600 * 1000
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELED")

RESOURCES: dict[str, tuple[str, ...]] = {
    "text-to-3d": ("text-to-3d-preview", "text-to-3d-refine", "text-to-3d"),
    "image-to-3d": ("image-to-3d",),
    "multi-image-to-3d": ("multi-image-to-3d",),
    "retexture": ("retexture",),
    "remesh": ("remesh",),
    "rigging": ("rig",),
    "animations": ("animate",),
    "text-to-image": ("text-to-image",),
    "image-to-image": ("image-to-image",),
    "convert": ("convert",),
    "resize": ("resize",),
    "text-to-motion": ("text-to-motion",),
    "uv-unwrap": ("uv-unwrap",),
    "print/analyze": ("print-analyze",),
    "print/repair": ("print-repair",),
    "print/multi-color": ("print-multi-color",),
}
NULL_UNTIL_DONE = ("result", "printability")  # outputs that are null, not empty, until done


@dataclass(frozen=True)
class Asset:
    """Placeholder for a downloadable file of a task; rendered as a signed asset URL."""

    filename: str


def new_task_id() -> str:
    """A k-sortable UUIDv7-shaped id like Meshy's (ms timestamp first)."""
    raw = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    raw = (raw & ~(0xF << 76)) | (0x7 << 76)
    raw = (raw & ~(0x3 << 62)) | (0x2 << 62)
    h = f"{raw:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class Task:
    id: str
    key: str
    kind: str
    params: dict[str, Any]
    created: float
    queued_until: float
    started: float
    finished: float
    credits: int
    fail: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)   # kind-specific fields, Asset leaves
    absent_formats: list[str] = field(default_factory=list)  # model formats not generated
    files: dict[str, str] = field(default_factory=dict)     # filename -> path on disk
    refunded: bool = False
    model_file: str | None = None   # this task's main GLB, for tasks that take it as input
    request: dict[str, Any] | None = None  # the API v2 request as sent (None: made on v1)

    # -- lifecycle -----------------------------------------------------------------------
    def status(self, now: float) -> str:
        if now < self.started:
            return "PENDING"
        if now < self.finished:
            return "IN_PROGRESS"
        return "FAILED" if self.fail else "SUCCEEDED"

    def progress(self, now: float) -> int:
        status = self.status(now)
        if status == "SUCCEEDED":
            return 100
        if status == "PENDING":
            return 0
        span = (self.finished - self.started) / (FAIL_AT if self.fail else 1.0)
        at = min(now, self.finished) - self.started
        if status == "FAILED":
            at = self.finished - self.started - 1e-6
        frac = at / span if span > 0 else 1.0
        return max(1, min(99, round(99 * frac / STALL_FROM)))

    def render(self, now: float, sign: Callable[[str, str], str], *, preceding: int,
               empty_strings: bool, null_error: bool) -> dict[str, Any]:
        """The task object as the API returns it (seed task-object shape)."""
        status = self.status(now)
        done = status in TERMINAL
        error: dict[str, Any] | None = {"message": ""}
        if status == "FAILED":
            variant = FAIL_VARIANTS[self.fail or "server_error"]
            error = dict(variant) if variant is not None else None
        elif null_error:
            error = None
        obj: dict[str, Any] = {
            "id": self.id,
            "type": self.kind,
            "status": status,
            "progress": self.progress(now),
            "created_at": _ms(self.created),
            "started_at": _ms(self.started) if status != "PENDING" else 0,
            "finished_at": _ms(self.finished) if done else 0,
            "expires_at": _ms(self.finished) + RETENTION_MS if done else 0,
            "preceding_tasks": preceding if status == "PENDING" else 0,
            "task_error": error,
            "consumed_credits": 0 if status == "FAILED" else self.credits,
        }
        obj.update(self.params)
        succeeded = status == "SUCCEEDED"
        for name, value in self.outputs.items():
            if succeeded:
                obj[name] = signed_value(value, self.id, sign)
            else:
                obj[name] = None if name in NULL_UNTIL_DONE else _empty(value)
        if succeeded and empty_strings and isinstance(obj.get("model_urls"), dict):
            for fmt in self.absent_formats:
                obj["model_urls"].setdefault(fmt, "")
        return obj

    def progress_frame(self, now: float) -> dict[str, Any]:
        return {"id": self.id, "progress": self.progress(now), "status": self.status(now)}


def _ms(t: float) -> int:
    return int(t * 1000)


def signed_value(value: Any, task_id: str, sign: Callable[[str, str], str]) -> Any:
    """`value` with every `Asset` turned into its signed link."""
    if isinstance(value, Asset):
        return sign(task_id, value.filename)
    if isinstance(value, dict):
        return {k: signed_value(v, task_id, sign) for k, v in value.items()}
    if isinstance(value, list):
        return [signed_value(v, task_id, sign) for v in value]
    return value


def _empty(value: Any) -> Any:
    """What an output field looks like before the task succeeded."""
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return []
    if isinstance(value, Asset):
        return ""
    return value


class TaskStore:
    """All tasks of one emulator run, with per-key worker slots and refunds on failure."""

    def __init__(self, task_seconds: float, refund: Callable[[str, int], None],
                 parallelism: int = PARALLELISM) -> None:
        self.task_seconds = task_seconds
        self._initial_task_seconds = task_seconds  # a test may slow tasks down; reset undoes it
        self.parallelism = max(1, int(parallelism))
        self._refund = refund
        self._lock = threading.RLock()
        self._tasks: dict[str, Task] = {}
        self._slots: dict[str, list[float]] = {}

    def reset(self) -> None:
        """Drop every task and restore the starting task duration."""
        with self._lock:
            self._tasks.clear()
            self._slots.clear()
            self.task_seconds = self._initial_task_seconds

    def create(self, *, key: str, kind: str, params: dict[str, Any], credits: int,
               fail: str | None, task_id: str | None = None,
               request: dict[str, Any] | None = None) -> Task:
        now = time.time()
        duration = self.task_seconds
        with self._lock:
            slots = self._slots.setdefault(key, [0.0] * self.parallelism)
            slot = min(range(self.parallelism), key=lambda i: slots[i])
            queued_until = max(now, slots[slot])
            started = queued_until + PENDING_SHARE * duration
            finished = queued_until + duration
            if fail:
                finished = started + FAIL_AT * (finished - started)
            slots[slot] = finished
            task = Task(id=task_id or new_task_id(), key=key, kind=kind, params=params,
                        created=now, queued_until=queued_until, started=started,
                        finished=finished, credits=credits, fail=fail, request=request)
            self._tasks[task.id] = task
            return task

    def get(self, task_id: str) -> Task | None:
        with self._lock:
            return self._tasks.get(task_id)

    def delete(self, task_id: str) -> Task | None:
        with self._lock:
            return self._tasks.pop(task_id, None)

    def all(self) -> list[Task]:
        with self._lock:
            return sorted(self._tasks.values(), key=lambda t: (t.created, t.id))

    def settle(self, now: float | None = None) -> None:
        """Refund every task that has FAILED by now (once)."""
        now = time.time() if now is None else now
        with self._lock:
            for task in self._tasks.values():
                if task.fail and not task.refunded and now >= task.finished:
                    task.refunded = True
                    self._refund(task.key, task.credits)

    def unfinished(self, key: str, now: float) -> int:
        with self._lock:
            return sum(1 for t in self._tasks.values() if t.key == key and now < t.finished)

    def preceding(self, task: Task, now: float) -> int:
        with self._lock:
            earlier = sum(1 for t in self._tasks.values()
                          if t.key == task.key and t.created < task.created and now < t.finished)
        return max(0, earlier - self.parallelism + 1)

    def advance(self, task_id: str | None = None) -> None:
        """Finish one task (or every task) now: a test helper to skip waiting."""
        now = time.time()
        with self._lock:
            targets = [self._tasks[task_id]] if task_id else list(self._tasks.values())
            for task in targets:
                if now < task.finished:
                    task.queued_until = min(task.queued_until, now)
                    task.started = min(task.started, now - 1e-3)
                    task.finished = now
        self.settle(now)
