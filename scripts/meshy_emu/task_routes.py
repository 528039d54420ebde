"""Meshy API v2's routes: creates on /openapi/v2/<kind> and the four task routes.

Every read, list, stream and delete goes through /openapi/v2/tasks (per-kind read routes do not
exist in v2); creates answer 202 with the task object and a Location header; errors are the
v2 error object (error_object.py). The shapes the reference could not read (list paging, DELETE,
SSE) are the emulator's assumptions, listed in docs/meshy-api-v2.md.
"""

from __future__ import annotations

import calendar
import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from . import task_object
from .error_object import CodedApiError
from .request_fields import REQUEST_FIELDS, check_request
from .tasks import RESOURCES, TERMINAL, Task
from .web import json_response

if TYPE_CHECKING:
    from .host import TaskApp

TASKS = "/openapi/v2/tasks"
MAX_METADATA_PAIRS = 64
MAX_METADATA_BYTES = 8192


def create(app: TaskApp, request: Request, record: dict[str, Any], key: str,
           route: str) -> Response:
    """POST /openapi/v2/<route>: check, price, charge, start; 202 + the task object."""
    emu = app.emu
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        raise CodedApiError("invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise CodedApiError("invalid_json", "The request body must be a JSON object.")
    if route not in REQUEST_FIELDS:
        raise CodedApiError("route_not_found", f"No such route: {request.path}")
    record["metadata"] = request.headers.get("X-Meshy-Metadata")  # what the log shows
    _check_metadata(record["metadata"])
    check_request(route, body)
    plan = task_object.plan(route, app.caller(key), body)
    record["kind"] = plan.kind
    credits = task_object.cost(route, plan.kind, body)
    cached = plan.kind == "print-analyze" and _analyzed_before(app, key, body)
    started = app.start_task(request, record, key, plan, credits, body)
    if isinstance(started, Response):
        return started
    if cached or emu.faults.take("final_on_create"):  # a known print analysis (reference §3)
        emu.store.advance(started.id)
    task = emu.render_task(started)
    headers = {"Location": f"{TASKS}/{started.id}"}
    if task["status"] not in TERMINAL:
        headers["Retry-After"] = str(max(1, round(emu.task_seconds / 4)))
    return json_response(task, 202, headers)


def _check_metadata(header: str | None) -> None:
    """X-Meshy-Metadata is W3C baggage: at most 64 key=value pairs and 8192 bytes."""
    if header is None:
        return
    pairs = [p.strip() for p in header.split(",") if p.strip()]
    if (len(header.encode()) > MAX_METADATA_BYTES or len(pairs) > MAX_METADATA_PAIRS
            or any(not p.partition("=")[0].strip() or "=" not in p for p in pairs)):
        raise CodedApiError("metadata_invalid", "X-Meshy-Metadata must be W3C baggage: at most 64 "
                                          "key=value pairs and 8192 bytes.")


def _analyzed_before(app: TaskApp, key: str, body: dict[str, Any]) -> bool:
    now = time.time()
    return body.get("input_task_id") is not None and any(
        t.key == key and t.kind == "print-analyze" and t.status(now) == "SUCCEEDED"
        and (t.request or t.params).get("input_task_id") == body["input_task_id"]
        for t in app.emu.store.all())


def own_task(app: TaskApp, key: str, task_id: str) -> Task:
    task = app.emu.store.get(task_id)
    if task is None or task.key != key:
        raise CodedApiError("task_not_found", f"Task {task_id} not found")
    return task


def read(app: TaskApp, request: Request, key: str, task_id: str) -> Response:
    return app.json(request, app.emu.render_task(own_task(app, key, task_id)))


def delete(app: TaskApp, key: str, task_id: str) -> Response:
    """DELETE (assumed as Meshy's MCP server describes it): a PENDING task is removed and
    refunded; a running one is refused and keeps running; a finished one is removed."""
    emu = app.emu
    task = own_task(app, key, task_id)
    status = task.status(time.time())
    if status == "IN_PROGRESS":
        raise CodedApiError("task_not_deletable", "The task is in progress and cannot be deleted; "
                                            "wait for it to finish.")
    emu.store.delete(task.id)
    if status == "PENDING" and task.credits:
        emu.accounts.refund(key, task.credits)
    return Response(b"", status=200)


def _page(request: Request) -> tuple[int, int, str]:
    args = request.args
    try:
        page_num = int(args.get("page_num", 1))
        page_size = int(args.get("page_size", 10))
    except ValueError:
        raise CodedApiError("invalid_parameter",
                            "page_num and page_size must be integers") from None
    if page_num < 1 or not 1 <= page_size <= 50:
        raise CodedApiError("invalid_parameter",
                            "page_num must be at least 1 and page_size 1 to 50")
    sort_by = args.get("sort_by", "-created_at")
    if sort_by not in ("+created_at", "-created_at", "created_at"):
        raise CodedApiError("invalid_parameter", "sort_by must be +created_at or -created_at")
    return page_num, page_size, sort_by


def _paged(tasks: list[Task], request: Request) -> tuple[list[Task], bool]:
    page_num, page_size, sort_by = _page(request)
    if sort_by == "-created_at":
        tasks = list(reversed(tasks))
    start = (page_num - 1) * page_size
    return tasks[start:start + page_size], len(tasks) > start + page_size


def listing(app: TaskApp, request: Request, key: str) -> Response:
    """GET /openapi/v2/tasks[?type=]: v1's paging parameters, Usage's {data, has_more} shape."""
    wanted = request.args.get("type")
    kinds = RESOURCES.get(wanted, (wanted,)) if wanted else None
    tasks = [t for t in app.emu.store.all()
             if t.key == key and (kinds is None or t.kind in kinds)]
    page, more = _paged(tasks, request)
    return app.json(request, {"data": [app.emu.render_task(t) for t in page], "has_more": more})


def usage(app: TaskApp, request: Request, key: str) -> Response:
    """GET /openapi/v2/usage/tasks: credits per task, wrapped in {data, has_more}."""
    page, more = _paged([t for t in app.emu.store.all() if t.key == key], request)
    now = time.time()
    rows = [{"task_id": t.id, "type": t.kind, "status": t.status(now),
             "consumed_credits": 0 if t.status(now) == "FAILED" else t.credits,
             "created_at": int(t.created * 1000)} for t in page]
    return app.json(request, {"data": rows, "has_more": more})


def balance(app: TaskApp, request: Request, key: str) -> Response:
    monthly, permanent = app.emu.accounts.split(key)
    return app.json(request, {"balance": monthly + permanent, "monthly_credits": monthly,
                              "permanent_credits": permanent,
                              "monthly_resets_at": next_month_ms()})


def next_month_ms(now: float | None = None) -> int:
    """Midnight UTC on the first of next month, in ms (when monthly credits reset)."""
    today = datetime.fromtimestamp(time.time() if now is None else now, tz=UTC)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return calendar.timegm((year, month, 1, 0, 0, 0)) * 1000
