"""The Meshy client facade: one object per API key that the jobs layer and scripts use.

It only orchestrates; the pieces live in their own modules (specs, tasks, http, sse,
downloads, creation). Every call is blocking and thread-safe enough for worker threads; every
wait (poll sleep, SSE read, download) can be cancelled with a ``threading.Event``.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from . import creation, downloads, fetch, http, hygiene, library, sse, task_list
from . import errors as e
from .account_balance import Balance, parse_balance
from .interrupt import Watchdog, call_cancellable
from .tasks import Task, merge_event, parse_task

is_loopback = http.is_loopback

# Every read goes through API v2's task routes, whichever version created the task (Meshy's
# v2 task routes read v1-made tasks too); kinds only name what the caller expects.
TASKS_PATH = "/openapi/v2/tasks"
BALANCE_PATH = "/openapi/v2/balance"
LIBRARY_PATH = "/openapi/v2/animations/library"
DEFAULT_USER_AGENT = "meshy-blender/0.1 (+https://github.com/)"
_MAX_FAILED_POLLS = 3


class MeshyClient:
    """Talks to the Meshy API (or the emulator) with one key."""

    def __init__(self, api_key: str, base_url: str = "https://api.meshy.ai", *,
                 timeout: tuple[float, float] = (10.0, 30.0),
                 proxies: dict[str, str] | None = None, ca_bundle: str | None = None,
                 cache_dir: str | Path | None = None,
                 allow_network: Callable[[str], bool] | None = None,
                 max_download_bytes: int = 4 * 1024**3, poll_interval: float = 5.0,
                 poll_max_interval: float = 30.0, stream_stall_seconds: float = 60.0,
                 retry_backoff: float = 0.5, max_retries: int = 4,
                 user_agent: str | None = None) -> None:
        api_key = hygiene.clean_key(api_key)
        self.base_url = hygiene.check_base_url(base_url)
        self.timeout = timeout
        self.proxies = dict(proxies) if proxies else None
        self.verify: str | bool = ca_bundle or True  # TLS verification is never switched off
        self.cache_dir = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "meshy"
        self.allow_network = allow_network
        self.max_download_bytes = max_download_bytes
        self.poll_interval = poll_interval
        self.poll_max_interval = poll_max_interval
        self.stream_stall_seconds = stream_stall_seconds
        self.retry_backoff = retry_backoff
        self.max_retries = max_retries
        agent = user_agent or DEFAULT_USER_AGENT
        retry = http.make_retry(max_retries, retry_backoff, backoff_max=max(1.0, poll_max_interval))
        self._api = http.api_session(api_key, agent, retry)
        self._assets = http.asset_session(agent, retry)
        self._created: set[str] = set()
        # Tasks Meshy answered final on create (task id -> that answer): waited for without a read.
        self._final_on_create: dict[str, Task] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MeshyClient(base_url={self.base_url!r})"

    # ----------------------------------------------------------------- plumbing
    def _gate(self, url: str) -> None:
        if self.allow_network is not None and not is_loopback(url) \
                and not self.allow_network(url):
            raise e.OnlineAccessError()

    def _send(self, method: str, path: str, *, json: Any = None,
              params: dict[str, Any] | None = None, stream: bool = False,
              headers: dict[str, str] | None = None,
              timeout: tuple[float, float] | None = None,
              cancel: threading.Event | None = None) -> requests.Response:
        """One API request; network failures become NetworkError with no chained exception."""
        url = self.base_url + path
        self._gate(url)

        def send() -> requests.Response:
            err: e.MeshyError | None = None
            try:
                return self._api.request(method, url, json=json, params=params, stream=stream,
                                         headers=headers, timeout=timeout or self.timeout,
                                         proxies=http.proxies_for(url, self.proxies),
                                         verify=self.verify)
            except requests.RequestException as exc:
                err = http.network_error(exc, urlsplit(url).hostname or "Meshy")
            raise err

        return call_cancellable(send, cancel, cleanup=lambda r: r.close())

    def _call(self, method: str, path: str, *, what: str = "", **kw: Any) -> Any:
        """Request + JSON body; HTTP errors mapped; malformed JSON on reads retried."""
        attempts = self.max_retries + 1 if method == "GET" else 1
        for attempt in range(attempts):
            resp = self._send(method, path, **kw)
            if resp.status_code >= 400:
                raise http.error_from_response(resp, what=what)
            if not resp.content:
                return None
            try:
                return resp.json()
            except ValueError:
                if attempt + 1 >= attempts:
                    raise e.MalformedResponseError() from None
                time.sleep(self.backoff(attempt))
        return None

    def backoff(self, attempt: int) -> float:
        """Seconds before retry number ``attempt`` (0-based): doubling, capped, with jitter."""
        base = min(self.retry_backoff * (2 ** attempt), max(self.retry_backoff, 30.0))
        return base + random.uniform(0, self.retry_backoff)

    def post(self, path: str, body: dict[str, Any], *,
             headers: dict[str, str] | None = None) -> requests.Response:
        """One POST, sent once (no retry adapter decides for a paid request: see
        :mod:`creation`); requests' own exception on failure. ``headers``: extra ones
        (v2's X-Meshy-Metadata)."""
        url = self.base_url + path
        self._gate(url)
        return self._api.post(url, json=body, headers=headers, timeout=self.timeout,
                              proxies=http.proxies_for(url, self.proxies), verify=self.verify)

    def stream_asset(self, url: str, target: Path, ext: str, *,
                     on_progress: Callable[[int, int | None], None] | None = None,
                     cancel: threading.Event | None = None) -> Path:
        """Stream one signed asset link into ``target`` through the credential-free session."""
        self._gate(url)
        return downloads.stream_to_file(
            self._assets, url, target, ext, timeout=self.timeout,
            proxies=http.proxies_for(url, self.proxies), verify=self.verify,
            max_bytes=self.max_download_bytes, on_progress=on_progress, cancel=cancel)

    def get_public(self, path: str) -> requests.Response:
        """One GET of a public (keyless) API path through the credential-free session, e.g.
        the public animation catalog; requests' own exception when it fails."""
        url = self.base_url + path
        self._gate(url)
        return self._assets.get(url, timeout=self.timeout, headers={"Accept": "application/json"},
                                proxies=http.proxies_for(url, self.proxies), verify=self.verify)

    def owned_task_ids(self) -> set[str]:
        with self._lock:
            return set(self._created)

    @staticmethod
    def _task_path(task_id: str) -> str:
        return f"{TASKS_PATH}/{_checked_id(task_id)}"

    # ----------------------------------------------------------------- tasks
    def create_task(self, kind: str, payload: dict[str, Any], *,
                    exclude: creation.Exclude = None, retry_rate_limited: bool = True) -> str:
        """Create a task and return its id. Never pays twice: see :mod:`creation`.

        ``exclude`` gives task ids that other jobs already own (e.g. every journal's): after an
        ambiguous failure they are never adopted as this request's task.
        ``retry_rate_limited=False`` raises RateLimitedError (nothing created) for the caller's
        pacer instead of backing off here."""
        task_id, final = creation.create(self, kind, payload, exclude,
                                         retry_rate_limited=retry_rate_limited)
        with self._lock:
            self._created.add(task_id)
            if final is not None:
                self._final_on_create[task_id] = parse_task(final, kind)
        return task_id

    def find_created_task(self, kind: str, payload: dict[str, Any], since_ms: int, *,
                          exclude: creation.Exclude = None) -> str | None:
        """The task a possibly-lost create request made, if the server has it (after a crash
        between sending a paid POST and reading its answer); None when there is none. Ids in
        ``exclude`` (recorded by other jobs) are never returned."""
        body = {**creation.spec(kind).fixed, **payload}
        task_id = creation.find_created(self, kind, body, since_ms, exclude)
        if task_id:
            with self._lock:
                self._created.add(task_id)
        return task_id

    def get_task(self, kind: str, task_id: str, *,
                 cancel: threading.Event | None = None) -> Task:
        """The task as Meshy has it now; its kind comes from Meshy's answer (``kind`` is the
        fallback when Meshy's type names no kind the add-on knows)."""
        data = self._call("GET", self._task_path(task_id), cancel=cancel)
        return parse_task(data, kind)

    def list_tasks(self, kind: str, page_num: int = 1, page_size: int = 10,
                   sort_by: str = "-created_at") -> list[Task]:
        """One page of the account's tasks of ``kind``, newest first by default."""
        return self.list_task_page(kind, page_num, page_size, sort_by).tasks

    def list_task_page(self, kind: str, page_num: int = 1, page_size: int = 10,
                       sort_by: str = "-created_at") -> task_list.TaskPage:
        """One page and whether Meshy has more (``has_more``; unknown -> a full page)."""
        params = task_list.params(kind, page_num, page_size, sort_by)
        data = self._call("GET", TASKS_PATH, params=params)
        return task_list.parse_page(data, kind, page_size)

    def delete_task(self, kind: str, task_id: str) -> None:
        """Delete the task on Meshy (a PENDING one is refunded; a running one is refused)."""
        self._call("DELETE", self._task_path(task_id))

    def balance(self) -> int:
        """The credits the account can spend now."""
        return self.balance_details().balance

    def balance_details(self) -> Balance:
        """The balance with its monthly / permanent split and when monthly credits reset."""
        return parse_balance(self._call("GET", BALANCE_PATH))

    def animation_library(self, search: str | None = None, category: str | None = None,
                          sub_category: str | None = None) -> list[dict[str, Any]] | None:
        """The animation catalogue (one dict per action, see :class:`library.Action`), or None
        when the endpoint is missing (404): then callers let the user type an action id."""
        params = {k: v for k, v in (("search", search), ("category", category),
                                    ("sub_category", sub_category)) if v}
        try:
            data = self._call("GET", LIBRARY_PATH, params=params or None)
        except e.NotFoundError:
            return None
        return [a.to_dict() for a in library.parse_library(data)]

    # ----------------------------------------------------------------- waiting
    def stream_task(self, kind: str, task_id: str,
                    cancel: threading.Event | None = None, *,
                    deadline: float | None = None) -> Iterator[Task]:
        """Yield the task on every SSE update; stop after a terminal one.

        Ends WITHOUT a terminal task when the stream stalls (no change for
        ``stream_stall_seconds``), drops or closes early; callers then poll.
        """
        path = self._task_path(task_id) + "/stream"
        read_timeout = self.stream_stall_seconds + self.timeout[1]
        resp = self._send("GET", path, stream=True, headers={"Accept": "text/event-stream"},
                          timeout=(self.timeout[0], read_timeout), cancel=cancel)
        with resp:
            if resp.status_code >= 400:
                raise http.error_from_response(resp)
            yield from self._read_stream(resp, kind, task_id, cancel, deadline)

    def _read_stream(self, resp: requests.Response, kind: str, task_id: str,
                     cancel: threading.Event | None, deadline: float | None) -> Iterator[Task]:
        task = Task(id=task_id, kind=kind)
        seen: tuple[str, int] | None = None
        err: e.MeshyError | None = None
        with Watchdog(resp, cancel, self.stream_stall_seconds, deadline) as dog:
            try:
                for event in sse.parse_events(sse.iter_chunks(resp)):
                    if event.event == "error":
                        raise _stream_error(event.data)
                    try:
                        data = _frame(_json(event.data))
                    except ValueError:
                        continue  # a garbled frame or a "[DONE]"; the next (or polling) will do
                    if data is None or data.get("id") not in (None, task_id):
                        continue
                    task = merge_event(task, data)
                    state = (task.status, task.progress)
                    if state != seen:
                        seen = state
                        dog.touch()
                        yield task
                    if task.is_terminal:
                        return
            except e.MeshyError:
                raise
            except Exception:  # dropped connection or our own interrupt
                pass
            if dog.reason == "cancel" or (cancel is not None and cancel.is_set()):
                err = e.CancelledError()
        if err is not None:
            raise err

    def wait_for_task(self, kind: str, task_id: str, *,
                      on_progress: Callable[[Task], None] | None = None,
                      cancel: threading.Event | None = None, use_stream: bool = True,
                      timeout: float | None = None) -> Task:
        """Block until the task ends; return it if SUCCEEDED, else raise the matching error.

        SSE first (fast completion detection), polling with back-off when the stream fails or
        stalls. Cancelling ``cancel`` raises CancelledError within a fraction of a second.
        """
        with self._lock:
            task = self._final_on_create.pop(task_id, None)
        if task is not None and (not task.succeeded or task.raw.get("output") is not None):
            if on_progress is not None:  # Meshy answered it final on create: no read needed
                on_progress(task)
            return _finish(task)
        deadline = time.monotonic() + timeout if timeout is not None else None
        task = None
        if use_stream:
            try:
                for task in self.stream_task(kind, task_id, cancel, deadline=deadline):
                    if on_progress is not None:
                        on_progress(task)
            except (e.NetworkError, e.ServerError, e.MalformedResponseError,
                    e.RateLimitedError):
                task = None  # fall back to polling
        if task is None or not task.is_terminal:
            task = self._poll(kind, task_id, on_progress, cancel, deadline, task)
        elif task.succeeded and not task.asset_urls():
            task = self.get_task(kind, task_id)  # the final frame was partial
        return _finish(task)

    def _poll(self, kind: str, task_id: str, on_progress: Callable[[Task], None] | None,
              cancel: threading.Event | None, deadline: float | None,
              last: Task | None) -> Task:
        interval = self.poll_interval
        failures = 0
        seen = (last.status, last.progress) if last is not None else None
        while True:
            _check_cancel(cancel)
            if deadline is not None and time.monotonic() >= deadline:
                raise e.WaitTimeoutError()
            try:
                task = self.get_task(kind, task_id, cancel=cancel)
                failures = 0
            except (e.NetworkError, e.ServerError, e.MalformedResponseError,
                    e.RateLimitedError):
                failures += 1
                if failures >= _MAX_FAILED_POLLS:
                    raise
            else:
                state = (task.status, task.progress)
                if on_progress is not None and state != seen:
                    on_progress(task)
                seen = state
                if task.is_terminal:
                    return task
            wait = interval
            if deadline is not None:
                wait = max(0.0, min(wait, deadline - time.monotonic()))
            if cancel is not None:
                if cancel.wait(wait):
                    raise e.CancelledError()
            else:
                time.sleep(wait)
            interval = min(interval * 1.5, self.poll_max_interval)

    # ----------------------------------------------------------------- downloads
    def download_asset(self, kind: str, task: Task, asset: str, *,
                       dest_dir: Path | None = None,
                       on_progress: Callable[[int, int | None], None] | None = None,
                       cancel: threading.Event | None = None) -> Path:
        """Download one output (a name from ``task.asset_urls()``) into the cache.

        Lands in ``cache_dir/<task id>/<asset>.<ext>`` (or ``dest_dir/<asset>.<ext>``); an
        existing file that passes the completeness checks (:mod:`.verify`) is returned without
        any request, a damaged one is downloaded again. An expired link re-fetches the task
        once for fresh links; interrupted transfers are retried from the start.
        """
        return fetch.download_asset(self, kind, task, asset, dest_dir=dest_dir,
                                    on_progress=on_progress, cancel=cancel)

    def clean_partial_downloads(self) -> int:
        """Delete ``.part`` files under the cache left by processes that died mid-download."""
        if not self.cache_dir.is_dir():
            return 0
        return sum(downloads.remove_stale_parts(folder) for folder in self.cache_dir.iterdir()
                   if folder.is_dir())

    def close(self) -> None:
        self._api.close()
        self._assets.close()

    def __enter__(self) -> MeshyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _checked_id(task_id: str) -> str:
    if not isinstance(task_id, str) or not task_id or any(c in task_id for c in "/?#\\ %"):
        raise e.ValidationError(f"{task_id!r} is not a valid task id.", field="task_id")
    return task_id


def _json(text: str) -> Any:
    import json

    return json.loads(text)


def _stream_error(data: str) -> e.MeshyError:
    """The exception for an SSE ``error`` event: v2's error object (mapped by code like any
    answer) or v1's ``{"status_code", "message"}``."""
    try:
        body = _json(data)
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status = body.get("status_code") if isinstance(body.get("status_code"), int) else None
    message = body.get("message") if isinstance(body.get("message"), str) else None
    code = body.get("code") if isinstance(body.get("code"), str) else None
    entry = e.known_error(code, body.get("type") if isinstance(body.get("type"), str) else None)
    if entry is not None:
        return e.from_api_error(entry, status=status, code=code, server_message=message)
    if status == 404:
        return e.NotFoundError(status=404, server_message=message)
    if status == 401:
        return e.AuthError(status=401, server_message=message)
    return e.ServerError("The Meshy progress stream reported an error.", status=status,
                         server_message=message)


def _frame(data: Any) -> dict[str, Any] | None:
    """The task in one SSE frame: the object itself, or one wrapped in ``data`` / ``task`` /
    ``result`` (v2's framing is not documented: docs/meshy-api-v2.md A1); None otherwise."""
    if not isinstance(data, dict):
        return None
    if "status" not in data and "id" not in data:
        inner = next((data[k] for k in ("data", "task", "result")
                      if isinstance(data.get(k), dict)), None)
        return inner if inner is not None and ("status" in inner or "id" in inner) else None
    return data


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise e.CancelledError()


RETRYABLE_FAILURES = frozenset({"server_error", "timeout", "service_unavailable"})


def _finish(task: Task) -> Task:
    if task.succeeded:
        return task
    if task.status == "CANCELED":
        raise e.TaskCanceledError(task_id=task.id)
    err = task.task_error
    server_msg = err.message if err and err.message else None
    code = err.code if err else None
    etype = err.type if err else None
    if code in ("moderation_blocked", "moderation_blocked_nsfw"):
        text = ("Meshy's content moderation blocked this request; change the prompt or image. "
                "Credits are refunded.")
    elif server_msg:
        text = f"The Meshy task failed: {server_msg} Credits for it are refunded."
    else:
        text = "The Meshy task failed without a reason given. Credits for it are refunded."
    retryable = etype in RETRYABLE_FAILURES or bool(
        server_msg and ("busy" in server_msg.lower() or "internal server" in server_msg.lower()
                        or "retry" in server_msg.lower()))
    raise e.TaskFailedError(text, task_id=task.id, kind=task.kind, error_type=etype, code=code,
                            server_message=server_msg, retryable=retryable)
