"""Plans (and real runs against the emulator) for the tools: concept images, UV
unwrap chained into retexture, 3D print, text-to-motion applied to a rig, several animations in
one task. Each plan is validated and priced before any request; unpublished prices are flagged."""

from __future__ import annotations

import zipfile

import pytest
from test_client_e2e import preview, run

from meshy_blender.client import build_payload
from meshy_blender.client.errors import ValidationError
from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job, plan_resume, quote

from fixtures.jobs import wait_finished


def _run(manager, job, timeout=60.0):
    manager.submit(job)
    wait_finished(manager, [job.id], timeout=timeout)
    assert job.status == model.READY, job.detail
    return job


@pytest.mark.parametrize(("request_kind", "options", "kinds", "credits", "downloads"), [
    ("text-to-image", {"ai_model": "nano-banana-2", "prompt": "a lamp",
                       "generate_multi_view": True}, ["text-to-image"], 6, ["images"]),
    ("image-to-image", {"ai_model": "nano-banana", "prompt": "a lamp",
                        "reference_image_urls": ["https://x/a.png"]}, ["image-to-image"], 3,
     ["images"]),
    ("uv-unwrap", {"input_task_id": "t", "retexture": {"text_style_prompt": "oak"}},
     ["uv-unwrap", "retexture"], 15, ["glb"]),
    ("print-analyze", {"input_task_id": "t"}, ["print-analyze"], 0, []),
    ("print-repair", {"input_task_id": "t"}, ["print-repair"], 10, ["glb"]),
    ("print-multi-color", {"input_task_id": "t", "max_colors": 6}, ["print-multi-color"], 10,
     ["3mf"]),
    ("text-to-motion", {"prompt": "a bow", "duration": 4}, ["text-to-motion"], 10, ["motion"]),
    ("text-to-motion", {"prompt": "a bow", "apply_to_rig": "rig-1"},
     ["text-to-motion", "animate"], 13, ["animation_glb"]),
    ("animate", {"rig_task_id": "r", "action_ids": [-1, 0, 2]}, ["animate"], 3,
     ["animation_glb"]),
])
def test_tool_requests_are_planned_and_priced(request_kind, options, kinds, credits, downloads):
    job = plan_job(request_kind, options)
    assert [s.kind for s in job.steps] == kinds
    assert job.estimated_credits == credits
    # Required files (optional ones, e.g. Meshy's thumbnail, end in "?").
    assert [d for d in job.steps[-1].downloads if not d.endswith("?")] == downloads


def test_unwrap_then_retexture_keeps_the_new_uvs_and_links_the_task():
    job = plan_job("uv-unwrap", {"model_url": "https://x/m.glb",
                                 "retexture": {"text_style_prompt": "oak"}})
    step = job.step("retexture")
    assert step.links == {"input_task_id": "uv-unwrap"}
    assert step.options["enable_original_uv"] is True


def test_unpublished_prices_are_flagged_for_confirmation():
    several = quote("animate", {"rig_task_id": "r", "action_ids": [1, 2, 3]})
    assert not several.published and "several animations" in several.note
    motion = quote("text-to-motion", {"prompt": "bow", "apply_to_rig": "r"})
    assert (motion.credits, motion.published) == (13, False)
    assert "text-to-motion" in motion.note
    smart = plan_job("image-to-3d", {"image_url": "https://x/a.png",
                                     "model_type": "smart-topology"})
    assert not smart.price_published and smart.snapshot()["price_published"] is False
    assert quote("print-analyze", {"input_task_id": "t"}).published


@pytest.mark.parametrize(("request_kind", "options", "field"), [
    ("uv-unwrap", {}, "input_task_id"),
    ("text-to-motion", {"prompt": "bow", "duration": 12}, "duration"),
    ("text-to-motion", {"prompt": "bow", "apply_to_rig": "bad id"}, "apply_to_rig"),
    ("image-to-3d", {"image_url": "https://x/a.png", "retexture": {}}, "retexture"),
    ("print-repair", {"input_task_id": "t", "rig": {}}, "remesh"),
    ("animate", {"rig_task_id": "r", "action_ids": [1, 1]}, "action_ids"),
])
def test_bad_tool_requests_are_refused_before_any_request(emulator, request_kind, options, field):
    with pytest.raises(ValidationError) as info:
        plan_job(request_kind, options)
    assert info.value.field == field
    assert emulator.requests("api") == []


def test_tool_kinds_can_be_resumed_by_task_id():
    job = plan_resume("print-multi-color", "abc-123")
    assert job.steps[0].task_id == "abc-123" and job.steps[0].downloads == ["3mf"]


def test_uv_unwrap_chained_into_retexture_runs(emulator, make_client, make_manager):
    client = make_client()
    source = preview(client)
    job = _run(make_manager(client), plan_job("uv-unwrap", {
        "input_task_id": source.id, "retexture": {"text_style_prompt": "oak"}}))
    unwrap_id = job.step("uv-unwrap").task_id
    assert emulator.task(job.step("retexture").task_id)["input_task_id"] == unwrap_id
    with open(job.files["retexture.glb"], "rb") as fh:
        assert fh.read(4) == b"glTF"
    assert job.consumed_credits == 15


def test_print_jobs_deliver_a_report_and_a_3mf(emulator, make_client, make_manager):
    client = make_client()
    source = preview(client)
    manager = make_manager(client)
    analyze = _run(manager, plan_job("print-analyze", {"input_task_id": source.id}))
    report = analyze.step("print-analyze").report
    assert report is not None and report["metrics"]["holes"] == 1
    assert analyze.files == {} and analyze.consumed_credits == 0
    colour = _run(manager, plan_job("print-multi-color", {"input_task_id": source.id}))
    assert zipfile.is_zipfile(colour.files["print-multi-color.3mf"])


def test_text_to_motion_applied_to_a_rig_runs(emulator, make_client, make_manager):
    client = make_client()
    refined = run(client, "text-to-3d-refine", preview_task_id=preview(client).id)
    rig = run(client, "rig", input_task_id=refined.id)
    job = _run(make_manager(client), plan_job("text-to-motion", {
        "prompt": "a bow", "mode": "swift", "apply_to_rig": rig.id}))
    animate = emulator.task(job.step("animate").task_id)
    assert animate["motion_task_id"] == job.step("text-to-motion").task_id
    assert animate["rig_task_id"] == rig.id
    with open(job.files["animate.animation_glb"], "rb") as fh:
        assert fh.read(4) == b"glTF"


def test_several_animations_and_concept_images_run(emulator, make_client, make_manager):
    client = make_client()
    manager = make_manager(client)
    images = _run(manager, plan_job("text-to-image", {
        "ai_model": "nano-banana", "prompt": "a lamp", "generate_multi_view": True}))
    assert sorted(images.files) == ["text-to-image.image_0", "text-to-image.image_1",
                                    "text-to-image.image_2"]
    refined = run(client, "text-to-3d-refine", preview_task_id=preview(client).id)
    rig = run(client, "rig", input_task_id=refined.id)
    job = _run(manager, plan_job("animate", {"rig_task_id": rig.id, "action_ids": [-2, 3]}))
    assert emulator.task(job.step("animate").task_id)["action_ids"] == [-2, 3]
    assert build_payload("animate", rig_task_id=rig.id, action_ids=[-2, 3])  # same payload


def test_chained_remesh_asks_for_fbx_when_the_result_lands_as_fbx():
    """Remesh makes only GLB unless asked (API notes); an FBX import needs it asked for."""
    fbx = plan_job("text-to-3d", {"prompt": "a crate", "remesh": {}},
                   import_options={"format": "FBX"})
    assert fbx.step("remesh").options["target_formats"] == ["glb", "fbx"]
    assert fbx.step("remesh").downloads == ["fbx", "thumbnail?"]
    glb = plan_job("text-to-3d", {"prompt": "a crate", "remesh": {}})
    assert glb.step("remesh").options["target_formats"] == ["glb"]
