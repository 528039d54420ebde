"""The Account Tier lists every plan Meshy documents, and a saved choice keeps its meaning."""

from __future__ import annotations

from meshy_blender.jobs.concurrency import rate_for_tier, start_for_tier


def test_every_documented_plan_has_its_queue_limit_and_rate():
    """Meshy API v2's rate-limits table: Pro 10, Premium 30, Studio 60, Ultra 100,
    Enterprise 100 (20 requests/s, Enterprise 100)."""
    assert {t: start_for_tier(t) for t in ("pro", "Premium", "ULTRA", "studio", "enterprise")} \
        == {"pro": 10, "Premium": 30, "ULTRA": 100, "studio": 60, "enterprise": 100}
    assert [rate_for_tier(t) for t in ("premium", "ultra", "enterprise")] == [20, 20, 100]


def test_the_preference_offers_the_plans_and_keeps_saved_numbers(addon, bpy):
    """Blender saves an enum preference as its number: the plans known before Premium and
    Ultra keep theirs, so a saved Studio never loads as another plan."""
    from conftest import ADDON_MODULE

    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    items = prefs.bl_rna.properties["tier"].enum_items
    assert {i.identifier: i.value for i in items} == {
        "AUTO": 0, "PRO": 1, "STUDIO": 2, "ENTERPRISE": 3, "PREMIUM": 4, "ULTRA": 5}


def test_a_premium_tier_starts_the_gate_at_its_queue(addon, bpy, meshy_env, monkeypatch):
    from meshy_blender.blender.core import runtime

    from conftest import ADDON_MODULE

    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    try:
        prefs.tier = "PREMIUM"
        rt = runtime.get_runtime(resume=False)
        gate = rt.manager.concurrency
        assert rt.settings.tier == "PREMIUM"
        assert (gate.limit, gate.pacer.rate, gate.pacer.known) == (30, 20, True)
        monkeypatch.setenv("MESHY_TIER", "ultra")
        rt = runtime.get_runtime(resume=False)
        assert (rt.settings.tier, rt.manager.concurrency.limit) == ("ULTRA", 100)
    finally:
        prefs.tier = "AUTO"
