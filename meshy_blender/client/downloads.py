"""Streaming one asset to disk: safe names, size cap, magic-byte check, atomic rename.

Assets can be hundreds of MB, so bytes go straight from the socket to a temporary file next to
the target and are renamed into place only when complete and plausible; a half-written or
error-page file therefore never sits in the cache looking like a model.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests

from . import errors as e
from .interrupt import Watchdog, call_cancellable

CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ZIP = (b"PK\x03\x04",)
MAGIC: dict[str, tuple[bytes, ...]] = {
    "glb": (b"glTF",),
    "fbx": (b"Kaydara FBX Binary", b"; FBX"),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "usdz": _ZIP,
    "3mf": _ZIP,
    "blend": (b"BLENDER", b"\x28\xb5\x2f\xfd", b"\x1f\x8b"),  # plain, zstd or gzip compressed
    "gif": (b"GIF8",),
    "webp": (b"RIFF",),
    "bvh": (b"HIERARCHY",),  # text-to-motion "swift" output (a BVH text file)
}
TEXT_TYPES = frozenset({"obj", "mtl", "gltf"})
_ERROR_PAGE = (b"<?xml", b"<error", b"<html", b"<!doctype", b"<head", b"{\"message\"")


class ExpiredLink(Exception):
    """The link answered like an expired/invalid signed URL (403, error page, wrong bytes)."""

    def __init__(self, status: int | None, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def safe_name(name: str, fallback: str = "asset") -> str:
    """A file-name-safe version of an id or asset name: no separators, no leading dots."""
    cleaned = _UNSAFE.sub("_", unquote(str(name))).strip("._-")[:100]
    return cleaned or fallback


def extension_for(url: str, asset: str) -> str:
    """File extension from the URL path, else guessed from the asset name (``walking_glb``)."""
    last = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    if "." in last:
        ext = _UNSAFE.sub("", last.rsplit(".", 1)[-1].lower())[:8]
        if ext:
            return ext
    tail = asset.rsplit("_", 1)[-1].lower()
    if tail in MAGIC or tail in TEXT_TYPES or tail in ("stl", "usdz", "3mf", "blend"):
        return tail
    return "png" if asset.startswith(("texture_", "thumbnail", "image_")) else "bin"


def looks_like_error_page(head: bytes) -> bool:
    return head.lstrip()[:16].lower().startswith(_ERROR_PAGE)


def check_magic(ext: str, head: bytes) -> str | None:
    """None if the first bytes fit ``ext``; otherwise a short description of the problem."""
    if looks_like_error_page(head):
        return "the server sent an error page instead of the file"
    if ext in MAGIC:
        if not any(head.startswith(m) for m in MAGIC[ext]):
            return f"the file is not a valid {ext.upper()}"
    elif ext in TEXT_TYPES and b"\x00" in head[:1024]:
        return f"the file is not a text {ext.upper()}"
    return None


def stream_to_file(session: requests.Session, url: str, target: Path, ext: str, *,
                   timeout: tuple[float, float], proxies: dict[str, str],
                   verify: str | bool, max_bytes: int,
                   on_progress: Callable[[int, int | None], None] | None,
                   cancel: threading.Event | None) -> Path:
    """Download ``url`` into ``target`` atomically; raise ExpiredLink/DownloadError/etc."""
    def open_stream() -> requests.Response:
        err: BaseException | None = None
        try:
            return session.get(url, stream=True, timeout=timeout, proxies=proxies,
                               verify=verify)
        except requests.RequestException as exc:
            err = _network(exc, url)
        raise err

    resp = call_cancellable(open_stream, cancel, cleanup=lambda r: r.close())
    with resp:
        if resp.status_code in (401, 403, 404, 410):
            raise ExpiredLink(resp.status_code, f"HTTP {resp.status_code}")
        if resp.status_code >= 400:
            raise e.DownloadError(f"The download failed (HTTP {resp.status_code}).",
                                  status=resp.status_code)
        total = _content_length(resp)
        if total is not None and total > max_bytes:
            raise e.DownloadError(
                f"The file is {total / 1024**2:.0f} MB, over the {max_bytes / 1024**2:.0f} MB "
                "download limit.", retryable=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                        dir=target.parent)
        tmp = Path(tmp_name)
        try:
            done = _copy(resp, fd, ext, total, max_bytes, on_progress, cancel)
            if total is not None and done != total:
                raise e.DownloadError(f"The download was cut short ({done} of {total} bytes).")
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    return target


def _copy(resp: requests.Response, fd: int, ext: str, total: int | None, max_bytes: int,
          on_progress: Callable[[int, int | None], None] | None,
          cancel: threading.Event | None) -> int:
    done = 0
    head = b""
    checked = False
    err: BaseException | None = None
    with os.fdopen(fd, "wb") as out, Watchdog(resp, cancel=cancel) as dog:
        try:
            for chunk in resp.iter_content(CHUNK):
                if cancel is not None and cancel.is_set():
                    raise e.CancelledError("Download cancelled.")
                if not checked:
                    head += chunk[:64]
                    if len(head) >= 64 or (total is not None and len(head) >= total):
                        _verify(ext, head, resp.status_code)
                        checked = True
                done += len(chunk)
                if done > max_bytes:
                    raise e.DownloadError(
                        f"The file is over the {max_bytes / 1024**2:.0f} MB download limit.",
                        retryable=False)
                out.write(chunk)
                if on_progress is not None:
                    on_progress(done, total)
        except (e.MeshyError, ExpiredLink):
            raise
        except Exception as exc:  # requests/urllib3/socket errors, or our socket shutdown
            if dog.reason == "cancel":
                err = e.CancelledError("Download cancelled.")
            else:
                err = _network(exc, resp.url, truncated=True)
        if err is None and not checked:
            _verify(ext, head, resp.status_code)
    if err is not None:
        raise err
    if cancel is not None and cancel.is_set():
        raise e.CancelledError("Download cancelled.")
    return done


def _verify(ext: str, head: bytes, status: int) -> None:
    problem = check_magic(ext, head)
    if problem:
        raise ExpiredLink(status, problem)


def _content_length(resp: requests.Response) -> int | None:
    if resp.headers.get("Content-Encoding", "identity") not in ("identity", ""):
        return None  # decoded size differs from the header
    try:
        return int(resp.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _network(exc: BaseException, url: str, truncated: bool = False) -> e.DownloadError:
    host = urlsplit(url).hostname or "the asset server"
    what = "was interrupted" if truncated else f"could not reach {host}"
    return e.DownloadError(f"The download {what} ({type(exc).__name__}).")
