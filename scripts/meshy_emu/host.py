"""What the emulator's web apps use of the emulator, and task_routes of the API app, as
Protocols: ``Emulator`` builds ``ApiApp`` and ``AssetApp``, so naming its class (or the app's)
back would make an import loop. mypy checks that ``Emulator`` and ``ApiApp`` fit."""

from __future__ import annotations

from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

from .accounts import Accounts
from .assets import Signer
from .faults import Faults
from .fields import Plan
from .outputs import OutputBuilder
from .requestlog import RequestLog
from .tasks import Task, TaskStore
from .validation import Context


class EmulatorHost(Protocol):
    """The emulator's state and controls, as ``ApiApp`` and ``AssetApp`` reach them."""

    task_seconds: float
    queue_limit: int
    v1_gone: bool
    initial_keys: dict[str, int]
    accounts: Accounts
    faults: Faults
    log: RequestLog
    store: TaskStore
    library: list[dict[str, Any]]
    builder: OutputBuilder
    signer: Signer

    def set_fault(self, name: str, value: Any = True) -> None: ...
    def clear_faults(self) -> None: ...
    def requests(self, origin: str | None = None) -> list[dict[str, Any]]: ...
    def tasks(self) -> list[dict[str, Any]]: ...
    def balance(self, key: str = ...) -> int: ...
    def reset(self) -> None: ...
    def apply_settings(self, body: dict[str, Any]) -> None: ...
    def settings(self) -> dict[str, Any]: ...
    def render(self, task: Task) -> dict[str, Any]: ...
    def render_task(self, task: Task) -> dict[str, Any]: ...
    def asset_path(self, task_id: str, filename: str) -> str | None: ...
    def fetch_asset_url(self, url: str) -> bytes | None: ...


class TaskApp(Protocol):
    """The API app, as the v2 task routes (task_routes.py) use it."""

    emu: EmulatorHost

    def caller(self, key: str) -> Context: ...
    def json(self, request: Request, payload: Any, status: int = 200) -> Response: ...
    def start_task(self, request: Request, record: dict[str, Any], key: str, plan: Plan,
                   cost: int, v2_request: dict[str, Any] | None) -> Task | Response: ...
