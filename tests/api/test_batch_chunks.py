"""A batch split into row chunks (issue 25): `meshy batch FILE --rows A-B` runs one chunk, a
chunk run again (or overlapping another) pays nothing twice, rows outside the file are refused
with nothing sent, and `meshy batch-merge` merges the chunk reports and names the rows still
to run; two processes sharing one key and cache run overlapping chunks, each capped at its
share of the queue (--max-in-flight). In real Blender against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from meshy_blender import cli
from meshy_blender.client.errors import ValidationError
from meshy_blender.jobs.batch_rows import rows_text, select_rows

from fixtures.emulator import created_tasks
from meshy_emu import TEST_MODE_KEY, Emulator


def run(capfd, *argv: str) -> tuple[int, dict]:
    code = cli.main([*argv, "--json"])
    return code, json.loads(capfd.readouterr().out)


PROPS = "id,prompt,should_texture\n" + "".join(f"p{n},prop {n},false\n" for n in range(1, 7))


def test_rows_text_and_selection_round_trip():
    assert select_rows("2-4", 6) == [2, 3, 4]
    assert select_rows("5-", 6) == [5, 6]
    assert select_rows("1,3-4, 3", 6) == [1, 3, 4]
    assert rows_text([9, 3, 4, 5, 1]) == "1,3-5,9"
    assert select_rows(rows_text([1, 3, 4, 5, 9]), 9) == [1, 3, 4, 5, 9]
    for bad, words in (("4-9", "the file has 6 rows (1-6); row 9"), ("0-2", "count from 1"),
                       ("3-2", "not a range"), ("a-b", "write rows as A-B"), (",", "no rows")):
        with pytest.raises(ValidationError, match=r"--rows") as caught:
            select_rows(bad, 6)
        assert words in str(caught.value), (bad, caught.value)


def test_rows_outside_the_file_are_refused_and_nothing_is_sent(bpy, empty_scene, meshy_env,
                                                               capfd, tmp_path):
    props = tmp_path / "props.csv"
    props.write_text(PROPS)
    code, data = run(capfd, "batch", str(props), "--rows", "5-8", "--quiet")
    assert code == cli.EXIT_BAD_INPUT and not data["ok"], data
    assert "the file has 6 rows (1-6)" in data["error"]["message"], data
    assert meshy_env.requests("api") == []


def test_chunks_run_again_and_overlapping_pay_once_and_merge_into_one_report(
        bpy, empty_scene, meshy_env, capfd, tmp_path):
    props = tmp_path / "props.csv"
    props.write_text(PROPS)
    reports = tmp_path / "reports"
    balance = meshy_env.balance()
    code, first = run(capfd, "batch", str(props), "--rows", "1-3", "--quiet",
                      "--report", str(reports / "a.jsonl"))
    assert code == 0 and first["done"] == 3 and first["chunk"] == "1-3", first
    assert [r["id"] for r in first["results"]] == ["p1", "p2", "p3"]
    assert [r["index"] for r in first["results"]] == [1, 2, 3]
    merged = tmp_path / "merged.jsonl"
    code, data = run(capfd, "batch-merge", str(merged), str(reports / "a.jsonl"))
    assert code == cli.EXIT_TASK_FAILED and not data["ok"], data
    assert data["done"] == 3 and data["file_rows"] == 6 and data["rerun"] == "--rows 4-6"
    assert "--rows 4-6" in data["error"]["message"]
    # the next chunk overlaps the first (a farm task retried with other bounds): rows 2-3 are
    # finished and cost nothing
    code, second = run(capfd, "batch", str(props), "--rows", "2-6", "--quiet",
                       "--report", str(reports / "b.jsonl"))
    assert code == 0 and second["done"] == 5 and second["to_pay"] == 3 * 20, second
    made = [r["created_task_id"] for r in created_tasks(meshy_env)]
    assert len(made) == len(set(made)) == 6  # every row created once
    assert balance - meshy_env.balance() == 6 * 20
    code, data = run(capfd, "batch-merge", str(merged), str(reports / "a.jsonl"),
                     str(reports / "b.jsonl"))
    assert code == 0 and data["ok"], data
    assert (data["done"], data["failed"], data["rerun"]) == (6, 0, "")
    assert data["credits"] == 6 * 20 and data["files"] >= 6
    lines = [json.loads(line) for line in merged.read_text().splitlines()]
    assert [line["id"] for line in lines] == [f"p{n}" for n in range(1, 7)]
    assert all(line["status"] == "done" and line["files"] for line in lines)


def test_merging_reports_of_another_file_or_not_reports_is_refused(capfd, tmp_path):
    a = tmp_path / "a.jsonl"
    a.write_text(json.dumps({"batch": "props.csv", "file_rows": 4, "index": 1, "id": "x",
                             "status": "done", "credits": 20, "files": {}}) + "\n")
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"batch": "trees.csv", "file_rows": 9, "index": 1, "id": "y",
                             "status": "done", "credits": 20, "files": {}}) + "\n")
    code, data = run(capfd, "batch-merge", str(tmp_path / "m.jsonl"), str(a), str(b))
    assert code == cli.EXIT_BAD_INPUT and "trees.csv" in data["error"]["message"], data
    c = tmp_path / "c.jsonl"
    c.write_text('{"id": "x"}\n')
    code, data = run(capfd, "batch-merge", str(tmp_path / "m.jsonl"), str(c))
    assert code == cli.EXIT_BAD_INPUT and "line 1" in data["error"]["message"], data
    assert not (tmp_path / "m.jsonl").exists()


def test_max_in_flight_keeps_this_process_under_its_share_of_the_queue(
        bpy, empty_scene, meshy_env, capfd, tmp_path, monkeypatch):
    """With the account's queue at 3, a worker capped at 2 never meets a full queue (uncapped
    it does: test_batch.py's learnt-limit test); a bad MESHY_MAX_IN_FLIGHT is refused."""
    meshy_env.queue_limit = 3
    props = tmp_path / "many.csv"
    props.write_text("id,prompt,should_texture\n"
                     + "".join(f"p{n},prop {n},false\n" for n in range(6)))
    monkeypatch.setenv("MESHY_MAX_IN_FLIGHT", "many")
    code, data = run(capfd, "batch", str(props), "--quiet")
    assert code == cli.EXIT_BAD_INPUT and "MESHY_MAX_IN_FLIGHT" in data["error"]["message"]
    assert created_tasks(meshy_env) == []
    monkeypatch.setenv("MESHY_MAX_IN_FLIGHT", "2")
    code, data = run(capfd, "batch", str(props), "--quiet")
    assert code == 0 and data["done"] == 6, data
    assert data["full_queue_answers"] == 0 and data["queue_limit"] == 2, data
    assert len(created_tasks(meshy_env)) == 6


CLI = """
import sys
sys.path[:0] = [{root!r}, {scripts!r}]
import bpy
from meshy_blender import cli
sys.exit(cli.main(sys.argv[1:]))
"""


def test_two_processes_on_one_cache_running_overlapping_chunks_pay_each_row_once(
        tmp_path, emulator_assets):
    """Two workers sharing one key and one cache, each capped at its share of the queue, run
    overlapping chunks at once: every row is created and downloaded once; the rows both
    chunks name are imported once in each process, from the shared cache."""
    root = Path(__file__).resolve().parents[2]
    emu = Emulator(task_seconds=1.0, queue_limit=4, rate_limit=1000).start()
    try:
        props = tmp_path / "props.csv"
        props.write_text(PROPS + "p7,prop 7,false\np8,prop 8,false\n")
        script = tmp_path / "meshy_cli.py"
        script.write_text(CLI.format(root=str(root), scripts=str(root / "scripts")))
        env = {**os.environ, "MESHY_API_KEY": TEST_MODE_KEY, "MESHY_API_BASE": emu.api_url,
               "MESHY_CACHE_DIR": str(tmp_path / "cache"), "MESHY_MAX_IN_FLIGHT": "2"}
        env.pop("MESHY_STUDIO_CONFIG", None)
        start = emu.balance()
        workers = [subprocess.Popen([sys.executable, str(script), "batch", str(props),
                                     "--rows", rows, "--json", "--quiet"], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for rows in ("1-5", "3-8")]
        results = []
        for worker in workers:
            out, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err[-3000:]
            results.append(json.loads(out))
        assert [r["done"] for r in results] == [5, 6], results
        assert all(r["full_queue_answers"] == 0 for r in results)  # 2 + 2 fit the queue of 4
        prompts = Counter(t.get("prompt") for t in emu.tasks())
        assert prompts == Counter(f"prop {n}" for n in range(1, 9)), prompts  # created once
        assert start - emu.balance() == 8 * 20
        fetched = Counter(r["path"] for r in emu.requests("assets"))
        assert fetched and max(fetched.values()) == 1, fetched  # downloaded once
        for result in results:  # each process imported each of its rows once
            objects = [o for r in result["results"] for o in r["objects"]]
            assert len(objects) == len(set(objects)) == len(result["results"])
    finally:
        emu.stop()
