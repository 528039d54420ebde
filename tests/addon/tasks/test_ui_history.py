"""The History gallery in real Blender against the emulator: 20 recent tasks drawn with their
thumbnails and the time left before Meshy deletes the files; import (no charge) and texture /
remesh / rig by task id from a row; tasks already in the file are marked."""

from __future__ import annotations

from pathlib import Path

from meshy_blender.jobs import model

from fixtures.emulator import Api
from fixtures.recording_layout import draw_panel


def _history_panel():
    from meshy_blender.blender import panels

    return next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_recent")


def _read(bpy, kind):
    from meshy_blender.blender.core import account, calls

    bpy.context.window_manager.meshy.recent_kind = kind
    assert bpy.ops.meshy.list_server_tasks() == {"FINISHED"}
    outcome = calls.CALLS.wait(account.RECENT_CALL, timeout=60)
    assert outcome is not None and outcome.error is None, outcome
    return outcome.value


def test_history_draws_20_tasks_with_thumbnails_and_expiry(bpy, meshy_ui, meshy_key):
    from meshy_blender.blender.core import thumbnails

    api = Api(meshy_ui.emulator, meshy_key)
    ids = [api.preview(prompt=f"a chess piece {n}")["id"] for n in range(21)]
    rows = _read(bpy, "text-to-3d-preview")
    assert [r["id"] for r in rows] == ids[::-1][:20]  # the newest 20
    for row in rows:
        assert Path(row["thumbnail"]).is_file() and row["id"] in row["thumbnail"]
        assert row["expires_at"] > row["created_at"]

    drawn = draw_panel(_history_panel(), bpy.context)
    icons = [c for c in drawn.calls if c["call"] == "template_icon"]
    assert len(icons) == 20
    assert all(r["id"] in thumbnails.collection() for r in rows)
    texts = drawn.texts()
    assert sum(t.startswith("Files deleted in 2d") for t in texts) == 20  # 3-day retention
    assert "a chess piece 20" in texts
    assert "Text to 3D (shape) · Succeeded" in texts
    textures = [c for c in drawn.operators()
                if c["kwargs"]["operator"] == "meshy.history_action"
                and c["props"]["action"] == "TEXTURE"]
    assert len(textures) == 20


def test_history_row_imports_then_marks_and_textures_by_task_id(bpy, meshy_ui, meshy_key):
    api = Api(meshy_ui.emulator, meshy_key)
    task_id = api.preview(prompt="a clay pot")["id"]
    _read(bpy, "text-to-3d-preview")
    paid = len(meshy_ui.posts())  # the shape made above
    assert "In this file" not in draw_panel(_history_panel(), bpy.context).texts()

    assert bpy.ops.meshy.resume_task(kind="text-to-3d-preview", task_id=task_id) == {"FINISHED"}
    assert meshy_ui.run().status == model.IMPORTED
    assert len(meshy_ui.posts()) == paid  # importing from the history costs nothing
    assert "In this file" in draw_panel(_history_panel(), bpy.context).texts()

    assert bpy.ops.meshy.history_action(action="TEXTURE", task_id=task_id) == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    [refine] = job.steps
    assert meshy_ui.params(refine.task_id)["input_task_id"] == task_id  # a v2 retexture
    assert len(meshy_ui.posts()) == paid + 1  # one texturing task, nothing else

    assert bpy.ops.meshy.history_action(action="REMESH", task_id=task_id) == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    assert meshy_ui.params(job.steps[0].task_id)["input_task_id"] == task_id


def test_expiry_and_age_in_words():
    from meshy_blender.blender.features.tasks import history

    now = 1_000_000_000_000
    assert history.expiry_text(0, now) == ""  # Enterprise: kept
    assert history.expiry_text(now - 1, now) == "Files deleted by Meshy"
    assert history.expiry_text(now + 2 * 86_400_000 + 5 * 3_600_000, now) == \
        "Files deleted in 2d 5h"
    assert history.expiring_soon(now + 3_600_000, now)
    assert not history.expiring_soon(now + 2 * 86_400_000, now)
    assert history.age_text(now - 65 * 60_000, now) == "1h 05m ago"
