"""Version-independent access to actions: legacy F-curves (4.2/4.3) and slotted actions
(4.4+, where ``Action.fcurves`` is gone in 5.0), plus NLA placement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_BONE_PATH = re.compile(r'^pose\.bones\["((?:[^"\\]|\\.)*)"\]')


def fcurves_of(action: Any) -> Iterator[Any]:
    """Every F-curve of an action, whatever the action format of this Blender."""
    layers = getattr(action, "layers", None)
    if layers is not None and len(layers) > 0:
        for layer in layers:
            for strip in layer.strips:
                for bag in getattr(strip, "channelbags", ()):
                    yield from bag.fcurves
        return
    legacy = getattr(action, "fcurves", None)
    if legacy is not None:
        yield from legacy


def animated_bones(action: Any) -> set[str]:
    """Names of the pose bones an action animates."""
    bones = set()
    for fcurve in fcurves_of(action):
        match = _BONE_PATH.match(fcurve.data_path)
        if match:
            bones.add(match.group(1).replace('\\"', '"'))
    return bones


def is_animated(action: Any) -> bool:
    """True when at least one F-curve has keys that change value (real motion, not a rest pose)."""
    for fcurve in fcurves_of(action):
        values = [k.co[1] for k in fcurve.keyframe_points]
        if values and max(values) - min(values) > 1e-4:
            return True
    return False


def actions_used_by(obj: Any) -> list[Any]:
    """The active action and every NLA strip action of an object, in order, without duplicates."""
    found: list[Any] = []
    anim = obj.animation_data
    if anim is None:
        return found
    if anim.action is not None:
        found.append(anim.action)
    for track in anim.nla_tracks:
        for strip in track.strips:
            if strip.action is not None and strip.action not in found:
                found.append(strip.action)
    return found


def push_to_nla(obj: Any, action: Any) -> Any:
    """Put an action on its own NLA track of `obj` (named after the action); returns the track.

    The newest track sits on top and is the one that plays; older tracks stay for the artist to
    blend or reorder in the NLA editor.
    """
    anim = obj.animation_data or obj.animation_data_create()
    if anim.action is action:
        anim.action = None
    track = anim.nla_tracks.new()
    track.name = action.name
    start = int(action.frame_range[0])
    strip = track.strips.new(action.name, start, action)
    slots = getattr(action, "slots", None)
    if slots is not None and len(slots) > 0 and getattr(strip, "action_slot", None) is None:
        strip.action_slot = slots[0]
    return track
