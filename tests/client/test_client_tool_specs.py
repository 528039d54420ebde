"""Meshy's model tools and generation options (API notes): every such kind and option is
built, priced (or flagged "price not published") and refused with a clear message before any
request is sent."""

from __future__ import annotations

import pytest

from meshy_blender.client import build_payload
from meshy_blender.client.errors import ValidationError
from meshy_blender.client.library import parse_library
from meshy_blender.client.pricing import quote
from meshy_blender.client.specs import FACE_LIMITS, SPECS, check_face_limit

IMG = "https://x/a.png"


@pytest.mark.parametrize(("kind", "route"), [
    ("text-to-motion", "text-to-motion"),
    ("uv-unwrap", "uv-unwrap"),
    ("print-analyze", "print/analyze"),
    ("print-repair", "print/repair"),
    ("print-multi-color", "print/multi-color"),
])
def test_tool_kinds_create_under_their_documented_paths(kind, route):
    assert SPECS[kind].create_path == f"/openapi/v2/{route}"  # read through /openapi/v2/tasks


@pytest.mark.parametrize(("kind", "options"), [
    ("image-to-3d", {"image_url": IMG, "ultra_mode": True,
                     "model_type": "smart-topology", "target_polycount": 15_000,
                     "texture_resolution": "8k", "alpha_thumbnail": True,
                     "multi_view_thumbnails": True}),
    ("image-to-3d", {"input_task_id": "t2i-task"}),
    ("multi-image-to-3d", {"input_task_id": "t2i-task", "ai_model": "meshy-7"}),
    ("retexture", {"input_task_id": "t", "texture_model": "meshy-n1", "texture_prompt": "oak",
                   "uv_mode": "original", "texture_resolution": "4k"}),
    ("remesh", {"input_task_id": "t", "target_formats": ["3mf", "glb"], "auto_size": True}),
    ("remesh", {"input_task_id": "t"}),
    ("convert", {"input_task_id": "t", "target_formats": ["blend"]}),
    ("animate", {"rig_task_id": "r", "action_ids": [-2, -1, 0, 7]}),
    ("animate", {"rig_task_id": "r", "action_id": -1}),
    ("animate", {"rig_task_id": "r", "motion_task_id": "m"}),
    ("text-to-motion", {"prompt": "a slow bow", "mode": "swift", "duration": 3.5}),
    ("uv-unwrap", {"input_task_id": "t"}),
    ("print-analyze", {"model_url": "https://x/m.glb"}),
    ("print-repair", {"input_task_id": "t"}),
    ("print-multi-color", {"input_task_id": "t", "max_colors": 16, "max_depth": 3}),
    ("text-to-image", {"ai_model": "nano-banana-pro", "prompt": "a", "pose_mode": "t-pose",
                       "aspect_ratio": "3:4"}),
])
def test_tool_options_are_sent_as_given(kind, options):
    assert build_payload(kind, **options) == options


@pytest.mark.parametrize(("kind", "options", "field", "words"), [
    ("image-to-3d", {"image_url": IMG, "ai_model": "meshy-6", "ultra_mode": True},
     "ultra_mode", "Meshy-7"),
    ("text-to-3d-preview", {"prompt": "a", "ai_model": "meshy-7"}, "ai_model", "meshy-7"),
    ("image-to-3d", {"image_url": IMG, "model_type": "smart-topology",
                     "target_polycount": 20_000}, "target_polycount", "15,000"),
    ("image-to-3d", {"image_url": IMG, "texture_resolution": "16k"}, "texture_resolution", "8k"),
    ("image-to-3d", {"image_url": IMG, "texture_resolution": "4k", "hd_texture": True},
     "hd_texture", "texture_resolution"),
    ("image-to-3d", {"image_url": IMG, "input_task_id": "t"}, "input_task_id", "not both"),
    ("image-to-3d", {}, "image_url", "text-to-image"),
    ("retexture", {"input_task_id": "t", "multiview_image_urls": [IMG]}, "ai_model", "Meshy-7"),
    ("retexture", {"input_task_id": "t", "ai_model": "meshy-7",
                   "multiview_image_urls": [IMG] * 5}, "multiview_image_urls", "1 to 4"),
    ("remesh", {"input_task_id": "t", "target_formats": ["dae"]}, "target_formats", "3mf"),
    ("animate", {"rig_task_id": "r"}, "action_id", "exactly one"),
    ("animate", {"rig_task_id": "r", "action_id": 1, "action_ids": [2]}, "action_ids",
     "exactly one"),
    ("animate", {"rig_task_id": "r", "action_ids": []}, "action_ids", "at least one"),
    ("animate", {"rig_task_id": "r", "action_ids": [3, 3]}, "action_ids", "more than once"),
    ("animate", {"rig_task_id": "r", "action_ids": [1, "run"]}, "action_ids", "whole number"),
    ("text-to-motion", {"prompt": "x" * 401}, "prompt", "400"),
    ("text-to-motion", {"prompt": "bow", "duration": 10.5}, "duration", "10"),
    ("text-to-motion", {"prompt": "bow", "duration": 2.25}, "duration", "0.5"),
    ("text-to-motion", {"prompt": "bow", "mode": "fast"}, "mode", "prime"),
    ("text-to-motion", {"duration": 4}, "prompt", "required"),
    ("uv-unwrap", {}, "input_task_id", "needs a model"),
    ("uv-unwrap", {"model_url": "data:model/obj;base64,djAK"}, "model_url", "GLB"),
    ("print-multi-color", {"input_task_id": "t", "max_colors": 17}, "max_colors", "16"),
    ("print-multi-color", {"input_task_id": "t", "max_depth": 2}, "max_depth", "3"),
    ("convert", {"input_task_id": "t", "target_formats": ["dae"]}, "target_formats", "blend"),
])
def test_bad_tool_options_are_refused_before_any_request(kind, options, field, words):
    with pytest.raises(ValidationError) as info:
        build_payload(kind, **options)
    assert info.value.field == field
    assert words.lower() in str(info.value).lower()


@pytest.mark.parametrize(("kind", "options", "credits"), [
    ("text-to-motion", {"prompt": "bow"}, 10),
    ("uv-unwrap", {"input_task_id": "t"}, 5),
    ("print-analyze", {"input_task_id": "t"}, 0),
    ("print-repair", {"input_task_id": "t"}, 10),
    ("print-multi-color", {"input_task_id": "t"}, 10),
    ("remesh", {"input_task_id": "t", "target_formats": ["3mf"]}, 5),
    ("convert", {"input_task_id": "t", "target_formats": ["blend"]}, 1),
    ("animate", {"rig_task_id": "r", "action_ids": [4]}, 3),
    ("image-to-3d", {"input_task_id": "t", "ai_model": "meshy-6"}, 30),
    ("image-to-3d", {"image_url": IMG, "ultra_mode": True}, 35),  # v2's 2k geometry pass: +5
    ("image-to-3d", {"image_url": IMG, "geometry_resolution": "4k"}, 35),
    ("multi-image-to-3d", {"image_urls": [IMG], "geometry_resolution": "2k",
                           "should_texture": False}, 25),
    ("image-to-3d", {"image_url": IMG, "geometry_resolution": "standard"}, 30),
])
def test_published_prices(kind, options, credits):
    q = quote(kind, build_payload(kind, **options))
    assert (q.credits, q.published) == (credits, True)
    assert q.label == f"{credits} credits"


@pytest.mark.parametrize(("kind", "options", "reason"), [
    ("image-to-3d", {"image_url": IMG, "ai_model": "meshy-7"}, "Meshy-7"),
    ("multi-image-to-3d", {"image_urls": [IMG], "model_type": "smart-topology"},
     "Smart Topology"),
    ("image-to-3d", {"image_url": IMG, "texture_resolution": "8k"}, "high-resolution"),
    ("animate", {"rig_task_id": "r", "action_ids": [1, 2]}, "several animations"),
    ("animate", {"rig_task_id": "r", "motion_task_id": "m"}, "text-to-motion"),
])
def test_unpublished_prices_are_flagged_not_guessed(kind, options, reason):
    q = quote(kind, build_payload(kind, **options))
    assert not q.published
    assert reason in q.note
    assert "price not published" in q.label and q.label.startswith(f"{q.credits}+")


def test_face_limits_are_checked_before_any_spend():
    assert FACE_LIMITS == {"rig": 320_000, "uv-unwrap": 40_000}
    check_face_limit("rig", 320_000)
    check_face_limit("uv-unwrap", 40_000)
    with pytest.raises(ValidationError, match="at most 40,000 faces; this mesh has 44,000"):
        check_face_limit("uv-unwrap", 44_000)
    with pytest.raises(ValidationError, match="320,000"):
        check_face_limit("rig", 320_001)


SNAKE = [{"action_id": -2, "name": "T_Pose", "category": "DailyActions", "sub_category": "Idle",
          "preview_url": "https://cdn/x.gif", "is_free": True}]
CAMEL = {"result": {"total": 2, "list": [
    {"id": 0, "key": "idle", "name": "Idle", "category": "DailyActions", "subCategory": "Idle",
     "previewUrl": "https://cdn/idle.mp4", "rigType": "biped", "isDefault": True, "isFree": True},
    {"id": "bad", "name": "no id"}]}}


def test_both_library_shapes_read_into_one():
    snake = parse_library(SNAKE)[0]
    assert (snake.action_id, snake.name, snake.sub_category, snake.preview_url) == (
        -2, "T_Pose", "Idle", "https://cdn/x.gif")
    camel = parse_library(CAMEL)
    assert len(camel) == 1  # the entry without an id is skipped, not fatal
    assert (camel[0].action_id, camel[0].sub_category, camel[0].preview_url, camel[0].rig_type,
            camel[0].is_default) == (0, "Idle", "https://cdn/idle.mp4", "biped", True)
    assert set(snake.to_dict()) == set(camel[0].to_dict())
