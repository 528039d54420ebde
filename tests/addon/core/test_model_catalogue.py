"""The model catalogue is the one list of models: the sidebar menus, the command line's choices,
the API's validation, the prices and the studio policy all agree with it, and a retired model is
refused before any request with its date and its replacement (the suite's day is 2026-12-06)."""

from __future__ import annotations

import argparse
import json
from datetime import date

import pytest

from meshy_blender.client import build_payload, estimate_cost, model_catalogue, specs
from meshy_blender.client.errors import ValidationError
from meshy_blender.client.pricing import quote
from meshy_blender.jobs.policy import PolicyError, parse_policy

SUITE_DAY = date(2026, 12, 6)
IMG = "https://x/a.png"
# The smallest valid request of every kind that takes a model.
BASE = {
    "text-to-3d-preview": {"prompt": "a"},
    "text-to-3d-refine": {"preview_task_id": "p"},
    "image-to-3d": {"image_url": IMG},
    "multi-image-to-3d": {"image_urls": [IMG]},
    "retexture": {"input_task_id": "t", "text_style_prompt": "gold"},
    "text-to-image": {"prompt": "a"},
    "image-to-image": {"prompt": "a", "reference_image_urls": [IMG]},
}
OPTIONS = ("ai_model", "model_type")


def _model_kinds() -> list[tuple[str, str]]:
    return [(kind, option) for kind in specs.OPTIONS for option in OPTIONS
            if option in specs.OPTIONS[kind]]


def _refused_sentence(model: model_catalogue.Model) -> str:
    assert model.retires is not None
    return (f"{model.label} ({model.field_label}) was retired on {model.retires.isoformat()}; "
            f"use {model.replacement}.")


def test_the_suite_runs_on_its_pinned_day():
    assert model_catalogue.today() == SUITE_DAY


def test_every_kind_taking_a_model_is_walked():
    assert {kind for kind, _ in _model_kinds()} == set(BASE)


@pytest.mark.parametrize(("kind", "option"), _model_kinds())
def test_api_validation_accepts_current_models_and_refuses_retired_ones_with_their_date(
        kind, option):
    models = model_catalogue.for_kind(kind, option)
    assert models, f"{kind} takes no {option} in the catalogue"
    for model in models:
        request = {**BASE[kind], option: model.value}
        if model.is_retired():
            with pytest.raises(ValidationError) as info:
                build_payload(kind, **request)
            assert str(info.value) == _refused_sentence(model)
            assert info.value.field == option
        else:
            assert build_payload(kind, **request)[option] == model.value


def test_a_retired_model_names_the_label_the_artist_sees():
    with pytest.raises(ValidationError, match=r"^Meshy-5 \(AI Model\) was retired on 2026-10-10; "
                                              r"use Meshy-6 or Latest\.$"):
        build_payload("text-to-3d-preview", prompt="a", ai_model="meshy-5")
    with pytest.raises(ValidationError, match=r"^Low-poly \(Model Type\) was retired on "
                                              r"2026-10-30; use Smart Topology\.$"):
        build_payload("image-to-3d", image_url=IMG, model_type="lowpoly")


def test_retirement_is_decided_by_the_date():
    """Meshy-7 stops making 3D models on 2026-12-31 and stays a texture model."""
    with model_catalogue.as_of(date(2026, 12, 30)):
        assert build_payload("image-to-3d", image_url=IMG, ai_model="meshy-7")
    with model_catalogue.as_of(date(2026, 12, 31)):
        with pytest.raises(ValidationError, match=r"Meshy-7 \(AI Model\) was retired on "
                                                  r"2026-12-31; use Meshy-7.1 or Latest"):
            build_payload("image-to-3d", image_url=IMG, ai_model="meshy-7")
        assert build_payload("retexture", **BASE["retexture"], ai_model="meshy-7")
    with model_catalogue.as_of(date(2026, 10, 9)):
        assert build_payload("text-to-3d-preview", prompt="a", ai_model="meshy-5")


def test_an_unknown_model_lists_only_the_models_offered():
    with pytest.raises(ValidationError) as info:
        build_payload("text-to-3d-preview", prompt="a", ai_model="meshy-9")
    offered = [m.value for m in model_catalogue.offered("text-to-3d-preview")]
    assert all(repr(value) in str(info.value) for value in offered)
    assert "meshy-5" not in str(info.value)


# ------------------------------------------------------------------------ sidebar menus

SIDEBAR = [("meshy", "ai_model", "text-to-3d-preview", "ai_model"),
           ("meshy", "model_type", "text-to-3d-preview", "model_type"),
           ("meshy", "retexture_ai_model", "retexture", "ai_model"),
           ("meshy", "texture_model", "image-to-3d", "texture_model"),
           ("meshy", "retexture_texture_model", "retexture", "texture_model"),
           ("meshy_tools", "concept_model", "text-to-image", "ai_model")]


@pytest.mark.parametrize(("group", "prop", "kind", "option"), SIDEBAR)
def test_sidebar_menus_offer_exactly_the_current_models(bpy, addon, group, prop, kind, option):
    settings = getattr(bpy.context.scene, group)
    items = settings.bl_rna.properties[prop].enum_items
    offered = model_catalogue.offered(kind, option)
    assert [item.identifier for item in items] == [m.value for m in offered]
    for item, model in zip(items, offered, strict=True):
        assert not model.is_retired()
        if model.is_deprecated():
            assert model.retirement_note() == f"retires on {model.retires}"
            assert model.retirement_note() in item.name
            assert model.replacement in item.description
    numbers = [item.value for item in items]
    assert len(set(numbers)) == len(numbers)


def test_deprecated_models_say_when_they_retire_in_the_menu():
    from meshy_blender.blender.ui import model_items

    items = model_items.model_items("image-to-3d", "ai_model", model_items.AI_MODEL_NUMBERS)
    names = {value: name for value, name, *_ in items}
    assert names["meshy-7"] == "Meshy-7 (retires on 2026-12-31)"
    later = model_items.model_items("image-to-3d", "ai_model", model_items.AI_MODEL_NUMBERS,
                                    day=date(2027, 1, 1))
    assert "meshy-7" not in [value for value, *_ in later]


def test_every_model_keeps_its_own_saved_number(bpy):
    from meshy_blender.blender.ui import model_items

    for legacy in (model_items.AI_MODEL_NUMBERS, model_items.MODEL_TYPE_NUMBERS,
                   model_items.IMAGE_MODEL_NUMBERS):
        for option in OPTIONS:
            values = sorted(model_catalogue.known_values(option))
            numbers = [model_items.enum_number(v, legacy) for v in values]
            assert len(set(numbers)) == len(numbers)
    assert model_items.enum_number("meshy-5", model_items.AI_MODEL_NUMBERS) == 2


def test_a_file_saved_with_a_retired_model_reads_back_as_its_replacement(bpy, addon):
    """Before the catalogue, Meshy-5 was saved as 2 and low-poly as 1: such a file draws and
    sends Meshy-6 / Smart Topology, never an empty menu or a refused request."""
    from meshy_blender.blender.features.generate.panel import MESHY_PT_generate

    from fixtures.recording_layout import draw_panel

    s = bpy.context.scene.meshy
    s["ai_model"], s["model_type"], s["retexture_ai_model"] = 2, 1, 2
    assert (s.ai_model, s.model_type, s.retexture_ai_model) == (
        "meshy-6", "smart-topology", "meshy-6")
    s.prompt = "a lamp"
    assert draw_panel(MESHY_PT_generate, bpy.context).texts()
    s["ai_model"] = 1
    assert s.ai_model == "meshy-6"  # a current model reads back as itself
    s.ai_model = "meshy-7.1"
    assert s.ai_model == "meshy-7.1"


def test_a_saved_choice_survives_saving_and_opening_the_file(bpy, addon, tmp_path):
    s = bpy.context.scene.meshy
    s.ai_model, s.retexture_ai_model = "meshy-6-lite", "meshy-7"
    bpy.context.scene.meshy_tools.concept_model = "nano-banana-2-1"
    s["model_type"] = 1  # low-poly, as a file from before its retirement holds it
    path = tmp_path / "models.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.wm.open_mainfile(filepath=str(path))
    s = bpy.context.scene.meshy
    assert (s.ai_model, s.retexture_ai_model, s.model_type) == (
        "meshy-6-lite", "meshy-7", "smart-topology")
    assert bpy.context.scene.meshy_tools.concept_model == "nano-banana-2-1"


# ------------------------------------------------------------------------ command line

def _subcommands() -> dict[str, argparse.ArgumentParser]:
    from meshy_blender.cli.parser import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_cli_choices_are_the_catalogues_current_models():
    seen = 0
    for name, parser in _subcommands().items():
        for action in parser._actions:
            flag = next((o for o in action.option_strings if o in ("--ai-model",
                                                                   "--model-type")), None)
            if flag is None:
                continue
            seen += 1
            assert action.help and "; one of: " in action.help, (name, flag)
            shown = action.help.split("; one of: ", 1)[1].rsplit(" (default: ", 1)[0]
            listed = shown.split(", ")
            values = [entry.split(" (")[0] for entry in listed]
            option = flag[2:].replace("-", "_")
            known = {m.value: m for m in model_catalogue.MODELS if m.option == option}
            for entry, value in zip(listed, values, strict=True):
                model = known[value]
                assert not model.is_retired(), (name, value)
                if model.is_deprecated():
                    assert entry == f"{value} ({model.retirement_note()})"
            assert "meshy-5" not in values and "lowpoly" not in values
    assert seen >= 8


def test_retired_model_refused_by_api_and_cli_before_any_request(bpy, empty_scene, meshy_env,
                                                                 capfd):
    from meshy_blender import api, cli

    with pytest.raises(ValidationError, match=r"Meshy-5 \(AI Model\) was retired on 2026-10-10"):
        api.text_to_3d("a cup", ai_model="meshy-5")
    code = cli.main(["text-to-3d", "a cup", "--model-type", "lowpoly", "--json"])
    data = json.loads(capfd.readouterr().out)
    assert code == 2 and data["error"]["type"] == "ValidationError"
    assert data["error"]["message"] == ("Low-poly (Model Type) was retired on 2026-10-30; use "
                                        "Smart Topology.")
    assert meshy_env.requests("api") == []


# ------------------------------------------------------------------------ prices

@pytest.mark.parametrize("model", [m for m in model_catalogue.MODELS
                                   if m.option == "ai_model" and m.role == "3d"
                                   and "image-to-3d" in m.kinds and not m.is_retired(SUITE_DAY)],
                         ids=lambda m: m.value)
def test_3d_prices_come_from_the_catalogue(model):
    shape = quote("image-to-3d", build_payload("image-to-3d", image_url=IMG,
                                               ai_model=model.value, should_texture=False))
    textured = quote("image-to-3d", build_payload("image-to-3d", image_url=IMG,
                                                  ai_model=model.value))
    assert (shape.credits, textured.credits) == (model.prices["untextured"],
                                                 model.prices["textured"])
    assert shape.published is textured.published is (not model.unpublished)
    if model.unpublished:
        assert model.label in textured.note


@pytest.mark.parametrize("model", model_catalogue.for_kind("text-to-image"), ids=lambda m: m.value)
def test_image_prices_come_from_the_catalogue(model):
    for kind in ("text-to-image", "image-to-image"):
        payload = build_payload(kind, **BASE[kind], ai_model=model.value)
        assert estimate_cost(kind, payload) == model.prices[kind]


def test_published_prices_are_the_references_numbers():
    """Cited in the catalogue: seed 002 and meshy-mcp-server v0.6.0; never guessed."""
    shape = {m.value: m.prices.get("shape") for m in model_catalogue.for_kind(
        "text-to-3d-preview")}
    assert (shape["latest"], shape["meshy-6"], shape["meshy-6-lite"]) == (20, 20, 5)
    assert model_catalogue.find("image-to-3d", "meshy-6-lite").prices["textured"] == 15
    images = {m.value: (m.prices["text-to-image"], m.prices["image-to-image"])
              for m in model_catalogue.for_kind("text-to-image")}
    assert images["nano-banana-2-1"] == (4, 4) and images["gpt-image-2"] == (9, 12)
    unpriced = [m for m in model_catalogue.MODELS if m.unpublished]
    assert unpriced and all(not m.kinds or m.value in ("meshy-7", "meshy-4", "smart-topology")
                            for m in unpriced)


# ------------------------------------------------------------------------ studio policy

@pytest.mark.parametrize(("text", "line"), [
    ('allowed_ai_models = ["meshy-6", "meshy-5"]\n', 1),
    ('name = "x"\n[locked.text-to-3d]\nai_model = "meshy-5"\n', 3),
    ('[defaults]\nai_model = "meshy-5"\n', 2),
])
def test_a_policy_pinning_a_retired_model_says_so_when_loaded(text, line):
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "studio.toml")
    assert "Meshy-5 (AI Model) was retired on 2026-10-10; use Meshy-6 or Latest" in str(info.value)
    assert info.value.line == line


def test_the_same_policy_loaded_before_the_retirement_was_fine():
    with model_catalogue.as_of(date(2026, 10, 1)):
        policy = parse_policy('allowed_ai_models = ["meshy-6", "meshy-5"]\n', "studio.toml")
    assert policy.allowed_ai_models == ("meshy-6", "meshy-5")
