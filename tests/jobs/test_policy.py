"""Studio policy (MESHY_STUDIO_CONFIG) and configuration precedence.

The file parsing and rule checks are pure Python; the refusals are exercised through the real
paths (api, cli) in Blender against the emulator, whose request log proves nothing was sent.
"""

from __future__ import annotations

import json

import pytest

from meshy_blender.client.errors import InsufficientCreditsError, ValidationError
from meshy_blender.jobs import plans
from meshy_blender.jobs.policy import (
    CreditCapError,
    Policy,
    PolicyError,
    PolicyViolation,
    parse_policy,
)

from fixtures.emulator import posts

STUDIO = """\
name = "Studio X"
allowed_ai_models = ["meshy-6", "meshy-6-lite"]
max_credits_per_job = 60

[defaults]
moderation = true

[defaults.text-to-3d]
symmetry_mode = "on"

[locked]
topology = "quad"

[locked.remesh]
target_polycount = 20000
"""


# ------------------------------------------------------------------------ parsing (pure)

def test_policy_file_is_parsed_into_rules():
    policy = parse_policy(STUDIO, "studio.toml")
    assert policy.name == "Studio X" and policy.max_credits_per_job == 60
    assert policy.is_locked("text-to-3d", "topology")
    assert policy.is_locked("remesh", "topology") and policy.is_locked("remesh",
                                                                       "target_polycount")
    assert not policy.is_locked("text-to-3d", "target_polycount")
    assert not policy.is_locked("rig", "topology")  # rig has no topology option
    assert policy.default_for("text-to-3d", "symmetry_mode") == "on"
    assert policy.default_for("image-to-3d", "symmetry_mode") is None


def test_malformed_toml_names_the_line():
    text = 'name = "x"\nmax_credits_per_job = 60\nsession_budget = = 3\n'
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "/etc/meshy/studio.toml")
    assert info.value.line == 3
    assert "/etc/meshy/studio.toml line 3" in str(info.value)
    assert isinstance(info.value, ValidationError)


@pytest.mark.parametrize(("text", "line", "key", "words"), [
    ('name = "x"\n\n[locked.remesh]\ntarget_polycont = 5\n', 4, "locked.remesh.target_polycont",
     "unknown option 'target_polycont'"),
    ('name = "x"\nmax_credits_per_job = "lots"\n', 2, "max_credits_per_job", "whole number"),
    ('[defaults]\nai_model = "meshy-9"\n', 2, "defaults.ai_model", "'ai_model' must be one of"),
    ('allowed_ai_models = ["gpt-9"]\n', 1, "allowed_ai_models", "unknown AI model"),
    ('colour = "red"\n', 1, "colour", "unknown key 'colour'"),
    ('[defaults.text-to-4d]\nprompt = "x"\n', 1, "defaults.text-to-4d", "unknown request kind"),
])
def test_schema_errors_name_the_key_and_line(text, line, key, words):
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "studio.toml")
    assert (info.value.line, info.value.key) == (line, key)
    assert words in str(info.value) and f"line {line}" in str(info.value)


def test_apply_fills_defaults_and_refuses_a_different_locked_value():
    policy = parse_policy(STUDIO, "studio.toml")
    options = policy.apply("text-to-3d", {"prompt": "a cup"})
    assert options["topology"] == "quad" and options["symmetry_mode"] == "on"
    assert options["moderation"] is True and options["ai_model"] == "meshy-6"
    assert policy.apply("text-to-3d", {"prompt": "a cup", "topology": "quad"})["topology"]
    with pytest.raises(PolicyViolation, match="'topology' is locked to 'quad'"):
        policy.apply("text-to-3d", {"prompt": "a cup", "topology": "triangle"})
    chained = policy.apply("text-to-3d", {"prompt": "a cup", "remesh": {}})
    assert chained["remesh"] == {"topology": "quad", "target_polycount": 20000}
    with pytest.raises(PolicyViolation, match="not allowed"):
        policy.apply("image-to-3d", {"image_url": "https://x/a.png", "ai_model": "latest"})


def test_check_job_refuses_jobs_planned_without_the_policy():
    policy = parse_policy(STUDIO, "studio.toml")
    job = plans.plan_job("remesh", {"input_task_id": "abc", "target_formats": ["glb"],
                                    "target_polycount": 500, "topology": "quad"})
    with pytest.raises(PolicyViolation, match="target_polycount"):
        policy.check_job(job)


def test_cost_caps_name_the_estimate_and_the_cap():
    policy = Policy(path="s.toml", max_credits_per_job=25, session_budget=50)
    with pytest.raises(CreditCapError) as info:
        policy.check_cost(30)
    assert "30 credits" in str(info.value) and "25 credits" in str(info.value)
    assert isinstance(info.value, InsufficientCreditsError)
    policy.check_cost(20, spent=30)
    with pytest.raises(CreditCapError, match="used 40 of its 50-credit budget"):
        policy.check_cost(20, spent=40)


# ------------------------------------------------------------------------ enforced in Blender

def test_locked_option_refused_by_api_and_cli_before_any_request(bpy, empty_scene, meshy_env,
                                                                 studio_policy, capfd):
    from meshy_blender import api, cli

    studio_policy(STUDIO)
    with pytest.raises(PolicyViolation, match="locked"):
        api.text_to_3d("a cup", topology="triangle")
    code = cli.main(["remesh", "--task-id", "abc", "--target-polycount", "900", "--json"])
    data = json.loads(capfd.readouterr().out)
    assert code == 2 and data["error"]["type"] == "PolicyViolation"
    assert "locked to 20000" in data["error"]["message"]
    assert meshy_env.requests("api") == []


def test_locked_and_default_values_are_what_meshy_receives(bpy, empty_scene, meshy_env,
                                                           studio_policy):
    from meshy_blender import api

    studio_policy(STUDIO)
    result = api.text_to_3d("a cup", should_texture=False)
    task = meshy_env.task(result.task_ids["preview"])
    assert (task["topology"], task["symmetry_mode"], task["ai_model"]) == ("quad", "on",
                                                                          "meshy-6")


def test_cap_exceeded_is_refused_with_the_emulator_log_empty(bpy, empty_scene, meshy_env,
                                                             studio_policy, capfd):
    from meshy_blender import api, cli

    studio_policy("max_credits_per_job = 25\n")
    with pytest.raises(CreditCapError) as info:
        api.text_to_3d("a cup")  # preview 20 + refine 10
    assert "30 credits" in str(info.value) and "25 credits" in str(info.value)
    code = cli.main(["text-to-3d", "a cup", "--json"])
    data = json.loads(capfd.readouterr().out)
    assert code == 4 and data["error"]["estimate"] == 30 and data["error"]["cap"] == 25
    assert meshy_env.requests("api") == []
    api.text_to_3d("a cup", should_texture=False)  # 20: allowed
    assert len(posts(meshy_env)) == 1


def test_session_budget_counts_every_job(bpy, empty_scene, meshy_env, studio_policy):
    from meshy_blender import api

    studio_policy("session_budget = 50\n")
    api.text_to_3d("one", should_texture=False)
    api.text_to_3d("two", should_texture=False)
    with pytest.raises(CreditCapError, match="used 40 of its 50-credit budget"):
        api.text_to_3d("three", should_texture=False)
    assert len(posts(meshy_env)) == 2


def test_invalid_policy_file_stops_the_cli_with_the_line(bpy, meshy_env, studio_policy, capfd):
    from meshy_blender import cli

    path = studio_policy("[locked]\ntopology = quad\n")
    code = cli.main(["balance", "--json"])
    data = json.loads(capfd.readouterr().out)
    assert code == 2 and data["error"]["type"] == "PolicyError"
    assert f"{path} line 2" in data["error"]["message"]


def test_shared_cache_folder_holds_downloads_but_not_the_journal(bpy, empty_scene, meshy_env,
                                                                 studio_policy, tmp_path,
                                                                 monkeypatch):
    from meshy_blender import api
    from meshy_blender.blender.core import runtime

    shared = tmp_path / "shared-cache"
    studio_policy(f'cache_dir = "{shared}"\n')
    monkeypatch.delenv("MESHY_CACHE_DIR")
    result = api.text_to_3d("a cup", should_texture=False)
    assert all(path.startswith(str(shared)) for path in result.files.values())
    rt = runtime.current_runtime()
    assert rt.settings.sources["download_dir"] == "studio policy"
    assert not str(rt.journal_dir).startswith(str(shared))
    assert list(rt.journal_dir.rglob("job-*.json"))


# ------------------------------------------------------------------------ precedence

def test_environment_over_preferences_over_defaults(addon, bpy, monkeypatch, tmp_path):
    from meshy_blender.blender.core import config

    from conftest import ADDON_MODULE

    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    for var in ("MESHY_API_BASE", "MESHY_API_KEY", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    s = config.resolve()
    assert (s.api_base, s.sources["api_base"]) == (config.DEFAULT_API_BASE, "default")

    prefs.api_base = "http://127.0.0.1:1234"
    prefs.api_key = "msy_from_prefs_123456"
    s = config.resolve()
    assert (s.api_base, s.sources["api_base"]) == ("http://127.0.0.1:1234", "preferences")
    assert s.sources["api_key"] == "preferences"

    monkeypatch.setenv("MESHY_API_BASE", "http://127.0.0.1:5678")
    monkeypatch.setenv("MESHY_API_KEY", "msy_from_env_1234567")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.studio:3128")
    policy = tmp_path / "p.toml"
    policy.write_text('name = "p"\n')
    monkeypatch.setenv("MESHY_STUDIO_CONFIG", str(policy))
    s = config.resolve()
    assert (s.api_base, s.sources["api_base"]) == ("http://127.0.0.1:5678", "MESHY_API_BASE")
    assert (s.api_key, s.sources["api_key"]) == ("msy_from_env_1234567", "MESHY_API_KEY")
    assert s.proxies["https_proxy"] == "http://proxy.studio:3128"
    assert s.sources["https_proxy"] == "HTTPS_PROXY"
    assert s.sources["studio_config"] == "MESHY_STUDIO_CONFIG" and s.policy.name == "p"
    assert "msy_from" not in repr(s)
    prefs.api_base = ""
    prefs.api_key = ""
