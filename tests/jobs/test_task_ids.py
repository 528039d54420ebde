"""Every paid task id is told the moment it is created (issue 26), and the way back is named in
words that fit how the job was started: a rerun with the job key only where one was given."""

from __future__ import annotations

import json

from meshy_blender import api, cli
from meshy_blender.jobs import model, outcome
from meshy_blender.jobs.plans import plan_job


def test_the_api_progress_names_each_task_as_soon_as_it_exists(bpy, empty_scene, meshy_env):
    seen: list[api.Progress] = []
    result = api.text_to_3d("a lamp", progress=seen.append)  # one textured task: "refine"
    first_with_task = next(p for p in seen if "refine" in p.task_ids)
    assert first_with_task.status not in (model.READY, model.IMPORTED)
    assert first_with_task.task_ids["refine"] == result.task_ids["refine"]
    assert seen[-1].task_ids == result.task_ids


def test_the_cli_prints_each_paid_task_id_even_with_quiet_and_json(
        bpy, empty_scene, meshy_env, capfd):
    code = cli.main(["text-to-3d", "a lamp", "--json", "--quiet"])
    captured = capfd.readouterr()
    data = json.loads(captured.out)
    assert code == 0 and data["ok"]
    events = [json.loads(line) for line in captured.err.splitlines()
              if line.startswith("{") and "task_created" in line]
    assert {e["step"]: e["task_id"] for e in events} == data["task_ids"]


def test_the_cli_names_the_task_in_plain_lines(bpy, empty_scene, meshy_env, capfd):
    code = cli.main(["text-to-3d", "a lamp", "--should-texture", "false", "--quiet"])
    err = capfd.readouterr().err
    (task_id,) = [t.id for t in api.list_tasks("text-to-3d")][:1]
    assert code == 0
    assert f"paid task created: preview={task_id}" in err and f"meshy resume {task_id}" in err


def _created(job_key: str | None) -> model.Job:
    job = plan_job("text-to-3d", {"prompt": "a cup", "should_texture": False, "remesh": {}})
    job.job_key = job_key
    job.steps[0].task_id = "0193-preview"
    return job


def test_a_timeout_without_a_key_says_how_to_resume_by_task_id():
    message = str(outcome.timeout_error(_created(None), 5))
    assert "same job key" not in message
    assert "meshy resume 0193-preview" in message and "api.resume('0193-preview'" in message
    assert "paying only for the" in message  # the remesh step was never created
    keyed = str(outcome.interrupted_error(_created("shot-010")))
    assert "same job key" in keyed and "meshy resume" not in keyed


def test_a_cli_timeout_without_a_key_names_the_task_to_resume(bpy, empty_scene, meshy_env,
                                                               capfd):
    meshy_env.set_fault("latency", 0.4)  # every call slow: the wait gives up mid-chain
    code = cli.main(["text-to-3d", "a slow cup", "--should-texture", "false", "--remesh",
                     "--json", "--timeout", "1"])
    data = json.loads(capfd.readouterr().out)
    meshy_env.clear_faults()
    assert code == 7
    task_id = data["error"]["task_ids"]["preview"]
    assert f"meshy resume {task_id}" in data["error"]["message"]
    assert "same job key" not in data["error"]["message"]
