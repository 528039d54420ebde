"""Task objects as Meshy returns them, parsed tolerantly into one shape.

The API is not uniform: rig/animate outputs sit under ``result`` (``null`` until done), formats
that were not made are omitted or ``""``, ``task_error`` is ``null``, ``{"message": ""}`` or
rich, ``texture_urls`` may be ``null``, and SSE frames carry only id/progress/status. Everything
downstream sees one :class:`Task`; unknown fields are kept in ``raw``, never fatal.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import MalformedResponseError

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELED"})
STATUSES = frozenset({"PENDING", "IN_PROGRESS", *TERMINAL})
# Top-level ``<name>_url`` outputs of some kinds: alpha thumbnails, text-to-motion's motion.
TOP_LEVEL_ASSETS = ("alpha_thumbnail", "motion")


@dataclass(frozen=True)
class TaskError:
    """Why a task failed, as far as the server said (every field may be empty)."""

    message: str = ""
    type: str | None = None
    code: str | None = None
    doc_url: str | None = None


@dataclass
class Task:
    id: str
    kind: str
    status: str = "PENDING"
    progress: int = 0
    created_at: int = 0
    started_at: int = 0
    finished_at: int = 0
    expires_at: int = 0
    preceding_tasks: int = 0
    consumed_credits: int | None = None
    task_error: TaskError | None = None
    model_urls: dict[str, str] = field(default_factory=dict)
    texture_urls: list[dict[str, str]] = field(default_factory=list)
    thumbnail_url: str | None = None
    image_urls: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def asset_urls(self) -> dict[str, str]:
        """Every downloadable output as one flat ``name -> URL`` map (names are stable)."""
        out: dict[str, str] = {}
        for fmt, url in self.model_urls.items():
            out[fmt] = url
        for i, textures in enumerate(self.texture_urls):
            for channel, url in textures.items():
                out[f"texture_{i}_{channel}"] = url
        if self.thumbnail_url:
            out["thumbnail"] = self.thumbnail_url
        for name in TOP_LEVEL_ASSETS:  # extra outputs beside model_urls (see the API notes)
            extra = self.raw.get(f"{name}_url")
            if isinstance(extra, str) and extra:
                out[name] = extra
        for view, url in _str_map(self.raw.get("thumbnail_urls")).items():
            out[f"thumbnail_{view}"] = url
        for i, url in enumerate(self.image_urls):
            out[f"image_{i}"] = url
        _flatten_result(self.result, out)
        return out

    @property
    def printability(self) -> Printability | None:
        """The 3D-print analysis (print-analyze), read at the top level or under ``result``."""
        data = self.raw.get("printability")
        if not isinstance(data, dict):
            data = self.result.get("printability")
        return Printability.from_dict(data) if isinstance(data, dict) else None


@dataclass(frozen=True)
class Printability:
    """Meshy's printability report: overall status, issue count and the mesh metrics."""

    status: str
    issue_count: int
    is_watertight: bool | None
    volume: float | None
    non_manifold_edges: int | None
    degenerate_faces: int | None
    holes: int | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Printability:
        found = data.get("metrics")
        metrics: dict[str, Any] = found if isinstance(found, dict) else {}

        def num(key: str) -> int | None:
            value = metrics.get(key)
            return _int(value) if isinstance(value, int | float) else None

        volume = metrics.get("volume")
        watertight = metrics.get("is_watertight")
        return cls(status=str(data.get("status") or ""),
                   issue_count=_int(data.get("issue_count")),
                   is_watertight=watertight if isinstance(watertight, bool) else None,
                   volume=float(volume) if isinstance(volume, int | float) else None,
                   non_manifold_edges=num("non_manifold_edges"),
                   degenerate_faces=num("degenerate_faces"), holes=num("holes"),
                   raw=copy.deepcopy(data))


def _flatten_result(result: Any, out: dict[str, str]) -> None:
    """``{"rigged_character_glb_url": u, "basic_animations": {"walking_glb_url": u}}`` ->
    ``{"rigged_character_glb": u, "walking_glb": u}``."""
    if not isinstance(result, dict):
        return
    for key, value in result.items():
        if isinstance(value, dict):
            _flatten_result(value, out)
        elif isinstance(value, str) and value and key.endswith("_url"):
            out[key[: -len("_url")]] = value


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str) and v}


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return default
    return default


def _task_error(value: Any) -> TaskError | None:
    if value is None:
        return None
    if isinstance(value, str):
        return TaskError(message=value)
    if not isinstance(value, dict):
        return None
    return TaskError(
        message=str(value.get("message") or ""),
        type=value.get("type") or None,
        code=value.get("code") or None,
        doc_url=value.get("doc_url") or None,
    )


def _texture_urls(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    return [m for m in (_str_map(item) for item in value) if m]


def parse_task(data: Any, kind: str) -> Task:
    """A :class:`Task` from a task object (or a partial SSE frame); raises only without an id."""
    if not isinstance(data, dict):
        raise MalformedResponseError("Meshy sent a task that is not a JSON object.")
    task_id = data.get("id")
    if not isinstance(task_id, str) or not task_id:
        raise MalformedResponseError("Meshy sent a task without an id.")
    status = str(data.get("status") or "PENDING").upper()
    images = data.get("image_urls")
    reported = data.get("type")
    if kind.startswith("text-to-3d") and isinstance(reported, str) and \
            reported.startswith("text-to-3d-"):
        kind = reported  # one endpoint serves preview and refine: Meshy says which this is
    return Task(
        id=task_id,
        kind=kind,
        status=status,
        progress=max(0, min(100, _int(data.get("progress")))),
        created_at=_int(data.get("created_at")),
        started_at=_int(data.get("started_at")),
        finished_at=_int(data.get("finished_at")),
        expires_at=_int(data.get("expires_at")),
        preceding_tasks=_int(data.get("preceding_tasks")),
        consumed_credits=(_int(data["consumed_credits"])
                          if data.get("consumed_credits") is not None else None),
        task_error=_task_error(data.get("task_error")),
        model_urls=_str_map(data.get("model_urls")),
        texture_urls=_texture_urls(data.get("texture_urls")),
        thumbnail_url=data.get("thumbnail_url") or None,
        image_urls=[u for u in images if isinstance(u, str) and u]
        if isinstance(images, list) else [],
        result=copy.deepcopy(data["result"]) if isinstance(data.get("result"), dict) else {},
        raw=copy.deepcopy(data),
    )


def merge_event(task: Task, data: dict[str, Any]) -> Task:
    """Apply a (possibly partial) SSE frame to ``task``: fields in the frame win, others stay."""
    if not isinstance(data, dict):
        raise MalformedResponseError("Meshy sent a stream event that is not a JSON object.")
    merged = {**task.raw, **data}
    merged.setdefault("id", task.id)
    new = parse_task(merged, task.kind)
    if "progress" not in data and not new.is_terminal:
        new = replace(new, progress=max(new.progress, task.progress))
    return new
