"""History of every kind in real Blender against the emulator over HTTP: one task per kind the
emulator creates, listed once with no kind asked, each row's kind as Meshy's answer says (an
unknown type drawn as "Other"); only the actions that apply to a row, every paid one priced as
the plan of what its click sends; nothing paid on a task Meshy deleted."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from typing import Any

import pytest

from meshy_blender.jobs import model

from fixtures.emulator import Api
from fixtures.recording_layout import RecordingLayout, draw_panel

V2 = "/openapi/v2/"
TASKS = V2 + "tasks"


def _png_uri() -> str:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _history_panel():
    from meshy_blender.blender import panels

    return next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_recent")


def _read(bpy, shown="ALL"):
    from meshy_blender.blender.core import account, calls

    bpy.context.window_manager.meshy.recent_kind = shown
    assert bpy.ops.meshy.list_server_tasks() == {"FINISHED"}
    outcome = calls.CALLS.wait(account.RECENT_CALL, timeout=60)
    assert outcome is not None and outcome.error is None, outcome
    return outcome.value


def _run(api: Api, route: str, body: dict[str, Any]) -> str:
    task_id = api.create(V2 + route, body)
    assert api.wait(TASKS, task_id)["status"] == "SUCCEEDED"
    return task_id


def _one_task_per_kind(api: Api) -> dict[str, str]:
    """Task id -> the kind it was created as (over HTTP, with v2 bodies: the client is not
    asked), for every kind the emulator creates, the rig check included."""
    image = _png_uri()
    shape = _run(api, "text-to-3d", {"prompt": "a lamp", "should_texture": False})
    textured = _run(api, "text-to-3d", {"prompt": "a knight", "texture_model": "meshy-7"})
    rig = _run(api, "rigging", {"input_task_id": textured, "height_meters": 1.8})
    made = {shape: "text-to-3d-preview", textured: "text-to-3d-refine", rig: "rig"}
    for kind, route, body in [
        ("image-to-3d", "image-to-3d", {"image_url": image, "texture_model": "meshy-7"}),
        ("multi-image-to-3d", "multi-image-to-3d", {"image_urls": [image, image],
                                                    "should_texture": False}),
        ("retexture", "retexture", {"input_task_id": shape, "texture_prompt": "oak",
                                    "texture_model": "meshy-7"}),
        ("remesh", "remesh", {"input_task_id": shape, "target_polycount": 5000}),
        ("animate", "animations", {"rig_task_id": rig, "action_id": 1}),
        ("text-to-image", "text-to-image", {"ai_model": "nano-banana", "prompt": "a lamp"}),
        ("image-to-image", "image-to-image", {"ai_model": "nano-banana", "prompt": "bronze",
                                              "reference_image_urls": [image]}),
        ("convert", "convert", {"input_task_id": shape, "target_formats": ["fbx"]}),
        ("resize", "resize", {"input_task_id": shape, "resize_height": 2.0}),
        ("text-to-motion", "text-to-motion", {"prompt": "a bow", "duration": 3.0}),
        ("uv-unwrap", "uv-unwrap", {"input_task_id": shape}),
        ("print-analyze", "print/analyze", {"input_task_id": shape}),
        ("print-repair", "print/repair", {"input_task_id": shape}),
        ("print-multi-color", "print/multi-color", {"input_task_id": shape, "max_colors": 4}),
        ("rig-check", "rigging/check", {"input_task_id": textured}),
    ]:
        made[_run(api, route, body)] = kind
    return made


def test_history_lists_every_kind_as_meshys_answer_says(bpy, meshy_ui, meshy_key):
    from meshy_blender.client.specs import SPECS
    from meshy_blender.jobs import kinds

    api = Api(meshy_ui.emulator, meshy_key)
    made = _one_task_per_kind(api)
    assert set(made.values()) == {*SPECS}, "one task of every kind the add-on knows"
    assert bpy.context.window_manager.meshy.recent_kind == "ALL", "every kind by default"

    rows = _read(bpy)
    [listed] = [r for r in meshy_ui.emulator.requests("api") if r["path"] == TASKS]
    assert "type" not in listed["query"], "one list of every kind, no type asked"
    assert {r["id"]: r["kind"] for r in rows} == made
    for row in rows:  # the type kept on the row is Meshy's own
        assert row["type"] == api.get(f"{TASKS}/{row['id']}").json()["type"]
    [check] = [r for r in rows if r["kind"] == "rig-check"]
    assert check["type"] == "rig-check"

    texts = draw_panel(_history_panel(), bpy.context).texts()
    for kind in {*made.values()}:
        assert f"{kinds.LABELS[kind]} · Succeeded" in texts, kind

    # The filter shows one kind: the shape, told apart from the textured model by its request.
    bpy.context.window_manager.meshy.recent_kind = "text-to-3d-preview"
    drawn = draw_panel(_history_panel(), bpy.context)
    assert [t for t in drawn.texts() if " · Succeeded" in t] == ["Text to 3D (shape) · Succeeded"]
    assert [r["kind"] for r in _read(bpy, "text-to-3d-refine")] == ["text-to-3d-refine"]
    assert _read(bpy, "OTHER") == [], "every type the emulator made is a kind the add-on knows"


def _buttons(drawn: RecordingLayout, operator: str) -> list[dict[str, Any]]:
    return [c for c in drawn.operators() if c["kwargs"]["operator"] == operator]


def test_every_paid_history_button_is_priced_as_the_plan_of_its_click(bpy, meshy_ui, meshy_key):
    from meshy_blender.blender.core import config
    from meshy_blender.blender.features.tasks.history_panel import action_item
    from meshy_blender.blender.features.tasks.history_requests import history_request
    from meshy_blender.jobs import money_gate

    api = Api(meshy_ui.emulator, meshy_key)
    shape = _run(api, "text-to-3d", {"prompt": "a lamp", "should_texture": False})
    textured = _run(api, "text-to-3d", {"prompt": "a knight", "texture_model": "meshy-7"})
    untextured_image = _run(api, "image-to-3d", {"image_url": _png_uri(), "should_texture": False})
    rig = _run(api, "rigging", {"input_task_id": textured, "height_meters": 1.8})
    motion = _run(api, "text-to-motion", {"prompt": "a bow", "duration": 3.0})
    s = bpy.context.scene.meshy
    s.retexture_source = "PROMPT"
    s.retexture_prompt = "weathered bronze"
    s.texture_source = "PROMPT"
    s.texture_prompt = ""
    _read(bpy)

    # Texturing an image's shape takes Generate's texture style: none set, the button says so.
    drawn = draw_panel(_history_panel(), bpy.context)
    [blocked] = [b for b in _buttons(drawn, "meshy.history_action")
                 if b["props"]["task_id"] == untextured_image
                 and b["props"]["action"] == "TEXTURE"]
    assert blocked["kwargs"]["text"] == "Texture It" and not blocked["layout"].is_enabled()
    assert any(t.startswith("Texture It: ") for t in drawn.texts())
    s.texture_prompt = "painted wood"

    drawn = draw_panel(_history_panel(), bpy.context)
    paid = _buttons(drawn, "meshy.history_action")
    offered = {(b["props"]["task_id"], b["props"]["action"]) for b in paid}
    assert offered == {(shape, "TEXTURE"), (shape, "REMESH"), (shape, "RIG"),
                       (untextured_image, "TEXTURE"), (untextured_image, "REMESH"),
                       (untextured_image, "RIG"),
                       (textured, "RETEXTURE"), (textured, "REMESH"), (textured, "RIG"),
                       (rig, "ANIMATE")}
    assert not any(b["props"]["task_id"] == motion for b in paid), "a motion is only imported"
    imports = {b["props"]["task_id"] for b in _buttons(drawn, "meshy.resume_task")
               if b.get("props")}
    assert imports == {shape, textured, untextured_image, rig, motion}

    settings = config.resolve(bpy.context)
    for button in paid:
        props = button["props"]
        req = history_request(props["action"], props["task_id"], props["kind"], s, settings,
                              armature="Armature")
        planned = money_gate.plan(req, None)
        credits, steps = planned.estimated_credits, len(planned.steps)
        assert credits > 0 and button["layout"].is_enabled()
        text = action_item(props["action"]).name
        chain = f", {steps} tasks" if steps > 1 else ""  # Rig: the rig check, then the rig
        assert button["kwargs"]["text"] == f"{text} ({credits} credits{chain})"
    labels = {b["props"]["action"]: b["kwargs"]["text"] for b in paid}
    assert re.fullmatch(r"Texture It \(\d+ credits\)", labels["TEXTURE"])

    # The click sends what was priced: the textured model's Retexture, one task.
    before = len(meshy_ui.posts())
    assert bpy.ops.meshy.history_action(action="RETEXTURE", task_id=textured,
                                        kind="text-to-3d-refine") == {"FINISHED"}
    job = meshy_ui.run()
    assert job.status == model.IMPORTED, job.detail
    assert len(meshy_ui.posts()) == before + 1
    assert meshy_ui.params(job.steps[0].task_id)["input_task_id"] == textured
    price = int(labels["RETEXTURE"].split("(")[1].split()[0])
    assert job.estimated_credits == price


def test_a_task_meshy_deleted_offers_nothing_paid(bpy, meshy_ui, meshy_key):
    from meshy_blender.jobs import deleted_tasks

    api = Api(meshy_ui.emulator, meshy_key)
    kept = _run(api, "text-to-3d", {"prompt": "a lamp", "should_texture": False})
    gone = _run(api, "text-to-3d", {"prompt": "a vase", "should_texture": False})
    deleted_tasks.remember([gone])  # a discarded candidate of this session
    _read(bpy)

    drawn = draw_panel(_history_panel(), bpy.context)
    ids = {b["props"]["task_id"] for b in drawn.operators() if b.get("props", {}).get("task_id")}
    assert kept in ids and gone not in ids, "no Texture It, no Import of a task Meshy deleted"

    before = len(meshy_ui.posts())
    with pytest.raises(RuntimeError, match="Meshy deleted this shape's task"):
        bpy.ops.meshy.history_action(action="TEXTURE", task_id=gone)
    assert len(meshy_ui.posts()) == before and meshy_ui.jobs() == []


def test_animate_from_history_needs_the_rigs_armature_selected(bpy, meshy_ui, meshy_key):
    api = Api(meshy_ui.emulator, meshy_key)
    textured = _run(api, "text-to-3d", {"prompt": "a knight", "texture_model": "meshy-7"})
    rig = _run(api, "rigging", {"input_task_id": textured, "height_meters": 1.8})
    before = len(meshy_ui.posts())
    bpy.context.view_layer.objects.active = None
    with pytest.raises(RuntimeError, match="select the armature of this rig"):
        bpy.ops.meshy.history_action(action="ANIMATE", task_id=rig, kind="rig")
    assert len(meshy_ui.posts()) == before, "nothing paid for an animation with nowhere to land"


def test_an_unknown_type_is_drawn_as_other_with_no_action(bpy, meshy_ui):
    from meshy_blender.blender.features.tasks import history_panel
    from meshy_blender.client import task_list

    [task] = task_list.parse_page({"data": [{"id": "t1", "type": "hologram-to-3d",
                                             "status": "SUCCEEDED"}]}, "", 20).tasks
    assert task.kind == ""
    row = {"id": "t1", "kind": task.kind, "type": "hologram-to-3d", "status": "SUCCEEDED",
           "untextured": False, "progress": 100, "created_at": 0, "prompt": "",
           "credits": 0, "expires_at": 0, "thumbnail": ""}
    from meshy_blender.blender.core import config

    layout = RecordingLayout()
    history_panel.draw_row(layout, row, set(), 0, bpy.context, config.resolve(bpy.context))
    assert "Other (hologram-to-3d) · Succeeded" in layout.texts()
    assert layout.operators() == [], "nothing to import or pay for in a type we cannot land"
