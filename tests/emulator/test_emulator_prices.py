"""The emulator charges Meshy API v2's prices (reference §8), the same the add-on quotes: one
table (meshy_emu.accounts.price) for every route, checked here against the client's pricing
for every kind whose price Meshy publishes."""

from __future__ import annotations

from typing import Any

import pytest

from meshy_blender.client import build_payload, pricing
from meshy_blender.client.request_body import create_body, create_route

from meshy_emu.accounts import price

T = "0190aaaa-0000-7000-8000-000000000000"
# The emulator's kind for a v2 route, where the names differ from the add-on's.
ROUTE_KINDS = {"text-to-3d": "text-to-3d", "rigging/check": "rig-check", "rigging": "rig",
               "animations": "animate", "print/analyze": "print-analyze",
               "print/repair": "print-repair", "print/multi-color": "print-multi-color"}
CASES: list[tuple[str, dict[str, Any]]] = [
    ("text-to-3d-preview", {"prompt": "a lamp"}),
    ("text-to-3d-preview", {"prompt": "a lamp", "ai_model": "meshy-6-lite"}),
    ("text-to-3d-refine", {"prompt": "a lamp"}),
    ("text-to-3d-refine", {"prompt": "a lamp", "ai_model": "meshy-6-lite"}),
    ("text-to-3d-refine", {"preview_task_id": T, "texture_prompt": "brass"}),
    ("image-to-3d", {"image_url": "https://x/a.png"}),
    ("image-to-3d", {"image_url": "https://x/a.png", "should_texture": False}),
    ("image-to-3d", {"image_url": "https://x/a.png", "geometry_resolution": "2k"}),
    ("multi-image-to-3d", {"image_urls": ["https://x/a.png"], "should_texture": False}),
    ("image-to-3d", {"image_url": "https://x/a.png", "ai_model": "meshy-6-lite"}),
    ("retexture", {"input_task_id": T, "texture_prompt": "oak"}),
    ("remesh", {"input_task_id": T, "target_formats": ["glb"]}),
    ("rig-check", {"input_task_id": T}),
    ("rig", {"input_task_id": T}),
    ("animate", {"rig_task_id": T, "action_id": 4}),
    ("text-to-image", {"ai_model": "gpt-image-2", "prompt": "a lamp"}),
    ("image-to-image", {"ai_model": "gpt-image-2", "prompt": "oak",
                        "reference_image_urls": ["https://x/a.png"]}),
    ("text-to-image", {"ai_model": "nano-banana-2-1", "prompt": "a lamp"}),
    ("convert", {"input_task_id": T, "target_formats": ["fbx"]}),
    ("resize", {"input_task_id": T, "resize_height": 2.0}),
    ("text-to-motion", {"prompt": "a bow"}),
    ("uv-unwrap", {"input_task_id": T}),
    ("print-analyze", {"input_task_id": T}),
    ("print-repair", {"input_task_id": T}),
    ("print-multi-color", {"input_task_id": T}),
]


@pytest.mark.parametrize(("kind", "options"), CASES,
                         ids=[f"{k}-{'-'.join(map(str, o.values()))[:30]}" for k, o in CASES])
def test_the_emulator_charges_what_the_add_on_quotes(kind: str, options: dict[str, Any]):
    payload = build_payload(kind, encode_files=False, **options)
    quote = pricing.quote(kind, payload)
    assert quote.published, quote.note
    route = create_route(kind, payload)
    assert route is not None
    body = create_body(kind, route, payload)
    assert price(ROUTE_KINDS.get(route, route), body) == quote.credits


def test_the_v2_table_is_served_not_v1s():
    """v1 priced Meshy-6 and Meshy-7 shapes as Meshy-4 at 5, had no Ultra pass, no 8K and
    no rig check; v2's table has them."""
    assert price("text-to-3d", {"prompt": "x", "should_texture": False,
                                "ai_model": "meshy-7.1"}) == 20
    assert price("image-to-3d", {"geometry_resolution": "4k"}) == 35
    assert price("retexture", {"texture_resolution": "8k"}) == 15
    assert price("animate", {"action_ids": [1, 2, 3]}) == 9
    assert price("rig-check", {}) == 1
    assert price("text-to-image", {"ai_model": "gpt-image-2-6-flare"}) == 9
