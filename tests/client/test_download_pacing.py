"""Downloads share one pace (client/download_pacing): files landing at disk speed made Blender's
main thread stutter whatever the worker's priority; 100 MB/s together by default."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from test_client_e2e import preview

from meshy_blender.client import download_pacing
from meshy_blender.client.download_pacing import Pacer


def _paced(pacer: Pacer, threads: int, chunks: int) -> float:
    def one() -> None:
        for _ in range(chunks):
            pacer.pace(1024 * 1024)

    started = time.monotonic()
    workers = [threading.Thread(target=one) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return time.monotonic() - started


def test_downloads_share_the_rate_instead_of_each_getting_it():
    # 2 x 10 MB at 50 MB/s together: 0.4 s (the first chunk goes at once).
    assert _paced(Pacer(50), threads=2, chunks=10) >= 0.36
    assert _paced(Pacer(0), threads=2, chunks=10) < 0.05  # 0: no limit


@pytest.mark.parametrize(("value", "rate", "said"), [
    (None, 100, False), ("0", 0, False), ("250", 250, False), ("fast", 100, True),
    ("-5", 100, True), ("nan", 100, True)])
def test_the_limit_comes_from_the_environment(monkeypatch, capsys, value, rate, said):
    if value is None:
        monkeypatch.delenv(download_pacing.ENV, raising=False)
    else:
        monkeypatch.setenv(download_pacing.ENV, value)
    assert download_pacing.from_env().rate == rate * 1024 * 1024
    assert (download_pacing.ENV in capsys.readouterr().err) == said


def test_a_real_download_keeps_the_pace_and_lands_whole(emulator, meshy_client, tmp_path,
                                                        monkeypatch):
    task = preview(meshy_client)
    emulator.set_fault("asset_size_mb", 12)
    try:
        monkeypatch.setattr(download_pacing, "PACER", Pacer(40))
        started = time.monotonic()
        path = Path(meshy_client.download_asset("text-to-3d-preview", task, "glb",
                                                dest_dir=tmp_path / "paced"))
        took = time.monotonic() - started
    finally:
        emulator.clear_faults()
    assert path.stat().st_size == 12 * 1024 * 1024
    assert took >= 0.25, f"12 MB at 40 MB/s came in {took:.2f} s"
