"""The jobs worker process: HTTP, downloads, verification and journal writes, out of Blender.

Started by :mod:`.remote` with Blender's own Python (``sys.executable``) and this package loaded
from its folder whatever Blender named it (``bl_ext.user_default.<id>`` or ``meshy_blender``):
see :data:`.spawn.BOOT`. It hosts the ordinary :class:`.JobManager` (its threads live here,
never in Blender's process) and speaks framed JSON (:mod:`.pipe`) on its stdin/stdout; stray
prints go to stderr. The first message configures it (the API key arrives this way, never on the
command line or in the environment it was started with).

It owns the jobs it runs (the journal's OS locks are taken here). When Blender says "park", or
its pipe reaches EOF because Blender exited or died, running jobs stop waiting, stay journalled
unfinished, and the process exits: the next worker resumes them (paid steps are never bought
again; see :mod:`.journal`).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import sys
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from .pipe import PipeChannel, PipeClosed

# Downloads and hashing yield the CPU to Blender's main thread: at nice 10 the 2 ms task's p99
# during 5 x 200 MB downloads was 2.30x idle on a quiet 2-core machine, at 19 1.45x (see
# lower_priority and docs/benchmarks.md). Under a full render the worker then gets little CPU:
# its jobs wait, nothing is lost.
NICENESS = 19
# How long parking waits for running jobs to record where they stopped before the process exits
# (the journal is written atomically, so exiting earlier is as safe as a crash).
PARK_WAIT_S = 3.0
_EOF = {"op": "park", "eof": True}


class Worker:
    """One configured JobManager answering requests from Blender's side of the pipe."""

    def __init__(self, channel: PipeChannel, config: dict[str, Any]) -> None:
        for entry in reversed(config.get("sys_path") or []):
            if entry not in sys.path:
                sys.path.insert(0, entry)
        from ..client.client import MeshyClient
        from ..client.urls import is_loopback
        from .concurrency import AdaptiveLimit
        from .manager import JobManager

        self.channel = channel
        self.online = bool(config.get("online", True))
        self._is_loopback = is_loopback
        proxy = config.get("proxy") or None
        options: dict[str, Any] = {  # JSON has no tuples (a (connect, read) timeout)
            k: tuple(v) if isinstance(v, list) else v
            for k, v in (config.get("client_options") or {}).items()}
        self.client = MeshyClient(
            config["api_key"], config["api_base"], ca_bundle=config.get("ca_bundle") or None,
            proxies={"http": proxy, "https": proxy} if proxy else None,
            cache_dir=Path(config["download_dir"]), allow_network=self._allowed,
            **options)
        self.gate = AdaptiveLimit(int(config["start"]), rate=float(config["rate"]),
                                  rate_known=bool(config["rate_known"]))
        self.manager = JobManager(self.client, Path(config["journal_dir"]),
                                  max_workers=int(config["max_jobs"]),
                                  use_stream=bool(config["use_stream"]), concurrency=self.gate,
                                  **(config.get("manager_options") or {}))
        # After the manager sized its pool: a cap raised later still finds threads for it.
        # A restarted worker gets the same configuration, so the cap survives a crash.
        if int(config.get("cap") or 0) > 0:
            self.gate.cap(int(config["cap"]))
        self.inbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        # Events go out from a thread of their own (see _send_events); every write to the pipe
        # holds this lock, so an answer and the events before it are never interleaved.
        self._sending = threading.Lock()
        self._news = threading.Event()
        self.manager.on_event = self._news.set
        self._arrivals: list[AbstractContextManager[None]] = []

    def _allowed(self, url: str) -> bool:
        return self.online or self._is_loopback(url)

    # -- the loop --------------------------------------------------------------------------
    def run(self, pending: list[dict[str, Any]]) -> int:
        """Answer Blender's requests in order until it says "park" or goes away."""
        for request in pending:
            self.inbox.put(request)
        threading.Thread(target=self._read, name="meshy-worker-pipe", daemon=True).start()
        threading.Thread(target=self._send_events, name="meshy-worker-events",
                         daemon=True).start()
        try:
            while True:
                message = self.inbox.get()
                if message.get("op") == "park":
                    self._park(message)
                    return 0
                self._answer(message)
        except PipeClosed:  # Blender is gone: park, never lose the journalled work
            self._park(_EOF)
            return 0

    def _read(self) -> None:
        try:
            while True:
                for message in self.channel.read_blocking():
                    self.inbox.put(message)
        except (PipeClosed, OSError, ValueError):
            self.inbox.put(_EOF)

    def _send_events(self) -> None:
        """Send each job event the moment it is posted, whatever request the loop is answering:
        a ready row never waits behind another row's journal write or a slow account read."""
        try:
            while True:
                self._news.wait()
                self._news.clear()
                with self._sending:
                    self._flush()
        except PipeClosed:  # Blender is gone: the loop parks
            self.inbox.put(_EOF)

    def _flush(self) -> None:
        """Send the events posted so far, oldest first (the caller holds ``_sending``)."""
        for event in self.manager.drain():
            self.channel.send({"event": event.type, "job_id": event.job_id,
                               "snapshot": event.snapshot, "gate": self._gate()})

    def _gate(self) -> dict[str, Any]:
        state = self.gate.as_dict()
        state.update(rate=self.gate.pacer.rate, known=self.gate.pacer.known)
        return state

    def _park(self, message: dict[str, Any]) -> None:
        """Stop every job where it is (journalled unfinished: the next worker resumes it)."""
        self.manager.shutdown(cancel_running=True, wait=False)
        deadline = time.monotonic() + PARK_WAIT_S
        while time.monotonic() < deadline and any(
                t.name.startswith("meshy-job") for t in threading.enumerate()):
            time.sleep(0.02)
        if not message.get("eof"):
            try:
                with self._sending:
                    self._flush()
                    self.channel.send({"re": message.get("id"), "value": True})
            except PipeClosed:
                pass

    # -- requests --------------------------------------------------------------------------
    def _answer(self, message: dict[str, Any]) -> None:
        from ..client.errors import scrub

        reply: dict[str, Any] = {"re": message.get("id")}
        try:
            reply["value"] = getattr(self, "op_" + str(message.get("op")))(message)
        except Exception as exc:  # sent back and raised again on Blender's side
            reply["error"] = _error_dict(exc, scrub)
        job_id = message.get("job_id")
        job = self.manager.get(job_id) if isinstance(job_id, str) else None
        if job is not None:
            reply["job"] = job.snapshot()
        with self._sending:
            self._flush()  # the events a request caused reach Blender before its answer
            reply["gate"] = self._gate()
            self.channel.send(reply)

    def op_submit(self, message: dict[str, Any]) -> dict[str, Any]:
        from .model import Job

        return self.manager.submit(Job.from_dict(message["job"])).snapshot()

    def op_take_over(self, message: dict[str, Any]) -> dict[str, Any]:
        from .model import Job

        return self.manager.take_over(Job.from_dict(message["job"])).snapshot()

    def op_retry(self, message: dict[str, Any]) -> dict[str, Any]:
        return self.manager.retry(message["job_id"]).snapshot()

    def op_cancel(self, message: dict[str, Any]) -> bool:
        return self.manager.cancel(message["job_id"], on_server=bool(message.get("on_server")))

    def op_detach(self, message: dict[str, Any]) -> bool:
        return self.manager.detach(message["job_id"])

    def op_forget(self, message: dict[str, Any]) -> bool:
        return self.manager.forget(message["job_id"])

    def op_prepare_reimport(self, message: dict[str, Any]) -> bool:
        return self.manager.prepare_reimport(message["job_id"])

    def op_mark_imported(self, message: dict[str, Any]) -> None:
        self.manager.mark_imported(message["job_id"])

    def op_mark_import_failed(self, message: dict[str, Any]) -> None:
        self.manager.mark_import_failed(message["job_id"], str(message.get("message", "")))

    def op_resume(self, message: dict[str, Any]) -> dict[str, Any]:
        resumed, ready = self.manager.resume_from_journal()
        journal = self.manager.journal
        return {"resumed": [j.snapshot() for j in resumed], "ready": [j.snapshot() for j in ready],
                "damaged": journal.damaged_message() if journal is not None else ""}

    def op_adopt(self, message: dict[str, Any]) -> dict[str, Any]:
        """Take these journalled jobs over (a replaced worker's, for a session that does not
        resume the whole journal): the unfinished ones run on, READY ones are offered again."""
        resumed: list[dict[str, Any]] = []
        ready: list[dict[str, Any]] = []
        journal = self.manager.journal
        for job_id in message.get("job_ids") or []:
            if journal is None or self.manager.get(job_id) is not None or \
                    not journal.claim(job_id):
                continue
            job = journal.load(job_id)
            if job is None or not self.manager.adopt(job):
                journal.release(job_id)
                continue
            (resumed if job.is_active else ready).append(job.snapshot())
        return {"resumed": resumed, "ready": ready, "damaged": ""}

    def op_retire(self, message: dict[str, Any]) -> str:
        """A finished job gives its key up (it keeps its files and task ids): the key is
        renamed in the journal and, when this worker knows the job, in memory."""
        from .keys import JobOwnedError
        from .model import now_ms

        journal = self.manager.journal
        existing = journal.load(message["job_id"]) if journal is not None else None
        if journal is None or existing is None:
            raise KeyError(message["job_id"])
        live = self.manager.get(existing.id)
        if (live is not None and live.is_active) or not journal.claim(existing.id):
            raise JobOwnedError(existing)
        retired = f"{existing.job_key}~replaced-{now_ms()}"
        existing.job_key = retired
        journal.save(existing)
        journal.release(existing.id)
        if live is not None:
            live.job_key = retired
        return retired

    def op_online(self, message: dict[str, Any]) -> None:
        self.online = bool(message.get("online"))

    def op_raise_start(self, message: dict[str, Any]) -> None:
        self.gate.raise_start(int(message["start"]), message.get("rate"))

    def op_cap(self, message: dict[str, Any]) -> None:
        self.gate.cap(int(message["most"]))

    def op_arrivals(self, message: dict[str, Any]) -> None:
        if message.get("begin"):
            arrivals = self.gate.arrivals()
            arrivals.__enter__()
            self._arrivals.append(arrivals)
        elif self._arrivals:
            self._arrivals.pop().__exit__(None, None, None)

    def op_pace(self, message: dict[str, Any]) -> None:
        self.gate.pacer.wait()

    def op_read(self, message: dict[str, Any]) -> Any:
        """A free account read (balance, tasks, the animation library, History rows)."""
        from .account_reads import answer

        return answer(self.client, str(message.get("method")), list(message.get("args") or []),
                      dict(message.get("kwargs") or {}))

    def op_ping(self, message: dict[str, Any]) -> dict[str, Any]:
        return {"pid": os.getpid()}


def _error_dict(exc: Exception, scrub: Any) -> dict[str, Any]:
    """An exception as data: its class name, message and JSON-safe attributes."""
    attributes = {k: v for k, v in vars(exc).items()
                  if isinstance(v, (str, int, float, bool, type(None), dict, list))}
    return {"type": type(exc).__name__, "message": scrub(str(exc)), "attributes": attributes}


def prune_main(arguments: str) -> int:
    """Entry point of a one-shot retention pruning process (see ``spawn.prune_in_process``)."""
    import logging

    from .journal import Journal
    from .retention import Rules, human_size, prune

    args = json.loads(arguments)
    try:
        freed = prune(Journal(args["journal_dir"]), args["cache_dir"],
                      Rules(keep_days=int(args["keep_days"]), keep_jobs=int(args["keep_jobs"])))
    except Exception:  # never let housekeeping break anything: say why on stderr
        logging.getLogger(__name__).exception("Meshy: pruning old jobs failed")
        return 1
    if freed.jobs:
        print(f"Meshy: pruned {freed.jobs} old job(s), {human_size(freed.bytes)}",
              file=sys.stderr)
    return 0


def lower_priority() -> str:
    """Give Blender's main thread the CPU whenever it wants it; returns what was applied.

    POSIX: nice 19. Windows: see ``spawn`` (below-normal class). Linux's SCHED_IDLE was tried:
    the UI's p99 during downloads did not move (2.29x vs 2.39x idle, n=6), and under a loaded
    machine an idle-class worker starved for minutes; what moved it was pacing the downloads
    (client/download_pacing)."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICENESS)
            return f"nice {NICENESS}"
    return "none"


def main() -> int:
    """Entry point of the worker process (see :data:`.spawn.BOOT`)."""
    # Ctrl-C in a terminal reaches the whole process group: Blender's side decides what it
    # means for the jobs (the API detaches them), the worker must not die of it mid-write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if len(sys.argv) > 3 and sys.argv[2] == "prune":
        lower_priority()
        return prune_main(sys.argv[3])
    read_fd, write_fd = os.dup(0), os.dup(1)
    # The protocol owns private copies of stdin/stdout: a print anywhere goes to stderr.
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout = sys.stderr
    channel = PipeChannel(read_fd, write_fd, blocking_reads=True)
    try:
        messages = channel.read_blocking()
    except PipeClosed:
        return 0
    config = messages.pop(0)
    if config.get("op") != "configure":
        return 2
    try:
        worker = Worker(channel, config)
    except Exception as exc:  # a bad configuration: say why, then exit
        from ..client.errors import scrub

        with contextlib.suppress(PipeClosed):
            channel.send({"re": config.get("id"), "error": _error_dict(exc, scrub)})
        return 3
    # Niced only now: its start-up imports (the HTTP stack, the job manager: about 0.2 s of
    # CPU) are what the first click or batch waits for, and at nice 19 a loaded machine
    # stretched them to 0.5-0.8 s. No thread of ours runs yet, and those started from here on
    # (pipe reader, job pool) inherit the niceness (Linux sets it per thread).
    lower_priority()
    try:
        channel.send({"re": config.get("id"), "value": {"pid": os.getpid()}})
    except PipeClosed:  # Blender is gone already: nothing was started
        return 0
    code = worker.run(messages)
    # Parked: leave now, without joining a job thread still blocked in a network read (its
    # job is journalled; the next worker resumes it, as after a crash).
    sys.stderr.flush()
    os._exit(code)
