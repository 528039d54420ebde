"""The command line: prints both origins, serves with the given keys and faults, exits 0 on
SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import subprocess

import pytest
import requests

import meshy_emu
from meshy_emu import TEST_MODE_KEY, Emulator


def start(*args: str) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen(meshy_emu.command(*args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=meshy_emu.child_env())
    assert proc.stdout is not None
    api = proc.stdout.readline().strip()
    assets = proc.stdout.readline().strip()
    assert api.startswith("api: http://127.0.0.1:"), proc.stderr and proc.stderr.read()
    assert assets.startswith("assets: http://127.0.0.1:")
    return proc, api.split(" ", 1)[1], assets.split(" ", 1)[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_keys_and_faults_then_exits_cleanly(emulator_server: Emulator,
                                                       sig: signal.Signals) -> None:
    proc, api, assets = start("--port", "0", "--asset-port", "0", "--task-seconds", "0.1",
                              "--key", "msy-studio:250", "--key", "plain",
                              "--fault", "http_503=1", "--queue-limit", "4")
    try:
        assert api != assets
        studio = {"Authorization": "Bearer msy-studio"}
        assert requests.get(f"{api}/openapi/v1/balance", headers=studio,
                            timeout=5).status_code == 503
        assert requests.get(f"{api}/openapi/v1/balance", headers=studio,
                            timeout=5).json() == {"balance": 250}
        plain = requests.get(f"{api}/openapi/v1/balance",
                             headers={"Authorization": "Bearer plain"}, timeout=5)
        assert plain.json() == {"balance": 10_000}
        test_key = requests.get(f"{api}/openapi/v1/balance",
                                headers={"Authorization": f"Bearer {TEST_MODE_KEY}"}, timeout=5)
        assert test_key.status_code == 401, "explicit --key replaces the test-mode key"
    finally:
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 0


def test_cli_default_accepts_the_test_mode_key(emulator_server: Emulator) -> None:
    proc, api, _assets = start("--task-seconds", "0.1")
    try:
        response = requests.get(f"{api}/openapi/v1/balance", timeout=5,
                                headers={"Authorization": f"Bearer {TEST_MODE_KEY}"})
        assert response.json() == {"balance": 10_000}
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_cli_help_documents_every_fault() -> None:
    from meshy_emu.faults import NAMES

    out = subprocess.run(meshy_emu.command("--help"), capture_output=True,
                         text=True, check=True, env=meshy_emu.child_env()).stdout
    for flag in ("--port", "--asset-port", "--task-seconds", "--key", "--fault",
                 "--queue-limit", "--rate-limit"):
        assert flag in out
    for name in NAMES:
        assert name in out


def test_cli_rejects_unknown_fault() -> None:
    proc = subprocess.run(meshy_emu.command("--fault", "nope"), capture_output=True,
                          text=True, timeout=30, env=meshy_emu.child_env())
    assert proc.returncode == 2 and "unknown fault" in proc.stderr
