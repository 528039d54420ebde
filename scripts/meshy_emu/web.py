"""Small werkzeug helpers shared by the API and asset apps."""

from __future__ import annotations

import contextlib
import json
import socket
from typing import Any

from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None,
                  *, truncate: bool = False) -> Response:
    body = json.dumps(payload).encode()
    if truncate:  # malformed_json fault: half a document with an honest Content-Length
        body = body[: max(1, len(body) // 2)]
    response = Response(body, status=status, mimetype="application/json", headers=headers)
    response.headers["x-request-id"] = "emu-" + str(id(response))
    response.headers["x-api-version"] = "emulator"
    return response


def error(status: int, message: str, headers: dict[str, str] | None = None, *,
          code: str | None = None, code_key: str | None = None) -> Response:
    """``{"message": ...}``, plus ``{code_key: code}`` (Meshy's machine-readable code,
    spelled ``code`` or ``error_code``) when both are given."""
    body: dict[str, Any] = {"message": message}
    if code and code_key:
        body[code_key] = code
    return json_response(body, status, headers)


def drop_connection(request: Request) -> Response:
    """Close the client's connection without any response (werkzeug then can't write)."""
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    return Response(b"", status=500)


CLOSE_DELIMITED = "meshy_emu.close_delimited"


class QuietHandler(WSGIRequestHandler):
    """Request handler without werkzeug's per-request access log lines."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        # A fault can ask for an HTTP/1.0 answer: no Content-Length and no chunking, so the
        # body ends when the connection closes (a "close-delimited" body, as old proxies send).
        if getattr(self, "environ", {}).get(CLOSE_DELIMITED):
            self.protocol_version = "HTTP/1.0"
        super().send_response(code, message)

    def log_error(self, format: str, *args: Any) -> None:
        pass
