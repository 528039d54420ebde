"""The Meshy emulator in its own process for a benchmark (so it never shares the bench's GIL).

One class for every benchmark: start ``python -m meshy_emu`` on free ports, read the URLs
it prints, call its admin endpoints, stop it. The runner kills the whole process group if a
benchmark hangs, so a stuck emulator cannot outlive its benchmark.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

import meshy_emu

ROOT = Path(__file__).resolve().parents[2]
TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"


class EmulatorProcess:
    def __init__(self, *args: str, start_timeout: float = 300.0, nice: int = 0,
                 idle: bool = False) -> None:
        """``nice`` > 0 (POSIX) runs the emulator below normal priority, ``idle`` (Linux) under
        ``SCHED_IDLE``: it stands in for Meshy's servers, whose CPU is not the artist's, so on a
        small machine it should not take the cores the measured process needs (benchmarks say
        when they use it)."""
        cmd = meshy_emu.command("--port", "0", "--asset-port", "0", *args)
        if nice > 0 and os.name == "posix":
            cmd = ["nice", "-n", str(nice), *cmd]
        if idle and shutil.which("chrt"):
            cmd = ["chrt", "--idle", "0", *cmd]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                                     env=meshy_emu.child_env())
        self.api = self.assets = ""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + start_timeout  # first use may generate the assets
        while not (self.api and self.assets):
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"the emulator exited ({self.proc.poll()}) before its URLs")
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not print its URLs in time")
            if line.startswith("api:"):
                self.api = line.split(":", 1)[1].strip()
            elif line.startswith("assets:"):
                self.assets = line.split(":", 1)[1].strip()

    def admin(self, method: str, path: str, **kw: Any) -> Any:
        resp = requests.request(method, f"{self.api}/_emulator/{path}", timeout=30, **kw)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def log(self) -> list[dict[str, Any]]:
        data = self.admin("GET", "log")
        return data if isinstance(data, list) else data.get("requests", [])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
