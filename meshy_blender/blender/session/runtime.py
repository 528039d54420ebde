"""The add-on's live services: one Meshy client, one job manager and one pump per Blender session.

Created lazily on the main thread from the effective settings; rebuilt when the key, base URL or
cache folder changes; shut down (workers stopped, jobs left journalled) when the add-on unregisters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bpy

from ...client.client import MeshyClient, is_loopback
from ...jobs import plans
from ...jobs.journal import Journal
from ...jobs.manager import JobManager
from ...jobs.model import ACTIVE_STATUSES, READY, Job
from ...jobs.policy import Policy
from ...jobs.request import JobRequest
from . import config, notices
from .pump import Pump

log = logging.getLogger(__name__)

TIMER_ACTIVE_INTERVAL = 0.1
TIMER_IDLE_INTERVAL = 0.5
STARTUP_RESUME_DELAY = 1.0


class OnlineGate:
    """Decides on workers whether a URL may be contacted, from a value read on the main thread."""

    def __init__(self, online: bool) -> None:
        self.online = online

    def __call__(self, url: str) -> bool:
        return self.online or is_loopback(url)


@dataclass
class Runtime:
    settings: config.Settings
    client: MeshyClient
    manager: JobManager
    pump: Pump
    gate: OnlineGate

    @property
    def journal_dir(self) -> Path:
        return Path(self.settings.cache_dir) / "journal"

    @property
    def policy(self) -> Policy:
        return self.settings.check_policy()

    def plan(self, request: JobRequest) -> Job:
        """The job for ``request`` with the studio policy applied (defaults, locks, allowed
        models, per-job cap). Raises ValidationError / PolicyViolation / CreditCapError; nothing
        is sent. A resume follows a task already paid for: no policy applies to it."""
        if request.is_resume:
            return plans.plan_request(request)
        policy = self.policy
        job = plans.plan_request(request.with_options(policy.apply(request.request,
                                                                   request.options)))
        policy.check_job(job)
        return job

    def submit(self, request: JobRequest) -> Job:
        """Plan and start ``request``: the one way a job starts, from the sidebar, the API, the
        CLI and resume alike. New paid work is also checked against the session budget."""
        global _session_spent
        job = self.plan(request)
        if not request.is_resume:
            self.policy.check_cost(job.estimated_credits, _session_spent)
        self.manager.submit(job)
        if not request.is_resume:
            _session_spent += job.estimated_credits
        return job


_runtime: Runtime | None = None
# Credits (estimates) of the jobs submitted in this Blender session, for the policy's budget.
_session_spent = 0


def reset_session_spent() -> None:
    """Start a new budget period (tests; a studio tool may call it between shots)."""
    global _session_spent
    _session_spent = 0


def _identity(s: config.Settings) -> tuple[Any, ...]:
    return (s.api_key, s.api_base, s.cache_dir, s.ca_bundle, s.proxy, s.max_jobs, s.use_stream,
            s.download_dir)


def _default_importer(snapshot: dict[str, Any]) -> Any:
    from ..scene.import_job import import_job
    from . import thumbnails

    thumbnails.icon_for_job(snapshot)  # the picture is ready for the Tasks row at once
    return import_job(snapshot)


def _intermediate_importer(snapshot: dict[str, Any]) -> Any:
    from ..scene.import_job import import_intermediate

    return import_intermediate(snapshot)


def get_runtime(context: bpy.types.Context | None = None, *, resume: bool = True,
                settings: config.Settings | None = None) -> Runtime:
    """The current runtime, (re)built if the configuration changed. Main thread only.
    ``settings``: already resolved for this click (resolved here otherwise)."""
    global _runtime
    settings = settings or config.resolve(context)
    settings.check_policy()
    if _runtime is not None and _identity(_runtime.settings) == _identity(settings):
        _runtime.gate.online = settings.online_access
        _runtime.settings = settings
        return _runtime
    shutdown_runtime()
    gate = OnlineGate(settings.online_access)
    client = MeshyClient(
        settings.api_key,
        settings.api_base,
        ca_bundle=settings.ca_bundle or None,
        # The standard proxy variables win (requests reads them); else the preference's proxy.
        proxies=({"http": settings.proxy, "https": settings.proxy}
                 if settings.proxy and not settings.proxies else None),
        cache_dir=Path(settings.download_dir),
        allow_network=gate,
    )
    manager = JobManager(client, Path(settings.cache_dir) / "journal",
                         max_workers=settings.max_jobs, use_stream=settings.use_stream)
    pump = Pump(manager, _default_importer, preview_importer=_intermediate_importer)
    pump.listeners.append(notices.listener(pump, client))
    _runtime = Runtime(settings, client, manager, pump, gate)
    if resume:
        _, ready = manager.resume_from_journal()
        for job in ready:
            log.info("Meshy job %s finished while Blender was closed; ready to import", job.id)
    ensure_timer()
    return _runtime


def startup_resume() -> None:
    """One-shot timer after the add-on is enabled: finish what a previous session left.

    Unfinished jobs re-attach to their Meshy tasks; downloaded-but-not-imported ones are offered
    for import in the Tasks panel. Nothing starts when the journal is empty, there is no key, or
    online access is off for a non-loopback API (they wait until the user allows it).
    """
    if _runtime is not None:
        return None
    settings = config.resolve()
    journal = Journal(Path(settings.cache_dir) / "journal")
    pending = [j for j in journal.load_all() if j.status in ACTIVE_STATUSES or j.status == READY]
    if not pending or not settings.api_key:
        return None
    if not (settings.online_access or is_loopback(settings.api_base)):
        log.info("Meshy: %d journalled job(s) wait for online access", len(pending))
        return None
    get_runtime()
    return None


def current_runtime() -> Runtime | None:
    return _runtime


def shutdown_runtime() -> None:
    """Stop workers without cancelling on the server; unfinished jobs resume next time."""
    global _runtime
    if _runtime is None:
        return
    rt, _runtime = _runtime, None
    rt.manager.shutdown(cancel_running=True, wait=False)
    rt.client.close()


def timer_tick() -> float | None:
    """Persistent timer: pumps while the add-on is enabled; cheap when idle."""
    rt = _runtime
    if rt is None:
        return TIMER_IDLE_INTERVAL
    try:
        rt.pump.tick()
    except Exception:  # a timer that raises is removed by Blender: log and keep pumping
        log.exception("Meshy pump tick failed")
    return TIMER_ACTIVE_INTERVAL if rt.pump.busy() else TIMER_IDLE_INTERVAL


def ensure_timer() -> None:
    if not bpy.app.timers.is_registered(timer_tick):
        bpy.app.timers.register(timer_tick, first_interval=TIMER_ACTIVE_INTERVAL, persistent=True)


def remove_timer() -> None:
    if bpy.app.timers.is_registered(timer_tick):
        bpy.app.timers.unregister(timer_tick)
