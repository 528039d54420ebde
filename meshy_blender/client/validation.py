"""Small option checkers used by the payload builders in :mod:`specs`.

Each checker takes the option name and value and returns the value to send, or raises
:class:`ValidationError` naming the option, so a bad value never costs a request (or credits).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from . import datauri
from .errors import ValidationError

Checker = Callable[[str, Any], Any]


def text(max_len: int | None = None, *, allow_empty: bool = False) -> Checker:
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(f"'{name}' must be text.", field=name)
        if not allow_empty and not value.strip():
            raise ValidationError(f"'{name}' must not be empty.", field=name)
        if max_len is not None and len(value) > max_len:
            raise ValidationError(
                f"'{name}' is {len(value)} characters long; the limit is {max_len}.", field=name)
        return value
    return check


def boolean(name: str, value: Any) -> bool:
    """A real bool: 1, "yes" or "false" are not, so a typo never switches a paid step on."""
    if not isinstance(value, bool):
        raise ValidationError(f"'{name}' must be true or false (got {value!r}).", field=name)
    return value


# The words a boolean may be written as where text comes in (command line, CSV), any case.
BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def boolean_text(name: str, text: str) -> bool:
    """A boolean typed as text: exactly true/false, yes/no or 1/0; anything else ("fals",
    "nope", "2", "") is refused rather than read as on or off."""
    word = text.strip().lower()
    if word not in BOOLEAN_WORDS:
        raise ValidationError(f"'{name}' must be true or false (also yes/no, 1/0); got "
                              f"{text!r}.", field=name)
    return BOOLEAN_WORDS[word]


def integer(lo: int, hi: int) -> Checker:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ValidationError(f"'{name}' must be a whole number (got {value!r}).",
                                      field=name)
        if not lo <= value <= hi:
            raise ValidationError(
                f"'{name}' must be between {lo:,} and {hi:,} (got {value:,}).", field=name)
        return value
    return check


def number(lo: float, hi: float, *, lo_open: bool = False) -> Checker:
    def check(name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise ValidationError(f"'{name}' must be a number (got {value!r}).", field=name)
        if value < lo or value > hi or (lo_open and value == lo):
            bound = f"more than {lo}" if lo_open else f"at least {lo}"
            raise ValidationError(f"'{name}' must be {bound} and at most {hi} (got {value}).",
                                  field=name)
        return value
    return check


def choice(*allowed: Any) -> Checker:
    def check(name: str, value: Any) -> Any:
        if isinstance(value, bool) or value not in allowed:
            shown = ", ".join(repr(a) for a in allowed)
            raise ValidationError(f"'{name}' must be one of {shown} (got {value!r}).", field=name)
        return value
    return check


def formats(allowed: Iterable[str], *, required: bool = False) -> Checker:
    allowed = tuple(allowed)

    def check(name: str, value: Any) -> list[str]:
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise ValidationError(f"'{name}' must be a list of formats.", field=name)
        out: list[str] = []
        for item in value:
            fmt = str(item).lower().lstrip(".")
            if fmt not in allowed:
                raise ValidationError(
                    f"'{name}': unknown format {item!r}; choose from {', '.join(allowed)}.",
                    field=name)
            if fmt not in out:
                out.append(fmt)
        if required and not out:
            raise ValidationError(f"'{name}' needs at least one format.", field=name)
        return out
    return check


def task_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValidationError(f"'{name}' must be a task id.", field=name)
    if any(c in value for c in "/?#\\ \t\r\n"):
        raise ValidationError(f"'{name}' is not a valid task id: {value!r}.", field=name)
    return value.strip()


def _is_remote(value: str) -> bool:
    low = value[:8].lower()
    return low.startswith(("http://", "https://"))


# False while planning on Blender's main thread: local files are checked (type by their first
# bytes, size) but not read and encoded; the worker thread builds the real payload later.
ENCODE_FILES: ContextVar[bool] = ContextVar("ENCODE_FILES", default=True)


def _local_file(value: str | Path, allowed: frozenset[str], max_bytes: int) -> str:
    if ENCODE_FILES.get():
        return datauri.file_to_data_uri(value, allowed, max_bytes)
    datauri.check_file(value, allowed, max_bytes)
    return str(value)


def file_input(allowed: frozenset[str], max_bytes: int, what: str) -> Checker:
    """A URL, a data URI (its bytes checked) or a local path (str/Path) turned into a data URI."""

    def check(name: str, value: Any) -> str:
        if isinstance(value, Path):
            return _local_file(value, allowed, max_bytes)
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"'{name}' must be a URL or a file path ({what}).", field=name)
        value = value.strip()
        if _is_remote(value):
            return value
        if value.startswith("data:"):
            kind = datauri.data_uri_type(value)
            if kind not in allowed:
                wanted = ", ".join(sorted(k.upper() for k in allowed))
                raise ValidationError(f"'{name}' is a data URI that is not {wanted}.", field=name)
            return value
        return _local_file(value, allowed, max_bytes)
    return check


def image(max_bytes: int = datauri.DEFAULT_MAX_IMAGE_BYTES) -> Checker:
    return file_input(datauri.IMAGE_TYPES, max_bytes, "PNG or JPEG image")


def model(allowed: frozenset[str] = datauri.MODEL_TYPES,
          max_bytes: int = datauri.DEFAULT_MAX_MODEL_BYTES) -> Checker:
    return file_input(allowed, max_bytes, "3D model: " + ", ".join(sorted(allowed)).upper())


def image_list(lo: int, hi: int) -> Checker:
    one = image()

    def check(name: str, value: Any) -> list[str]:
        if isinstance(value, str | Path) or not isinstance(value, list | tuple):
            raise ValidationError(f"'{name}' must be a list of {lo} to {hi} images.", field=name)
        if not lo <= len(value) <= hi:
            raise ValidationError(f"'{name}' needs {lo} to {hi} images (got {len(value)}).",
                                  field=name)
        return [one(name, v) for v in value]
    return check
