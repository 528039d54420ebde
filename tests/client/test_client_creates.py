"""The client creates through Meshy API v2: every kind on /openapi/v2/<route> with only the
fields that route's table lists (the emulator answers 400 to anything else, so a created task
proves the body), and every v1 option name translated with one warning or refused."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from test_client_e2e import png_bytes, preview, run

from meshy_blender.client import build_payload, renamed_options
from meshy_blender.client import errors as e
from meshy_blender.client.request_body import create_body, create_route
from meshy_blender.client.request_fields import REQUEST_FIELDS
from meshy_blender.client.specs import SPECS

from fixtures.emulator import created_tasks
from meshy_emu import request_fields as emulator_fields

IMG = "https://x/a.png"

# One representative request per kind created on v2, with the v1 names the add-on still uses.
PER_KIND: dict[str, dict[str, Any]] = {
    "text-to-3d-preview": {"prompt": "a lamp", "ai_model": "latest", "model_type": "standard",
                           "topology": "quad", "moderation": True},
    "text-to-3d-refine": {"prompt": "a lamp", "texture_prompt": "brass", "hd_texture": True,
                          "enable_pbr": True},
    "image-to-3d": {"image_url": IMG, "ai_model": "latest", "model_type": "standard",
                    "hd_texture": True, "ultra_mode": True, "should_remesh": True},
    "multi-image-to-3d": {"image_urls": [IMG, IMG], "model_type": "smart-topology",
                          "target_polycount": 8_000},
    "retexture": {"input_task_id": "t", "ai_model": "latest", "text_style_prompt": "oak",
                  "enable_original_uv": False, "enable_pbr": True},
    "remesh": {"input_task_id": "t", "target_formats": ["glb"], "topology": "quad"},
    "rig-check": {"input_task_id": "t"},
    "rig": {"input_task_id": "t", "height_meters": 1.8},
    "animate": {"rig_task_id": "r", "action_ids": [1, 2]},
    "text-to-image": {"ai_model": "nano-banana", "prompt": "a lamp", "aspect_ratio": "4:3"},
    "image-to-image": {"ai_model": "nano-banana", "prompt": "bronze",
                       "reference_image_urls": [IMG]},
    "convert": {"input_task_id": "t", "target_formats": ["fbx"]},
    "resize": {"input_task_id": "t", "resize_height": 2.0},
    "text-to-motion": {"prompt": "a bow", "duration": 3.0},
    "uv-unwrap": {"input_task_id": "t"},
    "print-analyze": {"input_task_id": "t"},
    "print-repair": {"input_task_id": "t"},
    "print-multi-color": {"input_task_id": "t", "max_colors": 4},
}


def test_the_emulator_checks_requests_against_the_clients_own_table():
    assert emulator_fields.REQUEST_FIELDS is REQUEST_FIELDS
    assert emulator_fields.RENAMED_FIELDS is renamed_fields()


def renamed_fields() -> Any:
    from meshy_blender.client import request_fields

    return request_fields.RENAMED_FIELDS


def test_every_kind_creates_on_a_v2_route_with_a_table():
    moved = {k for k in SPECS if create_route(k) is not None}
    assert moved == set(SPECS) == set(PER_KIND)
    assert not [k for k in moved if SPECS[k].fixed], "nothing v1-only is always sent"


@pytest.mark.parametrize("kind", sorted(PER_KIND))
def test_the_body_holds_only_fields_the_route_accepts(kind):
    route = create_route(kind)
    assert route is not None
    body = create_body(kind, route, build_payload(kind, **PER_KIND[kind]))
    emulator_fields.check_request(route, body)  # raises the emulator's 400 otherwise
    assert set(body) <= set(REQUEST_FIELDS[route])


def test_v1_names_become_v2_names_and_values():
    image = create_body("image-to-3d", "image-to-3d", build_payload("image-to-3d",
                                                                **PER_KIND["image-to-3d"]))
    assert image["texture_resolution"] == "4k" and image["geometry_resolution"] == "2k"
    assert image["texture_model"] == "meshy-7" and image["ai_model"] == "latest"
    assert not {"hd_texture", "ultra_mode", "model_type"} & set(image)
    retexture = create_body("retexture", "retexture", build_payload("retexture",
                                                                **PER_KIND["retexture"]))
    assert retexture == {"input_task_id": "t", "texture_model": "meshy-7",
                         "texture_prompt": "oak", "uv_mode": "regenerate", "enable_pbr": True}
    topology = create_body("multi-image-to-3d", "multi-image-to-3d", build_payload(
        "multi-image-to-3d", **PER_KIND["multi-image-to-3d"]))
    assert topology["ai_model"] == "meshy-t2.5" and "model_type" not in topology
    untextured = create_body("image-to-3d", "image-to-3d",
                         build_payload("image-to-3d", image_url=IMG, should_texture=False))
    assert "texture_model" not in untextured, "an untextured model needs no texture model"


RENAMED = [(r.old, kind) for r in renamed_options.RENAMED for kind in r.kinds]
# A value each old name takes (valid in v1's vocabulary), and the other inputs its kind needs.
OLD_VALUES = {"text_style_prompt": "oak", "image_style_url": IMG, "enable_original_uv": True,
              "ai_model": "meshy-7", "hd_texture": True, "ultra_mode": True,
              "model_type": "smart-topology", "multiview_image_urls": [IMG],
              "auto_size": True, "origin_at": "bottom", "decimation_mode": 2,
              "is_a_t_pose": True}
INPUTS = {"retexture": {"input_task_id": "t", "texture_prompt": "oak"},
          "image-to-3d": {"image_url": IMG}, "multi-image-to-3d": {"image_urls": [IMG]},
          "text-to-3d-preview": {"prompt": "a lamp"}, "text-to-3d-refine": {"prompt": "a lamp"}}


@pytest.mark.parametrize(("old", "kind"), RENAMED)
def test_every_renamed_option_is_translated_with_one_warning_or_refused(old, kind):
    entry = renamed_options.find(kind, old)
    assert entry is not None
    options = {**INPUTS[kind], old: OLD_VALUES[old]}
    if old in ("text_style_prompt", "image_style_url", "multiview_image_urls"):
        options.pop("texture_prompt")
    if old == "multiview_image_urls":
        options["ai_model"] = "meshy-7"
    if entry.new is None:
        with pytest.raises(e.ValidationError) as refused:
            build_payload(kind, **options)
        assert f"'{old}'" in str(refused.value) and "Meshy API v2" in str(refused.value)
        assert refused.value.field == old
        said = renamed_options.warn_old_names(kind, options)
        assert not [line for line in said if f"'{old}'" in line], "refused, not warned"
        return
    route = create_route(kind)
    assert route is not None
    body = create_body(kind, route, build_payload(kind, **options))
    assert old not in body or old == entry.new == "ai_model"
    assert entry.new in body
    emulator_fields.check_request(route, body)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        renamed_options.warn_old_names(kind, options)
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(deprecations) == 1
    assert f"'{old}'" in str(deprecations[0].message)
    assert f"'{entry.new}'" in str(deprecations[0].message)


def test_an_old_name_with_its_new_name_is_refused():
    with pytest.raises(e.ValidationError, match="old name of 'uv_mode'"):
        build_payload("retexture", input_task_id="t", texture_prompt="oak",
                      enable_original_uv=True, uv_mode="original")


@pytest.mark.parametrize(("v1_model", "texture_model"), [
    ("latest", "meshy-7"), ("meshy-7", "meshy-7"), ("meshy-6", "meshy-6-lite")])
def test_every_current_v1_retexture_model_has_a_v2_texture_model(v1_model, texture_model):
    body = create_body("retexture", "retexture", build_payload(
        "retexture", input_task_id="t", text_style_prompt="oak", ai_model=v1_model))
    assert body["texture_model"] == texture_model and "ai_model" not in body


def test_a_retired_retexture_model_is_refused_with_its_date_not_translated():
    with pytest.raises(e.ValidationError, match="retired on 2026-10-10") as refused:
        build_payload("retexture", input_task_id="t", text_style_prompt="oak",
                      ai_model="meshy-5")
    assert refused.value.field == "ai_model"


def _created_request(emulator: Any, task_id: str) -> dict[str, Any]:
    return dict(emulator.store.get(task_id).request)


def test_old_and_new_names_create_the_same_v2_retexture(emulator, meshy_client):
    source = preview(meshy_client)
    old = run(meshy_client, "retexture", input_task_id=source.id, ai_model="meshy-7",
              text_style_prompt="oak", enable_original_uv=True)
    new = run(meshy_client, "retexture", input_task_id=source.id, texture_model="meshy-7",
              texture_prompt="oak", uv_mode="original")
    assert old.succeeded and new.succeeded
    assert _created_request(emulator, old.id) == _created_request(emulator, new.id) == {
        "input_task_id": source.id, "texture_model": "meshy-7", "texture_prompt": "oak",
        "uv_mode": "original"}
    posts = [r for r in emulator.requests("api") if r["method"] == "POST"]
    assert [r["path"] for r in posts][-2:] == ["/openapi/v2/retexture"] * 2
    assert [r["status"] for r in posts][-2:] == [202, 202]


def test_image_to_3d_with_v1_options_is_created_once_on_v2(emulator, meshy_client, tmp_path):
    (tmp_path / "a.png").write_bytes(png_bytes())
    balance = meshy_client.balance()
    task = run(meshy_client, "image-to-3d", image_url=tmp_path / "a.png", hd_texture=True,
               model_type="standard")
    sent = _created_request(emulator, task.id)
    assert sent["texture_resolution"] == "4k" and sent["texture_model"] == "meshy-7"
    assert "image_url" in sent and not {"hd_texture", "model_type"} & set(sent)
    assert balance - meshy_client.balance() == task.consumed_credits == 30
    assert len([t for t in emulator.tasks() if t["id"] == task.id]) == 1


def test_the_api_warns_once_per_old_name_and_sends_the_v2_body(bpy, empty_scene, meshy_env,
                                                               emulator_assets):
    from meshy_blender import api

    glb = str(emulator_assets.path("textured", "glb"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = api.retexture(model_url=glb, text_style_prompt="oak", enable_original_uv=True)
    said = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(said) == 2 and {s.split("'")[1] for s in said} == {"text_style_prompt",
                                                                   "enable_original_uv"}
    sent = _created_request(meshy_env, result.task_ids["retexture"])
    assert sent["texture_prompt"] == "oak" and sent["uv_mode"] == "original"
    assert not {"text_style_prompt", "enable_original_uv"} & set(sent)


def test_the_cli_says_one_line_per_old_flag(bpy, empty_scene, meshy_env, emulator_assets, capfd):
    import json

    from meshy_blender import cli

    glb = str(emulator_assets.path("textured", "glb"))
    code = cli.main(["retexture", "--input", glb, "--text-style-prompt", "oak", "--json",
                     "--quiet"])
    captured = capfd.readouterr()
    assert code == 0, captured.out
    lines = [line for line in captured.err.splitlines() if "Meshy API v1" in line]
    assert lines == ["meshy: '--text-style-prompt' is the Meshy API v1 name of "
                     "'--texture-prompt': it is translated for now; please use "
                     "'--texture-prompt'."]
    task_id = json.loads(captured.out)["task_ids"]["retexture"]
    assert _created_request(meshy_env, task_id)["texture_prompt"] == "oak"


def test_the_geometry_pass_is_quoted_as_meshy_charges_it(emulator, meshy_client, tmp_path):
    from meshy_blender.client.pricing import quote

    (tmp_path / "a.png").write_bytes(png_bytes())
    for options in ({"ultra_mode": True}, {"geometry_resolution": "4k"}):
        payload = build_payload("image-to-3d", image_url=tmp_path / "a.png", **options)
        task_id = meshy_client.create_task("image-to-3d", payload)
        charged = meshy_client.wait_for_task("image-to-3d", task_id).consumed_credits
        assert quote("image-to-3d", payload).label == f"{charged} credits" == "35 credits"


# ---------------------------------------------------------------- X-Meshy-Metadata (v2)

def _metadata_headers(emulator: Any) -> list[str | None]:
    return [r.get("metadata") for r in created_tasks(emulator)]


@pytest.mark.parametrize(("labels", "words"), [
    ("pilot", "must be labels"), ({}, "must be labels"), ({"my shot": "a"}, "no spaces"),
    ({"shot": True}, "text or a number"), ({"shot": None}, "text or a number"),
    ({f"k{i}": "v" for i in range(65)}, "at most 64"), ({"notes": "x" * 8200}, "8,192"),
])
def test_bad_metadata_is_refused_naming_the_option(labels, words):
    with pytest.raises(e.ValidationError, match=words) as refused:
        build_payload("text-to-motion", prompt="bow", metadata=labels)
    assert refused.value.field == "metadata" and "'metadata'" in str(refused.value)


def test_metadata_travels_as_the_header_never_in_the_body(emulator, meshy_client):
    payload = build_payload("text-to-image", ai_model="nano-banana", prompt="a lamp",
                            metadata={"project": "pilot", "shot": "sh 010", "row": 12})
    task_id = meshy_client.create_task("text-to-image", payload)
    assert _metadata_headers(emulator) == ["project=pilot,shot=sh%20010,row=12"]
    assert "metadata" not in _created_request(emulator, task_id)


def test_every_task_of_an_api_job_carries_the_jobs_labels(bpy, empty_scene, meshy_env,
                                                          emulator_assets):
    from meshy_blender import api

    png = str(emulator_assets.root / emulator_assets.manifest["images"][0])
    result = api.image_to_3d(png, remesh={"topology": "quad"}, should_texture=False,
                             metadata={"project": "pilot", "row": "r7"})
    assert set(result.task_ids) == {"image-to-3d", "remesh"}
    assert _metadata_headers(meshy_env) == ["project=pilot,row=r7"] * 2


def test_the_cli_takes_metadata_as_json(bpy, empty_scene, meshy_env, capfd):
    import json

    from meshy_blender import cli

    code = cli.main(["text-to-image", "a lamp", "--ai-model", "nano-banana", "--metadata",
                     '{"project": "pilot", "shot": "sh010"}', "--json", "--quiet"])
    out = capfd.readouterr().out
    assert code == 0, out
    assert json.loads(out)["task_ids"]
    assert _metadata_headers(meshy_env) == ["project=pilot,shot=sh010"]


def test_no_v1_route_is_left_in_the_add_on():
    """Meshy API v1 stops on 2027-03-15: nothing in the package may name one of its routes."""
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "meshy_blender"
    named = [str(f.relative_to(package)) for f in package.rglob("*.py")
             if "/openapi/v1" in f.read_text(encoding="utf-8")]
    assert named == []


def test_text_to_3d_bodies_are_one_call_shape_or_retexture_of_the_shape():
    shape = create_body("text-to-3d-preview", "text-to-3d",
                        build_payload("text-to-3d-preview", prompt="a lamp"))
    assert shape == {"prompt": "a lamp", "should_texture": False}
    textured = create_body("text-to-3d-refine", "text-to-3d",
                           build_payload("text-to-3d-refine", prompt="a lamp",
                                         texture_prompt="brass"))
    assert textured == {"prompt": "a lamp", "texture_prompt": "brass", "texture_model": "meshy-7"}
    payload = build_payload("text-to-3d-refine", preview_task_id="s", ai_model="meshy-6",
                            texture_prompt="brass", enable_pbr=True)
    assert create_route("text-to-3d-refine", payload) == "retexture"
    assert create_body("text-to-3d-refine", "retexture", payload) == {
        "input_task_id": "s", "texture_model": "meshy-6-lite", "texture_prompt": "brass",
        "enable_pbr": True}
    with pytest.raises(e.ValidationError, match="either a prompt or the shape"):
        build_payload("text-to-3d-refine", prompt="a lamp", preview_task_id="s")


def test_textured_text_to_3d_is_one_paid_call_priced_as_charged(emulator, meshy_client):
    from meshy_blender.client import estimate_cost

    payload = build_payload("text-to-3d-refine", prompt="a brass lamp", texture_prompt="brass")
    balance = meshy_client.balance()
    task = meshy_client.wait_for_task("text-to-3d-refine",
                                      meshy_client.create_task("text-to-3d-refine", payload))
    assert task.succeeded and task.model_urls.get("glb")
    posts = [r["path"] for r in emulator.requests("api") if r["method"] == "POST"]
    assert posts == ["/openapi/v2/text-to-3d"]
    assert _created_request(emulator, task.id)["texture_model"] == "meshy-7"
    assert balance - meshy_client.balance() == estimate_cost("text-to-3d-refine", payload) == 30


def test_texture_it_is_one_retexture_of_the_shape_priced_as_charged(emulator, meshy_client):
    from meshy_blender.client import estimate_cost

    shape = preview(meshy_client)
    assert _created_request(emulator, shape.id)["should_texture"] is False
    payload = build_payload("text-to-3d-refine", preview_task_id=shape.id, ai_model="latest")
    balance = meshy_client.balance()
    task = meshy_client.wait_for_task("text-to-3d-refine",
                                      meshy_client.create_task("text-to-3d-refine", payload))
    assert task.succeeded and task.model_urls.get("glb")
    sent = _created_request(emulator, task.id)
    # No texture prompt given: the shape is textured as its own prompt said (as v1's refine).
    assert sent == {"input_task_id": shape.id, "texture_model": "meshy-7",
                    "texture_prompt": "a knight in armour, standing"}
    posts = [r["path"] for r in emulator.requests("api") if r["method"] == "POST"]
    assert posts[-1] == "/openapi/v2/retexture"
    assert balance - meshy_client.balance() == estimate_cost("text-to-3d-refine", payload) == 10
    assert not [r for r in emulator.requests("api") if r["path"].startswith("/openapi/v1/")]


@pytest.mark.parametrize(("kind", "options", "credits"), [
    ("text-to-3d-refine", {"prompt": "a brass lamp", "texture_prompt": "brass"}, 35),
    ("text-to-3d-preview", {"prompt": "a brass lamp"}, 25),
])
def test_text_to_3d_takes_the_geometry_pass_priced_as_charged(emulator, meshy_client, kind,
                                                              options, credits):
    """API v2's Text to 3D takes `geometry_resolution` (+5), textured or a shape."""
    from meshy_blender.client import estimate_cost

    payload = build_payload(kind, geometry_resolution="4k", **options)
    balance = meshy_client.balance()
    task = meshy_client.wait_for_task(kind, meshy_client.create_task(kind, payload))
    assert _created_request(emulator, task.id)["geometry_resolution"] == "4k"
    assert balance - meshy_client.balance() == estimate_cost(kind, payload) == credits


def test_the_geometry_pass_is_refused_on_a_model_that_does_not_make_it(emulator, meshy_client):
    """4K is Meshy-7.1's (Latest), 2K also Meshy-7's: anything else is refused before a
    request, naming Geometry's field."""
    before = len(emulator.requests("api"))
    for model, resolution in (("meshy-6", "2k"), ("meshy-6-lite", "4k"), ("meshy-t2.5", "2k")):
        with pytest.raises(e.ValidationError) as refused:
            build_payload("text-to-3d-refine", prompt="a lamp", ai_model=model,
                          geometry_resolution=resolution)
        assert refused.value.field == "geometry_resolution"
        assert f"{resolution.upper()} geometry is made by Meshy-7.1 (Latest)" in str(refused.value)
    assert len(emulator.requests("api")) == before


def test_texture_it_never_sends_the_shapes_geometry_pass(emulator, meshy_client):
    """The shape already has its geometry: Texture It (a retexture) neither sends nor pays it."""
    from meshy_blender.client import estimate_cost

    shape = preview(meshy_client)
    payload = build_payload("text-to-3d-refine", preview_task_id=shape.id,
                            geometry_resolution="2k")
    task = meshy_client.wait_for_task("text-to-3d-refine",
                                      meshy_client.create_task("text-to-3d-refine", payload))
    assert "geometry_resolution" not in _created_request(emulator, task.id)
    assert estimate_cost("text-to-3d-refine", payload) == 10


def test_texture_views_are_refused_on_a_model_they_do_not_guide(emulator, meshy_client):
    """Multi-image's texture views (`texture_image_urls`) guide Meshy-7.1 (Latest) alone."""
    views = ["https://example.com/front.png", "https://example.com/back.png"]
    before = len(emulator.requests("api"))
    with pytest.raises(e.ValidationError) as refused:
        build_payload("multi-image-to-3d", image_urls=views, texture_image_urls=views,
                      ai_model="meshy-7")
    assert refused.value.field == "texture_image_urls" and "Meshy-7.1" in str(refused.value)
    assert build_payload("multi-image-to-3d", image_urls=views, texture_image_urls=views,
                         ai_model="latest")["texture_image_urls"] == views
    assert len(emulator.requests("api")) == before
