"""Run one request of every kind and record how each answer differs from the contract.

Plain ``requests`` on purpose: the point is to see Meshy's raw answers (the client would smooth
them over). Request bodies still come from the client's own ``build_payload`` so the check sends
exactly what the add-on sends, and each final task also goes through the client's parser to
check it finds what it needs. A task-creating POST is sent once, never retried.
"""

from __future__ import annotations

import base64
import itertools
import json
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from meshy_blender.client import downloads, sse
from meshy_blender.client.client import BALANCE_PATH, LIBRARY_PATH, TASKS_PATH
from meshy_blender.client.request_body import create_body, create_route, textures_a_shape
from meshy_blender.client.specs import SPECS, build_payload
from meshy_blender.client.task_list import LIST_TYPES
from meshy_blender.client.tasks import STATUSES, TERMINAL, kind_of, parse_task

from . import contract
from .shapes import compare


def sample_png(size: int = 64) -> str:
    """A small real PNG (a gradient) as a data URI, made here so the check needs no files."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + bytes(v for x in range(size) for v in (x * 4 % 256, y * 4 % 256,
                                                                       128))
                    for y in range(size))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0,
                                                               0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


Options = Callable[[dict[str, str]], dict[str, Any]]
PNG = sample_png()
# (label, kind, options from earlier tasks' ids); a step whose inputs failed is skipped.
PLAN: list[tuple[str, str, Options]] = [
    ("preview", "text-to-3d-preview", lambda c: {"prompt": "a small wooden chair"}),
    ("refine", "text-to-3d-refine", lambda c: {"preview_task_id": c["preview"],   # a retexture
                                               "texture_prompt": "a small wooden chair"}),
    ("image", "image-to-3d", lambda c: {"image_url": PNG, "alpha_thumbnail": True}),
    ("multi-image", "multi-image-to-3d", lambda c: {"image_urls": [PNG, PNG]}),
    ("retexture", "retexture", lambda c: {"input_task_id": c["preview"],
                                          "text_style_prompt": "oak"}),
    ("remesh", "remesh", lambda c: {"input_task_id": c["preview"],
                                    "target_formats": ["glb", "3mf"]}),
    ("convert", "convert", lambda c: {"input_task_id": c["preview"],
                                      "target_formats": ["fbx", "blend"]}),
    ("resize", "resize", lambda c: {"input_task_id": c["preview"], "auto_size": True}),
    ("rig-check", "rig-check", lambda c: {"input_task_id": c["refine"]}),
    ("rig", "rig", lambda c: {"input_task_id": c["refine"]}),
    ("animate", "animate", lambda c: {"rig_task_id": c["rig"], "action_id": 0}),
    ("animate-several", "animate", lambda c: {"rig_task_id": c["rig"], "action_ids": [0, 1]}),
    ("text-to-image", "text-to-image", lambda c: {"ai_model": "nano-banana",
                                                  "prompt": "a wooden chair",
                                                  "generate_multi_view": True}),
    ("image-to-image", "image-to-image", lambda c: {"ai_model": "nano-banana",
                                                    "prompt": "in oak",
                                                    "reference_image_urls": [PNG]}),
    ("image-from-task", "image-to-3d", lambda c: {"input_task_id": c["text-to-image"]}),
    ("motion", "text-to-motion", lambda c: {"prompt": "a slow bow", "mode": "swift",
                                            "duration": 3}),
    ("animate-motion", "animate", lambda c: {"rig_task_id": c["rig"],
                                             "motion_task_id": c["motion"]}),
    ("uv-unwrap", "uv-unwrap", lambda c: {"input_task_id": c["preview"]}),
    ("print-analyze", "print-analyze", lambda c: {"input_task_id": c["preview"]}),
    ("print-repair", "print-repair", lambda c: {"input_task_id": c["preview"]}),
    ("print-multi-color", "print-multi-color", lambda c: {"input_task_id": c["preview"],
                                                          "max_colors": 4}),
]
NO_TASK = "00000000-0000-0000-0000-000000000000"
# The v2 read assumptions (docs/meshy-api-v2.md) this check compares with Meshy's answers; a
# difference in one of them carries its number in its label.
ASSUMPTIONS = {
    "A1": "SSE framing of /openapi/v2/tasks/{id}/stream",
    "A2": "paging and shape of GET /openapi/v2/tasks?type=",
    "A4": "the task `type` strings",
    "A7": "the error codes of a bad key (401) and an unknown task (404)",
    "A9": "the balance's monthly_resets_at",
    "A11": "the `output` keys of rigging, animation, motion and print tasks",
    "A12": "the rig check's `rig_type` (biped / quadruped) and whether a rig names its own",
}
RANK = {"PENDING": 0, "IN_PROGRESS": 1, "SUCCEEDED": 2, "FAILED": 2, "CANCELED": 2}


@dataclass
class Report:
    """Differences (the contract no longer holds) and notes (what was seen or skipped)."""

    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def diff(self, where: str, items: list[str]) -> None:
        self.differences.extend(f"{where}: {d}" for d in items)


class Probe:
    def __init__(self, base_url: str, key: str, *, task_timeout: float = 600.0,
                 poll: float = 2.0, out: Callable[[str], None] = print) -> None:
        self.base = base_url.rstrip("/")
        self.api = requests.Session()
        self.api.headers.update({"Authorization": f"Bearer {key}", "Accept": "application/json"})
        self.assets = requests.Session()  # never carries the key
        self.task_timeout = task_timeout
        self.poll = poll
        self.out = out
        self.report = Report()
        self.ids: dict[str, str] = {}
        self._listed: set[str] = set()

    # -- account, library, errors (the client's reads: API v2) ---------------------------
    def check_account(self) -> None:
        self._json_shape("balance [A9 monthly_resets_at]", "GET", BALANCE_PATH,
                         contract.BALANCE_V2)
        self._json_shape("library", "GET", LIBRARY_PATH, contract.LIBRARY)
        resp = self.assets.get(self.base + "/web/public/animations/resources", timeout=30)
        self._shape("public catalog", resp, contract.PUBLIC_CATALOG)
        bad = requests.get(self.base + BALANCE_PATH, timeout=30,
                           headers={"Authorization": "Bearer msy_live_check_not_a_key"})
        self._status("bad key [A7 401 code]", bad, 401)
        self._code("bad key [A7 401 code]", bad, "invalid_api_key")
        missing = self.api.get(f"{self.base}{TASKS_PATH}/{NO_TASK}", timeout=30)
        self._status("unknown task [A7 404 code]", missing, 404)
        self._code("unknown task [A7 404 code]", missing, "task_not_found")
        per_kind = self.api.get(f"{self.base}/openapi/v2/image-to-3d/{NO_TASK}", timeout=30)
        self._status("per-kind read", per_kind, 404)  # documented: only /tasks reads
        self._code("per-kind read", per_kind, "route_not_found")

    def _code(self, label: str, resp: requests.Response, want: str) -> None:
        """A v2 error object with the ``code`` the add-on's error table expects."""
        body = self._shape(label, resp, contract.ERROR_V2)
        if isinstance(body, dict) and isinstance(body.get("code"), str) and body["code"] != want:
            self.report.diff(label, [f"code {body['code']!r}, expected {want!r}"])

    def _json_shape(self, label: str, method: str, path: str, spec: Any) -> Any:
        resp = self.api.request(method, self.base + path, timeout=30)
        return self._shape(label, resp, spec)

    def _status(self, label: str, resp: requests.Response, want: int) -> None:
        if resp.status_code != want:
            self.report.diff(label, [f"HTTP {resp.status_code}, expected {want}"])

    def _shape(self, label: str, resp: requests.Response, spec: Any) -> Any:
        try:
            body = resp.json()
        except ValueError:
            self.report.diff(label, [f"HTTP {resp.status_code} with a body that is not JSON"])
            return None
        self.report.diff(label, compare(spec, body))
        return body

    # -- one task of every kind ----------------------------------------------------------
    def run_plan(self) -> None:
        for label, kind, options in PLAN:
            try:
                payload = build_payload(kind, **options(self.ids))
            except KeyError as missing:
                self.report.notes.append(f"{label}: skipped, it needs the {missing} task")
                continue
            self.out(f"- {label} ({kind})")
            task_id = self._create(label, kind, payload)
            if task_id:
                final = self._follow(label, kind, task_id)
                if final is not None and final.get("status") == "SUCCEEDED":
                    self.ids[label] = task_id

    def _create(self, label: str, kind: str, payload: dict[str, Any]) -> str | None:
        route = create_route(kind, payload)  # sent as the client sends it: v2's fields only
        body = create_body(kind, route, payload) if route is not None else payload
        path = f"/openapi/v2/{route}" if route is not None else SPECS[kind].create_path
        resp = self.api.post(self.base + path, json=body, timeout=60)
        if resp.status_code >= 400:
            self.report.notes.append(f"{label}: creating answered HTTP {resp.status_code} "
                                     f"{resp.text[:200]!r}")
            self._shape(f"{label} error", resp, contract.ERROR if route is None
                        else contract.ERROR_V2)
            return None
        answer = self._shape(f"{label} create", resp, contract.CREATE if route is None
                             else contract.CREATE_V2)
        if not isinstance(answer, dict):
            return None
        return answer.get("result") if route is None else answer.get("id")

    def _follow(self, label: str, kind: str, task_id: str) -> dict[str, Any] | None:
        """Stream, poll and list the task through API v2's task routes, as the client does."""
        task_url = f"{self.base}{TASKS_PATH}/{task_id}"
        statuses = self._stream(label, f"{task_url}/stream")
        deadline = time.monotonic() + self.task_timeout
        final: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            resp = self.api.get(task_url, timeout=30)
            final = resp.json() if resp.status_code == 200 else None
            if final is None or final.get("status") in TERMINAL:
                break
            statuses.append(str(final.get("status")))
            time.sleep(self.poll)
        if final is None or final.get("status") not in TERMINAL:
            self.report.diff(label, ["the task did not finish before the time limit"])
            return final
        statuses.append(str(final["status"]))
        self._status_flow(label, statuses)
        numbers = "A11 output keys, A12 rig type" if kind.startswith("rig") else "A11 output keys"
        self.report.diff(f"{label} task [{numbers}]", compare(contract.task_spec_v2(kind), final))
        echo = final.get("input")
        expected = ("retexture" if textures_a_shape(kind, echo if isinstance(echo, dict) else {})
                    else kind)  # Texture It is a retexture on Meshy API v2
        if kind_of(final.get("type"), "", echo) != expected:
            self.report.diff(f"{label} task [A4 type]", [
                f"type {final.get('type')!r} does not name the add-on's kind {kind!r}"])
        self._client_reads(label, kind, final)
        self._list(label, kind)
        return final

    def _stream(self, label: str, url: str) -> list[str]:
        """SSE (A1, v1's framing assumed): every frame a JSON object with id/progress/status;
        the last one terminal."""
        label = f"{label} [A1 SSE]"
        statuses: list[str] = []
        try:
            resp = self.api.get(url, stream=True, headers={"Accept": "text/event-stream"},
                                timeout=(10, min(self.task_timeout, 120)))
        except requests.RequestException as exc:
            self.report.diff(f"{label} stream", [f"could not open: {exc}"])
            return statuses
        with resp:
            if resp.status_code != 200:
                self.report.diff(f"{label} stream", [f"HTTP {resp.status_code}"])
                return statuses
            try:
                for event in sse.parse_events(sse.iter_chunks(resp)):
                    if event.event not in ("message", "error"):
                        self.report.diff(f"{label} stream", [f"unknown event {event.event!r}"])
                    data = json.loads(event.data)
                    if event.event == "error":
                        self.report.diff(f"{label} stream", [f"error event {data}"])
                        break
                    self.report.diff(f"{label} stream frame", [
                        d for d in compare(contract.SSE_FRAME, data) if "new field" not in d])
                    statuses.append(str(data.get("status")))
                    if data.get("status") in TERMINAL:
                        break
            except (requests.RequestException, ValueError) as exc:
                self.report.notes.append(f"{label}: stream ended early ({exc})")
        if not statuses or statuses[-1] not in TERMINAL:
            self.report.notes.append(f"{label}: the stream gave no terminal event; polled")
        return statuses

    def _status_flow(self, label: str, statuses: list[str]) -> None:
        unknown = sorted({s for s in statuses if s not in STATUSES})
        if unknown:
            self.report.diff(label, [f"unknown status {', '.join(unknown)}"])
        ranks = [RANK.get(s, 0) for s in statuses]
        if any(b < a for a, b in itertools.pairwise(ranks)):
            self.report.diff(label, [f"status went backwards: {' -> '.join(statuses)}"])

    def _client_reads(self, label: str, kind: str, final: dict[str, Any]) -> None:
        task = parse_task(final, kind)
        if not task.succeeded:
            self.report.notes.append(f"{label}: ended {task.status}: "
                                     f"{task.task_error.message if task.task_error else ''}")
            return
        output = SPECS[kind].output
        urls = task.asset_urls()
        need = contract.CLIENT_NEEDS.get(output)
        if output == "report":
            if task.printability is None:
                self.report.diff(label, ["the client found no printability report"])
        elif output == "check":
            if not isinstance(task.result.get("riggable"), bool):
                self.report.diff(f"{label} [A12 rig type]",
                                 ["the client found no `riggable` answer in the rig check"])
        elif need and need not in urls and not (output == "model" and urls):
            self.report.diff(label, [f"the client found no {need!r} output "
                                     f"(it found: {', '.join(sorted(urls)) or 'none'})"])
        if urls:
            name = need if need in urls else sorted(urls)[0]
            self._asset(label, name, urls[name])

    def _asset(self, label: str, name: str, url: str) -> None:
        """The asset host: 200 without the key, a length, a type, the format's first bytes."""
        with self.assets.get(url, stream=True, timeout=60) as resp:
            if resp.status_code != 200:
                self.report.diff(f"{label} asset {name}", [f"HTTP {resp.status_code}"])
                return
            head = next(resp.iter_content(64), b"")
            missing = [h for h in ("Content-Type", "Content-Length") if h not in resp.headers]
            problem = downloads.check_magic(downloads.extension_for(url, name), head)
        self.report.diff(f"{label} asset {name}", [f"no {h} header" for h in missing]
                         + ([problem] if problem else []))

    def _list(self, label: str, kind: str) -> None:
        """GET /openapi/v2/tasks?type=...: paging and answer shape are A2."""
        type_ = LIST_TYPES.get(kind, kind)
        if type_ in self._listed:
            return
        self._listed.add(type_)
        label = f"{label} list [A2 paging]"
        resp = self.api.get(self.base + TASKS_PATH, timeout=30, params={
            "type": type_, "page_num": "1", "page_size": "1", "sort_by": "-created_at"})
        body = self._shape(label, resp, contract.list_spec_v2(kind))
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, list) and len(data) > 1:
            self.report.diff(label, [f"page_size=1 answered {len(data)} tasks"])
