"""Streaming one asset to disk: safe names, size cap, verified completeness, atomic rename.

Assets can be hundreds of MB, so bytes go straight from the socket to a temporary file next to
the target and are renamed into place only when complete and plausible; a half-written or
error-page file therefore never sits in the cache looking like a model.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests

from . import download_pacing, oslock
from . import errors as e
from . import verify as completeness
from .interrupt import Watchdog, call_cancellable

CHUNK = 1024 * 1024
PART_GRACE_SECONDS = 10.0
_BINARY = getattr(os, "O_BINARY", 0)
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
    """Download ``url`` into ``target`` atomically; raise ExpiredLink/DownloadError/etc.

    The bytes go to a locked ``.part`` file next to the target and are renamed into place only
    when their size matches what the server announced and the format's own structure checks
    pass (:mod:`.verify`); a short or damaged body is a retryable DownloadError, never a file
    in the cache.
    """
    def open_stream() -> requests.Response:
        err: BaseException | None = None
        try:
            return session.get(url, stream=True, timeout=timeout, proxies=proxies,
                               verify=verify)
        except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema) as exc:
            err = _refused_redirect(exc)
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
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_parts(target.parent, target.name)
            part = PartFile(target)
        except OSError as exc:
            raise cache_write_error(exc, target.parent) from None
        try:
            done = _copy(resp, part.fd, ext, total, max_bytes, on_progress, cancel)
            if total is not None and done != total:
                raise e.DownloadError(f"The download was cut short ({done} of {total} bytes).")
            problem = completeness.problem(part.path, ext)
            if problem:
                raise e.DownloadError(f"The download was incomplete: {problem}.")
            try:
                part.commit()
            except OSError as exc:
                raise cache_write_error(exc, target.parent) from None
        finally:
            part.discard()
    return target


class PartFile:
    """A ``.part`` file locked by this process while it is written (see :func:`remove_stale_parts`).

    Its name carries the pid and a random tag only to stay unique; liveness comes from the lock.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        tag = f"{os.getpid()}-{secrets.token_hex(3)}"
        self.path = target.parent / f".{target.name}.{tag}.part"
        self.fd: int = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _BINARY, 0o644)
        oslock.try_lock(self.fd)
        self._open = True

    def commit(self) -> None:
        """Rename into place (closing first on Windows, where open files cannot be renamed)."""
        if os.name == "nt":  # pragma: no cover
            self._close()
        os.replace(self.path, self.target)

    def discard(self) -> None:
        """Close, and delete the part if it was not committed."""
        self._close()
        with contextlib.suppress(OSError):
            self.path.unlink()

    def _close(self) -> None:
        if self._open:
            self._open = False
            oslock.unlock(self.fd)
            os.close(self.fd)


def remove_stale_parts(folder: Path, name: str = "*") -> int:
    """Delete ``.part`` files in ``folder`` whose writer is gone; returns how many."""
    removed = 0
    now = time.time()
    for path in folder.glob(f".{name}.*.part"):
        try:
            young = now - path.stat().st_mtime < PART_GRACE_SECONDS
        except OSError:
            continue
        # The grace period covers the instant between creating a part and locking it; a part
        # whose writer process is gone goes whatever its age (a restarted job is seconds late).
        if _writer_gone(path) or (not young and oslock.abandoned(path)):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


def _writer_gone(path: Path) -> bool:
    """True when the process named in the part's name (``.<target>.<pid>-<tag>.part``) no
    longer exists. Only ever True for a dead pid: a reused pid just waits for the lock check."""
    pid_text = path.name.rsplit(".", 2)[-2].split("-", 1)[0]
    if os.name == "nt" or not pid_text.isdigit() or int(pid_text) in (0, os.getpid()):
        return False  # (on Windows os.kill would end the process: the lock check decides)
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, owned by someone else
    return False


def _copy(resp: requests.Response, fd: int, ext: str, total: int | None, max_bytes: int,
          on_progress: Callable[[int, int | None], None] | None,
          cancel: threading.Event | None) -> int:
    """Socket -> file with one reused buffer: ``readinto`` and ``write`` per chunk, little else."""
    done = 0
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    readinto = _reader(resp)
    err: BaseException | None = None
    write = os.write
    with Watchdog(resp, cancel=cancel) as dog:
        try:
            n = _fill(readinto, view, 64)
            if n:
                _verify(ext, bytes(view[:min(n, 64)]), resp.status_code)
            elif total:
                raise e.DownloadError("The download was cut short (0 bytes received).")
            while n:
                done += n
                if done > max_bytes:
                    raise e.DownloadError(
                        f"The file is over the {max_bytes / 1024**2:.0f} MB download limit.",
                        retryable=False)
                out = view[:n]
                try:
                    while out:
                        out = out[write(fd, out):]
                except OSError as exc:  # the disk, not the network
                    raise cache_write_error(exc, None) from None
                download_pacing.PACER.pace(n)  # the UI's share of the machine (see the module)
                if on_progress is not None:
                    on_progress(done, total)
                if cancel is not None and cancel.is_set():
                    raise e.CancelledError("Download cancelled.")
                n = readinto(view)
        except (e.MeshyError, ExpiredLink):
            raise
        except Exception as exc:  # requests/urllib3/socket errors, or our socket shutdown
            if dog.reason == "cancel":
                err = e.CancelledError("Download cancelled.")
            else:
                err = _network(exc, resp.url, truncated=True)
    if err is not None:
        raise err
    if cancel is not None and cancel.is_set():
        raise e.CancelledError("Download cancelled.")
    return done


def _reader(resp: requests.Response) -> Callable[[memoryview], int]:
    """The fastest honest ``readinto`` for this body.

    An unencoded body is read straight from the socket into our buffer by http.client (which
    still enforces Content-Length and chunking: a short body raises IncompleteRead); urllib3's
    own ``readinto`` reads into a fresh bytes object and copies it, which costs ~15 % at
    loopback speed. Encoded (gzip) bodies go through urllib3 so they arrive decoded."""
    raw = resp.raw
    raw.decode_content = True
    fp = getattr(raw, "_fp", None)
    if resp.headers.get("Content-Encoding", "identity") in ("identity", "") \
            and fp is not None and hasattr(fp, "readinto"):
        return fp.readinto
    return raw.readinto


def _fill(readinto: Callable[[memoryview], int], view: memoryview, want: int) -> int:
    """Read until at least ``want`` bytes are in ``view`` (the magic-byte check) or the end."""
    n = readinto(view)
    while 0 < n < want:
        more = readinto(view[n:])
        if not more:
            break
        n += more
    return n


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


def cache_write_error(exc: OSError, folder: Path | None) -> e.CacheWriteError:
    """A local write failure in artist words: what went wrong on this computer, what to do."""
    where = f" in {folder}" if folder is not None else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        what = f"the disk is full{where}. Free some space"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        what = f"the add-on may not write{where}. Choose a writable folder"
    else:
        what = f"writing{where} failed ({exc.strerror or type(exc).__name__}). Check the disk"
    return e.CacheWriteError(
        f"The download could not be saved: {what} (Preferences > Cache Folder, or "
        "MESHY_CACHE_DIR), then retry; the paid result stays on Meshy and is downloaded "
        "again for free.")


def _refused_redirect(exc: BaseException) -> e.RefusedRedirectError:
    """A redirect to ``file://`` (or another scheme requests cannot fetch): refused, named by
    its scheme only (the link itself may carry a signature)."""
    text = str(exc)
    scheme = text.split("'", 2)[1].split(":", 1)[0] if text.count("'") >= 2 else ""
    shown = f" to a {scheme}:// address" if scheme.isalpha() else ""
    return e.RefusedRedirectError(
        f"The download link redirected{shown}, which the add-on refuses to follow (only web "
        "downloads are allowed). Nothing was saved; if it happens again, tell Meshy support.")


def _network(exc: BaseException, url: str, truncated: bool = False) -> e.DownloadError:
    host = urlsplit(url).hostname or "the asset server"
    what = "was interrupted" if truncated else f"could not reach {host}"
    return e.DownloadError(f"The download {what} ({type(exc).__name__}).")
