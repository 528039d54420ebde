"""Verified downloads: a file lands in the cache only when it is complete, whatever the transfer
claimed; a damaged cached file is fetched again; dead processes' ``.part`` files go away."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from meshy_blender.client import MeshyClient, build_payload, downloads, verify
from meshy_blender.client import errors as e

KIND = "text-to-3d-preview"


def _done_task(client: MeshyClient):
    task_id = client.create_task(KIND, build_payload(KIND, prompt="a lantern"))
    return client.wait_for_task(KIND, task_id)


def _asset_gets(emulator) -> int:
    return len(emulator.requests("assets"))


@pytest.mark.parametrize("fault", ["lying_length", "close_delimited_cut", "gzip_cut",
                                   "truncate_download"])
@pytest.mark.parametrize("asset", ["glb", "fbx"])
def test_a_cut_body_is_never_cached_as_complete(emulator, meshy_client, fault, asset):
    task = _done_task(meshy_client)
    expected = emulator.fetch_asset_url(task.asset_urls()[asset])
    emulator.set_fault(fault, 1)
    path = meshy_client.download_asset(KIND, task, asset)
    assert path.read_bytes() == expected  # the cut copy was refused and fetched again
    assert _asset_gets(emulator) == 2
    assert not list(path.parent.glob("*.part"))


def test_a_cut_body_every_time_is_a_clear_error_and_no_file(emulator, make_client):
    client = make_client(max_retries=1)
    task = _done_task(client)
    emulator.set_fault("close_delimited_cut", 5)
    with pytest.raises(e.DownloadError, match="incomplete"):
        client.download_asset(KIND, task, "glb")
    assert not list((client.cache_dir / task.id).iterdir())


def test_a_damaged_cached_file_is_downloaded_again(emulator, meshy_client):
    task = _done_task(meshy_client)
    path = meshy_client.download_asset(KIND, task, "glb")
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 3])  # e.g. written by an older version, cut short
    again = meshy_client.download_asset(KIND, task, "glb")
    assert again.read_bytes() == good and _asset_gets(emulator) == 2
    assert meshy_client.download_asset(KIND, task, "glb") == again
    assert _asset_gets(emulator) == 2  # a good cached file is reused without a request


def test_a_damaged_cached_file_with_expired_links_gets_fresh_ones(emulator, meshy_client):
    task = _done_task(meshy_client)
    path = meshy_client.download_asset(KIND, task, "glb")
    path.write_bytes(path.read_bytes()[:100])
    emulator.set_fault("expire_links", 1)

    def task_gets() -> int:
        return len([r for r in emulator.requests("api")
                    if r["method"] == "GET" and r["path"].endswith(task.id)])

    before = task_gets()
    assert verify.problem(meshy_client.download_asset(KIND, task, "glb"), "glb") is None
    assert task_gets() == before + 1  # one fresh GET of the task for new links


def test_a_task_meshy_no_longer_has_is_a_clear_message(emulator, meshy_client):
    task = _done_task(meshy_client)
    emulator.set_fault("expire_links", 1)
    meshy_client.delete_task(KIND, task.id)
    with pytest.raises(e.AssetExpiredError, match="no longer has task"):
        meshy_client.download_asset(KIND, task, "glb")


def test_format_checks(tmp_path, emulator, meshy_client):
    task = _done_task(meshy_client)
    for asset, ext in (("glb", "glb"), ("fbx", "fbx"), ("thumbnail", "png")):
        path = meshy_client.download_asset(KIND, task, asset)
        data = path.read_bytes()
        assert verify.problem(path, ext) is None, asset
        cut = tmp_path / f"cut.{ext}"
        cut.write_bytes(data[:-1])
        assert verify.problem(cut, ext), asset
        assert verify.problem(path, ext, expected_size=len(data) + 1)
    jpeg = tmp_path / "a.jpg"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + b"x" * 100 + b"\xff\xd9")
    assert verify.problem(jpeg, "jpg") is None
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + b"x" * 100)
    assert "cut short" in verify.problem(jpeg, "jpg")
    glb = tmp_path / "a.glb"
    glb.write_bytes(b"glTF" + (2).to_bytes(4, "little") + (40).to_bytes(4, "little")
                    + (24).to_bytes(4, "little") + b"JSON" + b" " * 20)
    assert "chunk table" in verify.problem(glb, "glb")


_HOLD_PART = """
import sys, time
from pathlib import Path
from meshy_blender.client.downloads import PartFile
part = PartFile(Path(sys.argv[1]))
print(part.path, flush=True)
time.sleep(60)
"""


@contextlib.contextmanager
def _live_and_dead_parts(tmp_path: Path) -> Iterator[tuple[Path, str, str]]:
    """Two processes each holding a part of the same download; the second is killed. Yields
    the task folder and the live and the dead part's paths."""
    target = tmp_path / "task" / "model.glb"
    target.parent.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", _HOLD_PART, str(target)],
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        live, dead = (p.stdout.readline().strip() for p in procs)
        procs[1].kill()
        procs[1].wait()
        yield target.parent, live, dead
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_parts_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    with _live_and_dead_parts(tmp_path) as (folder, live, dead):
        old = time.time() - 3600
        for path in (live, dead):
            os.utime(path, (old, old))
        assert downloads.remove_stale_parts(folder) == 1
        assert os.path.exists(live) and not os.path.exists(dead)


def test_a_part_of_a_killed_process_goes_at_once_whatever_its_age(tmp_path):
    """Issue 26: parts younger than the grace period outlived the restarted job."""
    with _live_and_dead_parts(tmp_path) as (folder, live, dead):
        assert downloads.remove_stale_parts(folder) == 1  # both are seconds old
        assert os.path.exists(live) and not os.path.exists(dead)
