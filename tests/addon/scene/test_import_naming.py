"""Names from prompts and provenance cleaning (pure helpers of the import layer)."""

from __future__ import annotations

from meshy_blender.blender.scene.naming import child_name, safe_name
from meshy_blender.blender.scene.provenance import clean_provenance


def test_safe_name_drops_punctuation_and_cuts_at_a_word():
    assert safe_name("  a red, ornate\nvase!! ") == "a red ornate vase"
    long = safe_name("a very long prompt describing an ornate medieval knight in armour")
    assert len(long.encode()) <= 40 and long.startswith("a very long") and not long.endswith(" ")
    assert safe_name("") == safe_name("!!!") == "Meshy"
    assert len(safe_name("é" * 100).encode()) <= 40  # never cut inside a UTF-8 character
    assert child_name("hero", "Character") == "hero_Character"


def test_clean_provenance_prefixes_keys_and_drops_urls_and_keys():
    clean = clean_provenance({
        "task_id": "abc", "meshy_kind": "rig", "credits": 5, "ids": ["a", "b"], "none": None,
        "url": "https://x.example/a.glb?Expires=1", "key": "msy-0123456789abcdef",
        "bearer": "Bearer something", "data": "data:image/png;base64,AA", "nested": {"a": 1},
        "urls": ["ok", "http://x"]})
    assert clean == {"meshy_task_id": "abc", "meshy_kind": "rig", "meshy_credits": 5,
                     "meshy_ids": "a, b"}
