"""`make live-check` without the internet: it stops at once when Meshy is unreachable, its
contract matches the emulator exactly (zero differences), and a changed shape is reported."""

from __future__ import annotations

import socket
import time

from livecheck import __main__ as live_check
from livecheck import contract
from livecheck.shapes import compare


def _run(capsys, *args: str) -> tuple[int, str]:
    code = live_check.main(list(args))
    return code, capsys.readouterr().out


def test_offline_it_stops_at_once_with_the_reason(capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    started = time.monotonic()
    code, out = _run(capsys, "--base-url", dead)
    assert code == 2 and time.monotonic() - started < 5
    assert "cannot reach" in out and "refused" in out and "nothing was checked" in out


def test_every_kind_against_the_emulator_shows_zero_differences(emulator, meshy_key, capsys):
    code, out = _run(capsys, "--base-url", emulator.api_url, "--key", meshy_key,
                     "--poll", "0.05", "--task-timeout", "30")
    assert "0 difference(s), 0 note(s)" in out, out
    assert code == 0
    posts = {r["path"] for r in emulator.requests("api") if r["method"] == "POST"}
    assert {"/openapi/v2/uv-unwrap", "/openapi/v2/print/multi-color", "/openapi/v2/text-to-motion",
            "/openapi/v2/text-to-3d", "/openapi/v2/animations"} <= posts
    streams = [r for r in emulator.requests("api") if r["path"].endswith("/stream")]
    assert len(streams) == len(live_check.PLAN), "every task was followed over SSE"
    reads = [r["path"] for r in emulator.requests("api") if r["method"] == "GET"]
    assert all(p.startswith(("/openapi/v2/tasks", "/openapi/v2/balance",
                             "/openapi/v2/animations/library", "/web/public/"))
               or p == "/openapi/v2/image-to-3d/00000000-0000-0000-0000-000000000000"
               for p in reads), "the client's reads are checked on API v2"
    for number in ("A1", "A2", "A4", "A7", "A9", "A11", "A12"):
        assert f"    {number}: " in out, f"the check names assumption {number}"
    assets = emulator.requests("assets")
    assert assets and not any(r["authorized"] for r in assets), "no key to the asset host"


def test_a_broken_assumption_is_printed_with_its_number(emulator, meshy_key, capsys,
                                                        monkeypatch):
    from livecheck import probe

    # As if Meshy's v2 list answered a bare array (A2) instead of {"data", "has_more"}.
    monkeypatch.setattr(probe.contract, "list_spec_v2",
                        lambda kind: [probe.contract.task_spec_v2(kind)])
    code, out = _run(capsys, "--base-url", emulator.api_url, "--key", meshy_key,
                     "--poll", "0.05", "--task-timeout", "30")
    assert code == 1 and "list [A2 paging]: $: expected array of object, got object" in out


def test_a_changed_shape_is_printed_as_a_difference(emulator, meshy_key, capsys):
    emulator.set_fault("library_missing", 1)
    code, out = _run(capsys, "--base-url", emulator.api_url, "--key", meshy_key,
                     "--poll", "0.05", "--task-timeout", "30")
    assert code == 1
    assert "DIFFERENCE library: $: expected array of object, got object" in out


def test_shape_comparison_names_each_difference():
    task = {"id": "t", "type": "rig", "status": "SUCCEEDED", "progress": "100",
            "created_at": 1, "started_at": 1, "finished_at": 1, "expires_at": 1,
            "preceding_tasks": 0, "task_error": None, "result": {"riggedCharacterGlbUrl": "u"},
            "brand_new": True}
    found = compare(contract.task_spec("rig"), task)
    assert "$.progress: expected int, got str" in found
    assert "$.result.rigged_character_glb_url: missing" in found
    assert "$.result.riggedCharacterGlbUrl: new field (str)" in found
    assert "$.brand_new: new field (bool)" in found
    assert compare(contract.PUBLIC_CATALOG, {"result": {"total": 0, "list": []}}) == []
