"""Input models: what a remesh/retexture/rigging request was given, read without Blender."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from .glb import Glb, GlbError

MODEL_FORMATS = ("glb", "fbx", "obj", "stl")


@dataclass
class ModelInput:
    """A model handed to the emulator (by task id, data URI or asset link)."""

    data: bytes
    format: str              # glb | fbx | obj | stl
    name: str
    faces: int | None        # None when the format can't be counted cheaply (FBX)
    glb: Glb | None = None

    def source_record(self) -> dict[str, object]:
        return {"name": self.name, "faces": self.faces, "format": self.format}


def sniff_model(data: bytes) -> str | None:
    """Model format from the file's first bytes (never from a name or MIME type)."""
    head = data[:512]
    if head[:4] == b"glTF":
        return "glb"
    if head.startswith(b"Kaydara FBX Binary") or b"FBXHeaderExtension" in head \
            or head.lstrip().startswith(b"; FBX"):
        return "fbx"
    text = head.lstrip()
    if text.startswith(b"solid") and b"facet" in data[:4096]:
        return "stl"
    if re.search(rb"(?m)^(v|vn|vt|f|o|g|mtllib|usemtl) ", head) and b"\0" not in head:
        return "obj"
    if len(data) >= 84:
        (count,) = struct.unpack_from("<I", data, 80)
        if 84 + 50 * count == len(data):
            return "stl"
    return None


def read_model(data: bytes, fallback_name: str = "model") -> ModelInput:
    """Parse a model's bytes; raises ValueError when they are not a supported model."""
    fmt = sniff_model(data)
    if fmt is None:
        raise ValueError("unsupported model file (expected GLB, FBX, OBJ or STL)")
    if fmt == "glb":
        try:
            glb = Glb.parse(data)
        except GlbError as exc:
            raise ValueError(str(exc)) from exc
        return ModelInput(data, fmt, glb.root_name() or fallback_name, glb.face_count(), glb)
    if fmt == "obj":
        text = data.decode("utf-8", "replace")
        faces = sum(max(0, len(line.split()) - 3)
                    for line in text.splitlines() if line.startswith("f "))
        match = re.search(r"(?m)^[og] (.+)$", text)
        return ModelInput(data, fmt, match.group(1).strip() if match else fallback_name, faces)
    if fmt == "stl":
        if data.lstrip().startswith(b"solid") and b"facet" in data[:4096]:
            first = data.lstrip().split(b"\n", 1)[0][5:].strip().decode("utf-8", "replace")
            return ModelInput(data, fmt, first or fallback_name, data.count(b"facet normal"))
        (count,) = struct.unpack_from("<I", data, 80)
        return ModelInput(data, fmt, fallback_name, count)
    return ModelInput(data, fmt, fallback_name, None)
