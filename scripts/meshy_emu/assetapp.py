"""The asset origin (like assets.meshy.ai): signed, expiring links to files, streamed from disk."""

from __future__ import annotations

import gzip
import mimetypes
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .glb import padded_glb
from .web import CLOSE_DELIMITED

if TYPE_CHECKING:
    from .host import EmulatorHost

CHUNK = 256 * 1024
_XML = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        "<Message>{message}</Message></Error>\n")


def xml_error(status: int, code: str, message: str) -> Response:
    return Response(_XML.format(code=code, message=message), status=status,
                    mimetype="application/xml")


class AssetApp:
    """WSGI app of the asset port: GET /{task_id}/{filename}?Expires=...&Signature=..."""

    def __init__(self, emu: EmulatorHost) -> None:
        self.emu = emu

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        record = self.emu.log.start(request, "assets")
        response = self._handle(request)
        record["status"] = response.status_code
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        emu = self.emu
        latency = emu.faults.get("asset_latency")
        if latency:
            time.sleep(float(latency))
        if request.method not in ("GET", "HEAD"):
            return xml_error(405, "MethodNotAllowed", "The method is not allowed.")
        parts = request.path.strip("/").split("/")
        if len(parts) != 2:
            return xml_error(404, "NoSuchKey", "The specified key does not exist.")
        task_id, filename = parts
        problem = emu.signer.check(task_id, filename, request.args.get("Expires"),
                                   request.args.get("Signature"))
        if problem is None and emu.faults.take("expire_links"):
            problem = "expired"
        if problem is None and emu.faults.take("redirect_to_file"):
            return Response(status=302, headers={"Location": "file:///etc/passwd"})
        if problem == "expired":
            return xml_error(403, "AccessDenied", "Request has expired")
        if problem:
            return xml_error(403, "AccessDenied",
                             "The request signature we calculated does not match the "
                             "signature you provided.")
        path = emu.asset_path(task_id, filename)
        if path is None:
            return xml_error(404, "NoSuchKey", "The specified key does not exist.")
        return self._file(request, path, filename)

    def _file(self, request: Request, path: str, filename: str) -> Response:
        emu = self.emu
        size_mb = emu.faults.get("asset_size_mb")
        prefix, padding = b"", 0
        gzipped = False
        if size_mb and filename.endswith(".glb"):
            with open(path, "rb") as fh:
                prefix, padding = padded_glb(fh.read(), int(float(size_mb) * 1024 * 1024))
            full = len(prefix) + padding
            body: Iterator[bytes] = _padded(prefix, padding)
        else:
            full = os.path.getsize(path)
            body = _chunks(path)
        length: int | None = full
        if emu.faults.take("truncate_download"):
            body = _limit(body, full // 2)
        elif emu.faults.take("lying_length"):
            length = full // 2  # the header itself is wrong: it announces (and we send) half
            body = _limit(body, full // 2)
        elif emu.faults.take("close_delimited_cut"):
            request.environ[CLOSE_DELIMITED] = True
            length = None
            body = _limit(body, full // 2)
        elif emu.faults.take("gzip_cut"):
            request.environ[CLOSE_DELIMITED] = True
            packed = gzip.compress(b"".join(body), compresslevel=1)
            length = None
            body = iter((packed[: len(packed) // 2],))
            gzipped = True
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if filename.endswith(".glb"):
            mime = "model/gltf-binary"
        if request.method == "HEAD":
            body = iter(())
        response = Response(body, mimetype=mime, direct_passthrough=True)
        if length is not None:
            response.headers["Content-Length"] = str(length)
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        return response


def _chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _padded(prefix: bytes, padding: int) -> Iterator[bytes]:
    yield prefix
    block = bytes(range(256)) * (CHUNK // 256)
    while padding > 0:
        part = block[: min(CHUNK, padding)]
        padding -= len(part)
        yield part


def _limit(body: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """Stop after `limit` bytes; the server then closes the connection (short body)."""
    sent = 0
    for chunk in body:
        if sent + len(chunk) >= limit:
            yield chunk[: limit - sent]
            return
        sent += len(chunk)
        yield chunk
