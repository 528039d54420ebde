"""Count the triangles of a GLB from its JSON chunk alone (no bpy, no reading the whole file).

Meshy refuses models over a face limit (UV unwrap 40,000, rigging 320,000) with a 400 after
the upload; counting first lets the add-on refuse a too-big local GLB or data URI before any
request, with the numbers in the message.
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

_TRIANGLES = 4
_HEADER = 20  # 12-byte GLB header + the first chunk's length and type


def triangles_from_bytes(head: bytes) -> int | None:
    """Triangles drawn by a GLB whose first bytes (at least header + JSON chunk) are ``head``;
    None when they are not a readable GLB (then the server decides)."""
    if len(head) < _HEADER or head[:4] != b"glTF":
        return None
    length, kind = struct.unpack_from("<II", head, 12)
    if kind != 0x4E4F534A or len(head) < _HEADER + length:
        return None
    try:
        doc: dict[str, Any] = json.loads(head[_HEADER:_HEADER + length])
    except ValueError:
        return None
    accessors = doc.get("accessors") or []
    per_mesh = []
    for mesh in doc.get("meshes") or []:
        count = 0
        for prim in mesh.get("primitives") or []:
            if prim.get("mode", _TRIANGLES) != _TRIANGLES:
                continue
            index = prim.get("indices", (prim.get("attributes") or {}).get("POSITION"))
            if isinstance(index, int) and 0 <= index < len(accessors):
                count += int(accessors[index].get("count", 0)) // 3
        per_mesh.append(count)
    used = [n["mesh"] for n in doc.get("nodes") or [] if isinstance(n.get("mesh"), int)]
    return sum(per_mesh[i] for i in used if 0 <= i < len(per_mesh)) if used else sum(per_mesh)


def triangles(source: str | Path) -> int | None:
    """Triangles of a local GLB file or a GLB data URI; None for anything else (URLs: the
    server checks those)."""
    text = str(source)
    if text.startswith("data:"):
        _, _, payload = text.partition(",")
        try:
            return triangles_from_bytes(base64.b64decode(payload, validate=False))
        except ValueError:
            return None
    if text.lower().startswith(("http://", "https://")):
        return None
    try:
        with open(source, "rb") as fh:
            first = fh.read(_HEADER)
            if len(first) < _HEADER:
                return None
            (length,) = struct.unpack_from("<I", first, 12)
            return triangles_from_bytes(first + fh.read(min(length, 64 * 1024 * 1024)))
    except OSError:
        return None
