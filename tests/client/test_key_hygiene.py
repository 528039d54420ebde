"""Key hygiene (issue 12): one scrubber on every text that can reach a journal, a log or a
progress line, keys trimmed and refused when they cannot be right, no key over plain http."""

from __future__ import annotations

import logging

import pytest

from meshy_blender.client import MeshyClient, errors
from meshy_blender.jobs import model
from meshy_blender.jobs.journal import Journal
from meshy_blender.jobs.plans import plan_job

KEY_PIECES = ("msy_firsthalf_0123456789", "secondhalf_abcdefghij")


def test_a_key_with_a_line_break_is_refused_and_never_shown():
    key = "\n".join(KEY_PIECES)
    with pytest.raises(errors.AuthError, match="line break") as info:
        MeshyClient(key, "https://api.meshy.ai")
    for piece in KEY_PIECES:
        assert piece not in str(info.value)
        assert piece not in errors.scrub(f"progress: {piece} and more")


@pytest.mark.parametrize("bad", ["msy_abc\u200bdef0123456789", "msy_abc\x07def012345",
                                 "msy_abc def0123456789", "msy_caf\u00e9_0123456789"])
def test_keys_with_invisible_or_non_ascii_characters_are_refused_clearly(bad):
    with pytest.raises(errors.AuthError, match="Copy it again") as info:
        MeshyClient(bad, "https://api.meshy.ai")
    assert bad not in str(info.value) and "codec" not in str(info.value)


def test_a_key_is_trimmed(emulator, meshy_key):
    client = MeshyClient(f"  {meshy_key}\n", emulator.api_url)
    assert client.balance() == emulator.balance()


@pytest.mark.parametrize("url", ["http://api.meshy.ai", "http://10.0.0.5:8080"])
def test_plain_http_to_another_host_is_refused(url):
    with pytest.raises(errors.ValidationError, match="unencrypted"):
        MeshyClient("msy_a_perfectly_fine_key_000", url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9",
                                 "https://api.meshy.ai"])
def test_loopback_http_and_https_are_allowed(url):
    MeshyClient("msy_a_perfectly_fine_key_000", url).close()


def test_journal_and_logs_never_hold_a_piece_of_the_key(tmp_path, caplog):
    errors.register_secret("\r\n".join(KEY_PIECES))
    job = plan_job("text-to-3d", {"prompt": "a mug", "should_texture": False})
    job.detail = f"echoed {KEY_PIECES[0]}\r\n{KEY_PIECES[1]}"
    job.error = model.JobError("X", f"bad key {KEY_PIECES[1]}")
    Journal(tmp_path).save(job)
    text = (tmp_path / f"job-{job.id}.json").read_text()
    assert all(piece not in text for piece in KEY_PIECES)
    logger = errors.scrubbed_logger("meshy_blender.jobs.test_hygiene")
    with caplog.at_level(logging.INFO):
        logger.info("sending %s", KEY_PIECES[0])
        try:
            raise RuntimeError(KEY_PIECES[1])
        except RuntimeError:
            logger.exception("failed")
    assert all(piece not in caplog.text for piece in KEY_PIECES)
    assert "sending ***" in caplog.text
