"""Never pay twice, never lose a paid result, headless: job keys, timeouts, Ctrl-C, the
balance against the whole chain, the formats a chain needs, and --out, in real Blender
against the emulator (creates counted from its request log)."""

from __future__ import annotations

import json

import pytest

from meshy_blender import api, cli
from meshy_blender.client import errors
from meshy_blender.jobs.keys import JobKeyConflictError

from fixtures.emulator import posts

# A two-task chain: a shape, then a remesh of it (a textured model is one task on API v2).
SHAPE_THEN_REMESH = {"should_texture": False, "remesh": {}}


def new_process(bpy) -> None:
    """What a farm retry starts from: no runtime (no jobs in memory), an empty scene, and the
    first process gone (its workers stopped, so its journal locks are released)."""
    from meshy_blender.blender.core import runtime

    from fixtures.headless import _reset_runtime

    rt = runtime.current_runtime()
    if rt is not None:
        rt.manager.shutdown(cancel_running=True, wait=True)
    _reset_runtime()
    bpy.ops.wm.read_homefile(use_empty=True)


def journalled(status_of_job: str | None = None) -> list[dict]:
    from meshy_blender.blender.core import runtime

    rt = runtime.current_runtime()
    jobs = [json.loads(p.read_text()) for p in rt.journal_dir.glob("job-*.json")]
    return [j for j in jobs if status_of_job is None or j["status"] == status_of_job]


def test_a_keyed_rerun_returns_the_result_without_paying(bpy, empty_scene, meshy_env):
    first = api.text_to_3d("a brass lantern", job_key="shot-010")
    paid = len(posts(meshy_env))
    assert paid == 1 and first.root_objects  # textured: one Meshy API v2 task

    again = api.text_to_3d("a brass lantern", job_key="shot-010")  # same process, same file
    assert len(posts(meshy_env)) == paid
    assert again.job_id == first.job_id and again.task_ids == first.task_ids
    assert again.root_objects == first.root_objects  # not imported a second time

    new_process(bpy)  # a farm retry: a new Blender, an empty file, the same cache
    assets_before = len(meshy_env.requests("assets"))
    third = api.text_to_3d("a brass lantern", job_key="shot-010")
    assert len(posts(meshy_env)) == paid  # nothing bought
    assert len(meshy_env.requests("assets")) == assets_before  # nothing downloaded
    assert third.task_ids == first.task_ids and third.root_objects
    assert [o["meshy_job_id"] for o in third.root_objects] == [first.job_id]


def test_a_different_request_under_a_used_key_is_refused_and_nothing_is_sent(
        bpy, empty_scene, meshy_env):
    api.text_to_3d("a brass lantern", should_texture=False, job_key="shot-020")
    paid = len(posts(meshy_env))
    with pytest.raises(JobKeyConflictError, match=r"shot-020.*different request") as refused:
        api.text_to_3d("a copper kettle", should_texture=False, job_key="shot-020")
    assert isinstance(refused.value, errors.MeshyError)
    assert len(posts(meshy_env)) == paid


def test_a_timeout_keeps_the_job_resumable_and_the_keyed_rerun_pays_nothing(
        bpy, empty_scene, meshy_env):
    meshy_env.set_fault("latency", 0.4)  # every call slow: the wait gives up mid-chain
    with pytest.raises(errors.WaitTimeoutError) as late:
        api.text_to_3d("a slow cup", job_key="shot-030", timeout=1.0, **SHAPE_THEN_REMESH)
    ids = late.value.task_ids
    assert ids.get("preview") and ids["preview"] in str(late.value)  # paid ids, named
    assert not journalled("CANCELLED")  # not written off

    meshy_env.clear_faults()
    new_process(bpy)
    result = api.text_to_3d("a slow cup", job_key="shot-030", **SHAPE_THEN_REMESH)
    assert result.task_ids["preview"] == ids["preview"]  # the paid shape, resumed
    paths = sorted(r["path"] for r in posts(meshy_env))
    assert paths == ["/openapi/v2/remesh", "/openapi/v2/text-to-3d"]  # each step paid once
    assert result.root_objects


def test_ctrl_c_detaches_names_the_paid_tasks_and_exits_130(bpy, empty_scene, meshy_env,
                                                            capfd):
    meshy_env.set_fault("latency", 0.3)

    def interrupt_once_paid(progress) -> None:
        from meshy_blender.blender.core import runtime

        job = runtime.current_runtime().manager.get(progress.job_id)
        if job is not None and job.task_ids:
            raise KeyboardInterrupt

    with pytest.raises(api.Interrupted) as stopped:
        api.text_to_3d("a vase", job_key="shot-040", progress=interrupt_once_paid)
    assert isinstance(stopped.value, KeyboardInterrupt)  # a script still stops
    assert stopped.value.task_ids and not journalled("CANCELLED")
    capfd.readouterr()

    import meshy_blender.cli.commands as commands

    def interrupted(p):  # the CLI's progress printer, interrupted once a task is paid
        interrupt_once_paid(p)

    real = commands._progress
    commands._progress = lambda args: interrupted
    try:
        code = cli.main(["text-to-3d", "a bowl", "--job-key", "shot-041", "--json"])
    finally:
        commands._progress = real
    data = json.loads(capfd.readouterr().out)
    assert code == cli.EXIT_INTERRUPTED == 130 == data["exit_code"]
    assert data["error"]["task_ids"]["refine"] in data["error"]["message"]


def test_the_balance_is_checked_against_the_whole_chain_first(bpy, empty_scene, meshy_env,
                                                              meshy_key):
    meshy_env.set_balance(meshy_key, 25)  # not the 30 a textured model costs
    with pytest.raises(errors.InsufficientCreditsError) as short:
        api.text_to_3d("a stool")
    assert "30" in str(short.value) and "25" in str(short.value)
    assert (short.value.required, short.value.balance) == (30, 25)
    assert posts(meshy_env) == [] and meshy_env.balance(meshy_key) == 25


def test_a_chained_remesh_imported_as_fbx_asks_for_fbx(bpy, empty_scene, meshy_env):
    result = api.text_to_3d("a chair", remesh={"target_polycount": 2000},
                            import_format="FBX")
    task = meshy_env.task(result.task_ids["remesh"])
    assert "fbx" in task["target_formats"] and result.root_objects
    # The result's model is FBX (beside it: Meshy's thumbnail, and the GLB stand-ins shown
    # while the chain ran).
    model = {k: f for k, f in result.files.items() if k.startswith("remesh.")
             and not k.endswith(".thumbnail")}
    assert model and all(f.endswith(".fbx") for f in model.values())


def test_a_hidden_source_is_sent_whole(bpy, empty_scene, meshy_env):
    bpy.ops.mesh.primitive_monkey_add()
    monkey = bpy.context.active_object
    monkey.hide_set(True)  # e.g. the source an earlier "Replace" hid
    result = api.retexture(monkey, text_style_prompt="gold")
    assert result.root_objects and monkey.hide_get()


def test_cli_out_type_and_key_rerun(bpy, empty_scene, meshy_env, capfd, tmp_path):
    code = cli.main(["text-to-3d", "a stool", "--out", str(tmp_path / "stool.usd"), "--json"])
    data = json.loads(capfd.readouterr().out)
    assert code == 2 and ".usd" in data["error"]["message"]
    assert meshy_env.requests("api") == []  # refused before the 20 credits

    argv = ["text-to-3d", "a stool", "--should-texture", "false", "--job-key", "farm-7",
            "--json", "--quiet"]
    assert cli.main(argv) == 0
    first = json.loads(capfd.readouterr().out)
    paid = len(posts(meshy_env))
    new_process(bpy)
    assert cli.main(argv) == 0
    again = json.loads(capfd.readouterr().out)
    assert len(posts(meshy_env)) == paid and again["task_ids"] == first["task_ids"]


def test_cli_resume_lands_an_animation_on_its_rig(bpy, empty_scene, meshy_env, capfd, tmp_path):
    made = api.text_to_3d("a dancer", should_texture=False, rig={}, animations=[4])
    rig_task, anim_task = made.task_ids["rig"], made.task_ids["animate"]
    rig_file = tmp_path / "rig.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(rig_file))
    paid = len(posts(meshy_env))

    for extra in (["--rig-task-id", rig_task], ["--input", str(rig_file)]):
        new_process(bpy)
        capfd.readouterr()  # the importer's chatter before the command
        code = cli.main(["resume", anim_task, "--json", "--quiet", *extra])
        data = json.loads(capfd.readouterr().out)
        assert code == 0, data
        assert data["task_ids"] == {"animate": anim_task} and data["armature"]
        armature = bpy.data.objects[data["armature"]]
        strips = {s.action.name for t in armature.animation_data.nla_tracks for s in t.strips}
        assert set(data["actions"]) <= strips  # the clip is an action on the rig
    assert len(posts(meshy_env)) == paid  # resuming is free


def test_cli_names_damaged_journal_files_on_stderr_and_goes_on(bpy, empty_scene, meshy_env,
                                                               capfd):
    from pathlib import Path

    journal = Path(meshy_env_cache()) / "journal"
    journal.mkdir(parents=True, exist_ok=True)
    (journal / "job-0bad.json").write_text("[]", encoding="utf-8")
    code = cli.main(["text-to-3d", "a cup", "--should-texture", "false", "--job-key", "k1",
                     "--json", "--quiet"])
    captured = capfd.readouterr()
    assert code == 0 and json.loads(captured.out)["ok"]
    assert captured.err.count("damaged Meshy job journal file") == 1
    assert "job-0bad.json" in captured.err


def meshy_env_cache() -> str:
    import os

    return os.environ["MESHY_CACHE_DIR"]


def test_a_keyed_rerun_imports_a_job_left_ready(bpy, empty_scene, meshy_env):
    from meshy_blender.blender.core import runtime
    from meshy_blender.blender.scene.importer import MeshyImportError

    def broken(snapshot):
        raise RuntimeError("the file could not be read")

    real = runtime._default_importer
    runtime._default_importer = broken
    try:
        with pytest.raises(MeshyImportError) as failed:
            api.text_to_3d("a teapot", should_texture=False, job_key="shot-050")
    finally:
        runtime._default_importer = real
    assert isinstance(failed.value, errors.MeshyError) and failed.value.task_ids
    paid = len(posts(meshy_env))

    new_process(bpy)  # the journal holds it READY: downloaded, never imported
    result = api.text_to_3d("a teapot", should_texture=False, job_key="shot-050")
    assert len(posts(meshy_env)) == paid and result.task_ids == failed.value.task_ids
    assert [o["meshy_job_id"] for o in result.root_objects] == [result.job_id]


def test_the_key_never_reaches_cli_output(bpy, empty_scene, meshy_env, meshy_key, capfd):
    code = cli.main(["text-to-3d", "a cup", "--should-texture", "false", "--label", meshy_key,
                     "--json"])  # a key pasted into the wrong field
    captured = capfd.readouterr()
    assert code == 0, captured.out
    assert meshy_key not in captured.out and meshy_key not in captured.err
    # Nor the .blend: the label names the objects and is kept as their prompt.
    names = [o.name for o in bpy.data.objects] + [c.name for c in bpy.data.collections]
    props = [str(o[k]) for o in bpy.data.objects for k in o.keys()]  # noqa: SIM118 (an ID)
    assert names and not any(meshy_key[:12] in text for text in names + props)


def test_a_keyed_rerun_after_a_failed_step_keeps_the_paid_ones(bpy, empty_scene, meshy_env):
    from meshy_blender.blender.core import runtime

    def fail_the_remesh(progress) -> None:  # tasks created from now on fail
        job = runtime.current_runtime().manager.get(progress.job_id)
        if job is not None and job.task_ids.get("preview"):
            meshy_env.set_fault("fail_tasks", "invalid_input")

    with pytest.raises(errors.TaskFailedError) as failed:
        api.text_to_3d("a lamp", job_key="shot-060", progress=fail_the_remesh,
                       **SHAPE_THEN_REMESH)
    assert failed.value.kind == "remesh"
    paid_preview = failed.value.task_ids["preview"]
    meshy_env.clear_faults()

    result = api.text_to_3d("a lamp", job_key="shot-060",  # the same process, the same key
                            **SHAPE_THEN_REMESH)
    assert result.root_objects and result.task_ids["preview"] == paid_preview
    paths = sorted(r["path"] for r in posts(meshy_env))
    assert paths == ["/openapi/v2/remesh", "/openapi/v2/remesh", "/openapi/v2/text-to-3d"]
