"""`Emulator`: one running fake Meshy (API port + asset port) and its Python control surface."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from werkzeug.serving import BaseWSGIServer, make_server

from .accounts import TEST_MODE_KEY, Accounts
from .api import ApiApp
from .assetapp import AssetApp
from .assets import Manifest, Signer, ensure_assets, new_secret
from .faults import Faults
from .outputs import OutputBuilder
from .requestlog import RequestLog
from .task_object import render as render_task_object
from .tasks import PARALLELISM, Task, TaskStore
from .web import QuietHandler

LIBRARY = Path(__file__).resolve().parent / "data" / "animation_library.json"
HOST = "127.0.0.1"
# Meshy's catalog holds ids -2 and -1 too (API notes); their names are not documented, so these
# are placeholders. They exercise negative ids end to end (the clip is a renamed library clip).
CATALOG_EXTRA = [
    {"action_id": -2, "name": "Catalog_Minus_2", "category": "DailyActions",
     "sub_category": "Idle", "is_free": True, "preview_url": ""},
    {"action_id": -1, "name": "Catalog_Minus_1", "category": "DailyActions",
     "sub_category": "Idle", "is_free": True, "preview_url": ""},
]
# Clips for quadruped rigs (placeholders too: the library sample lists bipeds only). Every entry
# carries its rig type; a rig of the other type is refused (400 rig_type_mismatch).
QUADRUPED_CLIPS = [
    {"action_id": 9001, "name": "Quadruped_Walk", "category": "WalkAndRun",
     "sub_category": "Walking", "is_free": True, "preview_url": "", "rig_type": "quadruped"},
    {"action_id": 9002, "name": "Quadruped_Run", "category": "WalkAndRun",
     "sub_category": "Running", "is_free": True, "preview_url": "", "rig_type": "quadruped"},
]


class Emulator:
    """A local Meshy API on 127.0.0.1 with Blender-made assets on a second port.

    `keys` maps API keys to starting balances (default: the test-mode key with 10,000
    credits); `rate_limit` is requests per second per key (None: unlimited). `v1_gone`
    answers every v1 route that has a v2 version as Meshy will after 2027-03-15 (404 with
    v2's error object; switchable at run time, `reset()` restores it).
    """

    def __init__(self, task_seconds: float = 20.0, keys: dict[str, int] | None = None,
                 queue_limit: int = 10, rate_limit: float | None = None, port: int = 0,
                 asset_port: int = 0, assets_dir: str | Path | None = None,
                 parallelism: int = PARALLELISM, v1_gone: bool = False) -> None:
        self.task_seconds = float(task_seconds)
        self.v1_gone = self._initial_v1_gone = bool(v1_gone)
        self.queue_limit = int(queue_limit)
        self._initial_limits = (self.queue_limit, rate_limit)
        self.initial_keys = dict(keys) if keys else {TEST_MODE_KEY: 10_000}
        self.accounts = Accounts(self.initial_keys, rate_limit)
        self.faults = Faults()
        self.log = RequestLog()
        self.store = TaskStore(self.task_seconds, self.accounts.refund, parallelism)
        self.library: list[dict[str, Any]] = [
            {"rig_type": "biped", **entry}
            for entry in (*CATALOG_EXTRA, *json.loads(LIBRARY.read_text()))] + QUADRUPED_CLIPS
        self._ports = (port, asset_port)
        self._assets_dir = assets_dir
        self._servers: list[BaseWSGIServer] = []
        self._threads: list[threading.Thread] = []
        self._workdir: Path | None = None
        self.api_url = ""
        self.assets_url = ""

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> Emulator:
        self.faults.set_from_env()
        folder = ensure_assets(self._assets_dir)
        self.manifest = Manifest(folder)
        self._workdir = Path(tempfile.mkdtemp(prefix="meshy-emulator-"))
        self.builder = OutputBuilder(self.manifest, self._workdir)
        api = make_server(HOST, self._ports[0], ApiApp(self), threaded=True,
                          request_handler=QuietHandler)
        assets = make_server(HOST, self._ports[1], AssetApp(self), threaded=True,
                             request_handler=QuietHandler)
        self._servers = [api, assets]
        self.api_url = f"http://{HOST}:{api.server_port}"
        self.assets_url = f"http://{HOST}:{assets.server_port}"
        self.signer = Signer(self.assets_url, new_secret())
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"meshy-emulator-{server.server_port}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- control -------------------------------------------------------------------------------
    def set_fault(self, name: str, value: Any = True) -> None:
        self.faults.set(name, value)

    def clear_faults(self) -> None:
        self.faults.clear()

    def requests(self, origin: str | None = None) -> list[dict[str, Any]]:
        return self.log.items(origin)

    def task(self, task_id: str) -> dict[str, Any]:
        task = self.store.get(task_id)
        if task is None:
            raise KeyError(task_id)
        self.store.settle()
        return self.render(task)

    def tasks(self) -> list[dict[str, Any]]:
        self.store.settle()
        return [self.render(t) for t in self.store.all()]

    def balance(self, key: str = TEST_MODE_KEY) -> int:
        self.store.settle()
        return self.accounts.balance(key)

    def set_balance(self, key: str, n: int) -> None:
        self.accounts.set_balance(key, n)

    def set_rate_limit(self, requests_per_second: float | None) -> None:
        self.accounts.rate_limit = requests_per_second

    def advance(self, task_id: str | None = None) -> None:
        self.store.advance(task_id)

    def reset(self) -> None:
        self.store.reset()
        if self._workdir is not None:  # rewritten models of the dropped tasks
            for child in self._workdir.iterdir():
                shutil.rmtree(child, ignore_errors=True)
        self.log.clear()
        self.faults.clear()
        self.accounts.reset()
        self.queue_limit, self.accounts.rate_limit = self._initial_limits
        self.v1_gone = self._initial_v1_gone

    # -- settings (also POST /_emulator/settings) ----------------------------------------------
    def set_v1_gone(self, gone: bool = True) -> None:
        self.v1_gone = bool(gone)

    def set_account(self, key: str = TEST_MODE_KEY, *, permanent_credits: int | None = None,
                    key_credit_limit: int | None = None,
                    no_credit_slots: int | None = None) -> None:
        """Account settings for v2's balance split, the API key's own credit limit (402 while
        the balance is positive) and an unlimited plan's no-credit task slots (429)."""
        if not self.accounts.known(key):
            raise KeyError(f"unknown key {key!r}")
        for table, value in ((self.accounts.permanent, permanent_credits),
                             (self.accounts.key_credit_limit, key_credit_limit),
                             (self.accounts.no_credit_slots, no_credit_slots)):
            if value is not None:
                table[key] = int(value)

    def apply_settings(self, body: dict[str, Any]) -> None:
        known = {"v1_gone", "key", "permanent_credits", "key_credit_limit", "no_credit_slots"}
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(known)}")
        if "v1_gone" in body:
            self.set_v1_gone(bool(body["v1_gone"]))
        account = {k: body[k] for k in ("permanent_credits", "key_credit_limit",
                                        "no_credit_slots") if k in body}
        if account:
            self.set_account(str(body.get("key") or next(iter(self.initial_keys))), **account)

    def settings(self) -> dict[str, Any]:
        return {"v1_gone": self.v1_gone,
                "permanent_credits": dict(self.accounts.permanent),
                "key_credit_limit": dict(self.accounts.key_credit_limit),
                "no_credit_slots": dict(self.accounts.no_credit_slots)}

    # -- used by the apps ----------------------------------------------------------------------
    def render(self, task: Task) -> dict[str, Any]:
        now = time.time()
        return task.render(now, self.signer.sign, preceding=self.store.preceding(task, now),
                           empty_strings=bool(self.faults.get("model_urls_empty_string")),
                           null_error=bool(self.faults.get("task_error_null")))

    def render_task(self, task: Task) -> dict[str, Any]:
        """The task as API v2 returns it (input / output, null for "not set")."""
        now = time.time()
        return render_task_object(task, now, self.signer.sign,
                                  preceding=self.store.preceding(task, now))

    def asset_path(self, task_id: str, filename: str) -> str | None:
        task = self.store.get(task_id)
        if task is None or task.status(time.time()) != "SUCCEEDED":
            return None
        return task.files.get(filename)

    def fetch_asset_url(self, url: str) -> bytes | None:
        """Bytes behind a URL, if it is a valid link to this emulator's asset host (no
        internet: any other URL counts as unreachable)."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.assets_url:
            return None
        pieces = parts.path.strip("/").split("/")
        if len(pieces) != 2:
            return None
        query = parse_qs(parts.query)
        if self.signer.check(pieces[0], pieces[1], (query.get("Expires") or [""])[0],
                             (query.get("Signature") or [""])[0]) is not None:
            return None
        path = self.asset_path(*pieces)
        if path is None:
            return None
        with open(path, "rb") as fh:
            return fh.read()
