"""The animation library in one shape, whichever of Meshy's two listings it came from.

``/openapi/v2/animations/library`` (v1's list, unchanged) answers a bare array of snake_case
entries (``action_id``, ``sub_category``, ``preview_url``); the public catalog
``/web/public/animations/resources`` answers ``{"result": {"total", "list": [...]}}`` in
camelCase (``id``, ``subCategory``, ``previewUrl``, ``rigType``, ``isFree``). Pickers, plans
and the CLI read :class:`Action` only, so neither shape leaks past this module.
Ids can be negative or zero.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from . import errors as e
from . import http
from .errors import MalformedResponseError


class PublicReader(Protocol):
    """What :func:`public_catalog` needs of a MeshyClient (its public members only)."""

    base_url: str

    def get_public(self, path: str) -> requests.Response: ...


PUBLIC_CATALOG_PATH = "/web/public/animations/resources"

# snake_case field -> the camelCase spelling of the public catalog
_CAMEL = {"action_id": "id", "sub_category": "subCategory", "preview_url": "previewUrl",
          "rig_type": "rigType", "is_free": "isFree", "is_default": "isDefault"}


@dataclass(frozen=True)
class Action:
    """One library entry; ``preview_url`` is a short looping GIF/MP4 when Meshy gives one."""

    action_id: int
    name: str
    category: str = ""
    sub_category: str = ""
    key: str = ""
    preview_url: str | None = None
    rig_type: str | None = None
    is_free: bool | None = None
    is_default: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _get(entry: dict[str, Any], snake: str) -> Any:
    value = entry.get(snake)
    if value is None and snake in _CAMEL:
        value = entry.get(_CAMEL[snake])
    return value


def parse_action(entry: Any) -> Action | None:
    """An :class:`Action` from either spelling, or None for an entry without a usable id."""
    if not isinstance(entry, dict):
        return None
    raw_id = _get(entry, "action_id")
    if isinstance(raw_id, bool):
        return None
    try:
        action_id = int(raw_id)
    except (TypeError, ValueError):
        return None
    if isinstance(raw_id, float) and not raw_id.is_integer():
        return None

    def text(name: str) -> str:
        value = _get(entry, name)
        return str(value) if value is not None else ""

    def flag(name: str) -> bool | None:
        value = _get(entry, name)
        return value if isinstance(value, bool) else None

    preview = _get(entry, "preview_url")
    rig_type = _get(entry, "rig_type")
    return Action(action_id=action_id, name=text("name") or text("key") or f"Action {action_id}",
                  category=text("category"), sub_category=text("sub_category"),
                  key=text("key"), preview_url=preview if isinstance(preview, str) and preview
                  else None, rig_type=str(rig_type) if rig_type else None,
                  is_free=flag("is_free"), is_default=flag("is_default"))


def parse_library(data: Any) -> list[Action]:
    """Every action in a library answer: a bare list, ``{"result": [...]}``, ``{"data": [...]}``
    or the public catalog's ``{"result": {"total": n, "list": [...]}}``."""
    for _ in range(3):  # unwrap at most result -> list
        if not isinstance(data, dict):
            break
        data = next((data[k] for k in ("result", "data", "list", "items") if k in data), None)
    if not isinstance(data, list):
        raise MalformedResponseError("Meshy sent an animation library the add-on could not read.")
    return [a for a in (parse_action(item) for item in data) if a is not None]


def public_catalog(client: PublicReader) -> list[dict[str, Any]] | None:
    """Meshy's public (no key) camelCase catalog, as :meth:`MeshyClient.animation_library`
    returns its listing; None when it is missing. Sent on the credential-free session."""
    err: e.MeshyError | None = None
    try:
        resp = client.get_public(PUBLIC_CATALOG_PATH)
    except requests.RequestException as exc:
        err = http.network_error(exc, urlsplit(client.base_url).hostname or "Meshy")
    if err is not None:
        raise err
    if resp.status_code == 404:
        return None
    if resp.status_code >= 400:
        raise http.error_from_response(resp)
    try:
        data = resp.json()
    except ValueError:
        raise e.MalformedResponseError() from None
    return [a.to_dict() for a in parse_library(data)]
