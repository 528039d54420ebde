"""Payload building, validation, data URIs and credit costs: everything decided before a request."""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import date
from pathlib import Path

import pytest

from meshy_blender.client import build_payload, estimate_chain, estimate_cost, model_catalogue
from meshy_blender.client.datauri import file_to_data_uri, sniff
from meshy_blender.client.errors import ValidationError
from meshy_blender.client.specs import SPECS


def _png() -> bytes:
    """A real 1x1 PNG."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"
GLB = b"glTF" + struct.pack("<II", 2, 12)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {
        "png": tmp_path / "ref.png", "jpeg": tmp_path / "photo.jpg",
        "fake_png": tmp_path / "notes.png", "glb": tmp_path / "model.glb",
        "obj": tmp_path / "mesh.obj", "fbx": tmp_path / "rig.fbx",
    }
    out["png"].write_bytes(_png())
    out["jpeg"].write_bytes(JPEG)
    out["fake_png"].write_text("this is not an image")
    out["glb"].write_bytes(GLB)
    out["obj"].write_text("# exported\nmtllib a.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    out["fbx"].write_bytes(b"Kaydara FBX Binary  \x00\x1a\x00" + b"\x00" * 32)
    return out


def test_every_kind_has_a_spec_with_paths():
    assert set(SPECS) == {
        "text-to-3d-preview", "text-to-3d-refine", "image-to-3d", "multi-image-to-3d",
        "retexture", "remesh", "rig-check", "rig", "animate", "text-to-image", "image-to-image",
        "convert", "resize", "text-to-motion", "uv-unwrap", "print-analyze", "print-repair",
        "print-multi-color"}
    assert SPECS["text-to-3d-preview"].create_path == "/openapi/v2/text-to-3d"
    assert SPECS["rig-check"].create_path == "/openapi/v2/rigging/check"
    assert SPECS["rig"].create_path == "/openapi/v2/rigging"
    assert SPECS["animate"].create_path == "/openapi/v2/animations"
    assert {s.output for s in SPECS.values()} == {"model", "rig", "animation", "images", "motion",
                                               "report", "check"}


def test_preview_payload_keeps_every_documented_option():
    payload = build_payload(
        "text-to-3d-preview", prompt="a bronze compass",
        model_type="standard", ai_model="meshy-6", topology="quad", target_polycount=30000,
        should_remesh=True, symmetry_mode="on", pose_mode="t-pose",
        art_style="realistic", moderation=True, target_formats=["GLB", "fbx", "glb"],
        auto_size=True, origin_at="center", is_a_t_pose=None)
    assert "mode" not in payload  # Meshy API v2: one call, no preview / refine mode
    assert payload["target_formats"] == ["glb", "fbx"]
    assert payload["target_polycount"] == 30000 and payload["pose_mode"] == "t-pose"
    assert "is_a_t_pose" not in payload  # None means "not given"


@pytest.mark.parametrize(("kind", "options", "field"), [
    ("text-to-3d-preview", {"prompt": "x" * 601}, "prompt"),
    ("text-to-3d-preview", {"prompt": "   "}, "prompt"),
    ("text-to-3d-preview", {}, "prompt"),
    ("text-to-3d-preview", {"prompt": "a", "target_polycount": 99}, "target_polycount"),
    ("text-to-3d-preview", {"prompt": "a", "target_polycount": 300_001}, "target_polycount"),
    ("text-to-3d-preview", {"prompt": "a", "topology": "hex"}, "topology"),
    ("text-to-3d-preview", {"prompt": "a", "ai_model": "meshy-9"}, "ai_model"),
    ("text-to-3d-preview", {"prompt": "a", "target_formats": ["dwg"]}, "target_formats"),
    ("text-to-3d-preview", {"prompt": "a", "promt": "typo"}, "promt"),
    ("text-to-3d-preview", {"prompt": "a", "mode": "refine"}, "mode"),
    ("text-to-3d-preview", {"prompt": "a", "should_remesh": "yes"}, "should_remesh"),
    ("text-to-3d-refine", {}, "prompt"),
    ("text-to-3d-refine", {"prompt": "a", "preview_task_id": "t1"}, "prompt"),
    ("text-to-3d-preview", {"prompt": "a", "decimation_mode": 2}, "decimation_mode"),
    ("text-to-3d-preview", {"prompt": "a", "negative_prompt": "blurry"}, "negative_prompt"),
    ("text-to-3d-refine", {"prompt": "a", "art_style": "sculpture"}, "art_style"),
    ("text-to-3d-refine", {"preview_task_id": "t1", "texture_prompt": "gold",
                           "texture_image_url": "https://x/y.png"}, "texture_image_url"),
    ("image-to-3d", {"image_url": "https://x/y.png", "should_texture": False,
                     "enable_pbr": True}, "enable_pbr"),
    ("image-to-3d", {"image_url": "https://x/y.png", "should_texture": False,
                     "texture_prompt": "wood"}, "texture_prompt"),
    ("multi-image-to-3d", {"image_urls": []}, "image_urls"),
    ("multi-image-to-3d", {"image_urls": ["https://x/a.png"] * 5}, "image_urls"),
    ("retexture", {"input_task_id": "t1"}, "text_style_prompt"),
    ("retexture", {"input_task_id": "t1", "model_url": "https://x/m.glb",
                   "text_style_prompt": "gold"}, "model_url"),
    ("retexture", {"text_style_prompt": "gold"}, "input_task_id"),
    ("remesh", {"input_task_id": "t1", "target_formats": []}, "target_formats"),
    ("remesh", {"input_task_id": "../etc"}, "input_task_id"),
    ("rig", {"input_task_id": "t1", "height_meters": 0}, "height_meters"),
    ("animate", {"rig_task_id": "r1"}, "action_id"),
    ("animate", {"rig_task_id": "r1", "action_id": "12"}, "action_id"),
    ("animate", {"rig_task_id": "r1", "action_id": 1,
                 "post_process": {"operation_type": "change_fps"}}, "post_process.fps"),
    ("animate", {"rig_task_id": "r1", "action_id": 1,
                 "post_process": {"operation_type": "change_fps", "fps": 48}},
     "post_process.fps"),
    ("animate", {"rig_task_id": "r1", "action_id": 1,
                 "post_process": {"operation_type": "fbx2usdz", "fps": 30}}, "post_process.fps"),
    ("text-to-image", {"ai_model": "nano-banana", "prompt": "a", "generate_multi_view": True,
                       "aspect_ratio": "16:9"}, "aspect_ratio"),
    ("text-to-image", {"ai_model": "dall-e", "prompt": "a"}, "ai_model"),
    ("image-to-image", {"ai_model": "nano-banana", "prompt": "a",
                        "reference_image_urls": ["https://x/a.png"] * 6},
     "reference_image_urls"),
    ("resize", {"input_task_id": "t1"}, "resize_height"),
    ("resize", {"input_task_id": "t1", "resize_height": 2, "auto_size": True}, "resize_height"),
    ("convert", {"input_task_id": "t1"}, "target_formats"),
])
def test_invalid_options_are_refused_naming_the_field(kind, options, field):
    with pytest.raises(ValidationError) as info:
        build_payload(kind, **options)
    assert info.value.field == field
    assert str(info.value)  # a message a person can read


def test_unknown_kind_is_a_validation_error():
    with pytest.raises(ValidationError, match="Unknown task kind"):
        build_payload("text-to-4d", prompt="a")


def test_local_images_become_checked_data_uris(files):
    payload = build_payload("image-to-3d", image_url=files["png"],
                            texture_image_url=str(files["jpeg"]))
    assert payload["image_url"].startswith("data:image/png;base64,")
    assert base64.b64decode(payload["image_url"].split(",", 1)[1]) == files["png"].read_bytes()
    assert payload["texture_image_url"].startswith("data:image/jpeg;base64,")
    multi = build_payload("multi-image-to-3d", image_urls=[files["png"], "https://x/b.jpg"])
    assert multi["image_urls"][0].startswith("data:image/png")
    assert multi["image_urls"][1] == "https://x/b.jpg"


def test_a_renamed_non_image_is_refused_by_its_bytes(files):
    with pytest.raises(ValidationError, match="not a recognised format"):
        build_payload("image-to-3d", image_url=files["fake_png"])
    with pytest.raises(ValidationError, match="looks like GLB"):
        build_payload("image-to-3d", image_url=files["glb"])
    with pytest.raises(ValidationError, match="does not exist"):
        build_payload("image-to-3d", image_url=str(files["png"]) + ".missing")
    fake_uri = "data:image/png;base64," + base64.b64encode(b"<html>").decode()
    with pytest.raises(ValidationError, match="data URI"):
        build_payload("image-to-3d", image_url=fake_uri)


def test_model_files_become_data_uris_and_rigging_wants_glb(files):
    for name in ("glb", "obj", "fbx"):
        payload = build_payload("remesh", model_url=files[name], target_formats=["glb"])
        assert payload["model_url"].startswith("data:")
    assert build_payload("rig", model_url=files["glb"])["model_url"].startswith(
        "data:model/gltf-binary;base64,")
    with pytest.raises(ValidationError, match="expected GLB"):
        build_payload("rig", model_url=files["obj"])


def test_size_limit_has_a_clear_message(files):
    with pytest.raises(ValidationError, match=r"limit is 0 MB|MB; the limit"):
        file_to_data_uri(files["png"], {"png"}, max_bytes=10)


def test_sniff_recognises_formats():
    assert sniff(_png()) == "png"
    assert sniff(JPEG) == "jpeg"
    assert sniff(GLB) == "glb"
    assert sniff(b"Kaydara FBX Binary  \x00") == "fbx"
    assert sniff(b"v 0 0 0\nf 1 2 3\n") == "obj"
    assert sniff(b"solid cube\n facet normal 0 0 1\n") == "stl"
    assert sniff(b'{"asset": {"version": "2.0"}}') == "gltf"
    assert sniff(b"<?xml version='1.0'?><Error/>") is None


@pytest.mark.parametrize(("kind", "options", "credits"), [
    ("text-to-3d-preview", {"prompt": "a"}, 20),
    ("text-to-3d-preview", {"prompt": "a", "ai_model": "meshy-6"}, 20),
    ("text-to-3d-preview", {"prompt": "a", "ai_model": "meshy-6-lite"}, 5),
    ("text-to-3d-preview", {"prompt": "a", "ai_model": "meshy-7.1"}, 20),
    ("text-to-3d-refine", {"preview_task_id": "p"}, 10),
    ("text-to-3d-refine", {"prompt": "a"}, 30),
    ("text-to-3d-refine", {"prompt": "a", "ai_model": "meshy-6-lite"}, 15),
    ("image-to-3d", {"image_url": "https://x/a.png"}, 30),
    ("image-to-3d", {"image_url": "https://x/a.png", "should_texture": False}, 20),
    ("image-to-3d", {"image_url": "https://x/a.png", "ai_model": "meshy-6-lite"}, 15),
    ("image-to-3d", {"image_url": "https://x/a.png", "ai_model": "meshy-6-lite",
                     "should_texture": False}, 5),
    ("retexture", {"input_task_id": "t", "text_style_prompt": "gold"}, 10),
    ("remesh", {"input_task_id": "t", "target_formats": ["glb"]}, 5),
    ("rig", {"input_task_id": "t"}, 5),
    ("animate", {"rig_task_id": "r", "action_id": 3}, 3),
    ("text-to-image", {"ai_model": "nano-banana", "prompt": "a"}, 3),
    ("text-to-image", {"ai_model": "nano-banana-2", "prompt": "a"}, 6),
    ("text-to-image", {"ai_model": "gpt-image-2", "prompt": "a"}, 9),
    ("image-to-image", {"ai_model": "gpt-image-2", "prompt": "a",
                        "reference_image_urls": ["https://x/a.png"]}, 12),
    ("image-to-image", {"ai_model": "nano-banana-pro", "prompt": "a",
                        "reference_image_urls": ["https://x/a.png"]}, 9),
    ("convert", {"input_task_id": "t", "target_formats": ["fbx"]}, 1),
    ("resize", {"input_task_id": "t", "auto_size": True}, 1),
])
def test_cost_follows_the_pricing_table(kind, options, credits):
    assert estimate_cost(kind, build_payload(kind, **options)) == credits


@pytest.mark.parametrize(("kind", "options", "credits"), [
    ("text-to-3d-preview", {"prompt": "a", "ai_model": "meshy-5"}, 5),
    ("multi-image-to-3d", {"image_urls": ["https://x/a.png"], "ai_model": "meshy-5",
                           "should_texture": False}, 5),
])
def test_models_before_their_retirement_kept_their_prices(kind, options, credits):
    """Meshy-5 and low-poly, on a day before they were retired (2026-10-01)."""
    with model_catalogue.as_of(date(2026, 10, 1)):
        assert estimate_cost(kind, build_payload(kind, **options)) == credits


def test_full_character_chain_costs_43_on_meshy6():
    steps = [
        ("text-to-3d-preview", build_payload("text-to-3d-preview", prompt="a knight")),
        ("text-to-3d-refine", build_payload("text-to-3d-refine", preview_task_id="p")),
        ("remesh", build_payload("remesh", input_task_id="r", target_formats=["glb"])),
        ("rig", build_payload("rig", input_task_id="m")),
        ("animate", build_payload("animate", rig_task_id="g", action_id=1)),
    ]
    assert estimate_chain(steps) == 43


def test_planning_checks_local_files_without_reading_them_whole(tmp_path):
    """On Blender's main thread files are only checked (first bytes, size); the worker encodes."""
    from meshy_blender.client import build_payload
    from meshy_blender.client.errors import ValidationError

    png = tmp_path / "ref.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 5000)
    planned = build_payload("image-to-3d", encode_files=False, image_url=str(png))
    assert planned["image_url"] == str(png)
    sent = build_payload("image-to-3d", image_url=str(png))
    assert sent["image_url"].startswith("data:image/png;base64,")

    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a" + b"\0" * 100)
    with pytest.raises(ValidationError, match="expected JPEG, PNG"):
        build_payload("image-to-3d", encode_files=False, image_url=str(fake))


def test_binary_stl_is_recognised_from_its_header_and_size(tmp_path):
    from meshy_blender.client.datauri import check_file

    stl = tmp_path / "tri.stl"
    stl.write_bytes(b"\0" * 80 + (2).to_bytes(4, "little") + b"\1" * 100)
    assert check_file(stl, frozenset({"stl"}), 10_000) == "stl"
