"""Creating a task without ever paying twice.

A task-creating POST costs credits and Meshy has no idempotency key, so it is never retried
blindly. It is re-sent only when the server provably never saw it (connection refused, DNS,
connect timeout: urllib3 handles those) or explicitly refused it (429 RateLimitExceeded). After
an ambiguous failure (read timeout, dropped connection, 5xx, unreadable answer) we look for the
task among the newest tasks of that kind and adopt it; if it is not there we say the task may or
may not exist rather than sending a second POST.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

import requests

from . import errors as e
from . import http, request_metadata
from .core import ClientCore
from .pricing import estimate_cost
from .request_body import V2_PREFIX, create_body, create_route, listed_type, textures_a_shape
from .specs import spec
from .tasks import TERMINAL

# Inputs that identify "the same request" when a task object echoes them.
MATCH_KEYS = ("mode", "should_texture", "prompt", "negative_prompt", "preview_task_id",
              "input_task_id",
              "height_meters", "resize_height",
              "rig_task_id", "action_id", "action_ids", "motion_task_id", "texture_prompt",
              "text_style_prompt", "ai_model",
              "art_style", "image_url", "model_url", "target_polycount", "topology")
# Task ids to never adopt, or a callable giving them (read only when a lookup happens).
Exclude = Callable[[], Collection[str]] | Collection[str] | None
ADOPT_SLACK_MS = 5_000  # server/client clock difference tolerated when matching created_at
ADOPT_LOOKUPS = 2
_UNSURE = ("Meshy did not confirm the new {kind} task ({reason}). It may or may not have been "
           "created: check the task list before trying again, so you are not charged twice.")


def create(client: ClientCore, kind: str, payload: dict[str, Any],
           exclude: Exclude = None, *, retry_rate_limited: bool = True
           ) -> tuple[str, dict[str, Any] | None]:
    """The new task's id, and Meshy's answer when it is already final (SUCCEEDED or FAILED in
    the 202 body, like a cached print analysis: reference §3), so nobody polls for it.
    ``retry_rate_limited=False`` hands a 429 ``RateLimitExceeded`` to the caller (nothing was
    created) instead of backing off here: a request pacer learns from it."""
    s = spec(kind)
    body = {**s.fixed, **payload}
    labels = body.pop("metadata", None)  # sent as v2's header, never in the body
    headers = {request_metadata.HEADER: request_metadata.header(labels)} if labels else None
    if textures_a_shape(kind, body):
        body = _with_style(client, body)
    route = create_route(kind, body)
    path = s.create_path
    if route is not None:
        body = create_body(kind, route, body)  # only the fields Meshy API v2 takes
        path = V2_PREFIX + route
    started_ms = int(time.time() * 1000)
    rate_limited = 0
    while True:
        resp, failure = _post(client, path, body, headers)
        if resp is not None and resp.status_code < 400:
            task_id, answer = _created(resp)
            if task_id:
                return task_id, answer
            failure = "its answer could not be read"
        elif resp is not None and resp.status_code < 500:
            err = http.error_from_response(resp, what=f" for {kind}")
            if isinstance(err, e.RateLimitedError) and retry_rate_limited \
                    and rate_limited < client.max_retries:
                rate_limited += 1  # the server refused it outright: nothing was created
                wait = (err.retry_after if err.retry_after is not None
                        else client.backoff(rate_limited - 1))
                time.sleep(min(wait, http.CappedRetry.RETRY_AFTER_MAX))
                continue
            if isinstance(err, e.InsufficientCreditsError):
                err = _credits_error(client, kind, body, err)
            raise err
        elif resp is not None:
            failure = f"server error HTTP {resp.status_code}"
        adopted = find_created(client, kind, body, started_ms, exclude)
        if adopted:
            return adopted, None
        status = resp.status_code if resp is not None else None
        message = _UNSURE.format(kind=kind, reason=failure)
        if status is not None and status >= 500:
            raise e.ServerError(message, status=status,
                                server_message=http.server_message(resp) if resp else None)
        raise e.NetworkError(message)


def _with_style(client: ClientCore, body: dict[str, Any]) -> dict[str, Any]:
    """Texture It without a texture prompt or image textures the shape as its own prompt said
    (v1's refine did that by itself; v2's retexture needs a style): one free read of the shape."""
    if body.get("texture_prompt") or body.get("texture_image_url"):
        return body
    shape = client.get_task("text-to-3d-preview", str(body["preview_task_id"]))
    prompt = shape.input.get("prompt") or shape.raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise e.ValidationError("Texture It needs a Texture Prompt or a Texture Image: the "
                                "shape's own prompt could not be read.", field="texture_prompt")
    return {**body, "texture_prompt": prompt.strip()}


def _post(client: ClientCore, path: str, body: dict[str, Any],
          headers: dict[str, str] | None = None) -> tuple[requests.Response | None, str]:
    """(response, "") or (None, why it is ambiguous); raises when provably not sent."""
    err: e.MeshyError | None = None
    reason = ""
    try:
        if headers:
            return client.post(path, body, headers=headers), ""
        return client.post(path, body), ""
    except requests.RequestException as exc:
        if http.provably_not_sent(exc):
            err = http.network_error(exc, client.base_url.split("//")[-1])
        else:
            reason = "the connection failed after the request was sent"
            if isinstance(exc, requests.exceptions.Timeout):
                reason = "no answer before the timeout"
    if err is not None:
        raise err
    return None, reason


def _created(resp: requests.Response) -> tuple[str | None, dict[str, Any] | None]:
    """The id in a create answer (v2's task object or v1's ``{"result": id}``) and the task
    object itself when its status is already final."""
    try:
        data = resp.json()
    except ValueError:
        return None, None
    if isinstance(data, dict):
        value = data.get("result") or data.get("id")
        if isinstance(value, str) and value:
            final = data.get("status") in TERMINAL and "result" not in data
            return value, (data if final else None)
    return None, None


def _credits_error(client: ClientCore, kind: str, body: dict[str, Any],
                   err: e.MeshyError) -> e.InsufficientCreditsError:
    try:
        balance: int | None = client.balance()
    except e.MeshyError:
        balance = None
    try:
        required: int | None = estimate_cost(kind, body)
    except e.MeshyError:
        required = None
    return e.InsufficientCreditsError(status=err.status, server_message=err.server_message,
                                      balance=balance, required=required, code=err.code)


def _matches(kind: str, task_raw: dict[str, Any], body: dict[str, Any]) -> bool:
    """``kind`` here is the type Meshy lists the created task under (:func:`listed_type`)."""
    ttype = task_raw.get("type")
    if ttype and ttype != kind and not (kind == "animate" and ttype == "animation"):
        return False
    for key in MATCH_KEYS:
        echoed = (task_raw.get("input") or task_raw).get(key)  # v2 echoes it in `input`
        if key in body and echoed not in (None, "") and echoed != body[key]:
            return False
    return True


def find_created(client: ClientCore, kind: str, body: dict[str, Any],
                 started_ms: int, exclude: Exclude = None) -> str | None:
    """The id of a task of ``kind`` created since ``started_ms`` with matching inputs that no
    one owns yet: neither this client's own creations nor the ids ``exclude`` gives (the ids
    every journal records; a sibling job's task must never be adopted twice)."""
    listed = listed_type(kind, body)  # Texture It is looked for among retextures
    if listed == "retexture" and kind != listed:
        kind = listed
        body = {("input_task_id" if name == "preview_task_id" else name): value
                for name, value in body.items()}  # as the retexture echoes its shape
    for lookup in range(ADOPT_LOOKUPS):
        if lookup:
            time.sleep(max(0.2, client.retry_backoff))
        try:
            recent = client.list_tasks(kind, page_size=20, sort_by="-created_at")
        except e.MeshyError:
            continue
        known = client.owned_task_ids()
        if exclude is not None:
            known |= set(exclude() if callable(exclude) else exclude)
        candidates = [t for t in recent
                      if t.id not in known and t.created_at >= started_ms - ADOPT_SLACK_MS
                      and _matches(listed, t.raw, body)]
        if candidates:
            return min(candidates, key=lambda t: t.created_at).id
    return None
