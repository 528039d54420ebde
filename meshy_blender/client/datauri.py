"""Local files to ``data:`` URIs, with the file type checked by its bytes, not its name.

Meshy accepts images and models inline as base64 data URIs. A renamed or corrupt file would only
fail on the server after a round trip (or worse, cost credits), so we sniff magic bytes here.
"""

from __future__ import annotations

import base64
from pathlib import Path

from .errors import ValidationError

MIME_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "glb": "model/gltf-binary",
    "gltf": "model/gltf+json",
    "fbx": "application/octet-stream",
    "obj": "model/obj",
    "stl": "model/stl",
}

IMAGE_TYPES = frozenset({"png", "jpeg"})
MODEL_TYPES = frozenset({"glb", "fbx", "obj", "stl"})
DEFAULT_MAX_IMAGE_BYTES = 20 * 1024**2
DEFAULT_MAX_MODEL_BYTES = 100 * 1024**2

_OBJ_KEYWORDS = (b"v ", b"vn ", b"vt ", b"f ", b"o ", b"g ", b"mtllib", b"usemtl", b"s ")


def sniff(data: bytes, size: int | None = None) -> str | None:
    """Guess a file type from its first bytes: png, jpeg, glb, fbx, gltf, stl, obj or None.

    ``data`` may be just the start of a file (4 KiB is enough) when ``size`` gives its full
    length; binary STL is recognised by its triangle count matching that length.
    """
    size = len(data) if size is None else size
    head = data[:4096]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"glTF"):
        return "glb"
    if head.startswith(b"Kaydara FBX Binary"):
        return "fbx"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"; FBX") or b"FBXHeaderExtension" in head:
        return "fbx"
    if text.startswith(b"{") and b'"asset"' in head:
        return "gltf"
    if text.startswith(b"solid") and (b"facet" in head or b"endsolid" in head or size < 84):
        return "stl"
    if size >= 84 and len(data) >= 84 and not _looks_like_text(head):
        count = int.from_bytes(data[80:84], "little")
        if 84 + 50 * count == size:
            return "stl"
    if _looks_like_text(head):
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith(b"#"):
                continue
            return "obj" if line.startswith(_OBJ_KEYWORDS) else None
    return None


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the 4 KiB boundary; allow that one case.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in head


def check_file(path: str | Path, allowed: set[str] | frozenset[str], max_bytes: int) -> str:
    """Check a local file's existence, size and type (by its first bytes only); return the type.

    Cheap enough for the main thread: nothing beyond the first 4 KiB is read.
    """
    p = Path(path).expanduser()
    label = "image" if set(allowed) <= IMAGE_TYPES else "file"
    if not p.is_file():
        raise ValidationError(f"The {label} '{p}' does not exist or is not a file.", field=str(p))
    size = p.stat().st_size
    if size == 0:
        raise ValidationError(f"The {label} '{p.name}' is empty.", field=str(p))
    if size > max_bytes:
        raise ValidationError(
            f"The {label} '{p.name}' is {size / 1024**2:.1f} MB; the limit is "
            f"{max_bytes / 1024**2:.0f} MB.", field=str(p))
    with p.open("rb") as fh:
        kind = sniff(fh.read(4096), size)
    if kind is None or kind not in allowed:
        wanted = ", ".join(sorted(k.upper() for k in allowed))
        found = f"looks like {kind.upper()}" if kind else "is not a recognised format"
        raise ValidationError(f"'{p.name}' {found}; expected {wanted}.", field=str(p))
    return kind


def file_to_data_uri(path: str | Path, allowed: set[str] | frozenset[str], max_bytes: int) -> str:
    """Read a local file and return it as a base64 data URI, refusing wrong types or sizes."""
    kind = check_file(path, allowed, max_bytes)
    data = Path(path).expanduser().read_bytes()
    return f"data:{MIME_TYPES[kind]};base64,{base64.b64encode(data).decode('ascii')}"


def data_uri_type(uri: str) -> str | None:
    """Sniff the decoded bytes of a base64 data URI (None if it is not one)."""
    if not uri.startswith("data:") or ";base64," not in uri[:100]:
        return None
    payload = uri.split(",", 1)[1]
    try:
        head = base64.b64decode(payload[:8192] + "=" * (-len(payload[:8192]) % 4))
    except ValueError:
        return None
    return sniff(head)
