"""Tell the artist when a sidebar job lands or fails: a report in the status bar and Info log.

Jobs run for minutes while the artist works elsewhere, so the moment one is imported ("Meshy:
imported 'Chair'") or fails (the reason in artist words) is reported like any Blender operator
result. Only jobs started from the sidebar, menus or Tasks panel are followed: jobs of the
headless API and the CLI report through their own return values and never print here (the CLI's
``--json`` output stays clean). After any followed job ends the balance is read again, because
credits were charged or refunded.

Reports come from the ``meshy.notify`` operator: Blender shows an operator's reports in the
status bar and the Info editor, and that is the only public way to add one.
"""

from __future__ import annotations

from typing import Any

import bpy

from ...client.errors import LazyLogger
from ...jobs import model
from . import account, messages

log = LazyLogger(__name__)

_followed: set[str] = set()
# What was reported, newest last (the Tasks panel and tests read it; bounded).
history: list[tuple[str, str]] = []
_MAX_HISTORY = 50


def follow(job_ids: list[str]) -> None:
    """Report these jobs' outcomes (sidebar submit, retry, resume)."""
    _followed.update(job_ids)


def forget() -> None:
    _followed.clear()
    history.clear()


def imported_text(snap: dict[str, Any], result: Any) -> str:
    """"Meshy: imported 'Chair_Meshy' as an asset in Meshy/Text to 3D" naming the object the
    artist will find in the scene and the Asset Browser catalog it is filed under."""
    if getattr(result, "summary", ""):  # images, a print report, a 3MF
        return str(result.summary)
    roots = list(getattr(result, "root_objects", None) or [])
    armature = getattr(result, "armature", None)
    name = armature.name if armature is not None else (roots[0].name if roots else "")
    actions = list(getattr(result, "actions", None) or [])
    if name and actions and len(roots) == 0:
        return f"Meshy: added {len(actions)} animation(s) to '{name}'"
    catalog = _asset_catalog(roots[0]) if roots else ""
    filed = f" as an asset in {catalog}" if catalog else ""
    return f"Meshy: imported '{name or snap.get('label')}'{filed}"


def _asset_catalog(root: Any) -> str:
    """The catalog a marked result was filed under (the Asset Browser's folder), else ""."""
    from ..scene import assets
    try:
        if root.asset_data is None:
            return ""
        path = str(root.get(assets.CATALOG_PROP) or "")
    except ReferenceError:  # removed since it landed
        return ""
    return path if path and root.asset_data.catalog_id == assets.catalog_id(path) else ""


def _outcome(snap: dict[str, Any], result: Any) -> tuple[str, str] | None:
    status = snap.get("status")
    label = snap.get("label") or snap.get("kind")
    if status == model.IMPORTED:
        return "INFO", imported_text(snap, result)
    if status == model.FAILED:
        return "WARNING", f"Meshy: '{label}' failed: {messages.for_job_error(snap.get('error'))}"
    if status == model.READY and snap.get("import_error"):
        return "WARNING", f"Meshy: '{label}' downloaded but could not be imported: " \
                          f"{snap['import_error']}"
    return None


def listener(pump: Any, client: Any) -> Any:
    """A pump listener reporting followed jobs' endings and refreshing the balance."""

    def on_event(event: Any) -> None:
        if event.job_id not in _followed:
            return
        if event.snapshot.get("status") == model.CANCELLED:
            # Cancel and Stop Watching report themselves; credits may have changed.
            _followed.discard(event.job_id)
            account.start_balance(client)
            return
        found = _outcome(event.snapshot, pump.results.get(event.job_id))
        if found is None:
            return
        _followed.discard(event.job_id)
        level, text = found
        report(level, text)
        account.start_balance(client)

    return on_event


def report(level: str, text: str) -> None:
    """One report in the status bar and the Info log (stdout in background Blender)."""
    history.append((level, text))
    del history[:-_MAX_HISTORY]
    try:
        ops: Any = bpy.ops
        ops.meshy.notify(level=level, message=text)
    except (RuntimeError, AttributeError):  # add-on unregistering, or no operator context
        log.info("%s", text)
