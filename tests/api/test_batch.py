"""`meshy batch FILE` / api.batch (issue 16), in real Blender against the emulator: every column
type, a bad file refused row by row with nothing sent, the budget (dry run, --max-credits),
reruns that pay nothing, a batch killed with SIGKILL and run again, and the asset library."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from meshy_blender import cli
from meshy_blender.jobs.batchfile import read_batch

from fixtures.emulator import created_tasks, posts
from meshy_emu import TEST_MODE_KEY, Emulator

ROOT = Path(__file__).resolve().parents[2]


def run(capfd, *argv: str) -> tuple[int, dict]:
    code = cli.main(["batch", *argv, "--json", "--quiet"])
    return code, json.loads(capfd.readouterr().out)


PROPS = ("id,prompt,ai_model,should_texture,target_polycount,remesh,catalog,tags,lods,name\n"
         'mug,a ceramic mug,meshy-6,false,8000,,Props/Kitchen,"kitchen,small",5000,Mug\n'
         'chair,a wooden chair,meshy-6-lite,true,,"{""topology"": ""quad""}",Props/Furniture,,,\n'
         "lamp,a brass lamp,,false,,,Props/Furniture,lighting,,\n")


def test_every_column_type_parses_to_its_api_value(tmp_path, emulator_assets):
    rows = tmp_path / "rows.jsonl"
    image = str(emulator_assets.root / emulator_assets.manifest["images"][0])
    rows.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "prompt": "a crate", "target_formats": ["glb"], "symmetry_mode": "on",
         "rig": {"height_meters": 1.8}, "animations": [4, 12], "tags": ["wood", "box"]},
        {"id": "b", "kind": "image-to-3d", "image": image, "should_texture": False},
        {"id": "c", "kind": "multi-image-to-3d", "images": [image, image]},
        {"id": "d", "kind": "remesh", "input_task_id": "01a22988-0e33-76ea-8970-9d39b29de8c4",
         "target_polycount": 3000},
    ]) + "\n")
    a, b, c, d = read_batch(rows)
    assert a.options == {"prompt": "a crate", "target_formats": ["glb"], "symmetry_mode": "on",
                         "rig": {"height_meters": 1.8}, "animations": [4, 12]}
    assert a.tags == ("wood", "box") and a.label == "a"
    assert b.kind == "image-to-3d" and b.options["image_url"] == image
    assert c.options["image_urls"] == [image, image]
    assert d.options["target_polycount"] == 3000
    csv = tmp_path / "props.csv"
    csv.write_text(PROPS)
    mug, chair, *_ = read_batch(csv)
    assert mug.options == {"prompt": "a ceramic mug", "ai_model": "meshy-6",
                           "should_texture": False, "target_polycount": 8000}
    assert mug.lods == (5000,) and mug.catalog == "Props/Kitchen" and mug.label == "Mug"
    assert mug.tags == ("kitchen", "small")
    assert chair.options["remesh"] == {"topology": "quad"} and chair.options["should_texture"]


def test_a_bad_file_is_refused_row_by_row_and_nothing_is_sent(bpy, empty_scene, meshy_env,
                                                             capfd, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,prompt,ai_model,colour,lods\n"
                   "ok,a good mug,meshy-6,,\n"
                   "r3,a cup,meshy-99,,\n"
                   ",no id,,,\n"
                   "r5,a bowl,,red,\n"
                   "r6,,,,\n"
                   "r7,a plate,,,\"1000,5000\"\n"
                   "ok,again,,,\n")
    code, data = run(capfd, str(bad))
    assert code == cli.EXIT_BAD_INPUT and not data["ok"]
    problems = "\n".join(data["error"]["problems"])
    for expected in ("row 3, column 'ai_model'", "row 4, column 'id'", "row 5, column 'colour'",
                     "row 6, column 'prompt'", "row 7, column 'lods'", "row 8, column 'id'"):
        assert expected in problems, problems
    assert not any(p.startswith("row 2,") for p in data["error"]["problems"])  # good row
    assert meshy_env.requests("api") == []


def test_dry_run_sends_nothing_and_max_credits_refuses(bpy, empty_scene, meshy_env, capfd,
                                                      tmp_path):
    props = tmp_path / "props.csv"
    props.write_text(PROPS)
    code, data = run(capfd, str(props), "--dry-run")
    assert code == 0 and data["dry_run"], data
    assert {r["id"]: r["estimate"] for r in data["results"]} == {"mug": 25, "chair": 20,
                                                                 "lamp": 20}
    assert data["to_pay"] == data["estimate"] == 65
    assert meshy_env.requests("api") == []
    code, data = run(capfd, str(props), "--max-credits", "64")
    assert code == cli.EXIT_CREDITS and "64" in data["error"]["message"], data
    assert posts(meshy_env) == []


def test_studio_caps_apply_per_row_and_to_the_whole_batch(bpy, empty_scene, meshy_env,
                                                         studio_policy, capfd, tmp_path):
    props = tmp_path / "props.csv"
    props.write_text(PROPS)
    studio_policy("max_credits_per_job = 22\n")  # the mug (25 with its LOD) is over the cap
    code, data = run(capfd, str(props))
    assert code == cli.EXIT_BAD_INPUT, data
    assert [p.split(":")[0] for p in data["error"]["problems"]] == ["row 2, column 'lods'"]
    assert "22" in data["error"]["problems"][0]
    studio_policy("session_budget = 60\n")  # every row fits, the batch (65) does not
    code, data = run(capfd, str(props))
    assert code == cli.EXIT_CREDITS and "60" in data["error"]["message"], data
    assert meshy_env.requests("api") == []


def test_the_library_holds_every_row_in_its_catalog_and_a_rerun_pays_nothing(
        bpy, empty_scene, meshy_env, capfd, tmp_path):
    props = tmp_path / "props.csv"
    props.write_text(PROPS)
    library = tmp_path / "lib" / "props.blend"
    report = tmp_path / "report.jsonl"
    balance = meshy_env.balance()
    code, data = run(capfd, str(props), "--out-library", str(library), "--report", str(report))
    assert code == 0 and data["done"] == 3, data
    assert balance - meshy_env.balance() == data["credits"] == 65
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert [r["id"] for r in lines] == ["mug", "chair", "lamp"]
    assert all(r["status"] == "done" and r["task_ids"] and r["files"] for r in lines)
    made = len(created_tasks(meshy_env))

    # The same file again: nothing is created or paid, every row is imported from the cache.
    code, data = run(capfd, str(props), "--out-library", str(library))
    assert code == 0 and data["done"] == 3 and data["to_pay"] == 0, data
    assert len(created_tasks(meshy_env)) == made
    assert balance - meshy_env.balance() == 65

    bpy.ops.wm.open_mainfile(filepath=str(library))
    cats = {line.split(":")[0]: line.split(":")[1]
            for line in (library.parent / "blender_assets.cats.txt").read_text().splitlines()
            if line.count(":") >= 2 and not line.startswith("#")}
    assets = {o.name: o for o in bpy.data.objects if o.asset_data is not None}
    assert {cats[o.asset_data.catalog_id] for o in assets.values()} == {"Props/Kitchen",
                                                                       "Props/Furniture"}
    assert "Mug_LOD0" in bpy.data.objects
    mug = bpy.data.objects["Mug_LOD0"].users_collection[0]
    assert any(o.name.startswith("Mug") and o.name != "Mug_LOD0" for o in mug.objects)
    tagged = [o for o in assets.values() if "kitchen" in o.asset_data.tags]
    assert tagged and all(cats[o.asset_data.catalog_id] == "Props/Kitchen" for o in tagged)
    # Meshy's thumbnail is each asset's preview (saved in the file; background Blender cannot
    # render one itself), and the row's tags sit beside the searchable kind and prompt words.
    assert all(o.preview is not None and o.preview.image_size[0] > 0 for o in assets.values())
    assert all("Meshy" in o.asset_data.tags for o in assets.values())


def test_a_headless_batch_leaves_its_thumbnails_to_the_save_which_makes_them_previews(
        bpy, empty_scene, meshy_env, tmp_path):
    """Without a window nothing can show a preview before the file is written: a batch keeps
    each Meshy thumbnail for the save instead of decoding it between two imports (its imports
    then cost what Blender's own cost), and the saved file has every one."""
    from meshy_blender import api

    result = api.batch([{"id": n, "prompt": f"a clay {n}", "should_texture": False}
                        for n in ("cup", "jug", "pot")], name="previews")
    assert result.done == 3
    marked = {o.name: o for o in bpy.data.objects if o.asset_data is not None}
    assert len(marked) == 3
    assert not any(o.preview is not None and o.preview.image_size[0] for o in marked.values())
    bpy.data.objects.remove(marked.pop(sorted(marked)[0]))  # gone before the save: skipped
    blend = tmp_path / "props.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    sizes = {name: tuple(o.preview.image_size) for name, o in marked.items()}
    assert all(w > 0 and h > 0 for w, h in sizes.values())
    # Meshy's own picture, not a blank one: its pixels are not all one value.
    assert all(len(set(list(o.preview.image_pixels_float))) > 2 for o in marked.values())
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    assert {n: tuple(bpy.data.objects[n].preview.image_size) for n in sizes} == sizes


def test_a_headless_batch_imports_each_row_beside_none_of_the_earlier_ones_then_shows_all(
        bpy, empty_scene, meshy_env, monkeypatch):
    """Each import evaluates the view layer, so with every earlier row in it a batch's imports
    grow slower row by row (Blender's own importer: 17 ms a row, 119 ms by row 400). A headless
    batch sets each imported row aside (its collection excluded from the view layer) and
    brings every row back at the end: each import sees none of the earlier rows, and the
    scene after the batch is the one the imports made, the last row selected and active."""
    from meshy_blender import api
    from meshy_blender.blender.core import runtime

    beside: list[int] = []
    importer = runtime._default_importer

    def counting(snapshot):
        view_layer = bpy.context.view_layer
        beside.append(sum(1 for o in view_layer.objects if o.get("meshy_job_id")))
        return importer(snapshot)

    monkeypatch.setattr(runtime, "_default_importer", counting)
    result = api.batch([{"id": n, "prompt": f"a clay {n}", "should_texture": False}
                        for n in ("cup", "jug", "pot", "bowl", "vase")], name="aside")
    assert result.done == 5 and len(beside) == 5
    assert beside == [0] * 5, f"rows already in the view layer at each import: {beside}"
    view_layer = bpy.context.view_layer
    rows = [bpy.data.objects[r.objects[0]] for r in result.rows]
    assert all(o.name in view_layer.objects and o.visible_get() for o in rows)
    assert not any(layer.exclude for layer in _all_layers(view_layer.layer_collection))
    selected = [o for o in view_layer.objects.selected if o is not None]
    assert selected and view_layer.objects.active in selected
    assert {o.users_collection[0].name for o in selected} == \
        {view_layer.objects.active.users_collection[0].name}  # one row: the last imported
    depsgraph = bpy.context.evaluated_depsgraph_get()  # evaluated again, every row in it
    evaluated = {i.object.original.name for i in depsgraph.object_instances}
    assert {o.name for o in rows} <= evaluated


def _all_layers(root):
    for layer in root.children:
        yield layer
        yield from _all_layers(layer)


def test_a_changed_row_is_refused_unless_replace(bpy, empty_scene, meshy_env, capfd, tmp_path):
    props = tmp_path / "props.csv"
    props.write_text("id,prompt,should_texture\nmug,a mug,false\n")
    assert run(capfd, str(props))[0] == 0
    props.write_text("id,prompt,should_texture\nmug,a red mug,false\n")
    code, data = run(capfd, str(props))
    assert code == cli.EXIT_BAD_INPUT and "--replace" in data["error"]["message"]
    assert len(created_tasks(meshy_env)) == 1
    code, data = run(capfd, str(props), "--replace")
    assert code == 0 and len(created_tasks(meshy_env)) == 2


def test_the_queue_limit_is_learnt_without_failing_rows(bpy, empty_scene, meshy_env, capfd,
                                                       tmp_path, monkeypatch):
    meshy_env.queue_limit = 3
    # Tasks outlast the row creates even on a loaded machine, so the queue does fill (with 0.2 s
    # tasks a slow worker could finish each before creating the next, and never learn a limit).
    monkeypatch.setattr(meshy_env.store, "task_seconds", 1.5)
    props = tmp_path / "many.csv"
    props.write_text("id,prompt,should_texture\n"
                     + "".join(f"p{n},prop {n},false\n" for n in range(9)))
    code, data = run(capfd, str(props))
    assert code == 0 and data["done"] == 9 and data["failed"] == 0, data
    assert data["full_queue_answers"] >= 1 and data["queue_limit"] <= 4
    assert len(created_tasks(meshy_env)) == 9


KILLED = """
import sys, faulthandler
faulthandler.dump_traceback_later(140, exit=True)  # a hang says where it waits
sys.path[:0] = [{root!r}, {scripts!r}]
import bpy
from meshy_blender import cli
sys.exit(cli.main(sys.argv[1:]))
"""


def test_a_batch_killed_halfway_and_run_again_pays_once(tmp_path, emulator_assets):
    emu = Emulator(task_seconds=1.0, queue_limit=4, rate_limit=1000).start()
    try:
        props = tmp_path / "props.csv"
        props.write_text("id,prompt,should_texture\n"
                         + "".join(f"p{n},prop {n},false\n" for n in range(8)))
        env = {**os.environ, "MESHY_API_KEY": TEST_MODE_KEY, "MESHY_API_BASE": emu.api_url,
               "MESHY_CACHE_DIR": str(tmp_path / "cache")}
        env.pop("MESHY_STUDIO_CONFIG", None)
        script = tmp_path / "meshy_cli.py"
        script.write_text(KILLED.format(root=str(ROOT), scripts=str(ROOT / "scripts")))
        start = emu.balance()
        first = subprocess.Popen([sys.executable, str(script), "batch", str(props), "--quiet"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(created_tasks(emu)) < 5:  # the second wave has started
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        library = tmp_path / "props.blend"
        again = subprocess.run([sys.executable, str(script), "batch", str(props), "--json",
                                "--quiet", "--out-library", str(library)], env=env,
                               capture_output=True, text=True, timeout=160)
        assert again.stdout.strip(), f"the rerun said nothing:\n{again.stderr[-8000:]}"
        data = json.loads(again.stdout)
        assert again.returncode == 0 and data["done"] == 8, again.stderr[-2000:]
        made = [r["created_task_id"] for r in created_tasks(emu)]
        assert len(made) == len(set(made)) == 8  # no task created twice
        assert start - emu.balance() == 8 * 20  # credits of one run
        objects = [str(o) for r in data["results"] for o in r["objects"]]
        assert len(objects) == len(set(objects)) == 8  # every row imported once
    finally:
        emu.stop()


HOLDER = """
import sys, time
sys.path[:0] = [{root!r}]
from meshy_blender.jobs.journal import Journal
journal = Journal({journal!r})
job = next(j for j in journal.load_all() if j.job_key == {key!r})
assert journal.claim(job.id)  # as a second seat running (or importing) this row holds it
print("holding", flush=True)
time.sleep({hold})
"""


def test_a_row_another_process_runs_is_waited_for_then_imported_not_paid(
        bpy, empty_scene, meshy_env, capfd, tmp_path):
    """Two seats on one shared cache run the same file: the row the other seat holds is not
    refused or paid again; it is taken from the cache once that seat lets go."""
    props = tmp_path / "props.csv"
    props.write_text("id,prompt,should_texture\nmug,a mug,false\nbowl,a bowl,false\n")
    assert run(capfd, str(props))[0] == 0
    from meshy_blender.blender.core import runtime

    runtime.shutdown_runtime()  # this seat starts afresh, as another Blender would
    made = len(created_tasks(meshy_env))
    downloads = len(meshy_env.requests("assets"))
    key = f"{props.name}:mug"
    script = HOLDER.format(root=str(ROOT), journal=os.environ["MESHY_CACHE_DIR"] + "/journal",
                           key=key, hold=2.0)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        code, data = run(capfd, str(props))
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert code == 0 and data["done"] == 2 and data["failed"] == 0, data["results"]
    assert waited >= 1.0  # it waited for the other process instead of failing the row
    assert len(created_tasks(meshy_env)) == made  # nothing created again
    assert len(meshy_env.requests("assets")) == downloads  # nor downloaded: the cache's files
