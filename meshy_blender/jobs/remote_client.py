"""The free account reads of a MeshyClient, answered by the jobs worker process.

Blender's process makes no HTTP request and never imports requests/ssl: the sidebar's reads
(:meth:`RemoteClient.later`, delivered by the pump's tick through ``BackgroundCalls``) and the
API's (which wait for their answer) go over the worker's pipe (see :mod:`.remote`) and run in
:mod:`.account_reads` there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .remote import RemoteJobs, WorkerStoppedError, rebuild_error


class RemoteRead:
    """One account read to run in the worker without waiting (see BackgroundCalls)."""

    def __init__(self, jobs: RemoteJobs, method: str, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        self.jobs = jobs
        self.method = method
        self.args = args
        self.kwargs = kwargs

    def send(self, on_answer: Callable[[Any, BaseException | None], None]) -> None:
        """Ask; ``on_answer(value, error)`` runs when a later poll reads the answer."""
        def answered(message: dict[str, Any]) -> None:
            if "error" in message:
                on_answer(None, rebuild_error(message["error"], self.jobs))
            else:
                on_answer(message.get("value"), None)

        if not self.jobs.call_async("read", answered, method=self.method,
                                    args=list(self.args), kwargs=self.kwargs):
            on_answer(None, WorkerStoppedError())


class RemoteClient:
    """The free reads of a MeshyClient, answered by the worker process: Blender's process
    makes no HTTP request and never imports requests/ssl. Each method waits for its answer
    (for scripts and the API); :meth:`later` makes a read the sidebar does not wait for."""

    def __init__(self, jobs: RemoteJobs) -> None:
        self.jobs = jobs

    def _read(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.jobs.call("read", method=method, args=list(args), kwargs=kwargs)

    def later(self, method: str, *args: Any, **kwargs: Any) -> RemoteRead:
        return RemoteRead(self.jobs, method, args, kwargs)

    def balance(self) -> int:
        return int(self._read("balance"))

    def balance_details(self) -> Any:
        from ..client.account_balance import parse_balance

        return parse_balance(self._read("balance_details"))

    def get_task(self, kind: str, task_id: str) -> Any:
        from ..client.tasks import parse_task

        return parse_task(self._read("get_task", kind, task_id), kind)

    def list_tasks(self, kind: str, page_num: int = 1, page_size: int = 10,
                   sort_by: str = "-created_at") -> list[Any]:
        from ..client.tasks import parse_task

        return [parse_task(raw, kind) for raw in self._read(
            "list_tasks", kind, page_num=page_num, page_size=page_size, sort_by=sort_by)]

    def delete_task(self, kind: str, task_id: str) -> None:
        self._read("delete_task", kind, task_id)

    def animation_library(self, search: str | None = None, category: str | None = None,
                          sub_category: str | None = None) -> list[dict[str, Any]] | None:
        found = self._read("animation_library", search=search, category=category,
                           sub_category=sub_category)
        return list(found) if found is not None else None

    def close(self) -> None:
        """Nothing to close here: the worker process owns the connections."""
