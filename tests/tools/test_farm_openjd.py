"""The farm template farm/openjd/meshy-batch.yaml run by openjd-cli (issue 25), the way a
Deadline Cloud worker runs it: two sessions at once on one shared cache, each running a chunk
of rows; one is killed mid-chunk and its chunk run again; then the template's Report step.
Every row is created once, downloaded once and lands in exactly one chunk library, and the
merged report holds every row.

The template's ``Blender`` parameter is the executable each task runs with
``-b --online-mode --command meshy ...``; here it is a small script running the venv's Python
(the bpy module is real Blender) into the same CLI entry with the same arguments.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from meshy_emu import TEST_MODE_KEY, Emulator

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "farm" / "openjd" / "meshy-batch.yaml"
OPENJD = Path(sys.executable).parent / "openjd"

BLENDER_AS_MODULE = """
import sys
sys.path[:0] = [{root!r}, {scripts!r}]
args = sys.argv[1:]
# blender -b --online-mode --command meshy ARGS...: the extension's CLI gets ARGS
assert args[:4] == ["-b", "--online-mode", "--command", "meshy"], args
import bpy
from meshy_blender import cli
sys.exit(cli.main(args[4:]))
"""


def _openjd(step: str, params: dict[str, str], env: dict[str, str],
            rows: str | None = None) -> subprocess.Popen:
    argv = [str(OPENJD), "run", str(TEMPLATE), "--step", step, "--no-run-dependencies"]
    for name, value in params.items():
        argv += ["-p", f"{name}={value}"]
    if rows:
        argv += ["-tp", f"Rows={rows}"]
    # a session of its own: killing it kills the task's Blender too, as a dead farm worker
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def _finish(session: subprocess.Popen, timeout: float = 300) -> str:
    out, _ = session.communicate(timeout=timeout)
    assert session.returncode == 0, out[-4000:]
    return out


@pytest.mark.skipif(not OPENJD.exists(), reason="openjd-cli is not installed in this venv "
                                                "(requirements/test.lock)")
def test_the_openjd_template_runs_chunks_on_a_shared_cache_and_merges_them(
        bpy, tmp_path, emulator_assets):
    emu = Emulator(task_seconds=1.0, queue_limit=20, rate_limit=1000).start()
    try:
        props = tmp_path / "props.csv"
        props.write_text("id,prompt,should_texture,catalog\n" + "".join(
            f"p{n},prop {n},false,Props/{'Even' if n % 2 == 0 else 'Odd'}\n"
            for n in range(1, 9)))
        blender = tmp_path / "blender"
        script = tmp_path / "blender_as_module.py"
        script.write_text(BLENDER_AS_MODULE.format(root=str(ROOT), scripts=str(ROOT / "scripts")))
        blender.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
        blender.chmod(0o755)
        library = tmp_path / "library"
        params = {"BatchFile": str(props), "RowCount": "8", "ChunkSize": "4",
                  "LibraryFolder": str(library), "CacheFolder": str(tmp_path / "cache"),
                  "MaxInFlight": "3", "Blender": str(blender)}
        env = {**os.environ, "MESHY_API_KEY": TEST_MODE_KEY, "MESHY_API_BASE": emu.api_url}
        env.pop("MESHY_STUDIO_CONFIG", None)
        env.pop("MESHY_CACHE_DIR", None)  # the template's CacheFolder sets it
        start = emu.balance()

        first = _openjd("Chunks", params, env, "1-4")
        second = _openjd("Chunks", params, env, "5-8")
        deadline = time.monotonic() + 180
        while sum(t.get("prompt") in ("prop 5", "prop 6", "prop 7", "prop 8")
                  for t in emu.tasks()) < 2:  # the second chunk is paying for its rows
            assert second.poll() is None, second.communicate()[0][-4000:]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(second.pid, signal.SIGKILL)  # the worker dies mid-chunk
        second.wait()
        assert not (library / "reports" / "rows-5-8.jsonl").exists()
        _finish(first)
        _finish(_openjd("Chunks", params, env, "5-8"))  # the farm retries the chunk
        out = _finish(_openjd("Report", params, env))

        prompts = Counter(t.get("prompt") for t in emu.tasks())
        assert prompts == Counter(f"prop {n}" for n in range(1, 9)), prompts  # created once
        assert start - emu.balance() == 8 * 20  # paid once
        fetched = Counter(r["path"] for r in emu.requests("assets"))
        assert fetched and max(fetched.values()) == 1, fetched  # downloaded once
        merged = [json.loads(line) for line in (library / "report.jsonl").read_text()
                  .splitlines()]
        assert [r["id"] for r in merged] == [f"p{n}" for n in range(1, 9)], out[-2000:]
        assert all(r["status"] == "done" and r["files"] for r in merged)
        cats = (library / "blender_assets.cats.txt").read_text()
        assert ":Props/Even:" in cats and ":Props/Odd:" in cats
        in_libraries: Counter[str] = Counter()
        for chunk in ("rows-1-4", "rows-5-8"):
            with bpy.data.libraries.load(str(library / chunk / "library.blend"),
                                         assets_only=True) as (data_from, _):
                in_libraries.update(data_from.objects)
        rows_in = Counter(next(f"p{n}" for n in range(1, 9) if name.startswith(f"p{n}"))
                          for name in in_libraries)
        assert rows_in == Counter(f"p{n}" for n in range(1, 9)), in_libraries  # once each
    finally:
        emu.stop()
