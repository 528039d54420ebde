"""The API origin: routes, auth, limits, faults, task creation, SSE streams, admin endpoints."""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import error_object, task_routes
from .accounts import price
from .errors import ApiError
from .faults import FaultError, parse
from .fields import Plan
from .tasks import RESOURCES, TERMINAL, Task
from .validation import VALIDATORS, Context
from .web import drop_connection, error, json_response

if TYPE_CHECKING:
    from .host import EmulatorHost

VERSIONS = {"text-to-3d": "v2"}

_url_map = Map([
    Rule("/openapi/v1/balance", endpoint="balance", methods=["GET"]),
    Rule("/openapi/v1/animations/library", endpoint="library", methods=["GET"]),
    Rule("/web/public/animations/resources", endpoint="public_catalog", methods=["GET"]),
    Rule("/openapi/<version>/print/<sub>", endpoint="print_collection", methods=["GET", "POST"]),
    Rule("/openapi/<version>/print/<sub>/<task_id>", endpoint="print_task",
         methods=["GET", "DELETE"]),
    Rule("/openapi/<version>/print/<sub>/<task_id>/stream", endpoint="print_stream",
         methods=["GET"]),
    Rule("/openapi/<version>/<resource>", endpoint="collection", methods=["GET", "POST"]),
    Rule("/openapi/<version>/<resource>/<task_id>", endpoint="task", methods=["GET", "DELETE"]),
    Rule("/openapi/<version>/<resource>/<task_id>/stream", endpoint="stream", methods=["GET"]),
    Rule("/openapi/v2/tasks", endpoint="v2_list", methods=["GET"]),
    Rule("/openapi/v2/tasks/<task_id>", endpoint="v2_task", methods=["GET", "DELETE"]),
    Rule("/openapi/v2/tasks/<task_id>/stream", endpoint="v2_stream", methods=["GET"]),
    Rule("/openapi/v2/balance", endpoint="v2_balance", methods=["GET"]),
    Rule("/openapi/v2/animations/library", endpoint="v2_library", methods=["GET"]),
    Rule("/openapi/v2/usage/tasks", endpoint="v2_usage", methods=["GET"]),
    Rule("/openapi/v2/rigging/check", endpoint="v2_create", methods=["POST"],
         defaults={"resource": "rigging/check"}),
    Rule("/_emulator/log", endpoint="admin_log", methods=["GET"]),
    Rule("/_emulator/faults", endpoint="admin_faults", methods=["GET", "POST", "DELETE"]),
    Rule("/_emulator/reset", endpoint="admin_reset", methods=["POST"]),
    Rule("/_emulator/tasks", endpoint="admin_tasks", methods=["GET"]),
    Rule("/_emulator/balance", endpoint="admin_balance", methods=["GET"]),
    Rule("/_emulator/settings", endpoint="admin_settings", methods=["GET", "POST"]),
], strict_slashes=False)


class Caller(Context):
    """Validation context bound to one API key."""

    def __init__(self, emu: EmulatorHost, key: str) -> None:
        self.emu = emu
        self.key = key

    def find_task(self, task_id: str) -> Task | None:
        task = self.emu.store.get(task_id)
        return task if task is not None and task.key == self.key else None

    def task_status(self, task: Task) -> str:
        return task.status(time.time())

    def fetch_url(self, url: str) -> bytes | None:
        return self.emu.fetch_asset_url(url)

    def library_ids(self) -> dict[int, str]:
        return {int(e["action_id"]): str(e["name"]) for e in self.emu.library}

    def library_rig_types(self) -> dict[int, str]:
        return {int(e["action_id"]): str(e.get("rig_type") or "biped") for e in self.emu.library}


class ApiApp:
    """WSGI app of the API port."""

    def __init__(self, emu: EmulatorHost) -> None:
        self.emu = emu

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith("/_emulator"):
            response = self._admin(request)
        else:
            response = self._handle(request)
        return response(environ, start_response)

    # -- main flow -----------------------------------------------------------------------------
    def _handle(self, request: Request) -> Response:
        emu = self.emu
        record = emu.log.start(request, "api")
        faults = emu.faults
        latency = faults.get("latency")
        if latency:
            time.sleep(float(latency))
        v2 = self._speaks_v2(request)
        response = self._faulty(request, record, v2)
        if response is None:
            try:
                response = self._route(request, record, v2)
            except ApiError as exc:
                response = (error_object.from_api_error(exc) if v2 else
                            self._error(exc.status, exc.message, exc.headers, code=exc.code))
            except Exception:  # an emulator bug must still answer like the API does
                traceback.print_exc()
                response = self._fail(v2, 500, "Internal server error.")
        if (response.status_code == 429 and faults.get("retry_after") is not None
                and not v2):  # v2 sends Retry-After with rate_limit_exceeded only
            response.headers["Retry-After"] = str(faults.get("retry_after"))
        if not record.get("dropped"):
            record["status"] = response.status_code
        return response

    def _speaks_v2(self, request: Request) -> bool:
        """Whether this request is answered the v2 way (error object, task object).

        Text to 3D always lived under /openapi/v2/; until v1 is gone, its v1 requests (a body
        with `mode`, the per-kind reads) keep v1's answers there."""
        path = request.path
        if path.startswith("/openapi/v1/"):
            return self.emu.v1_gone
        if not path.startswith("/openapi/v2/"):
            return False
        return self.emu.v1_gone or not _v1_text_to_3d(request)

    def _fail(self, v2: bool, status: int, message: str, headers: dict[str, str] | None = None,
              *, code: str | None = None, v1_code: str | None = None) -> Response:
        """An error answer in the request's dialect: v2's object, or v1's {"message"}."""
        if not v2:
            return self._error(status, message, headers, code=v1_code)
        if code == "rate_limit_exceeded" or (status == 429 and code is None):
            headers = {**(headers or {}),
                       "Retry-After": str(self.emu.faults.get("retry_after") or 1)}
        return error_object.error_response(status, message, headers, code=code)

    def _faulty(self, request: Request, record: dict[str, Any], v2: bool) -> Response | None:
        faults = self.emu.faults
        if faults.take("drop_connection"):
            record["status"] = 0
            record["dropped"] = True
            return drop_connection(request)
        if faults.take("http_500"):
            return self._fail(v2, 500, "Internal Server Error")
        if faults.take("http_503"):
            return self._fail(v2, 503, "Service Unavailable")
        if faults.take("rate_limit_burst"):
            return self._fail(v2, 429, "RateLimitExceeded", code="rate_limit_exceeded")
        return None

    def _route(self, request: Request, record: dict[str, Any], v2: bool) -> Response:
        if self.emu.v1_gone and request.path.startswith("/openapi/v1/"):
            return self._fail(True, 404, "API v1 has been shut down (2027-03-15); use "
                                         "/openapi/v2/ and /openapi/v2/tasks.",
                              code="route_not_found")
        try:
            endpoint, args = _url_map.bind_to_environ(request.environ).match()
        except MethodNotAllowed:
            return self._fail(v2, 405, "Method Not Allowed", code="route_not_found")
        except (NotFound, HTTPException):
            return self._fail(v2, 404, "Not Found", code="route_not_found")
        args = dict(args)
        if endpoint.startswith("print_"):  # /openapi/v1/print/<sub>: resource "print/<sub>"
            endpoint = endpoint[len("print_"):]
            args["resource"] = "print/" + args.pop("sub")
        if endpoint == "public_catalog":  # public: no key, camelCase
            return self._public_catalog(request)
        resource: str = args.get("resource", "")
        if resource and endpoint != "v2_create":
            if resource not in RESOURCES:
                return self._fail(v2, 404, "Not Found", code="route_not_found")
            if v2 and args["version"] == "v2":
                if endpoint != "collection" or request.method != "POST":
                    return self._fail(True, 404, "Per-kind task routes do not exist in API "
                                                 "v2; read tasks through /openapi/v2/tasks.",
                                      code="route_not_found")
                endpoint = "v2_create"
            elif args["version"] != VERSIONS.get(resource, "v1"):
                return self._fail(v2, 404, "Not Found", code="route_not_found")
            record["kind"] = RESOURCES[resource][0] if len(RESOURCES[resource]) == 1 else None
        key = self._auth(request)
        if not self.emu.accounts.allow_request(key):
            return self._fail(v2, 429, "RateLimitExceeded", code="rate_limit_exceeded")
        self.emu.store.settle()
        if endpoint.startswith("v2_"):
            return self._route_v2(request, record, key, endpoint, args)
        if endpoint == "balance":
            return self._json(request, {"balance": self.emu.accounts.balance(key)})
        if endpoint == "library":
            return self._library(request)
        if endpoint == "collection" and request.method == "POST":
            return self._create(request, record, key, resource)
        if endpoint == "collection":
            return self._list(request, key, resource)
        task = self._own_task(key, resource, args["task_id"])
        if endpoint == "stream":
            return self._stream(task, args["task_id"])
        if task is None:
            return error(404, "Task not found")
        record["kind"] = task.kind
        if request.method == "DELETE":
            self.emu.store.delete(task.id)
            return Response(b"", status=200)
        return self._json(request, self.emu.render(task))

    def _auth(self, request: Request) -> str:
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key or not self.emu.accounts.known(key):
            raise ApiError(401, "Invalid API key")
        return key

    def _route_v2(self, request: Request, record: dict[str, Any], key: str, endpoint: str,
                  args: dict[str, Any]) -> Response:
        if endpoint == "v2_create":
            return task_routes.create(self, request, record, key, args["resource"])
        if endpoint == "v2_list":
            return task_routes.listing(self, request, key)
        if endpoint == "v2_balance":
            return task_routes.balance(self, request, key)
        if endpoint == "v2_usage":
            return task_routes.usage(self, request, key)
        if endpoint == "v2_library":
            return self._library(request, v2=True)
        task_id = args["task_id"]
        if endpoint == "v2_stream":
            task = self.emu.store.get(task_id)
            return self._stream(task if task is not None and task.key == key else None,
                                task_id, v2=True)
        record["kind"] = task_routes.own_task(self, key, task_id).kind
        if request.method == "DELETE":
            return task_routes.delete(self, key, task_id)
        return task_routes.read(self, request, key, task_id)

    def caller(self, key: str) -> Caller:
        return Caller(self.emu, key)

    def json(self, request: Request, payload: Any, status: int = 200) -> Response:
        return self._json(request, payload, status)

    def _json(self, request: Request, payload: Any, status: int = 200) -> Response:
        truncate = request.method == "GET" and self.emu.faults.take("malformed_json")
        return json_response(payload, status, truncate=truncate)

    def _own_task(self, key: str, resource: str, task_id: str) -> Task | None:
        task = self.emu.store.get(task_id)
        if task is None or task.key != key or task.kind not in RESOURCES[resource]:
            return None
        return task

    # -- endpoints -----------------------------------------------------------------------------
    def _create(self, request: Request, record: dict[str, Any], key: str,
                resource: str) -> Response:
        emu = self.emu
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError:
            return error(400, "Invalid JSON body")
        if not isinstance(body, dict):
            return error(400, "The request body must be a JSON object")
        plan = VALIDATORS[resource](Caller(emu, key), body)
        record["kind"] = plan.kind
        try:
            cost = price(plan.kind, plan.price_params)
        except KeyError:
            return error(400, "Invalid parameter ai_model")
        started = self.start_task(request, record, key, plan, cost, None)
        if isinstance(started, Response):
            return started
        status = 202 if emu.faults.get("accepted_202") else 200
        return json_response({"result": started.id}, status)

    def start_task(self, request: Request, record: dict[str, Any], key: str, plan: Plan,
                   cost: int, v2_request: dict[str, Any] | None) -> Task | Response:
        """Admit (queue, key limit, credits), charge and create the task with its outputs.

        `v2_request` is the v2 body (None for v1): it picks the error dialect and becomes the
        task's `input`. Returns the task, or the answer when it was refused or a fault hit."""
        emu = self.emu
        v2 = v2_request is not None
        now = time.time()
        if emu.store.unfinished(key, now) >= emu.queue_limit:
            if v2:
                return self._fail(True, 429, "Too many pending tasks. Wait for a task to "
                                             "finish.", code="pending_task_limit_reached")
            if self.emu.faults.get("error_codes"):
                return self._error(429, "Too many pending tasks. Wait for a task to finish.",
                                   code="TooManyPendingTasks")
            return error(429, "NoMoreConcurrentTasks")
        if emu.accounts.over_key_limit(key, cost):
            return self._fail(v2, 402, "API key credit limit reached. Raise this key's limit "
                                       "or use another key.",
                              code="api_key_credit_limit_reached", v1_code="InsufficientCredits")
        charged = cost
        if not emu.accounts.charge(key, cost):
            slots = emu.accounts.no_credit_slots.get(key)
            if slots is None:
                return self._fail(v2, 402, "Insufficient credits to perform this task.",
                                  code="insufficient_credits", v1_code="InsufficientCredits")
            free = sum(1 for t in emu.store.all()
                       if t.key == key and t.credits == 0 and now < t.finished)
            if free >= slots:
                return self._fail(v2, 429, "No more no-credit task slots: wait for a task to "
                                           "finish or top up credits.",
                                  code="concurrent_task_limit_reached",
                                  v1_code="NoMoreConcurrentTasks")
            charged = 0
        task = emu.store.create(key=key, kind=plan.kind, params=plan.params, credits=charged,
                                fail=emu.faults.get("fail_tasks"), request=v2_request)
        cost = charged
        try:
            assert plan.build is not None
            outputs = plan.build(emu.builder, task.id)
        except Exception:
            emu.store.delete(task.id)
            emu.accounts.refund(key, cost)
            raise
        task.outputs, task.absent_formats = outputs.fields, outputs.absent
        task.files, task.model_file = outputs.files, outputs.model_file
        record["created_task_id"] = task.id
        if emu.faults.take("post_500_after_create"):
            return self._fail(v2, 500, "Internal Server Error")
        if emu.faults.take("drop_after_create"):
            record["status"] = 0
            record["dropped"] = True
            return drop_connection(request)
        return task

    def _list(self, request: Request, key: str, resource: str) -> Response:
        args = request.args
        try:
            page_num = int(args.get("page_num", 1))
            page_size = int(args.get("page_size", 10))
        except ValueError:
            return error(400, "Invalid parameter page_num/page_size: must be integers")
        if page_num < 1:
            return error(400, "Invalid parameter page_num: must be at least 1")
        if not 1 <= page_size <= 50:
            return error(400, "Invalid parameter page_size: must be between 1 and 50")
        sort_by = args.get("sort_by", "-created_at")
        if sort_by not in ("+created_at", "-created_at", "created_at"):
            return error(400, "Invalid parameter sort_by")
        tasks = [t for t in self.emu.store.all()
                 if t.key == key and t.kind in RESOURCES[resource]]
        if sort_by == "-created_at":
            tasks.reverse()
        page = tasks[(page_num - 1) * page_size: page_num * page_size]
        return self._json(request, [self.emu.render(t) for t in page])

    def _library(self, request: Request, *, v2: bool = False) -> Response:
        if self.emu.faults.get("library_missing"):
            return self._fail(v2, 404, "Not Found", code="route_not_found")
        search = (request.args.get("search") or "").lower()
        category = (request.args.get("category") or "").lower()
        sub = (request.args.get("sub_category") or "").lower()
        items = [e for e in self.emu.library
                 if (not search or search in str(e.get("name", "")).lower())
                 and (not category or category == str(e.get("category", "")).lower())
                 and (not sub or sub == str(e.get("sub_category", "")).lower())]
        return self._json(request, items)

    def _public_catalog(self, request: Request) -> Response:
        """Meshy's public catalog shape: camelCase entries under result.list, with a total."""
        entries = [{"id": e["action_id"], "key": str(e.get("key") or e["name"]).lower(),
                    "name": e["name"], "category": e.get("category", ""),
                    "subCategory": e.get("sub_category", ""),
                    "previewUrl": e.get("preview_url", ""),
                    "rigType": e.get("rig_type") or "biped",
                    "isDefault": e["action_id"] == 0, "isFree": bool(e.get("is_free", True))}
                   for e in self.emu.library]
        return self._json(request, {"result": {"total": len(entries), "list": entries}})

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None, *,
               code: str | None = None) -> Response:
        """An error answer; with the `error_codes` fault its machine code rides beside."""
        return error(status, message, headers, code=code,
                     code_key=self.emu.faults.get("error_codes") or None)

    def _stream(self, task: Task | None, task_id: str, *, v2: bool = False) -> Response:
        emu = self.emu
        drop = task is not None and emu.faults.take("sse_drop")
        stuck = task is not None and not drop and emu.faults.take("sse_keepalive_only")
        return Response(self._events(task, task_id, drop=drop, stuck=stuck, v2=v2),
                        mimetype="text/event-stream", direct_passthrough=True,
                        headers={"Cache-Control": "no-cache"})

    def _events(self, task: Task | None, task_id: str, *, drop: bool,
                stuck: bool, v2: bool) -> Iterator[bytes]:
        """v1 frames: progress frames, then the whole task. v2 (assumed, same framing): the
        whole v2 task object in every frame."""
        emu = self.emu
        gone = (error_object.error_object(404, f"Task {task_id} not found", code="task_not_found")
                if v2 else {"status_code": 404, "message": "Task not found"})
        if task is None:
            yield sse("error", gone)
            return

        def frame_of(t: Task) -> dict[str, Any]:
            if not v2:
                return t.progress_frame(time.time())
            obj = emu.render_task(t)
            return {k: obj[k] for k in ("id", "status", "progress")} | {"_": obj}

        def send(frame: dict[str, Any]) -> bytes:
            return sse("message", frame.get("_", frame) if v2 else frame)

        step = max(0.01, min(0.5, emu.task_seconds / 40))
        keepalive = max(0.02, min(10.0, emu.task_seconds / 10))
        first = frame_of(task)
        if first["status"] in TERMINAL and stuck:
            first = {"id": task.id, "progress": 99, "status": "IN_PROGRESS"}
            if v2:
                first["_"] = {**emu.render_task(task), "progress": 99, "status": "IN_PROGRESS",
                              "finished_at": None, "expires_at": None, "output": None,
                              "task_error": None}
        if first["status"] in TERMINAL:
            emu.store.settle()
            yield sse("message", emu.render_task(task) if v2 else emu.render(task))
            return
        yield send(first)
        if drop:
            return
        last, sent_at = first, time.monotonic()
        give_up = time.monotonic() + max(0.5, 3 * emu.task_seconds)
        while True:
            # The next look: a progress step on, or the moment the task ends if that is sooner
            # (a server pushes the final event when the task finishes, not on a progress grid).
            time.sleep(step if stuck else max(0.001, min(step, task.finished - time.time())))
            if emu.store.get(task.id) is None:  # deleted while streaming
                yield sse("error", gone)
                return
            if stuck:
                if time.monotonic() > give_up:
                    return
                frame = last
            else:
                now = time.time()
                state = {"status": task.status(now), "progress": task.progress(now)}
                if state["status"] not in TERMINAL and state == {
                        k: last[k] for k in ("status", "progress")} and \
                        time.monotonic() - sent_at < keepalive:
                    continue  # nothing to send: the task object is rendered only for a frame
                frame = frame_of(task)
                if frame["status"] in TERMINAL:
                    emu.store.settle()
                    yield sse("message", emu.render_task(task) if v2 else emu.render(task))
                    return
            changed = {k: frame[k] for k in ("status", "progress")} != \
                {k: last[k] for k in ("status", "progress")}
            if changed or time.monotonic() - sent_at >= keepalive:
                yield send(frame)
                last, sent_at = frame, time.monotonic()

    # -- admin ---------------------------------------------------------------------------------
    def _admin(self, request: Request) -> Response:
        emu = self.emu
        path = request.path.rstrip("/")
        try:
            if path == "/_emulator/log" and request.method == "GET":
                return json_response(emu.requests(request.args.get("origin")))
            if path == "/_emulator/faults":
                if request.method == "DELETE":
                    emu.clear_faults()
                elif request.method == "POST":
                    body = json.loads(request.get_data() or b"{}")
                    for name, value in (body.items() if isinstance(body, dict) else
                                        (parse(str(s)) for s in body)):
                        emu.set_fault(name, value)
                return json_response(emu.faults.snapshot())
            if path == "/_emulator/reset" and request.method == "POST":
                emu.reset()
                return json_response({"ok": True})
            if path == "/_emulator/tasks" and request.method == "GET":
                return json_response(emu.tasks())
            if path == "/_emulator/balance" and request.method == "GET":
                key = request.args.get("key") or next(iter(emu.initial_keys))
                return json_response({"balance": emu.balance(key)})
            if path == "/_emulator/settings":
                if request.method == "POST":
                    body = json.loads(request.get_data() or b"{}")
                    if not isinstance(body, dict):
                        raise ValueError("settings must be a JSON object")
                    emu.apply_settings(body)
                return json_response(emu.settings())
        except (FaultError, ValueError, KeyError) as exc:
            return error(400, str(exc))
        return error(404, "Not Found")


def _v1_text_to_3d(request: Request) -> bool:
    """A v1 Text to 3D request on its /openapi/v2/ path: a per-kind read, or a create with
    `mode` (or one that isn't a JSON object, which v1 answers in its own words)."""
    parts = request.path.rstrip("/").split("/")
    if len(parts) < 4 or parts[3] != "text-to-3d":
        return False
    if len(parts) > 4 or request.method != "POST":
        return True
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        return True
    return not isinstance(body, dict) or "mode" in body


def sse(event: str, payload: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(payload)}\n\n".encode()
