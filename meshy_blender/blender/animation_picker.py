"""The animation picker: Meshy's animation library, searchable by name, filterable by category.

The library is fetched once per session on a worker thread (it is free) and copied into the
window manager's list on the main thread. When the endpoint is missing (404) or unreachable the
artist types an action id instead; the rest of the add-on only ever needs that id.
"""

from __future__ import annotations

from typing import Any

import bpy

from . import background

CALL = "animation_library"
ALL = "ALL"
# Module-level so Blender's dynamic enum items stay alive (it does not copy the strings).
_categories: list[tuple[str, str, str]] = [(ALL, "All", "Every category")]
_names: dict[int, str] = {}
state: dict[str, Any] = {"available": None, "error": None}  # None = not fetched yet


def category_items() -> list[tuple[str, str, str]]:
    return _categories


def action_name(action_id: int) -> str | None:
    """The library's name for an action id, when the library is loaded."""
    return _names.get(int(action_id))


def fetch(client: Any) -> bool:
    """Start loading the library (no-op while a load runs); the list fills in when it arrives."""
    return background.CALLS.start(CALL, client.animation_library, on_done=_fill)


def reset() -> None:
    """Forget the loaded library (add-on disabled: its list went with the window manager)."""
    _names.clear()
    _categories[:] = [(ALL, "All", "Every category")]
    state.update(available=None, error=None)


def _fill(outcome: background.Outcome) -> None:
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
        _names[action_id] = item.name
        if item.category:
            cats.add(item.category)
    _categories[:] = [(ALL, "All", "Every category")] + [(c, c, c) for c in sorted(cats)]
    wm_state.animation_index = -1
    state.update(available=True, error=None)


class MESHY_UL_animations(bpy.types.UIList):
    """Library rows; the list's own search box filters by name, the category enum by category."""

    bl_idname = "MESHY_UL_animations"

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname,
                  index=0, flt_flag=0):
        row = layout.row(align=True)
        row.label(text=item.name, icon="ACTION")
        row.label(text=f"{item.category} #{item.action_id}")

    def filter_items(self, context, data, propname):
        items = getattr(data, propname)
        helper = bpy.types.UI_UL_list
        flags = helper.filter_items_by_name(self.filter_name, self.bitflag_filter_item, items,
                                            "name")
        if not flags:
            flags = [self.bitflag_filter_item] * len(items)
        category = data.animation_category
        if category != ALL:
            flags = [f if item.category == category else 0 for f, item in zip(flags, items,
                                                                                strict=True)]
        return flags, []


CLASSES = (MESHY_UL_animations,)
