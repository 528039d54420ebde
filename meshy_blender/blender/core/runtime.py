"""The add-on's live services: one Meshy client, one jobs worker process and one pump per session.

Created lazily on the main thread from the effective settings; rebuilt when the key, base URL or
cache folder changes; shut down (the worker process parks: jobs left journalled) when the add-on
unregisters. Jobs run in the worker process (jobs/worker.py), seen here through
:class:`.RemoteJobs`: no job thread runs in Blender's process (see jobs/remote.py for why).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from . import config

# The job machinery (manager, workers, journal, pump, the HTTP client) is imported when the first
# runtime is built, not when the add-on is enabled: enabling must only register classes. The
# start-up timer imports this module too, and only looks at the journal's listing (see
# :func:`startup_resume`), so nothing heavier is imported at the top of this module.
if TYPE_CHECKING:
    import logging

    from ...jobs import retention
    from ...jobs.journal import Journal
    from ...jobs.model import Job
    from ...jobs.policy import Policy
    from ...jobs.remote import RemoteJobs
    from ...jobs.remote_client import RemoteClient
    from ...jobs.request import JobRequest
    from .pump import Pump


def _log() -> logging.Logger:
    """This module's logger (key-scrubbed), made when first needed: importing ``logging`` is a
    measurable part of the start-up timer, which logs nothing."""
    from ...client.errors import scrubbed_logger

    return scrubbed_logger(__name__)

TIMER_ACTIVE_INTERVAL = 0.1
TIMER_IDLE_INTERVAL = 0.5
# After this long with nothing to do the timer unregisters itself, so an idle Blender pays nothing
# for the add-on; whatever starts work (submit, resume, re-import, a background read) re-arms it.
# The grace period catches events a worker posts just after a job looked finished (a cancel).
TIMER_STOP_AFTER_IDLE_S = 5.0


class OnlineGate:
    """Whether a URL may be contacted, from a value read on the main thread (the worker process
    gets the same value with each change, see ``RemoteJobs.set_online``)."""

    def __init__(self, online: bool) -> None:
        self.online = online

    def __call__(self, url: str) -> bool:
        from ...client.urls import is_loopback

        return self.online or is_loopback(url)


@dataclass
class Runtime:
    settings: config.Settings
    client: RemoteClient
    manager: RemoteJobs
    pump: Pump
    gate: OnlineGate

    @property
    def journal_dir(self) -> Path:
        return Path(self.settings.cache_dir) / "journal"

    @property
    def policy(self) -> Policy:
        return self.settings.check_policy()

    def plan(self, request: JobRequest) -> Job:
        """The job for ``request`` through the one money gate (``jobs/money_gate.plan``): the
        studio policy applied; a resume follows a task already paid for, so no policy applies."""
        from ...jobs import money_gate

        return money_gate.plan(request, None if request.is_resume else self.policy)

    def submit(self, request: JobRequest, *, origin: str = "", planned: Job | None = None
               ) -> Job:
        """Plan and start ``request``: the one way a job starts, from the sidebar, the API, the
        CLI and resume alike. New paid work is also checked against the session budget.

        Returns the job that runs: for a ``job_key`` already journalled, that journalled job
        (resumed, ready or finished; see jobs/keys.py), not a new one. ``origin``: see
        ``Job.origin`` (the API and the CLI pass ``ORIGIN_SCRIPT``). ``planned``: the job
        :meth:`plan` made for this very request when its price was checked (one plan per
        request)."""
        global _session_spent
        job = planned if planned is not None else self.plan(request)
        job.origin = origin
        if not request.is_resume:
            self.policy.check_cost(job.estimated_credits, _session_spent)
        running = self.manager.submit(job)
        if not request.is_resume and running is job:
            _session_spent += job.estimated_credits
        ensure_timer()
        return running


_runtime: Runtime | None = None
_idle_since: float | None = None  # when the timer last found nothing to do (None: busy)
# Credits (estimates) of the jobs submitted in this Blender session, for the policy's budget.
_session_spent = 0


def session_spent() -> int:
    """Credits (estimates) submitted in this session so far, for the policy's budget."""
    return _session_spent


def reset_session_spent() -> None:
    """Start a new budget period (tests; a studio tool may call it between shots)."""
    global _session_spent
    _session_spent = 0


def _identity(s: config.Settings) -> tuple[Any, ...]:
    return (s.api_key, s.api_base, s.cache_dir, s.ca_bundle, s.proxy, s.max_jobs, s.use_stream,
            s.download_dir, s.tier)


def _default_importer(snapshot: dict[str, Any]) -> Any:
    from ..scene.import_job import import_job
    from . import thumbnails

    thumbnails.icon_for_job(snapshot)  # the picture is ready for the Tasks row at once
    return import_job(snapshot)


def warm_importer() -> None:
    """Load what a session's first import loads (the landers, the Tasks row's thumbnails,
    Blender's glTF importer: about 80 ms on a 2-core machine) with nothing changed in the file:
    a headless run calls this while its tasks run on Meshy, so its first import costs what
    every other one costs."""
    from ..scene import import_job, importer  # noqa: F401 - loading them is the point
    from . import thumbnails  # noqa: F401

    importer.warm_up()


def _intermediate_importer(snapshot: dict[str, Any]) -> Any:
    from ..scene.import_job import import_intermediate

    return import_intermediate(snapshot)


def get_runtime(context: bpy.types.Context | None = None, *, resume: bool = True,
                settings: config.Settings | None = None) -> Runtime:
    """The current runtime, (re)built if the configuration changed. Main thread only.
    ``settings``: already resolved for this click (resolved here otherwise)."""
    global _runtime
    settings = settings or config.resolve(context)
    if settings.policy_error is not None:  # an unusable policy file: nothing may start
        raise settings.policy_error
    if _runtime is not None and _identity(_runtime.settings) == _identity(settings):
        _runtime.gate.online = settings.online_access
        _runtime.manager.set_online(settings.online_access)
        if settings.max_in_flight != _runtime.settings.max_in_flight:  # the preference moved
            _runtime.manager.concurrency.cap(settings.max_in_flight)
        _runtime.settings = settings
        return _runtime
    shutdown_runtime()
    from ...jobs.remote import RemoteJobs
    from ...jobs.remote_client import RemoteClient
    from . import notices
    from .pump import Pump

    gate = OnlineGate(settings.online_access)
    manager = RemoteJobs(worker_config(settings), resume=resume)
    client = RemoteClient(manager)  # reads answered by the worker: no HTTP in this process
    pump = Pump(manager, _default_importer, wake=ensure_timer,
                preview_importer=_intermediate_importer)
    pump.calls.wake = ensure_timer
    pump.listeners.append(notices.listener(pump, client))
    manager.on_resume = _resumed
    _runtime = Runtime(settings, client, manager, pump, gate)
    ensure_timer()
    return _runtime


# Options for the worker process's MeshyClient and JobManager (tests and scripts set them, e.g.
# ``max_retries``): the worker builds its own client from the settings and these.
WORKER_CLIENT_OPTIONS: dict[str, Any] = {}
WORKER_MANAGER_OPTIONS: dict[str, Any] = {}


def worker_config(settings: config.Settings) -> dict[str, Any]:
    """What the jobs worker process builds its client and job manager from (sent over its
    pipe, key included: never a command line or a log)."""
    from ...jobs.concurrency import rate_for_tier, start_for_tier

    # "Concurrent jobs" (or the account tier's queue limit, when larger) is where the adaptive
    # gate starts; it grows to the account's queue limit. A tier also fixes the request rate.
    tier = None if settings.tier == "AUTO" else settings.tier
    return dict(
        api_key=settings.api_key, api_base=settings.api_base,
        journal_dir=str(Path(settings.cache_dir) / "journal"),
        download_dir=str(settings.download_dir), ca_bundle=settings.ca_bundle or "",
        # The standard proxy variables win (requests reads them); else the preference's proxy.
        proxy=settings.proxy if settings.proxy and not settings.proxies else "",
        max_jobs=settings.max_jobs, use_stream=settings.use_stream,
        start=max(settings.max_jobs, start_for_tier(tier, 0)), rate=rate_for_tier(tier),
        rate_known=tier is not None, online=settings.online_access,
        cap=settings.max_in_flight,
        client_options=dict(WORKER_CLIENT_OPTIONS),
        manager_options=dict(WORKER_MANAGER_OPTIONS))


def _resumed(resumed: list[Job], ready: list[Job], damaged: str) -> None:
    """The worker resumed the journal (at its start, or after replacing a dead worker)."""
    from . import notices

    if damaged:
        notices.report("WARNING", f"Meshy: {damaged}")
    for job in ready:
        _log().info("Meshy job %s finished while Blender was closed; ready to import", job.id)
    if resumed or ready:
        ensure_timer()


def startup_resume() -> None:
    """One-shot timer after the add-on is enabled: finish what a previous session left.

    Unfinished jobs re-attach to their Meshy tasks; downloaded-but-not-imported ones are offered
    for import in the Tasks panel. Only their journal files are read; finished jobs past the
    retention rules are pruned by a short-lived process meanwhile. Nothing starts when the journal
    has no unfinished job, there is no key, or online access is off for a non-loopback API
    (they wait until the user allows it).

    Every Blender start pays for this on the main thread, so the usual case (nothing unfinished)
    costs one folder listing and a process launch: the journal and the job model are imported
    only when the listing shows a job file at the journal's top.
    """
    if _runtime is not None:
        return None
    settings = config.resolve_locations()
    from ...jobs import spawn, unfinished

    journal_dir = Path(settings.cache_dir) / "journal"
    spawn.prune_in_process(journal_dir, settings.download_dir, retention_rules())
    if not unfinished.has_unfinished(journal_dir):
        return None
    from ...jobs.journal import Journal

    journal = Journal(journal_dir)
    pending = journal.load_unfinished()  # never the finished history (issue 17)
    tell_damaged(journal)
    if not pending or not settings.api_key:
        return None
    from ...client.urls import is_loopback

    if not (settings.online_access or is_loopback(settings.api_base)):
        _log().info("Meshy: %d journalled job(s) wait for online access", len(pending))
        return None
    get_runtime()
    return None


def retention_rules(context: bpy.types.Context | None = None) -> retention.Rules:
    """How long finished jobs stay re-importable (Preferences > Cache; defaults otherwise)."""
    from ...jobs import retention_rules as rules

    prefs = config.addon_preferences(context)
    return rules.Rules(
        keep_days=int(getattr(prefs, "keep_days", rules.DEFAULT_KEEP_DAYS)),
        keep_jobs=int(getattr(prefs, "keep_jobs", rules.DEFAULT_KEEP_JOBS)))


def clear_cache(settings: config.Settings) -> retention.Freed:
    """Delete the cached files of imported jobs (see :func:`.retention.clear_cache`), through
    the live runtime's journal when it uses this folder, so its own jobs count as its own."""
    from ...jobs import retention

    rt = _runtime
    freed = retention.clear_cache(_journal_for(settings), settings.download_dir)
    if rt is not None:  # the Tasks panel must not offer to re-import what is gone
        for job_id in freed.job_ids:
            rt.manager.forget(job_id)
            rt.pump.view.pop(job_id, None)
    return freed


def pin_job(job_id: str, pinned: bool, settings: config.Settings | None = None) -> None:
    """Keep (or stop keeping) a finished job and its files whatever the retention rules say."""
    _journal_for(settings or config.resolve()).pin(job_id, pinned)


def is_pinned(job_id: str) -> bool:
    """Whether a job of the live runtime is kept past retention (one file check: cheap enough
    for the Tasks panel, which lists only the runtime's jobs)."""
    rt = _runtime
    journal = rt.manager.journal if rt is not None else None
    return journal is not None and journal.is_pinned(job_id)


def _journal_for(settings: config.Settings) -> Journal:
    """The live runtime's journal when it uses this cache folder (so its own jobs count as
    its own), else a fresh one on the folder."""
    from ...jobs.journal import Journal

    journal_dir = Path(settings.cache_dir) / "journal"
    rt = _runtime
    if rt is not None and rt.manager.journal is not None and \
            rt.manager.journal.directory == journal_dir:
        return rt.manager.journal
    return Journal(journal_dir)


def tell_damaged(journal: Journal) -> None:
    """Name the journal files the last load set aside, once, in the status bar and Info log
    (the journal logs them too); they never stop the other jobs from resuming."""
    from . import notices

    message = journal.damaged_message()
    if message:
        notices.report("WARNING", f"Meshy: {message}")


def current_runtime() -> Runtime | None:
    return _runtime


def shutdown_runtime() -> None:
    """Park the worker process without cancelling on the server (it has exited when this
    returns, so a runtime built next takes its jobs over); unfinished jobs resume next time."""
    global _runtime
    if _runtime is None:
        return
    rt, _runtime = _runtime, None
    rt.manager.shutdown(cancel_running=True, wait=True)
    rt.client.close()


def timer_tick() -> float | None:
    """The pump's timer: every 0.1 s while something runs, every 0.5 s for a short grace period
    after, then it unregisters itself (returns None) until :func:`ensure_timer` re-arms it."""
    global _idle_since
    rt = _runtime
    if rt is None:
        _idle_since = None
        return None
    try:
        rt.pump.tick()
    except Exception:  # a timer that raises is removed by Blender: log and keep pumping
        _log().exception("Meshy pump tick failed")
    if rt.pump.busy():
        _idle_since = None
        return TIMER_ACTIVE_INTERVAL
    now = time.monotonic()
    if _idle_since is None:
        _idle_since = now
    if now - _idle_since >= TIMER_STOP_AFTER_IDLE_S:
        _idle_since = None
        return None
    return TIMER_IDLE_INTERVAL


def ensure_timer() -> None:
    """Arm the pump's timer (main thread): called by everything that starts work."""
    global _idle_since
    _idle_since = None
    if not bpy.app.timers.is_registered(timer_tick):
        bpy.app.timers.register(timer_tick, first_interval=TIMER_ACTIVE_INTERVAL, persistent=True)


def remove_timer() -> None:
    if bpy.app.timers.is_registered(timer_tick):
        bpy.app.timers.unregister(timer_tick)
