"""`blender --command meshy ...`: every subcommand, exit codes and --json, in real Blender.

The bpy wheel has no `blender` binary, so the tests call `meshy_blender.cli.main(argv)` exactly
as Blender's command handler does, and check the command registration on its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from meshy_blender import cli


def run(capfd, *argv: str) -> tuple[int, dict]:
    """main(argv) with --json; returns (exit code, the single JSON object on stdout)."""
    code = cli.main([*argv, "--json", "--quiet"])
    out = capfd.readouterr().out
    return code, json.loads(out)


def meshy_roots(bpy):
    return [o for o in bpy.context.scene.objects if "meshy_job_id" in o]


# ------------------------------------------------------------------------ generating

def test_text_to_3d_imports_and_exports_glb(bpy, empty_scene, meshy_env, capfd, tmp_path):
    out = tmp_path / "owl.glb"
    code, data = run(capfd, "text-to-3d", "a bronze owl", "--ai-model", "meshy-6",
                     "--target-polycount", "5000", "--out", str(out))
    assert code == 0 and data["ok"], data
    assert set(data["task_ids"]) == {"refine"}  # textured: one Meshy API v2 task
    assert data["credits"] == 30
    assert out.read_bytes()[:4] == b"glTF"
    assert data["root_objects"] == [o.name for o in meshy_roots(bpy)]
    (created,) = [r for r in meshy_env.requests("api") if r["method"] == "POST"]
    assert meshy_env.task(data["task_ids"]["refine"])["status"] == "SUCCEEDED"
    assert (created["path"], created["status"]) == ("/openapi/v2/text-to-3d", 202)


def test_image_and_multi_image_to_3d(bpy, empty_scene, meshy_env, emulator_assets, capfd):
    pngs = [str(emulator_assets.root / p) for p in emulator_assets.manifest["images"][:2]]
    code, data = run(capfd, "image-to-3d", pngs[0], "--should-texture", "false")
    assert code == 0, data
    assert data["kind"] == "image-to-3d" and data["credits"] == 20
    code, data = run(capfd, "multi-image-to-3d", *pngs)
    assert code == 0, data
    assert data["kind"] == "multi-image-to-3d" and len(meshy_roots(bpy)) == 2


def test_retexture_remesh_rig_animate_from_files_and_task_ids(bpy, empty_scene, meshy_env,
                                                             emulator_assets, capfd, tmp_path):
    glb = emulator_assets.path("textured", "glb")
    code, data = run(capfd, "retexture", "--input", str(glb), "--text-style-prompt",
                     "worn leather")
    assert code == 0, data
    retex_id = data["task_ids"]["retexture"]

    code, data = run(capfd, "remesh", "--task-id", retex_id, "--target-polycount", "5000",
                     "--topology", "quad")
    assert code == 0, data
    remesh_task = meshy_env.task(data["task_ids"]["remesh"])
    assert remesh_task["status"] == "SUCCEEDED"

    blend = tmp_path / "hero.blend"
    code, data = run(capfd, "rig", "--task-id", retex_id, "--height-meters", "1.8",
                     "--animation", "4", "--out", str(blend))
    assert code == 0, data
    assert data["armature"] and {"Walking", "Running"} <= {a.split(".")[0]
                                                           for a in data["actions"]}
    assert blend.is_file()
    rig_id = data["task_ids"]["rig"]

    code, data = run(capfd, "animate", "--task-id", rig_id, "--action-id", "5",
                     "--clear-scene", "--out", str(tmp_path / "anim.fbx"))
    assert code == 0, data
    assert data["task_ids"] == {"animate": data["task_ids"]["animate"]}
    assert data["armature"] and len(data["actions"]) == 1
    assert (tmp_path / "anim.fbx").read_bytes()[:18] == b"Kaydara FBX Binary"


def test_rig_and_animate_from_a_blend_input(bpy, empty_scene, meshy_env, capfd, tmp_path):
    code, data = run(capfd, "text-to-3d", "a knight", "--rig", "--out",
                     str(tmp_path / "knight.blend"))
    assert code == 0, data
    bpy.ops.wm.read_homefile(use_empty=True)
    code, data = run(capfd, "animate", "--input", str(tmp_path / "knight.blend"),
                     "--action-id", "4", "--action-id", "5")
    assert code == 0, data
    armature = bpy.data.objects[data["armature"]]
    tracks = {s.action.name for t in armature.animation_data.nla_tracks for s in t.strips}
    assert set(data["actions"]) <= tracks and len(data["actions"]) == 2
    assert len(meshy_env.requests("api")) > 0


# ------------------------------------------------------------------------ queries

def test_status_balance_list_resume(bpy, empty_scene, meshy_env, capfd, tmp_path):
    code, data = run(capfd, "balance")
    assert (code, data["balance"]) == (0, 10_000)
    code, gen = run(capfd, "text-to-3d", "a lamp", "--should-texture", "false")
    task_id = gen["task_ids"]["preview"]

    code, data = run(capfd, "status", task_id)
    assert code == 0 and data["kind"] == "text-to-3d" and data["status"] == "SUCCEEDED"
    assert "glb" in data["outputs"] and "http" not in json.dumps(data)

    code, data = run(capfd, "list", "--kind", "text-to-3d", "--limit", "5")
    assert code == 0 and task_id in [t["task_id"] for t in data["tasks"]]

    code, data = run(capfd, "balance")
    assert data["balance"] == 10_000 - 20

    before = len([r for r in meshy_env.requests("api") if r["method"] == "POST"])
    code, data = run(capfd, "resume", task_id, "--out", str(tmp_path / "again.glb"))
    assert code == 0 and data["task_ids"] == {"preview": task_id}
    assert (tmp_path / "again.glb").is_file()
    assert len([r for r in meshy_env.requests("api") if r["method"] == "POST"]) == before


def test_plain_output_is_readable(bpy, empty_scene, meshy_env, capfd):
    assert cli.main(["balance"]) == 0
    lines = capfd.readouterr().out.strip().splitlines()
    assert lines[:3] == ["balance: 10000", "monthly_credits: 10000", "permanent_credits: 0"]
    assert len(lines) == 4 and re.fullmatch(r"monthly_resets_on: \d{4}-\d\d-01", lines[3])


# ------------------------------------------------------------------------ failures

def test_bad_option_is_exit_2_with_json_and_nothing_sent(bpy, meshy_env, capfd):
    code, data = run(capfd, "text-to-3d", "a cup", "--target-polycount", "5")
    assert code == cli.EXIT_BAD_INPUT == data["exit_code"] == 2
    assert data["ok"] is False and data["error"]["type"] == "ValidationError"
    assert data["error"]["field"] == "target_polycount"
    assert meshy_env.requests("api") == []


def test_usage_errors_are_exit_2(bpy, meshy_env, capfd):
    code, data = run(capfd, "rig")  # neither --input nor --task-id
    assert code == 2 and data["error"]["type"] == "UsageError"
    code, data = run(capfd, "retexture", "--input", "/no/such/file.glb",
                     "--text-style-prompt", "x")
    assert code == 2 and "no such file" in data["error"]["message"]


def test_missing_or_wrong_key_is_exit_3(bpy, meshy_env, capfd, monkeypatch):
    monkeypatch.delenv("MESHY_API_KEY")
    code, data = run(capfd, "balance")
    assert code == 3 and data["error"]["type"] == "AuthError"
    monkeypatch.setenv("MESHY_API_KEY", "msy_wrong_key_0000000")
    code, data = run(capfd, "balance")
    assert code == 3 and "msy_wrong" not in json.dumps(data)


def test_not_enough_credits_is_exit_4(bpy, empty_scene, meshy_env, meshy_key, capfd):
    meshy_env.set_balance(meshy_key, 5)
    code, data = run(capfd, "text-to-3d", "a cup")
    assert code == 4 and data["error"]["type"] == "InsufficientCreditsError"


def test_failed_task_is_exit_5(bpy, empty_scene, meshy_env, capfd):
    meshy_env.set_fault("fail_tasks", "invalid_input")
    code, data = run(capfd, "text-to-3d", "a cup", "--should-texture", "false")
    assert code == 5 and data["error"]["type"] == "TaskFailedError"
    assert "too complex" in data["error"]["message"] and data["error"]["task_id"]


def test_network_and_offline_are_exit_6(bpy, meshy_env, capfd, monkeypatch):
    from meshy_blender.blender.core import runtime

    # Same code path, without the real client's ~7 s of connection retries (the worker
    # process builds its client with these options).
    monkeypatch.setitem(runtime.WORKER_CLIENT_OPTIONS, "max_retries", 0)
    monkeypatch.setitem(runtime.WORKER_CLIENT_OPTIONS, "retry_backoff", 0.01)
    monkeypatch.setenv("MESHY_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    code, data = run(capfd, "balance")
    assert code == 6 and data["error"]["type"] == "NetworkError"
    assert not bpy.app.online_access
    monkeypatch.setenv("MESHY_API_BASE", "https://api.meshy.invalid")
    code, data = run(capfd, "balance")
    assert code == 6 and data["error"]["type"] == "OnlineAccessError"
    assert "--online-mode" in data["error"]["message"]
    assert "Allow Online Access" in data["error"]["message"]


def test_timeout_is_exit_7_and_resumable(bpy, empty_scene, meshy_env, capfd):
    code, data = run(capfd, "text-to-3d", "a slow cup", "--should-texture", "false",
                     "--timeout", "0.05")
    assert code == 7 and data["error"]["type"] == "WaitTimeoutError"
    assert "resume" in data["error"]["message"]


# ------------------------------------------------------------------------ help + registration

@pytest.mark.parametrize("command", sorted(cli._HANDLERS))
def test_every_subcommand_has_help(command, capfd):
    assert cli.main([command, "--help"]) == 0
    out = capfd.readouterr().out
    assert f"meshy {command}" in out and "exit codes:" in out and "example:" in out


def test_top_level_help_lists_subcommands_and_exit_codes(capfd):
    assert cli.main(["--help"]) == 0
    out = capfd.readouterr().out
    for command in cli._HANDLERS:
        assert command in out
    assert "7  timeout" in out


def test_command_is_registered_with_blender_and_removed(bpy, capfd):
    """Blender warns when an id is registered twice: use that to see our registration."""
    import addon_utils

    from meshy_blender.blender import cli_command

    from conftest import ADDON_MODULE

    def probe() -> bool:
        handle = bpy.utils.register_cli_command("meshy", lambda argv: 0)
        bpy.utils.unregister_cli_command(handle)
        return "meshy" in capfd.readouterr().err

    assert not cli_command.is_registered()
    assert probe() is False
    addon_utils.enable(ADDON_MODULE, default_set=True)
    try:
        assert cli_command.is_registered()
        assert probe() is True  # "meshy" already taken: by the add-on
        assert cli_command.execute(["--help"]) == 0
    finally:
        addon_utils.disable(ADDON_MODULE, default_set=True)
    assert not cli_command.is_registered()
    assert probe() is False


def test_json_stdout_stays_pure_while_blender_prints(bpy, empty_scene, meshy_env, capfd,
                                                     tmp_path):
    code = cli.main(["text-to-3d", "a vase", "--should-texture", "false", "--json",
                     "--out", str(tmp_path / "v.blend")])
    captured = capfd.readouterr()
    assert code == 0
    assert json.loads(captured.out)["out"] == str(Path(tmp_path / "v.blend").resolve())
    assert "%" in captured.err  # the progress display went to stderr
