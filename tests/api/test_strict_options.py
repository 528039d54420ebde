"""Strict types before the first credit (issue 24): every boolean, number and choice of every
request kind, malformed, is refused through the Python API, the command line and a batch file,
with a sentence naming what the user typed (keyword, ``--flag``, column), and the emulator's
request log shows no POST. Real Blender, emulator over HTTP."""

from __future__ import annotations

import json
from itertools import cycle

import pytest

from meshy_blender import cli
from meshy_blender.api import generate
from meshy_blender.client import errors, specs
from meshy_blender.client import validation as v
from meshy_blender.jobs.batchfile import BATCH_KINDS
from meshy_blender.jobs.policy import request_options

from fixtures.emulator import posts

TASK = "01a22988-0e33-76ea-8970-9d39b29de8c4"
# Options that are not a switch, a number or a choice (text, files, ids, lists).
NOT_SCALAR = {"prompt", "negative_prompt", "texture_prompt", "text_style_prompt", "image_url",
              "image_urls", "texture_image_url", "image_style_url", "multiview_image_urls",
              "model_url", "input_task_id", "target_formats"}


def _checker(request: str, name: str) -> v.Checker:
    if name == "should_texture":
        return v.boolean
    kinds = ("text-to-3d-preview", "text-to-3d-refine") if request == "text-to-3d" else (request,)
    return next(specs.OPTIONS[k][name] for k in kinds if name in specs.OPTIONS[k])


def _accepts(check: v.Checker, value: object) -> bool:
    try:
        check("x", value)
    except errors.ValidationError:
        return False
    return True


def option_type(request: str, name: str) -> str:
    """boolean, number or choice, found from the option's own checker."""
    check = _checker(request, name)
    if check is v.boolean:
        return "boolean"
    if any(_accepts(check, n) for n in (1, 4, 500, 5000, 1.5)):
        return "number"
    return "choice"


# Request kinds beyond the batch file's that have switches, numbers or choices (API and CLI;
# uv-unwrap, print-analyze and print-repair take none, animate's action id is argparse's int).
TOOL_KINDS = ("rig", "text-to-image", "image-to-image", "text-to-motion", "print-multi-color")
CLI_NAME = {"print-multi-color": "print-multicolor"}


def table(requests: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(request, option, type) for every scalar option of these request kinds."""
    return [(request, name, option_type(request, name)) for request in requests
            for name in sorted(request_options(request) - NOT_SCALAR)]


TABLE = table(BATCH_KINDS)  # batch files take these kinds
EVERY_KIND = TABLE + table(TOOL_KINDS)
# Malformed values as text (command line, CSV) and as Python values (the API).
TEXT_BAD = {"boolean": ["fals", "nope", "2", "", "on", "truee"],
            "number": ["abc", "nan", "1e12", "", "5,000"], "choice": ["zzz", "", "QUADD"]}
API_BAD = {"boolean": ["false", 1, 0, "yes"], "number": ["500", float("nan"), 10**12, True],
           "choice": ["zzz", True, 3]}


def test_the_table_covers_every_kind_and_type():
    types = {(r, t) for r, _, t in TABLE}
    assert {r for r, _ in types} == set(BATCH_KINDS)
    assert {t for _, t in types} == {"boolean", "number", "choice"}
    assert ("text-to-3d", "should_texture", "boolean") in TABLE
    assert ("text-to-3d", "target_polycount", "number") in TABLE
    assert ("remesh", "topology", "choice") in TABLE
    assert {r for r, _, _ in EVERY_KIND} == {*BATCH_KINDS, *TOOL_KINDS}
    assert ("text-to-motion", "duration", "number") in EVERY_KIND


def _inputs(request: str, image: str) -> dict[str, object]:
    return {"text-to-3d": {"prompt": "a crate"}, "image-to-3d": {"image_url": image},
            "multi-image-to-3d": {"image_urls": [image]},
            "retexture": {"input_task_id": TASK, "text_style_prompt": "rust"},
            "remesh": {"input_task_id": TASK}, "rig": {"input_task_id": TASK},
            "text-to-image": {"prompt": "a cat", "ai_model": "nano-banana"},
            "image-to-image": {"prompt": "a cat", "ai_model": "nano-banana",
                               "reference_image_urls": [image]},
            "text-to-motion": {"prompt": "a walk"},
            "print-multi-color": {"input_task_id": TASK}}[request]


def _cli_inputs(request: str, image: str) -> list[str]:
    return {"text-to-3d": ["a crate"], "image-to-3d": [image], "multi-image-to-3d": [image],
            "retexture": ["--task-id", TASK, "--text-style-prompt", "rust"],
            "remesh": ["--task-id", TASK], "rig": ["--task-id", TASK],
            "text-to-image": ["a cat", "--ai-model", "nano-banana"],
            "image-to-image": [image, "--prompt", "a cat", "--ai-model", "nano-banana"],
            "text-to-motion": ["a walk"], "print-multi-color": ["--task-id", TASK]}[request]


@pytest.fixture
def image(emulator_assets) -> str:
    return str(emulator_assets.root / emulator_assets.manifest["images"][0])


def test_api_refuses_every_malformed_option_by_its_keyword(meshy_env, empty_scene, image):
    bad_values = {t: cycle(values) for t, values in API_BAD.items()}
    for request, name, kind in EVERY_KIND:
        for _ in range(2):
            bad = next(bad_values[kind])
            with pytest.raises(errors.ValidationError) as caught:
                generate.run(request, {**_inputs(request, image), name: bad}, progress=None,
                             timeout=5, import_format=None, placement=None, label=None)
            assert f"'{name}'" in str(caught.value), (request, name, bad, str(caught.value))
    assert posts(meshy_env) == []


def test_cli_refuses_every_malformed_option_by_its_flag(meshy_env, empty_scene, image, capfd):
    bad_values = {t: cycle(values) for t, values in TEXT_BAD.items()}
    for request, name, kind in EVERY_KIND:
        flag = f"--{name.replace('_', '-')}"
        for _ in range(2):
            bad = next(bad_values[kind])
            code = cli.main([CLI_NAME.get(request, request), *_cli_inputs(request, image),
                             flag, bad, "--json", "--quiet"])
            data = json.loads(capfd.readouterr().out)
            assert code == cli.EXIT_BAD_INPUT, (request, name, bad, data)
            message = data["error"]["message"]
            assert flag in message and f"'{name}'" not in message, (request, name, bad, message)
    assert posts(meshy_env) == []


def test_batch_file_refuses_every_malformed_cell_by_its_column(meshy_env, empty_scene, image,
                                                               tmp_path, capfd):
    bad_values = {t: cycle([b for b in values if b]) for t, values in TEXT_BAD.items()}
    path = tmp_path / "props.csv"
    for request, name, kind in TABLE:
        bad = next(bad_values[kind])
        inputs = {k: (val[0] if isinstance(val, list) else val)
                  for k, val in _inputs(request, image).items()}
        path.write_text(f"id,kind,{','.join(inputs)},{name}\n"
                        f"prop,{request},{','.join(map(str, inputs.values()))},\"{bad}\"\n",
                        encoding="utf-8")
        code = cli.main(["batch", str(path), "--json", "--quiet"])
        data = json.loads(capfd.readouterr().out)
        assert code == cli.EXIT_BAD_INPUT, (request, name, bad, data)
        problems = data["error"].get("problems") or [data["error"]["message"]]
        assert any(f"column '{name}'" in p for p in problems), (request, name, bad, problems)
    assert posts(meshy_env) == []


@pytest.mark.parametrize("word,value", [("true", True), ("YES", True), ("1", True),
                                        ("False", False), ("no", False), ("0", False)])
def test_the_six_boolean_words_are_read_in_any_case(word, value):
    assert v.boolean_text("--should-texture", word) is value


def test_should_texture_fals_on_the_command_line_pays_nothing(meshy_env, empty_scene, capfd):
    """The issue's case: it exited 0 and paid 30 credits instead of 20."""
    code = cli.main(["text-to-3d", "a crate", "--should-texture", "fals", "--json", "--quiet"])
    data = json.loads(capfd.readouterr().out)
    assert code == cli.EXIT_BAD_INPUT
    assert "'--should-texture' must be true or false" in data["error"]["message"]
    assert posts(meshy_env) == []
    code = cli.main(["text-to-3d", "a crate", "--should-texture", "0", "--json", "--quiet"])
    data = json.loads(capfd.readouterr().out)
    assert code == 0 and data["credits"] == 20, data
