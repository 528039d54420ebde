"""The tool subcommands (concept images, UV unwrap, 3D print, motion) through
`meshy_blender.cli.main` in real Blender against the emulator: each with --json, landing its
result in the scene (or on disk for a 3MF), and unpublished prices refused (exit 2, nothing
sent) unless --accept-unpublished-price."""

from __future__ import annotations

import zipfile
from pathlib import Path

from test_cli import run


def _posts(env, kind):
    return [r for r in env.requests("api") if r["method"] == "POST" and r["kind"] == kind]


def test_text_to_image_then_concept_to_3d(bpy, empty_scene, meshy_env, capfd):
    code, data = run(capfd, "text-to-image", "a brass lamp", "--ai-model", "nano-banana",
                     "--generate-multi-view", "true", "--pack")
    assert code == 0, data
    assert len(data["images"]) == 3 and all(bpy.data.images[n].packed_file
                                           for n in data["images"])
    image_task = data["task_ids"]["text-to-image"]
    code, data = run(capfd, "concept-to-3d", image_task, "--multi-view",
                     "--should-texture", "false")
    assert code == 0, data
    assert meshy_env.task(data["task_ids"]["multi-image-to-3d"])["input_task_id"] == image_task
    assert data["root_objects"]


def test_image_to_image(bpy, empty_scene, meshy_env, emulator_assets, capfd):
    png = str(emulator_assets.root / emulator_assets.manifest["images"][0])
    code, data = run(capfd, "image-to-image", png, "--prompt", "in copper",
                     "--ai-model", "nano-banana")
    assert code == 0, data
    assert data["kind"] == "image-to-image" and data["images"]


def test_uv_unwrap_chained_into_retexture(bpy, empty_scene, meshy_env, emulator_assets, capfd,
                                          tmp_path):
    out = tmp_path / "crate.glb"
    code, data = run(capfd, "uv-unwrap", "--input", str(emulator_assets.path("textured", "glb")),
                     "--retexture", '{"text_style_prompt": "oak"}', "--out", str(out))
    assert code == 0, data
    assert set(data["task_ids"]) == {"uv-unwrap", "retexture"} and data["credits"] == 15
    assert out.read_bytes()[:4] == b"glTF"


def test_print_analyze_repair_and_multicolour(bpy, empty_scene, meshy_env, capfd, tmp_path,
                                              monkeypatch):
    monkeypatch.setenv("MESHY_SAVE_DIR", str(tmp_path / "saved"))  # an unsaved file: chosen
    code, data = run(capfd, "text-to-3d", "a vase", "--should-texture", "false")
    task = data["task_ids"]["preview"]
    code, data = run(capfd, "print-analyze", "--task-id", task)
    assert code == 0, data
    assert data["credits"] == 0 and data["report"]["metrics"]["holes"] == 1
    code, data = run(capfd, "print-repair", "--task-id", task)
    assert code == 0 and data["root_objects"], data
    code, data = run(capfd, "print-multicolor", "--task-id", task, "--max-colors", "4")
    assert code == 0, data
    (saved,) = data["saved_files"]
    assert zipfile.is_zipfile(saved) and data["credits"] == 10
    assert Path(saved).parent == (tmp_path / "saved").resolve()


def test_text_to_motion_alone_and_on_a_rig(bpy, empty_scene, meshy_env, capfd):
    code, data = run(capfd, "text-to-motion", "a jump", "--mode", "swift", "--duration", "3")
    assert code == 0, data
    assert data["armature"] and Path(data["files"]["text-to-motion.motion"]).suffix == ".bvh"
    code, rig = run(capfd, "text-to-3d", "a knight", "--rig")
    rig_task = rig["task_ids"]["rig"]
    sent = len(meshy_env.requests("api"))
    code, data = run(capfd, "text-to-motion", "a bow", "--rig-task-id", rig_task)
    assert code == 2 and "accept-unpublished-price" in data["error"]["message"], data
    assert not any(r["method"] == "POST" for r in meshy_env.requests("api")[sent:])
    code, data = run(capfd, "text-to-motion", "a bow", "--rig-task-id", rig_task,
                     "--accept-unpublished-price")
    assert code == 0, data
    assert len(data["actions"]) == 1 and data["actions"][0].startswith("Motion a bow")


def test_animate_several_actions_in_one_task(bpy, empty_scene, meshy_env, capfd):
    code, rig = run(capfd, "text-to-3d", "a dancer", "--rig")
    argv = ["animate", "--task-id", rig["task_ids"]["rig"], "--action-id", "-2",
            "--action-id", "3", "--one-task"]
    code, data = run(capfd, *argv)
    assert code == 2 and _posts(meshy_env, "animate") == []
    code, data = run(capfd, *argv, "--accept-unpublished-price")
    assert code == 0, data
    assert len(data["actions"]) == 2 and list(data["task_ids"]) == ["animate"]
    assert meshy_env.task(data["task_ids"]["animate"])["action_ids"] == [-2, 3]
