"""Errors that say what happened (issue 26): a redirect to ``file://`` is refused at once and
a full or read-only disk reads as a disk problem; neither is a network error, neither is
retried, and the paid task stays usable (downloaded later for free)."""

from __future__ import annotations

import errno
import os
import types

import pytest

from meshy_blender.client import MeshyClient, build_payload, downloads
from meshy_blender.client import errors as e

KIND = "text-to-3d-preview"


def _done_task(client: MeshyClient):
    task_id = client.create_task(KIND, build_payload(KIND, prompt="a lantern"))
    return client.wait_for_task(KIND, task_id)


def test_a_redirect_to_a_file_url_is_refused_at_once(emulator, meshy_client):
    task = _done_task(meshy_client)
    emulator.set_fault("redirect_to_file", 5)
    with pytest.raises(e.RefusedRedirectError, match="file:// address") as info:
        meshy_client.download_asset(KIND, task, "glb")
    assert not info.value.retryable and "could not reach" not in str(info.value)
    assert "/etc/passwd" not in str(info.value)
    assert len(emulator.requests("assets")) == 1  # not retried
    emulator.set_fault("redirect_to_file", 0)
    assert meshy_client.download_asset(KIND, task, "glb").is_file()  # the task is still good


class _DiskFailing(types.SimpleNamespace):
    """The ``os`` module as the downloader sees it, with writes failing like a full disk."""

    def __init__(self, err: int) -> None:
        super().__init__()
        self.err = err

    def __getattr__(self, name: str):
        return getattr(os, name)

    def write(self, fd: int, data) -> int:
        raise OSError(self.err, os.strerror(self.err))


@pytest.mark.parametrize(("err", "words"), [(errno.ENOSPC, "disk is full"),
                                            (errno.EACCES, "may not write")])
def test_a_local_write_failure_is_a_disk_error_not_retried(
        emulator, meshy_client, monkeypatch, err, words):
    task = _done_task(meshy_client)
    monkeypatch.setattr(downloads, "os", _DiskFailing(err))
    with pytest.raises(e.CacheWriteError, match=words) as info:
        meshy_client.download_asset(KIND, task, "glb")
    assert not info.value.retryable and "interrupted" not in str(info.value)
    assert len(emulator.requests("assets")) == 1  # not retried
    assert not list((meshy_client.cache_dir / task.id).glob("*.part"))
