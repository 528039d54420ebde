"""Task objects as Meshy returns them, parsed tolerantly into one shape.

Two dialects arrive. API v2 (``/openapi/v2/tasks``) keeps the lifecycle at the top level, the
request echo in ``input`` and every result in ``output`` (``null`` until done), with ``null`` as
"not set". v1 (old journals' SSE frames, cached answers) put results at the top level and
rig/animate outputs under ``result``, with ``""`` or ``0`` as "not set". Either way ``task_error``
is ``null``, ``{"message": ""}`` or the v2 error object, and SSE frames may carry only
id/progress/status. Everything downstream sees one :class:`Task`; the task's kind is what
Meshy's ``type`` says when it names one the add-on knows; unknown fields are kept in ``raw``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import MalformedResponseError

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELED"})
RETENTION_MS = 3 * 24 * 3600 * 1000  # Meshy deletes output files 3 days after the task ends
STATUSES = frozenset({"PENDING", "IN_PROGRESS", *TERMINAL})
# Top-level ``<name>_url`` outputs of some kinds: alpha thumbnails, text-to-motion's motion.
TOP_LEVEL_ASSETS = ("alpha_thumbnail", "motion")
# Results every kind may have; anything else in v2's ``output`` is a kind's own result (rig
# files, animation clips, printability...), read like v1's ``result`` object.
COMMON_OUTPUTS = ("model_urls", "texture_urls", "thumbnail_url", "thumbnail_urls", "image_urls")
# Meshy's ``type`` -> the add-on's kind, where the names differ (v2's type strings other than
# image-to-3d and rig-check are not documented: both spellings are accepted, see
# docs/meshy-api-v2.md A4). A type naming no known kind keeps the kind the caller asked for.
TYPE_KINDS = {"rigging": "rig", "animation": "animate", "animations": "animate",
              "print/analyze": "print-analyze", "print/repair": "print-repair",
              "print/multi-color": "print-multi-color"}


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
    input: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def sent(self, name: str) -> Any:
        """What the request that made this task set ``name`` to (None when not set): v2 echoes
        the request in ``input``, v1 at the top level."""
        value = self.input.get(name) if self.input else self.raw.get(name)
        return None if value == "" else value

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    @property
    def files_expire_at(self) -> int:
        """When the output links stop working (ms; 0 = unknown). v2 sends ``expires_at: null``
        for every Text to 3D task, which does not mean the files are kept: then 3 days after
        the task finished, Meshy's retention for every kind."""
        if self.expires_at:
            return self.expires_at
        return self.finished_at + RETENTION_MS if self.succeeded and self.finished_at else 0

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
        views = self.raw.get("thumbnail_urls") or _output(self.raw).get("thumbnail_urls")
        for view, url in _str_map(views).items():
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


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


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


def _output(data: dict[str, Any]) -> dict[str, Any]:
    found = data.get("output")
    return found if isinstance(found, dict) else {}


def kind_of(reported: Any, asked: str, echo: Any = None) -> str:
    """The add-on's kind for Meshy's ``type`` (and the request it echoes); ``asked`` when the
    type names none it knows."""
    from .specs import SPECS  # the kinds the add-on knows (specs never imports this module)

    if reported == "text-to-3d" and isinstance(echo, dict):
        # Meshy API v2 types a shape and a textured model alike; the request says which.
        if echo.get("should_texture") is False or echo.get("mode") == "preview":
            return "text-to-3d-preview"
        if echo.get("should_texture") is True or echo.get("texture_model") \
                or echo.get("mode") == "refine":
            return "text-to-3d-refine"
        if asked not in ("text-to-3d-preview", "text-to-3d-refine"):
            return "text-to-3d-refine"  # a list of every kind: v2's should_texture is true
    if isinstance(reported, str) and reported:
        kind = TYPE_KINDS.get(reported, reported)
        if kind in SPECS:
            return kind
    return asked


def parse_task(data: Any, kind: str) -> Task:
    """A :class:`Task` from a task object of either dialect (or a partial SSE frame); raises
    only without an id. ``kind`` is used only when Meshy's ``type`` names no known kind."""
    if not isinstance(data, dict):
        raise MalformedResponseError("Meshy sent a task that is not a JSON object.")
    task_id = data.get("id")
    if not isinstance(task_id, str) or not task_id:
        raise MalformedResponseError("Meshy sent a task without an id.")
    status = str(data.get("status") or "PENDING").upper()
    output = _output(data)
    # v2 results live in `output`; v1 ones at the top level (an old frame merged with a v2
    # object has both: `output` wins).
    outs = {**data, **{k: v for k, v in output.items() if v is not None}}
    images = outs.get("image_urls")
    if isinstance(data.get("result"), dict):
        result = copy.deepcopy(data["result"])
    else:
        result = {k: copy.deepcopy(v) for k, v in output.items() if k not in COMMON_OUTPUTS}
    echo = data.get("input")
    return Task(
        id=task_id,
        kind=kind_of(data.get("type"), kind, echo),
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
        model_urls=_str_map(outs.get("model_urls")),
        texture_urls=_texture_urls(outs.get("texture_urls")),
        thumbnail_url=_text(outs.get("thumbnail_url")),
        image_urls=[u for u in images if isinstance(u, str) and u]
        if isinstance(images, list) else [],
        result=result,
        input=copy.deepcopy(echo) if isinstance(echo, dict) else {},
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
