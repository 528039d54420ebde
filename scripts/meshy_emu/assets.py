"""Blender-made asset files: generating them once, finding them, and signing links to them."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import importlib.util
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "scripts" / "make_emulator_assets.py"
DEFAULT_DIR = ROOT / "build" / "emulator-assets"


class AssetsUnavailable(RuntimeError):
    """The Blender-made files cannot be found or generated."""


def generator_version() -> str:
    """The version the generator stamps into manifest.json: the hash of its recipe, computed by
    the generator's own ``script_version`` (loaded from its file; importing it needs no bpy)."""
    spec = importlib.util.spec_from_file_location("_meshy_asset_recipe", GENERATOR)
    if spec is None or spec.loader is None:
        raise AssetsUnavailable(f"cannot load {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.script_version())


def ensure_assets(dir: Path | str | None = None, *, python: str | None = None) -> Path:
    """Make sure `dir`/manifest.json is current; run the Blender generator (once) if not.

    A file lock keeps parallel test processes from generating at the same time; the loser of
    the race finds a fresh manifest when it gets the lock and returns at once.
    """
    out = Path(dir) if dir else DEFAULT_DIR
    if not GENERATOR.exists():
        raise AssetsUnavailable(f"{GENERATOR} is missing (the Blender asset generator)")
    want = generator_version()
    out.mkdir(parents=True, exist_ok=True)
    if _current(out, want):
        return out
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _current(out, want):
                return out
            started = time.monotonic()
            proc = subprocess.run([python or sys.executable, str(GENERATOR), "--out", str(out)],
                                  capture_output=True, text=True, timeout=600, check=False)
            if proc.returncode != 0 or not _current(out, want):
                raise AssetsUnavailable(
                    f"asset generator failed (exit {proc.returncode}):\n"
                    f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
            print(f"meshy emulator: generated assets in {time.monotonic() - started:.1f}s",
                  file=sys.stderr)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return out


def _current(out: Path, version: str) -> bool:
    try:
        return json.loads((out / "manifest.json").read_text())["version"] == version
    except (OSError, ValueError, KeyError, TypeError):
        return False


class Manifest:
    """manifest.json with its relative paths resolved against the asset folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.data: dict[str, Any] = json.loads((self.folder / "manifest.json").read_text())

    def path(self, rel: str) -> str:
        return str(self.folder / rel)

    def variant(self, name: str) -> dict[str, Any]:
        """preview | textured | textured_pbr | rig: a dict of key -> path (textures nested)."""
        return self.data.get(name) or {}

    def animations(self) -> dict[str, dict[str, str]]:
        return self.data.get("animations") or {}

    def images(self) -> list[str]:
        return list(self.data.get("images") or [])

    def read(self, rel: str) -> bytes:
        return (self.folder / rel).read_bytes()


@dataclass
class Signer:
    """CloudFront-style signed links: HMAC over task, file and expiry time."""

    base_url: str
    secret: bytes
    ttl: float = 3 * 24 * 3600.0

    def sign(self, task_id: str, filename: str, expires: int | None = None) -> str:
        expires = int(time.time() + self.ttl) if expires is None else expires
        query = urlencode({"Expires": expires, "Signature": self.signature(task_id, filename,
                                                                           expires)})
        return f"{self.base_url}/{task_id}/{filename}?{query}"

    def signature(self, task_id: str, filename: str, expires: int) -> str:
        msg = f"{task_id}/{filename}:{expires}".encode()
        return hmac.new(self.secret, msg, hashlib.sha256).hexdigest()[:40]

    def check(self, task_id: str, filename: str, expires: str | None,
              signature: str | None) -> str | None:
        """None when valid, else "expired" or "signature"."""
        try:
            when = int(expires or "")
        except ValueError:
            return "signature"
        if not signature or not hmac.compare_digest(signature,
                                                    self.signature(task_id, filename, when)):
            return "signature"
        if when < time.time():
            return "expired"
        return None


def new_secret() -> bytes:
    return os.urandom(32)

