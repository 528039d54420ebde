"""The animation picker: Meshy's animation library, searchable by name, filterable by category,
with several animations ticked at once.

The library is fetched once per session on a worker thread (it is free) and copied into the
window manager's list on the main thread. When the endpoint is missing (404) or unreachable the
artist types an action id instead (the only place an id is typed); the rest of the add-on only
ever needs that id.
"""

from __future__ import annotations

from typing import Any

import bpy

from . import calls

CALL = "animation_library"
ALL = "ALL"
# Module-level so Blender's dynamic enum items stay alive (it does not copy the strings).
_categories: list[tuple[str, str, str]] = [(ALL, "All", "Every category")]
_names: dict[int, str] = {}
_previews: dict[int, str] = {}  # action id -> short looping preview (GIF/MP4) when Meshy has one
state: dict[str, Any] = {"available": None, "error": None}  # None = not fetched yet


def category_items() -> list[tuple[str, str, str]]:
    return _categories


def action_name(action_id: int) -> str | None:
    """The library's name for an action id, when the library is loaded."""
    return _names.get(int(action_id))


def preview_url(action_id: int) -> str | None:
    """The library's preview clip of an action (None when Meshy gives none, e.g. ids -2, -1)."""
    return _previews.get(int(action_id))


def fits(clip_rig_type: str, rig_type: str) -> bool:
    """Whether a clip made for ``clip_rig_type`` can animate a rig of ``rig_type`` (either
    unknown, "": offered; Meshy refuses a clip for the other rig type)."""
    return not clip_rig_type or not rig_type or clip_rig_type == rig_type


def selected_ids(rig_type: str = "") -> list[int]:
    """Action ids ticked in the picker, in library order (multi-select; nobody types ids);
    with ``rig_type``, only the clips made for it (the list shows no others)."""
    wm = bpy.context.window_manager
    wm_state = getattr(wm, "meshy", None) if wm is not None else None
    if wm_state is None:
        return []
    return [item.action_id for item in wm_state.animations
            if item.selected and fits(item.rig_type, rig_type)]


def fetch(client: Any) -> bool:
    """Start loading the library (no-op while a load runs); the list fills in when it arrives."""
    return calls.CALLS.start(CALL, client.later("animation_library"), on_done=_fill)


def reset() -> None:
    """Forget the loaded library (add-on disabled: its list went with the window manager)."""
    _names.clear()
    _previews.clear()
    _categories[:] = [(ALL, "All", "Every category")]
    state.update(available=None, error=None)


def _fill(outcome: calls.Outcome) -> None:
    """Main thread: copy the library into the window manager list and the category enum."""
    if outcome.error is not None:
        state.update(available=False, error=outcome.error)
        return
    entries = outcome.value
    if entries is None:  # 404: this API has no library; the id field is the way in
        state.update(available=False, error="The animation library is not available; "
                                            "type an action id.")
        return
    wm_state = bpy.context.window_manager.meshy  # type: ignore[attr-defined]
    wm_state.animations.clear()
    _names.clear()
    _previews.clear()
    cats = set()
    for entry in entries:
        try:
            action_id = int(entry["action_id"])
        except (KeyError, TypeError, ValueError):
            continue
        item = wm_state.animations.add()
        item.name = str(entry.get("name") or f"Action {action_id}")
        item.action_id = action_id
        item.category = str(entry.get("category") or "")
        item.sub_category = str(entry.get("sub_category") or "")
        item.rig_type = str(entry.get("rig_type") or "").lower()
        _names[action_id] = item.name
        if isinstance(entry.get("preview_url"), str) and entry["preview_url"]:
            _previews[action_id] = entry["preview_url"]
        if item.category:
            cats.add(item.category)
    _categories[:] = [(ALL, "All", "Every category")] + [(c, c, c) for c in sorted(cats)]
    wm_state.animation_index = -1
    state.update(available=True, error=None)
