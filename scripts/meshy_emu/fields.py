"""Request field checks shared by every endpoint validator (documented 400 messages).

`Plan` is what a validator returns: the task kind, the fields echoed on the task object, the
parameters that decide the price, and a function that builds the outputs once the task exists.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .errors import ApiError
from .models import ModelInput, read_model
from .outputs import OutputBuilder, Outputs
from .tasks import Task

Build = Callable[[OutputBuilder, str], Outputs]


@dataclass
class Plan:
    kind: str
    params: dict[str, Any]
    price_params: dict[str, Any] = field(default_factory=dict)
    build: Build | None = None


class Context(Protocol):
    """What validation needs from the server: the caller's tasks and the asset host."""

    def find_task(self, task_id: str) -> Task | None: ...
    def task_status(self, task: Task) -> str: ...
    def fetch_url(self, url: str) -> bytes | None: ...
    def library_ids(self) -> dict[int, str]: ...
    def library_rig_types(self) -> dict[int, str]: ...


def bad(message: str) -> ApiError:
    return ApiError(400, message)


# -- field checks ------------------------------------------------------------------------------
def _str(body: dict[str, Any], name: str, *, required: bool = False, max_len: int | None = None,
         choices: tuple[str, ...] | None = None) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise bad(f"Missing required parameter: {name}")
        return None
    if not isinstance(value, str):
        raise bad(f"Invalid parameter {name}: must be a string")
    if required and not value.strip():
        raise bad(f"Missing required parameter: {name}")
    if max_len is not None and len(value) > max_len:
        raise bad(f"Invalid parameter {name}: must be at most {max_len} characters")
    if choices is not None and value not in choices:
        raise bad(f"Invalid parameter {name}: must be one of {', '.join(map(repr, choices))}")
    return value


def _bool(body: dict[str, Any], name: str) -> bool | None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise bad(f"Invalid parameter {name}: must be a boolean")
    return value


def _int(body: dict[str, Any], name: str, lo: int, hi: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"Invalid parameter {name}: must be an integer")
    if not lo <= value <= hi:
        raise bad(f"Invalid parameter {name}: must be between {lo:,} and {hi:,}")
    return value


def _number(body: dict[str, Any], name: str, *, positive: bool = True) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(f"Invalid parameter {name}: must be a number")
    if positive and value < 0:
        raise bad(f"Invalid parameter {name}: must not be negative")
    return float(value)


def _formats(body: dict[str, Any], allowed: tuple[str, ...], *,
             required: bool = False) -> list[str] | None:
    value = body.get("target_formats")
    if value is None:
        if required:
            raise bad("Missing required parameter: target_formats")
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise bad("Invalid parameter target_formats: must be a non-empty array of strings")
    wrong = [v for v in value if v not in allowed]
    if wrong:
        raise bad(f"Invalid parameter target_formats: unsupported format {wrong[0]!r}")
    return list(value)


def _echo(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {n: body[n] for n in names if n in body}


_DATA_URI = re.compile(r"^data:([\w.+/-]*)(;[\w=.-]+)*;base64,(.*)$", re.S)


def _data_uri(value: str, name: str) -> bytes:
    match = _DATA_URI.match(value)
    if not match:
        raise bad(f"Invalid parameter {name}: data URIs must be base64-encoded")
    try:
        return base64.b64decode(match.group(3), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise bad(f"Invalid parameter {name}: invalid base64 data") from exc


def _fetch(ctx: Context, value: str, name: str) -> bytes:
    if value.startswith("data:"):
        return _data_uri(value, name)
    if not re.match(r"^https?://", value):
        raise bad(f"Invalid parameter {name}: must be a URL or a data URI")
    data = ctx.fetch_url(value)
    if data is None:
        raise bad(f"Invalid parameter {name}: the URL is unreachable: {value.split('?')[0]}")
    return data


def image_bytes(ctx: Context, value: Any, name: str) -> bytes:
    """A PNG or JPEG given as URL or data URI; the bytes decide, not the declared type."""
    if not isinstance(value, str) or not value:
        raise bad(f"Invalid parameter {name}: must be an image URL or data URI")
    data = _fetch(ctx, value, name)
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise bad(f"Invalid parameter {name}: unsupported image format (use .jpg, .jpeg or .png)")
    return data


def _image_list(ctx: Context, body: dict[str, Any], name: str, lo: int, hi: int) -> list[str]:
    value = body.get(name)
    if value is None:
        raise bad(f"Missing required parameter: {name}")
    if not isinstance(value, list) or not lo <= len(value) <= hi:
        raise bad(f"Invalid parameter {name}: must contain {lo} to {hi} images")
    for i, item in enumerate(value):
        image_bytes(ctx, item, f"{name}[{i}]")
    return list(value)


def _model_source(ctx: Context, body: dict[str, Any], *, glb_only: bool = False) -> ModelInput:
    """`input_task_id` (wins) or `model_url` (URL or data URI of GLB/FBX/OBJ/STL)."""
    task_id = body.get("input_task_id")
    if task_id is not None:
        if not isinstance(task_id, str) or not task_id:
            raise bad("Invalid parameter input_task_id")
        task = ctx.find_task(task_id)
        if task is None:
            raise bad(f"Invalid parameter input_task_id: task {task_id} not found")
        if ctx.task_status(task) != "SUCCEEDED" or not task.model_file:
            raise bad("Invalid parameter input_task_id: the input task has not succeeded")
        with open(task.model_file, "rb") as fh:
            return read_model(fh.read(), fallback_name=task.kind)
    url = body.get("model_url")
    if url is None:
        raise bad("Missing required parameter: input_task_id or model_url")
    if not isinstance(url, str) or not url:
        raise bad("Invalid parameter model_url")
    data = _fetch(ctx, url, "model_url")
    try:
        model = read_model(data)
    except ValueError as exc:
        raise bad(f"Invalid parameter model_url: {exc}") from exc
    if glb_only and model.format != "glb":
        raise bad(f"Invalid model file: expected a GLB file, got {model.format.upper()}")
    return model
