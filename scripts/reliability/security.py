"""Security checks, each run for real: where the API key must never land, TLS, file names, caps.

The key is a distinctive secret the emulator accepts, used for a real headless job (import,
failure and all) while every log record is captured; then the saved .blend, the journals, the
cache and the captured logs are searched for it, and the asset host's request log is checked for
credentials. TLS is checked against a self-signed HTTPS server on 127.0.0.1 made with openssl.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import struct
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from meshy_blender.client import MeshyClient
from meshy_blender.client import errors as e
from meshy_blender.client.downloads import safe_name
from meshy_blender.client.tasks import parse_task

from . import harness as h
from meshy_emu import Emulator


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # includes any traceback


@contextmanager
def captured_logs() -> Iterator[_Capture]:
    """Every log record of every logger (urllib3's debug lines included) while active."""
    root = logging.getLogger()
    handler = _Capture()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@contextmanager
def serve(app: Callable[..., Any], ssl_context: Any = None) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if ssl_context else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _files_containing(root: Path, needle: bytes) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            hits.append(str(path.relative_to(root)))
    return hits


def key_checks(tmp: Path) -> list[Check]:
    """Run real headless jobs with a secret key; look for the key everywhere it must not be."""
    import bpy

    from meshy_blender import api

    key = "msy_" + secrets.token_hex(16)
    emu = Emulator(task_seconds=h.TASK_SECONDS, keys={key: 10_000}, rate_limit=1000).start()
    cache = tmp / "cache"
    blend = tmp / "scene.blend"
    failure = ""
    try:
        with h.meshy_env(MESHY_API_KEY=key, MESHY_API_BASE=emu.api_url,
                         MESHY_CACHE_DIR=str(cache), MESHY_STUDIO_CONFIG=None):
            bpy.ops.wm.read_homefile(use_empty=True)
            with captured_logs() as logs:
                result = api.text_to_3d("a lantern", should_texture=False)
                emu.set_fault("fail_tasks", "server_error")
                try:
                    api.text_to_3d("a failing lantern", should_texture=False)
                except e.MeshyError as exc:
                    failure = str(exc) + repr(exc)
                emu.clear_faults()
                logging.getLogger("meshy_blender").exception("forced error record with %r",
                                                             failure)
            bpy.ops.wm.save_as_mainfile(filepath=str(blend), compress=False)
            assets = emu.requests("assets")
    finally:
        emu.stop()
    needle = key.encode()
    in_blend = needle in blend.read_bytes()
    in_cache = _files_containing(cache, needle)
    journals = list(cache.rglob("job-*.json"))
    in_logs = [line for line in logs.lines if key in line]
    with_auth = [r for r in assets if r["authorized"]]
    return [
        Check("key absent from the saved .blend", not in_blend and bool(result.root_objects),
              f"{blend.stat().st_size:,} bytes searched, {len(result.root_objects)} imported "
              f"object(s) in it"),
        Check("key absent from journals and the cache", not in_cache and bool(journals),
              f"{len(journals)} journal file(s) and every cached download searched"
              + (f"; found in {in_cache}" if in_cache else "")),
        Check("key absent from log output", not in_logs and len(logs.lines) > 0,
              f"{len(logs.lines)} log records (all loggers, DEBUG) during a job, a failed job "
              "and a forced error" + (f"; {len(in_logs)} contain the key" if in_logs else "")),
        Check("key absent from error messages", bool(failure) and key not in failure,
              "str() and repr() of the raised error"),
        Check("no credentials sent to the asset host", bool(assets) and not with_auth,
              f"{len(assets)} asset request(s), {len(with_auth)} with an Authorization header"),
    ]


def _make_ca(folder: Path) -> tuple[Path, Path, Path] | None:
    """(ca.pem, server.pem, server.key) for 127.0.0.1, or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    ca_key, ca, key, csr, cert = (folder / n for n in ("ca.key", "ca.pem", "server.key",
                                                       "server.csr", "server.pem"))
    ext = folder / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca),
        "-days", "2", "-subj", "/CN=Meshy reliability test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
        "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile", str(ext))
    return ca, cert, key


def _balance_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    return Response('{"balance": 42}', mimetype="application/json")(environ, start_response)


def tls_checks(tmp: Path) -> list[Check]:
    default = MeshyClient("msy_tls_check_key_0000", "https://127.0.0.1:1")
    with_ca = MeshyClient("msy_tls_check_key_0000", "https://127.0.0.1:1",
                          ca_bundle=str(tmp / "ca.pem"))
    checks = [Check("TLS verification on by default", default.verify is True,
                    f"client verify={default.verify!r}; with a CA bundle: {with_ca.verify!r}")]
    default.close()
    with_ca.close()
    made = _make_ca(tmp)
    if made is None:
        return [*checks, Check("self-signed HTTPS server refused", False, "openssl not found")]
    ca, cert, key = made
    with serve(_balance_app, ssl_context=(str(cert), str(key))) as url:
        plain = MeshyClient("msy_tls_check_key_0000", url, **h.FAST_CLIENT)
        try:
            plain.balance()
            refused, why = False, "the self-signed server was accepted"
        except e.NetworkError as exc:
            refused, why = True, str(exc)
        finally:
            plain.close()
        trusting = MeshyClient("msy_tls_check_key_0000", url, ca_bundle=str(ca), **h.FAST_CLIENT)
        balance: Any
        try:
            accepted, balance = True, trusting.balance()
        except e.MeshyError as exc:
            accepted, balance = False, str(exc)
        finally:
            trusting.close()
    return [
        *checks,
        Check("self-signed HTTPS server on 127.0.0.1 refused", refused, why),
        Check("same server accepted when its CA bundle is given", accepted,
              f"balance {balance}"),
    ]


def _glb_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    request = Request(environ)
    # A structurally valid 4 KB GLB (header + one JSON chunk): downloads verify the structure.
    body = (b"glTF" + struct.pack("<III", 2, 4096, 4076) + b"JSON"
            + b"{}".ljust(4076, b" "))
    response = Response(body, mimetype="model/gltf-binary")
    response.headers["X-Path"] = request.path
    return response(environ, start_response)


def file_checks(tmp: Path) -> list[Check]:
    cache = tmp / "dl-cache"
    hostile_ids = ["../../../outside", "..\\..\\outside", "/etc/passwd", "%2e%2e%2foutside",
                   "....//....//outside", ""]
    names = {raw: safe_name(raw) for raw in hostile_ids}
    safe = all("/" not in n and "\\" not in n and not n.startswith(".") and n
               for n in names.values())
    escaped: list[str] = []
    cap_ok, cap_detail = False, ""
    with serve(_glb_app) as url:
        client = MeshyClient("msy_file_check_key_0000", url, cache_dir=cache, **h.FAST_CLIENT)
        try:
            for raw in hostile_ids[:-1]:
                task = parse_task({"id": raw, "status": "SUCCEEDED", "model_urls": {
                    "glb": f"{url}/..%2F..%2F..%2Fescape%2Fevil.glb?x=../../y.glb"}},
                    "text-to-3d-preview")
                path = client.download_asset("text-to-3d-preview", task, "glb").resolve()
                if not path.is_relative_to(cache.resolve()):
                    escaped.append(str(path))
            small = MeshyClient("msy_file_check_key_0000", url, cache_dir=tmp / "capped",
                                max_download_bytes=1024, **h.FAST_CLIENT)
            task = parse_task({"id": "0193bfc5-cap", "status": "SUCCEEDED",
                               "model_urls": {"glb": f"{url}/big.glb"}}, "text-to-3d-preview")
            try:
                small.download_asset("text-to-3d-preview", task, "glb")
                cap_detail = "a 4 KB file passed a 1 KB cap"
            except e.DownloadError as exc:
                left = [p.name for p in (tmp / "capped").rglob("*") if p.is_file()]
                cap_ok = not left
                cap_detail = f"{exc}" + (f"; left behind: {left}" if left else "; nothing kept")
            finally:
                small.close()
        finally:
            client.close()
    return [
        Check("file names from task ids / URLs sanitised", safe and not escaped,
              "; ".join(f"{k!r} -> {v!r}" for k, v in names.items())
              + (f"; escaped the cache: {escaped}" if escaped else "; every download stayed "
                 "inside the cache folder")),
        Check("download size cap enforced", cap_ok, cap_detail),
    ]


def run_security() -> list[Check]:
    tmp = Path(tempfile.mkdtemp(prefix="meshy-sec-"))
    try:
        return key_checks(tmp) + tls_checks(tmp) + file_checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
