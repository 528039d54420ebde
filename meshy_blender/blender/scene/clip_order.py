"""The order of the clips inside an animation file, so several actions from one Meshy task land
in the order they were asked for.

Blender lists ``bpy.data.actions`` by name, and the glTF importer's NLA order is its own; a GLB
names its animations in file order in its JSON chunk, which is read here (no bpy needed).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_GLB_MAGIC = b"glTF"
_JSON_CHUNK = 0x4E4F534A


def glb_animation_names(path: Path) -> list[str]:
    """Animation names of a GLB in file order ([] for other files or an unreadable header)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(20)
            if len(head) < 20 or head[:4] != _GLB_MAGIC:
                return []
            length, kind = struct.unpack("<II", head[12:20])
            if kind != _JSON_CHUNK:
                return []
            data = json.loads(fh.read(length))
    except (OSError, ValueError):
        return []
    animations = data.get("animations") if isinstance(data, dict) else None
    if not isinstance(animations, list):
        return []
    return [str(a.get("name") or "") for a in animations if isinstance(a, dict)]


def file_order(path: Path, actions: Sequence[Any]) -> list[Any]:
    """`actions` sorted by where their clip sits in the file; unmatched ones keep their order
    at the end (FBX, or clips the importer renamed beyond recognition)."""
    names = glb_animation_names(Path(path))
    if not names:
        return list(actions)
    rest = list(actions)
    ordered: list[Any] = []
    for name in names:
        match = next((a for a in rest if a.name == name), None) or next(
            (a for a in rest if name and a.name.split(".")[0].endswith(name)), None)
        if match is not None:
            ordered.append(match)
            rest.remove(match)
    return ordered + rest
