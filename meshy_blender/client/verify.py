"""Is a downloaded file complete? Its size and its format's own structure must both say so.

A transfer can end early without any error (a lying Content-Length, a close-delimited body cut
short, a truncated gzip stream), so "the socket closed" is never taken as "the file is whole".
Each format is checked where it is cheap: a few header reads and a seek to the end, never a
parse of the whole file, so checking a 500 MB GLB before reusing it from the cache costs
microseconds. Formats without a cheap end marker are checked by size only.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

GLB_MAGIC = b"glTF"
GLB_JSON = 0x4E4F534A
FBX_BINARY = b"Kaydara FBX Binary  \x00"
FBX_ASCII = b"; FBX"
# Every binary FBX (Autodesk SDK and Blender's exporter) ends with this 16-byte footer magic.
FBX_FOOTER = bytes.fromhex("f85a8c6adef5d97eece90ce3758f290b")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG_SOI = b"\xff\xd8\xff"
JPEG_EOI = b"\xff\xd9"


def problem(path: str | os.PathLike[str], ext: str, expected_size: int | None = None) -> str | None:
    """None when the file at ``path`` is complete; otherwise why not, in a few words."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size == 0:
                return "the file is empty"
            if expected_size is not None and size != expected_size:
                return f"it has {size} of {expected_size} bytes"
            check = _CHECKS.get(ext.lower())
            return check(fh, size) if check else None
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or type(exc).__name__})"


def is_complete(path: str | os.PathLike[str], ext: str | None = None) -> bool:
    """True when ``path`` exists and passes :func:`problem` (extension taken from the name)."""
    p = Path(path)
    return p.is_file() and problem(p, ext or p.suffix.lstrip(".")) is None


def _glb(fh, size: int) -> str | None:
    header = fh.read(12)
    if len(header) < 12 or header[:4] != GLB_MAGIC:
        return "it is not a GLB file"
    version, length = struct.unpack_from("<II", header, 4)
    if version != 2:
        return f"it is a GLB of unsupported version {version}"
    if length != size:
        return f"the GLB header announces {length} bytes but the file has {size}"
    offset, first = 12, True
    while offset < length:
        fh.seek(offset)
        chunk = fh.read(8)
        if len(chunk) < 8:
            return "the GLB chunk table is cut short"
        chunk_length, chunk_type = struct.unpack("<II", chunk)
        if first and chunk_type != GLB_JSON:
            return "the GLB does not start with its JSON chunk"
        first = False
        offset += 8 + chunk_length
    if offset != length:
        return "the GLB chunk table does not end where the file ends"
    return None


def _fbx(fh, size: int) -> str | None:
    head = fh.read(len(FBX_BINARY))
    if head == FBX_BINARY:
        if size < len(FBX_BINARY) + 4 + len(FBX_FOOTER):
            return "the FBX file is cut short"
        fh.seek(size - len(FBX_FOOTER))
        if fh.read(len(FBX_FOOTER)) != FBX_FOOTER:
            return "the FBX file is cut short (no end marker)"
        return None
    if head.startswith(FBX_ASCII):
        fh.seek(0)
        if b"FBXHeaderExtension" not in fh.read(4096):
            return "the ASCII FBX file has no header"
        return None
    return "it is not an FBX file"


def _png(fh, size: int) -> str | None:
    if fh.read(8) != PNG_SIGNATURE:
        return "it is not a PNG image"
    fh.seek(max(0, size - len(PNG_IEND)))
    if fh.read(len(PNG_IEND)) != PNG_IEND:
        return "the PNG image is cut short (no IEND chunk)"
    return None


def _jpeg(fh, size: int) -> str | None:
    if fh.read(3) != JPEG_SOI:
        return "it is not a JPEG image"
    fh.seek(max(0, size - 64))
    tail = fh.read(64).rstrip(b"\x00")  # some encoders pad after the end marker
    if not tail.endswith(JPEG_EOI):
        return "the JPEG image is cut short (no end marker)"
    return None


_CHECKS = {"glb": _glb, "fbx": _fbx, "png": _png, "jpg": _jpeg, "jpeg": _jpeg}
