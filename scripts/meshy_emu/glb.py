"""Pure-Python GLB (binary glTF 2.0) reading and rewriting.

The emulator must answer remesh/retexture/rigging "for the model it was given" without running
Blender inside the server, so it reads what it needs (face count, names, bounding box) straight
from the container and rewrites the JSON chunk (names, extras, an added material) in place.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAGIC = b"glTF"
_JSON = 0x4E4F534A
_BIN = 0x004E4942
_TRIANGLES = 4


class GlbError(ValueError):
    """The bytes are not a readable GLB."""


@dataclass
class Glb:
    """A parsed GLB: the glTF JSON document and the binary chunk (may be empty)."""

    doc: dict[str, Any]
    bin: bytes = b""

    @classmethod
    def parse(cls, data: bytes) -> Glb:
        if len(data) < 20 or data[:4] != MAGIC:
            raise GlbError("not a GLB file (missing glTF magic)")
        _magic, version, length = struct.unpack_from("<4sII", data, 0)
        if version != 2:
            raise GlbError(f"unsupported glTF version {version}")
        length = min(length, len(data))
        offset, doc, binary = 12, None, b""
        while offset + 8 <= length:
            chunk_len, chunk_type = struct.unpack_from("<II", data, offset)
            body = data[offset + 8: offset + 8 + chunk_len]
            if chunk_type == _JSON and doc is None:
                try:
                    doc = json.loads(body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError) as exc:
                    raise GlbError(f"unreadable GLB JSON chunk: {exc}") from exc
            elif chunk_type == _BIN and not binary:
                binary = bytes(body)
            offset += 8 + chunk_len
        if not isinstance(doc, dict):
            raise GlbError("GLB has no JSON chunk")
        return cls(doc, binary)

    def to_bytes(self) -> bytes:
        payload = json.dumps(self.doc, separators=(",", ":")).encode("utf-8")
        payload += b" " * (-len(payload) % 4)
        binary = self.bin + b"\0" * (-len(self.bin) % 4)
        chunks = struct.pack("<II", len(payload), _JSON) + payload
        if binary:
            chunks += struct.pack("<II", len(binary), _BIN) + binary
        return struct.pack("<4sII", MAGIC, 2, 12 + len(chunks)) + chunks

    # -- facts -----------------------------------------------------------------------------
    def face_count(self) -> int:
        """Triangles drawn by the scene: each mesh counted once per node that instances it."""
        meshes = self.doc.get("meshes") or []
        accessors = self.doc.get("accessors") or []
        per_mesh = []
        for mesh in meshes:
            faces = 0
            for prim in mesh.get("primitives") or []:
                if prim.get("mode", _TRIANGLES) != _TRIANGLES:
                    continue
                if "indices" in prim:
                    faces += int(accessors[prim["indices"]].get("count", 0)) // 3
                else:
                    pos = (prim.get("attributes") or {}).get("POSITION")
                    if pos is not None:
                        faces += int(accessors[pos].get("count", 0)) // 3
            per_mesh.append(faces)
        used = [node["mesh"] for node, _m in self._world_nodes() if "mesh" in node]
        if not used:
            return sum(per_mesh)
        return sum(per_mesh[i] for i in used if 0 <= i < len(per_mesh))

    def root_name(self) -> str:
        """Name of the first root node of the default scene (what an importer shows first)."""
        nodes = self.doc.get("nodes") or []
        for index in self._root_indices():
            name = nodes[index].get("name")
            if name:
                return str(name)
        return self.mesh_name()

    def mesh_name(self) -> str:
        for mesh in self.doc.get("meshes") or []:
            if mesh.get("name"):
                return str(mesh["name"])
        return ""

    def node_names(self) -> list[str]:
        return [str(n.get("name", "")) for n in self.doc.get("nodes") or []]

    def animation_names(self) -> list[str]:
        return [str(a.get("name", "")) for a in self.doc.get("animations") or []]

    def bounds(self) -> tuple[list[float], list[float]] | None:
        """World-space axis-aligned bounds (glTF is Y-up) of every mesh POSITION accessor."""
        accessors = self.doc.get("accessors") or []
        meshes = self.doc.get("meshes") or []
        lo = [math.inf] * 3
        hi = [-math.inf] * 3
        for node, matrix in self._world_nodes():
            if "mesh" not in node or not 0 <= node["mesh"] < len(meshes):
                continue
            for prim in meshes[node["mesh"]].get("primitives") or []:
                pos = (prim.get("attributes") or {}).get("POSITION")
                if pos is None:
                    continue
                acc = accessors[pos]
                if "min" not in acc or "max" not in acc:
                    continue
                for corner in _corners(acc["min"], acc["max"]):
                    point = _apply(matrix, corner)
                    for axis in range(3):
                        lo[axis] = min(lo[axis], point[axis])
                        hi[axis] = max(hi[axis], point[axis])
        if lo[0] == math.inf:
            return None
        return lo, hi

    # -- rewriting -------------------------------------------------------------------------
    def set_extras(self, key: str, value: Any) -> None:
        """Record a fact on the asset and on every root node (importers keep node extras)."""
        asset = self.doc.setdefault("asset", {"version": "2.0"})
        asset.setdefault("extras", {})[key] = value
        nodes = self.doc.get("nodes") or []
        for index in self._root_indices():
            extras = nodes[index].setdefault("extras", {})
            if isinstance(extras, dict):
                extras[key] = value

    def rename_root(self, name: str) -> None:
        nodes = self.doc.get("nodes") or []
        roots = list(self._root_indices())
        if roots:
            nodes[roots[0]]["name"] = name

    def rename_animations(self, name: str) -> None:
        """Name every animation (Blender names the imported action after it)."""
        anims = self.doc.get("animations") or []
        for i, anim in enumerate(anims):
            anim["name"] = name if i == 0 else f"{name}.{i:03d}"

    def select_animations(self, names: list[str]) -> None:
        """Keep one animation per name, in that order (several clips in one file); a name the
        file lacks gets a copy of its first clip under that name."""
        anims = self.doc.get("animations") or []
        by_name = {a.get("name"): a for a in anims}
        self.doc["animations"] = [dict(by_name.get(n) or anims[0], name=n) for n in names]

    def add_image(self, png: bytes, mime: str = "image/png") -> int:
        """Embed an image in the binary chunk; returns the new texture index."""
        pad = -len(self.bin) % 4
        offset = len(self.bin) + pad
        self.bin = self.bin + b"\0" * pad + png
        doc = self.doc
        buffers = doc.setdefault("buffers", [])
        if not buffers:
            buffers.append({"byteLength": 0})
        buffers[0]["byteLength"] = len(self.bin)
        buffers[0].pop("uri", None)
        views = doc.setdefault("bufferViews", [])
        views.append({"buffer": 0, "byteOffset": offset, "byteLength": len(png)})
        images = doc.setdefault("images", [])
        images.append({"bufferView": len(views) - 1, "mimeType": mime})
        samplers = doc.setdefault("samplers", [])
        if not samplers:
            samplers.append({})
        textures = doc.setdefault("textures", [])
        textures.append({"sampler": 0, "source": len(images) - 1})
        return len(textures) - 1

    def apply_textured_material(self, name: str, maps: dict[str, bytes]) -> None:
        """Give every triangle primitive one new material built from the given PNG maps.

        `maps` keys: base_color (required), normal, metallic_roughness (glTF packs metallic in
        blue and roughness in green).
        """
        pbr: dict[str, Any] = {"baseColorTexture": {"index": self.add_image(maps["base_color"])}}
        material: dict[str, Any] = {"name": name, "pbrMetallicRoughness": pbr}
        if "metallic_roughness" in maps:
            pbr["metallicRoughnessTexture"] = {"index": self.add_image(maps["metallic_roughness"])}
        else:
            pbr["metallicFactor"] = 0.0
        if "normal" in maps:
            material["normalTexture"] = {"index": self.add_image(maps["normal"])}
        materials = self.doc.setdefault("materials", [])
        materials.append(material)
        for mesh in self.doc.get("meshes") or []:
            for prim in mesh.get("primitives") or []:
                prim["material"] = len(materials) - 1

    # -- internals -------------------------------------------------------------------------
    def _root_indices(self) -> Iterator[int]:
        scenes = self.doc.get("scenes") or []
        nodes = self.doc.get("nodes") or []
        if scenes:
            scene = scenes[self.doc.get("scene", 0) if self.doc.get("scene", 0) < len(scenes)
                           else 0]
            yield from (i for i in scene.get("nodes") or [] if 0 <= i < len(nodes))
            return
        children = {c for n in nodes for c in n.get("children") or []}
        yield from (i for i in range(len(nodes)) if i not in children)

    def _world_nodes(self) -> Iterator[tuple[dict[str, Any], list[float]]]:
        nodes = self.doc.get("nodes") or []
        stack = [(i, _IDENTITY) for i in self._root_indices()]
        seen: set[int] = set()
        while stack:
            index, parent = stack.pop()
            if index in seen or not 0 <= index < len(nodes):
                continue
            seen.add(index)
            node = nodes[index]
            world = _mul(parent, _local_matrix(node))
            yield node, world
            stack.extend((c, world) for c in node.get("children") or [])


_IDENTITY = [1.0, 0, 0, 0, 0, 1.0, 0, 0, 0, 0, 1.0, 0, 0, 0, 0, 1.0]


def _local_matrix(node: dict[str, Any]) -> list[float]:
    """Column-major 4x4 matrix of a node (glTF convention)."""
    if "matrix" in node:
        return [float(v) for v in node["matrix"]]
    tx, ty, tz = node.get("translation", (0, 0, 0))
    x, y, z, w = node.get("rotation", (0, 0, 0, 1))
    sx, sy, sz = node.get("scale", (1, 1, 1))
    return [
        (1 - 2 * (y * y + z * z)) * sx, (2 * (x * y + z * w)) * sx, (2 * (x * z - y * w)) * sx, 0,
        (2 * (x * y - z * w)) * sy, (1 - 2 * (x * x + z * z)) * sy, (2 * (y * z + x * w)) * sy, 0,
        (2 * (x * z + y * w)) * sz, (2 * (y * z - x * w)) * sz, (1 - 2 * (x * x + y * y)) * sz, 0,
        tx, ty, tz, 1,
    ]


def _mul(a: list[float], b: list[float]) -> list[float]:
    return [sum(a[k * 4 + r] * b[c * 4 + k] for k in range(4)) for c in range(4) for r in range(4)]


def _apply(m: list[float], p: tuple[float, float, float]) -> list[float]:
    return [m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r] for r in range(3)]


def _corners(lo: list[float], hi: list[float]) -> Iterator[tuple[float, float, float]]:
    for x in (lo[0], hi[0]):
        for y in (lo[1], hi[1]):
            for z in (lo[2], hi[2]):
                yield (float(x), float(y), float(z))


def padded_glb(data: bytes, total_size: int) -> tuple[bytes, int]:
    """Split a big, still valid GLB into (prefix, padding length) for benchmark downloads.

    The prefix is the original model with its buffer declared `padding` bytes longer; the caller
    streams that many generated bytes after it, so the file imports as the original model but
    weighs `total_size` bytes without ever being built in memory.
    """
    glb = Glb.parse(data)
    binary = glb.bin + b"\0" * (-len(glb.bin) % 4)
    doc = json.loads(json.dumps(glb.doc))
    buffers = doc.setdefault("buffers", [])
    if not buffers:
        buffers.append({"byteLength": 0})
    for _ in range(2):  # the JSON length depends on the number written into it
        payload = json.dumps(doc, separators=(",", ":")).encode("utf-8")
        payload += b" " * (-len(payload) % 4)
        fixed = 12 + 8 + len(payload) + 8 + len(binary)
        pad = max(0, total_size - fixed)
        pad -= pad % 4
        buffers[0]["byteLength"] = len(binary) + pad
    payload = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    payload += b" " * (-len(payload) % 4)
    fixed = 12 + 8 + len(payload) + 8 + len(binary)
    prefix = (struct.pack("<4sII", MAGIC, 2, fixed + pad)
              + struct.pack("<II", len(payload), _JSON) + payload
              + struct.pack("<II", len(binary) + pad, _BIN) + binary)
    return prefix, pad
